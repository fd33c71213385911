"""The road-class map: segments coloured by their OSM highway class."""

from __future__ import annotations

from typing import TYPE_CHECKING

import geopandas as gpd

from patrolgeo.labels import DEFAULT_LANG, label_or_code, pick
from patrolgeo.outputs.maps._base import AUTO, classified_map

if TYPE_CHECKING:
    import folium

#: Colours of highway classes, most important first; anything else is grey.
HIGHWAY_COLOURS = {
    "motorway": "#e31a1c", "trunk": "#e31a1c", "primary": "#fd8d3c", "secondary": "#fdbf6f",
    "tertiary": "#ffff33", "unclassified": "#6a3d9a", "residential": "#1f78b4",
    "living_street": "#a6cee3", "service": "#b2df8a", "pedestrian": "#33a02c",
    "footway": "#66c2a5", "cycleway": "#8dd3c7", "path": "#b15928", "steps": "#fb9a99",
    "track": "#cab2d6",
}

#: Popup rows of the road-class map: ``(column, map_field code)``.
_POPUP = [("road_name", "road_name"), ("highway_label", "highway_label"),
          ("length_m", "length_m"), ("segment_id", "segment_id")]


def highway_label(highway: str, lang: str = DEFAULT_LANG) -> str:
    """Return the user-facing name of a highway class; an unknown class as it is.

    Parameters
    ----------
    highway
        An OSM ``highway`` value.
    lang
        ``"zh"`` or ``"en"``.

    Returns
    -------
    str
        The class's name.

    Examples
    --------
    >>> highway_label("primary", "en")
    'Primary'
    """
    return label_or_code("highway", highway, lang)


def segments_map(
    segments: gpd.GeoDataFrame,
    *,
    basemap: str = AUTO,
    offline: bool = False,
    lang: str = DEFAULT_LANG,
) -> folium.Map:
    """Segments coloured by road class (OSM highway), with a legend and popups.

    Parameters
    ----------
    segments
        Segments with ``highway``, ``road_name``, ``length_m`` and ``segment_id``.
    basemap, offline
        See :func:`patrolgeo.outputs.maps.base_map`.
    lang
        Language of the map's words.

    Returns
    -------
    folium.Map
        The map.

    Raises
    ------
    ConfigError
        For an unknown basemap.
    """
    return classified_map(
        segments.assign(highway_label=segments["highway"].map(
            lambda h: highway_label(h, lang))),
        "highway", HIGHWAY_COLOURS, {h: highway_label(h, lang) for h in HIGHWAY_COLOURS},
        title=pick("道路等级", "Road class", lang), popup=_POPUP,
        basemap=basemap, offline=offline, lang=lang,
    )
