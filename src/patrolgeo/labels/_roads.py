"""Labels of the roads codes: ``code -> (Chinese, English)`` tables.

Tables
------
``roads_output``
    The names of the files the roads stage writes (as listed after a run).
"""

from patrolgeo.labels import register

register("roads_output", {
    "segments_gpkg": ("分段 GeoPackage", "Segments GeoPackage"),
    "segments_geojson": ("分段 GeoJSON", "Segments GeoJSON"),
    "segments_csv": ("分段表 CSV", "Segments CSV"),
    "roads_csv": ("道路表 CSV", "Roads CSV"),
    "road_class_map": ("道路等级地图", "Road class map"),
})
