"""Labels of the maps: ``code -> (Chinese, English)`` tables.

Tables
------
``highway``
    OSM highway classes (the road-class map's legend and popups).
``basemap``
    Basemap codes (the tile layer's name in the layer control).
``map_field``
    Popup rows: a column, or a named variant of one, to its alias.
``map_card``
    One line of what each kind of map shows (the index page's cards).
``index``
    The index page's headings and notes.
"""

from __future__ import annotations

from patrolgeo.labels import register

register("highway", {
    "motorway": ("高速公路", "Motorway"), "trunk": ("快速路", "Trunk"),
    "primary": ("主干路", "Primary"), "secondary": ("次干路", "Secondary"),
    "tertiary": ("支路(三级)", "Tertiary"), "unclassified": ("未分级道路", "Unclassified"),
    "residential": ("居住区道路", "Residential"),
    "living_street": ("生活街道", "Living street"), "service": ("服务道路", "Service"),
    "pedestrian": ("步行街", "Pedestrian"), "footway": ("人行道", "Footway"),
    "cycleway": ("自行车道", "Cycleway"), "path": ("小路", "Path"),
    "steps": ("台阶", "Steps"), "track": ("机耕路", "Track"),
})

register("basemap", {
    "osm": ("OpenStreetMap 底图", "OpenStreetMap"),
    "amap": ("高德地图", "AMap (Gaode)"),
    "tianditu": ("天地图", "Tianditu"),
})

register("map_field", {
    "road_name": ("道路", "Road"),
    "highway_label": ("等级", "Class"),
    "length_m": ("长度(米)", "Length (m)"),
    "segment_id": ("分段编号", "Segment id"),
    "grade": ("保洁等级", "Cleaning grade"),
    "crew_hours_week": ("保洁工时(小时/周)", "Crew hours/week"),
    "chief_patrol": ("路长巡查(分钟/周)", "Chief patrol (min/week)"),
    "chief_id": ("路长", "Road chief"),
    "plan_summary": ("一路一策", "Road plan"),
    "workload": ("工作量(分钟/周)", "Workload (min/week)"),
    "issue_count": ("问题数", "Issues"),
    "gi_name": ("热点分析", "Hot spot analysis"),
    "trend_label": ("趋势", "Trend"),
    "seq": ("顺序", "Step"),
    "kind": ("类型", "Kind"),
    "km": ("累计公里", "Cumulative km"),
})

register("map_card", {
    "segments": ("全部路段，按道路等级着色", "Every segment, coloured by road class"),
    "grades": ("各路段的保洁等级（一级至四级）与工作量",
               "Cleaning grade (1 to 4) and workload of every segment"),
    "territories": ("各路长的责任区，相邻片区颜色不同",
                    "Every road chief's territory, neighbours in different colours"),
    "chief": ("该路长的责任区、按顺序的巡查路线、逐步指引与 GPX",
              "The chief's territory, the patrol route in order, its steps and GPX"),
    "route": ("巡查路线：按顺序、逐步指引与 GPX", "The patrol route in order, its steps and GPX"),
    "hotspots": ("问题热点 (Gi*)、热力图与各类问题点（可按周查看）",
                 "Issue hot spots (Gi*), heatmap and reports by category and week"),
    "map": ("地图", "Map"),
})

register("index", {
    "maps": ("地图", "Maps"),
    "pages": ("其他页面", "Pages"),
    "downloads": ("下载数据", "Downloads"),
    "downloads_note": ("表格与轨迹文件：在电脑上用 Excel、QGIS 或导航软件打开",
                       "Tables and tracks: open them with Excel, QGIS or a navigation app"),
    "top_folder": ("本目录", "This folder"),
    "attribution_file": ("数据来源与许可", "Data source and licence"),
})
