"""HTML maps (folium) of what the other stages computed; this package computes no route.

Every map is one HTML file. ``offline=True`` inlines every script and style sheet
(Leaflet and its plugins, from the ``folium-offline`` package) and draws no tiles, so a
patrol lead can open it on a phone with no signal; the road network itself is the base.
Basemaps: OpenStreetMap (default), AMap/Gaode (GCJ-02: every overlay coordinate is
converted from WGS-84 with ``coordTransform``) and Tianditu (CGCS2000, which matches
WGS-84 at map scale). The attribution always names OpenStreetMap's contributors.

Every drawing function takes ``lang`` (``"zh"`` by default) for the map's words; folium
is imported when a map is drawn, not when this package is imported.

Examples
--------
>>> from patrolgeo.outputs import maps
>>> maps.highway_label("residential", "en")
'Residential'
"""

from __future__ import annotations

from patrolgeo.outputs.maps._base import (
    BASEMAPS,
    OSM_ATTRIBUTION,
    OTHER_COLOUR,
    Basemap,
    base_map,
    check_basemap,
    classified_map,
    display_geojson,
    latlon_bounds,
    legend,
    map_script,
    styled_geojson,
    to_display_crs,
    wgs84_to_gcj02,
)
from patrolgeo.outputs.maps._saving import OfflineAssetError, inline_assets, render_map, save_map
from patrolgeo.outputs.maps.chief_route import (
    ARROW_EVERY_M,
    DEADHEAD_COLOUR,
    ROUTE_COLOUR,
    chief_map,
)
from patrolgeo.outputs.maps.grades import GRADE_COLOURS, grade_map
from patrolgeo.outputs.maps.hotspots import (
    CATEGORY_COLOURS,
    GI_COLOURS,
    hotspot_map,
)
from patrolgeo.outputs.maps.index import index_page
from patrolgeo.outputs.maps.road_classes import HIGHWAY_COLOURS, highway_label, segments_map
from patrolgeo.outputs.maps.territories import (
    TERRITORY_COLOURS,
    overview_map,
    territory_colours,
)

__all__ = [
    "ARROW_EVERY_M", "BASEMAPS", "CATEGORY_COLOURS", "DEADHEAD_COLOUR", "GI_COLOURS",
    "GRADE_COLOURS", "HIGHWAY_COLOURS", "OSM_ATTRIBUTION", "OTHER_COLOUR", "ROUTE_COLOUR",
    "TERRITORY_COLOURS", "Basemap", "OfflineAssetError", "base_map", "check_basemap",
    "chief_map", "classified_map", "display_geojson", "grade_map",
    "highway_label", "hotspot_map", "index_page", "inline_assets", "latlon_bounds", "legend",
    "map_script", "overview_map", "render_map", "save_map", "segments_map", "styled_geojson",
    "territory_colours", "to_display_crs", "wgs84_to_gcj02",
]
