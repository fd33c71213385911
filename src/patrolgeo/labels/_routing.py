"""Labels of the routing codes: ``code -> (Chinese, English)`` tables.

``route_compass`` and ``route_turn`` name the codes of :mod:`patrolgeo.routing.steps`;
``route_text`` holds the sentence templates of the route writers; ``route_check`` the
templates of the violations :func:`patrolgeo.routing.verify_route` reports. Templates
are filled with :meth:`str.format`.
"""

from patrolgeo.labels import register

register("route_compass", {
    "north": ("北", "north"), "northeast": ("东北", "northeast"), "east": ("东", "east"),
    "southeast": ("东南", "southeast"), "south": ("南", "south"),
    "southwest": ("西南", "southwest"), "west": ("西", "west"),
    "northwest": ("西北", "northwest"),
})

register("route_turn", {
    "straight": ("直行进入{onto}", "continue straight onto {onto}"),
    "slight_left": ("稍向左进入{onto}", "bear left onto {onto}"),
    "slight_right": ("稍向右进入{onto}", "bear right onto {onto}"),
    "left": ("左转进入{onto}", "turn left onto {onto}"),
    "right": ("右转进入{onto}", "turn right onto {onto}"),
    "sharp_left": ("向左急转进入{onto}", "turn sharp left onto {onto}"),
    "sharp_right": ("向右急转进入{onto}", "turn sharp right onto {onto}"),
    "uturn": ("掉头沿{onto}返回", "make a U-turn back along {onto}"),
    "uturn_dead_end": ("至尽头掉头返回", "turn round at the dead end"),
    "arrive_closed": ("回到出发点", "arrive back at the start"),
    "arrive_open": ("到达终点", "arrive at the end"),
    "leave_area": ("继续驶出区外", "drive on out of the area"),
    "end_piece": ("本片区巡查完毕", "this piece is done"),
})

register("route_text", {
    "unnamed": ("无名路", "an unnamed road"),
    "km": ("{km:.1f} 公里", "{km:.1f} km"),
    "m": ("{m} 米", "{m} m"),
    "head": ("沿{road}向{compass}行驶 {distance}", "Head {compass} on {road} for {distance}"),
    "out_and_back": ("沿{road}向{compass}行驶 {there}至尽头，掉头返回 {back}",
                     "Head {compass} on {road} for {there} to the dead end, turn round and "
                     "come back {back}"),
    "plaza": ("向{compass}穿过{road} {distance}", "Cross {road} heading {compass} for {distance}"),
    "square": ("广场", "the square"),
    "via": ("{a}、{b}", "{a}, then {b}"),
    "toward": ("（往{road}方向）", " (towards {road})"),
    "spurs": ("（途中往返 {count} 处尽头短支路）", " (in and out of {count} short dead end(s) on "
              "the way)"),
    "partly_transit": ("（其中途经 {distance}）", " ({distance} of it transit only)"),
    "at": ("在{landmark}路口", "at {landmark}, "),
    "line": ("{n}. {text}｜累计 {cum}，{minutes:.0f} 分钟",
             "{n}. {text} | {cum} so far, {minutes:.0f} min"),
    "transit": ("（途经，不巡查）", " (transit only)"),
    "step": ("{head}{transit}，{then}", "{head}{transit}, then {then}"),
    "step_only": ("{head}", "{head}"),
    "summary": ("全程 {total}，约 {minutes:.0f} 分钟；巡查 {service}，"
                "途经 {deadhead}（{deadhead_pct:.1f}%），掉头 {u_turns} 次。",
                "Total {total}, about {minutes:.0f} min; patrol {service}, transit "
                "{deadhead} ({deadhead_pct:.1f}%), {u_turns} U-turns."),
    "outside": ("出区掉头（区外 {distance}）", "leave the area and turn back ({distance} outside)"),
    "transfer": ("转移至下一片区：直线 {distance}（路网不连通）",
                 "transfer to the next piece: {distance} straight (no street link)"),
    "transfer_back": ("转移回出发片区：直线 {distance}（路网不连通）",
                      "transfer back to the first piece: {distance} straight (no street link)"),
    "pieces": ("路网分为 {pieces} 个互不相连的片区，片区间直线转移 {transfers} 次共 {transfer}"
               "（不计入道路里程）。",
               " The network is in {pieces} pieces no street joins: {transfers} straight "
               "transfers, {transfer} in all (not counted as street distance)."),
    "outside_summary": ("其中出区掉头 {count} 次，区外行驶 {distance}。",
                        " It leaves the area {count} times to turn back, {distance} outside."),
    "attribution": ("地图数据 {attribution}", "Map data {attribution}"),
    "gpx_name": ("巡查路线", "Patrol route"),
    "gpx_desc": ("全程 {km:.2f} 公里；地图数据 {attribution}",
                 "{km:.2f} km; map data {attribution}"),
})

# an unnamed way described by its class (what a walker sees), in step texts
register("route_class", {
    "motorway": ("高速公路", "the motorway"), "trunk": ("快速路", "the expressway"),
    "primary": ("主干路", "the main road"), "secondary": ("次干路", "the secondary road"),
    "tertiary": ("支路", "the minor road"), "unclassified": ("道路", "the road"),
    "residential": ("小区道路", "the residential street"),
    "living_street": ("生活街道", "the living street"), "service": ("内部道路", "the service road"),
    "pedestrian": ("步行街", "the pedestrian street"), "track": ("土路", "the track"),
    "footway": ("人行小路", "the footpath"), "path": ("小路", "the path"),
    "steps": ("台阶", "the steps"), "cycleway": ("非机动车道", "the cycle path"),
    "bridleway": ("小路", "the path"), "corridor": ("通道", "the passage"),
    "road": ("道路", "the road"), "busway": ("公交专用道", "the busway"),
    "link": ("匝道", "the slip road"), "other": ("无名道路", "the unnamed road"),
})

register("route_check", {
    "unknown_required": ("必经路段 {sid} 不在路网中",
                         "required segment {sid} is not in the network"),
    "no_such_edge": ("第 {n} 段 ({u}→{v}, key={key})：不存在的边",
                     "traversal {n} ({u}->{v}, key={key}): no such edge"),
    "against_oneway": ("第 {n} 段 ({u}→{v}, key={key})：逆行单行道",
                       "traversal {n} ({u}->{v}, key={key}): against a one-way street"),
    "no_segment": ("第 {n} 段不属于任何路段", "traversal {n} matches no segment"),
    "traversal_length": ("第 {n} 段长度 {stated:.1f} 米与几何长度 {geometry:.1f} 米不符",
                         "traversal {n} states {stated:.1f} m, geometry gives "
                         "{geometry:.1f} m"),
    "gap": ("第 {n} 段终点 {end} 与第 {next} 段起点 {start} 不相接",
            "traversal {n} ends at {end} but traversal {next} starts at {start}"),
    "not_closed": ("路线未闭合：起于 {start}，止于 {end}",
                   "route is not closed: starts at {start}, ends at {end}"),
    "wrong_start": ("路线起点 {first} 不是 {start}", "route starts at {first}, not at {start}"),
    "empty": ("路线为空", "the route is empty"),
    "not_covered": ("必经路段 {sid} 未走到", "required segment {sid} is not covered"),
    "more_not_covered": ("另有 {count} 个必经路段未走到",
                         "{count} more required segments are not covered"),
    "edge_lengths": ("边长属性之和 {claimed:.1f} 米与几何长度 {geometry:.1f} 米不符",
                     "edge lengths add to {claimed:.1f} m, geometry to {geometry:.1f} m"),
    "served_not_required": ("路段 {sid} 非必经却标为作业",
                            "segment {sid} is served but not required"),
    "served_twice": ("路段 {sid} 作业了不止一次", "segment {sid} is served more than once"),
    "route_length": ("路线长度 {stated:.1f} 米与几何重算 {geometry:.1f} 米不符",
                     "route states {stated:.1f} m, geometry gives {geometry:.1f} m"),
    "transfer_joined": ("第 {n} 段转移 ({u}→{v})：两端有道路相连，不应直线转移",
                        "transfer {n} ({u}->{v}) joins nodes a street already joins"),
    "cumulative": ("累计里程与总长不符", "cumulative distance does not add up to the total"),
    "failed": ("路线校验未通过：{shown}{more}", "route check failed: {shown}{more}"),
})

# why a required segment is left out of a route (``Route.unreachable_table``), and the
# one line a face prints about them
register("route_unreachable", {
    "one_way_unreachable": ("单行道限制，无法驶入并驶出",
                            "one-way streets allow no way in and back out"),
    "disconnected": ("与路线所在路网不相连", "not connected to the route's network"),
    "boundary_dead_end": ("单行道通往区外（或自区外驶入），数据中无区外掉头道路",
                          "one-way road leading out of the area (or in from outside); the "
                          "data holds no road outside to turn round on"),
    "summary": ("注意：{count} 个路段（{km:.2f} 公里）无法到达，未纳入路线（{reasons}），"
                "清单见 {file}",
                "note: {count} segments ({km:.2f} km) cannot be reached and are left out "
                "({reasons}); listed in {file}"),
    "reason_count": ("{reason} {count} 个", "{reason}: {count}"),
    "separator": ("；", "; "),
    "output": ("无法到达的路段 CSV", "Unreachable segments CSV"),
})

# the printable route sheet (patrolgeo.outputs.sheet)
register("route_sheet", {
    "title": ("巡查路线单", "Patrol route sheet"),
    "chief_title": ("路长 {chief} 巡查路线单", "Road chief {chief}: patrol route sheet"),
    "total": ("全程", "Total"),
    "time": ("预计用时", "Time"),
    "duration": ("约 {hours} 小时 {minutes} 分钟", "about {hours} h {minutes} min"),
    "speed": ("（按 {kmh:.0f} 公里/小时）", " (at {kmh:.0f} km/h)"),
    "start": ("起点", "Start"),
    "start_at": ("{road}，北纬 {lat:.5f}°，东经 {lon:.5f}°", "{road}, {lat:.5f}° N, {lon:.5f}° E"),
    "steps": ("逐步指引", "Steps"),
    "overview": ("路线总览", "Overview"),
    "n": ("序号", "No."),
    "instruction": ("指引", "Instruction"),
    "distance": ("本段", "Distance"),
    "cumulative": ("累计", "So far"),
    "at_time": ("用时", "Time"),
    "minutes": ("{m:.0f} 分", "{m:.0f} min"),
    "roads": ("责任道路", "Roads in charge"),
    "road": ("道路", "Road"),
    "km": ("公里", "km"),
    "grade": ("等级", "Grade"),
    "methods": ("作业方式", "Methods"),
    "patrol": ("路长巡查", "Chief's patrols"),
    "no_plan": ("（未给出保洁方案）", "(no plan given)"),
    "legend": ("红线：巡查；灰色虚线：途经；绿点：起点；数字：步骤序号",
               "Red: patrol; grey dashed: transit; green dot: start; numbers: steps"),
    "north": ("北", "N"),
    "summary_line": ("全程 {km:.2f} 公里，{steps} 步", "{km:.2f} km, {steps} steps"),
})
