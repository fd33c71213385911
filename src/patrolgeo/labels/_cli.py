"""Labels of the command line: each verb's help and each option's help, in both languages.

Tables
------
``cli_command``
    A verb's one-line help, by verb name.
``cli_option``
    An option's help, by ``"<verb>.<parameter>"`` or, shared by every verb, by
    ``"<parameter>"`` (the Python name of the option: ``out``, ``osm`` …).
"""

from patrolgeo.labels import register

register("cli_command", {
    "roads": ("读取路网，写出分段、道路和道路等级地图",
              "Load a road network and write segments, roads and a road-class map"),
    "demo": ("在随包附带的中国城区（贵溪市）上运行全部流程",
             "Run the whole pipeline on a Chinese district that ships with the install (贵溪市)"),
    "plan": ("为每条道路的每个路段定级（一级…四级）并写出保洁方案：CSV、xlsx、HTML、地图",
             "Grade every road section (一级 … 四级) and write its cleaning plan: CSV, xlsx, "
             "HTML, map"),
    "assign": ("把路段分给路长：连通、均衡、紧凑的片区",
               "Divide the road segments among road chiefs: connected, balanced, compact "
               "territories"),
    "route": ("计算最优巡查路线（中国邮路）；写出 GeoJSON、GPX、逐段指引和地图",
              "Compute an optimal patrol route (postman route); write GeoJSON, GPX, steps and "
              "a map"),
    "shifts": ("把车场周围的道路分给各班组的班次，含校门定点岗",
               "Split the streets around a depot over crews' shifts, with school-gate posts"),
    "hotspots": ("读入问题上报，吸附到路段，找出热点和趋势",
                 "Take in issue reports, snap them to road segments, find hotspots and trends"),
    "map": ("绘制道路等级、保洁等级、片区、路长路线和热点地图",
            "Draw the road-class, grade, territory, per-chief and hotspot maps"),
    "carp": ("求解带容量弧路径问题（CARP）算例；输出费用、差距和校验",
             "Solve a capacitated arc routing (CARP) instance; print cost, gap and check"),
    "serve": ("启动路长制服务（HTTP 接口与网页）",
              "Start the road-chief service (HTTP API and pages)"),
})

register("cli_option", {
    # ------------------------------------------------------------------ every verb
    "lang": ("界面语言：zh 中文 | en 英文", "language of every word: zh | en"),
    "osm": ("OSM 文件（.osm、.osm.bz2、.osm.pbf）或 .graphml 缓存",
            "OSM file (.osm, .osm.bz2, .osm.pbf) or a .graphml cache"),
    "place": ("要下载的地名，如“济阳区, 济南市, 山东省”（需联网）",
              "place to download, e.g. \"济阳区, 济南市, 山东省\" (needs network)"),
    "bbox": ("范围：西,南,东,北（度）；裁剪文件，或据此下载",
             "west,south,east,north in degrees: clips a file, or is downloaded"),
    "mode": ("出行方式：walk 步行 | bike 骑行 | drive 驾车（后两者遵守单行）",
             "travel mode: walk | bike | drive (bike and drive obey one-way streets)"),
    "network": ("路网：city 责任路网（默认）| walk | bike | drive 原始路网",
                "which streets: city (the responsibility network, default) | walk | bike | "
                "drive (raw networks)"),
    "keep_components": ("保留与主路网不连通的片段", "keep pieces not connected to the "
                        "largest one"),
    "network_rules": ("责任路网规则 TOML（叠加在默认规则上）",
                      "responsibility network rules (TOML), laid over the defaults"),
    "out": ("输出文件夹", "output folder"),
    "basemap": ("底图：auto 自动 | osm | amap 高德（GCJ-02）| tianditu 天地图",
                "basemap: auto | osm | amap (GCJ-02) | tianditu"),
    "offline": ("不加载瓦片的独立地图（无网络也能打开）",
                "self-contained maps with no tiles (open with no network)"),
    "seed": ("随机种子（结果可复现）", "random seed (reproducible runs)"),
    # ------------------------------------------------------------------ plan
    "rules": ("分级规则 TOML（叠加在默认规则上）", "grading rules (TOML), laid over the defaults"),
    "overrides": ("逐路覆盖表（CSV：road_id、grade、chief_patrol、carriageway_m、sidewalk_m、"
                  "reason），始终优先", "per-road overrides (CSV: road_id, grade, chief_patrol, "
                  "carriageway_m, sidewalk_m, reason); they always win"),
    # ------------------------------------------------------------------ assign
    "chiefs": ("路长人数（默认取自驻点或上一版分配）",
               "number of road chiefs (default: stations, previous)"),
    "stations": ("路长驻点 CSV：chief_id,lat,lon[,capacity]",
                 "CSV chief_id,lat,lon[,capacity]: chief stations (anchors)"),
    "pins": ("必须保持的分配 CSV：segment_id,chief_id",
             "CSV segment_id,chief_id: assignments that must hold"),
    "previous": ("上一版 assignments.csv：尽量少改动",
                 "a previous assignments.csv to change as little as possible"),
    "tolerance": ("允许的工作量偏差（如 0.05）", "allowed workload deviation from target, "
                  "e.g. 0.05"),
    "road_share": ("一条道路长于片区的该比例时才拆分",
                   "a named road stays whole unless longer than this share of a territory"),
    # ------------------------------------------------------------------ route
    "segments": ("需要经过的路段 CSV（segment_id 列；默认全部）",
                 "CSV with a segment_id column: the segments to serve (default all)"),
    "route.start": ("出发点（驻点），吸附到路网", "station, snapped to the network"),
    "open_route": ("不必回到起点", "end anywhere (no return)"),
    "both_sides": ("双向道路两侧都要经过（清扫两侧路缘）",
                   "serve both sides of two-way streets (sweeping both kerbs)"),
    "route.speed": ("速度，公里/小时（默认按出行方式）", "km/h (default per mode)"),
    # ------------------------------------------------------------------ shifts
    "depot": ("车场：经度,纬度（默认路网中心）", "depot as LON,LAT (default: the network's "
              "centre)"),
    "radius": ("服务车场周围多少米内的道路", "serve the streets within this many metres of "
               "the depot"),
    "crews": ("班组（路长或车辆）数", "number of crews (chiefs or vehicles)"),
    "shift_hours": ("最长班次，小时", "longest shift, hours"),
    "shifts.speed": ("行进速度，米/秒", "travel speed, m/s"),
    "service_speed": ("巡查或清扫时的速度，米/秒", "speed while patrolling or sweeping, m/s"),
    "capacity": ("车斗容量（与 --demand-per-km 合用）", "hopper capacity (with "
                 "--demand-per-km)"),
    "demand_per_km": ("每公里道路的收集量", "load collected per km of street"),
    "shifts.start": ("最早出发 HH:MM", "earliest start HH:MM"),
    "end": ("最晚返回 HH:MM", "latest return HH:MM"),
    "school_gate": ("校门定点岗：经度,纬度（可重复）", "a school-gate post as LON,LAT "
                    "(repeatable)"),
    "balance": ("缩短最长的路线", "shorten the longest route"),
    "iterations": ("搜索力度（迭代次数）", "search effort (iterations)"),
    "seconds": ("时间上限，秒", "time limit, seconds"),
    # ------------------------------------------------------------------ hotspots, map
    "issues_files": ("问题上报：CSV、GeoJSON 或 Open311 JSON（可重复）",
                     "reports: CSV, GeoJSON or Open311 JSON (repeatable)"),
    "taxonomy": ("问题分类（.toml/.json/.csv）；默认 GB/T 30428.2",
                 "categories and kinds (.toml/.json/.csv); default GB/T 30428.2"),
    "crs": ("上报坐标系：wgs84 | gcj02（高德/腾讯）| bd09（百度）",
            "coordinates of the reports: wgs84 | gcj02 (AMap/Tencent) | bd09 (Baidu)"),
    "tz": ("无时区的上报时间所在时区", "time zone of report times that carry none"),
    "max_distance": ("上报点到路段的最大距离（米）", "largest report-to-segment distance, "
                     "metres"),
    "value": ("Gi* 的取值：rate 每公里问题率 | count 问题数",
              "Gi* on: rate (issues per km) | count"),
    "permutations": ("Gi* 置换次数", "Gi* permutations"),
    "assignment": ("路长分配 CSV（segment_id,chief_id），用于按路长统计",
                   "CSV segment_id,chief_id (assignments.csv) for per-chief totals"),
    "assignments": ("路长分配 assignments.csv：片区总览和每位路长的路线图",
                    "assignments.csv (segment_id, chief_id): territory overview and one map "
                    "per chief with its patrol route"),
    # ------------------------------------------------------------------ carp
    "file": ("CARPLIB .dat 算例文件", "CARPLIB .dat file"),
    "bks": ("已知最优值（默认取文件旁的 bks.csv）", "best known value (default: from bks.csv "
            "beside the file)"),
    "carp.out": ("把路线写到此文件", "write the routes to this file"),
    "carp.iterations": ("子代上限（结果可复现）", "offspring limit (reproducible runs)"),
    "version": ("显示版本并退出", "show the version and exit"),
    "help": ("显示此帮助并退出", "show this message and exit"),
})
