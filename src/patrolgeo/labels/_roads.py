"""Labels of the roads codes: ``code -> (Chinese, English)`` tables.

Tables
------
``roads_output``
    The names of the files the roads stage writes (as listed after a run).
``excluded_reason``
    Why a way is not in the network (``roads.REASONS``; the ``excluded`` table).
``network``
    The networks a graph can be built as (``roads.NETWORKS``).
"""

from patrolgeo.labels import register

register("roads_output", {
    "segments_gpkg": ("分段 GeoPackage", "Segments GeoPackage"),
    "segments_geojson": ("分段 GeoJSON", "Segments GeoJSON"),
    "segments_csv": ("分段表 CSV", "Segments CSV"),
    "roads_csv": ("道路表 CSV", "Roads CSV"),
    "road_class_map": ("道路等级地图", "Road class map"),
})

register("excluded_reason", {
    "motorway": ("高速公路及匝道（由高速公路管理部门负责）",
                 "motorway or its ramp (run by the highway authority)"),
    "access": ("非公共通行道路（禁止或私有通行）", "closed to the public (access private/no)"),
    "service_minor": ("地块内部服务道路（车道入口、停车场通道等）",
                      "minor service way (driveway, parking aisle, …)"),
    "sidewalk_folded": ("人行道、人行横道，并入所属道路",
                        "sidewalk or crossing, folded into its street"),
    "compound": ("封闭大院内部道路（校园、小区、厂区、营区等）",
                 "inside a closed compound (campus, gated estate, works, barracks)"),
    "reversible": ("潮汐（可变向）车道，车辆不宜通行", "reversible way (not safe for vehicles)"),
    "component": ("与主路网不连通的路段", "piece not connected to the main network"),
    "override": ("按道路编号手工排除", "excluded by way id (override)"),
    "construction": ("在建或规划道路", "under construction or proposed"),
    "class": ("不属城市道路的等级（机耕路、室内通道等）",
              "class outside the city network (track, corridor, …)"),
})

register("network", {
    "city": ("责任路网", "responsibility network"),
    "walk": ("步行路网", "walking network"),
    "bike": ("骑行路网", "cycling network"),
    "drive": ("车行路网", "driving network"),
})
