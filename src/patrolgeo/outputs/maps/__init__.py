"""HTML maps (folium) of what the other stages computed; this package computes no route.

Every map is one self-contained HTML file: every script and style sheet (Leaflet and
its plugins, from the ``folium-offline`` package) is inline, so a patrol lead can open
it on a phone with no signal. Tiles are optional: where they cannot load, the overlays
draw on a plain background; ``offline=True`` draws no tiles at all (the smallest file).
Basemaps: ``"auto"`` (default: AMap inside China, OpenStreetMap elsewhere),
OpenStreetMap, AMap/Gaode (GCJ-02: every overlay coordinate is converted from WGS-84
with ``coordTransform``) and Tianditu (CGCS2000, which matches WGS-84 at map scale; its
key comes from ``TIANDITU_KEY``). The attribution always names OpenStreetMap's
contributors. Legends and layer lists fold on screens narrower than 600 px
(:func:`fold_on_narrow_screens`); :func:`index_page` lays a run's maps out as cards.

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
    AUTO,
    BASEMAP_CHOICES,
    BASEMAPS,
    MAP_BACKGROUND,
    NARROW_SCREEN_PX,
    OSM_ATTRIBUTION,
    OTHER_COLOUR,
    TIANDITU_KEY_ENV,
    Basemap,
    base_map,
    check_basemap,
    classified_map,
    display_geojson,
    fold_on_narrow_screens,
    html_lang,
    inside_china,
    latlon_bounds,
    legend,
    map_script,
    resolve_basemap,
    styled_geojson,
    tianditu_key,
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
from patrolgeo.outputs.maps.index import (
    Download,
    MapCard,
    index_page,
    map_card,
    run_index,
)
from patrolgeo.outputs.maps.road_classes import HIGHWAY_COLOURS, highway_label, segments_map
from patrolgeo.outputs.maps.territories import (
    TERRITORY_COLOURS,
    overview_map,
    territory_colours,
)

__all__ = [
    "ARROW_EVERY_M", "AUTO", "BASEMAPS", "BASEMAP_CHOICES", "CATEGORY_COLOURS",
    "DEADHEAD_COLOUR", "GI_COLOURS", "GRADE_COLOURS", "HIGHWAY_COLOURS", "MAP_BACKGROUND",
    "NARROW_SCREEN_PX",
    "OSM_ATTRIBUTION", "OTHER_COLOUR", "ROUTE_COLOUR", "TERRITORY_COLOURS", "TIANDITU_KEY_ENV",
    "Basemap", "Download", "MapCard", "OfflineAssetError", "base_map", "check_basemap",
    "chief_map", "classified_map", "display_geojson", "fold_on_narrow_screens", "grade_map",
    "highway_label", "hotspot_map", "html_lang", "index_page", "inline_assets", "inside_china",
    "latlon_bounds", "legend", "map_card", "map_script", "overview_map", "render_map",
    "resolve_basemap", "run_index", "save_map", "segments_map", "styled_geojson",
    "territory_colours", "tianditu_key", "to_display_crs", "wgs84_to_gcj02",
]
