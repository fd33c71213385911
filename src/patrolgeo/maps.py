"""Transition: removed at merge. The maps moved to :mod:`patrolgeo.outputs.maps`.

The drawing functions there take ``lang`` (default ``"zh"``); the wrappers here fill a
missing ``lang`` from the process language of :mod:`patrolgeo.i18n`, so that callers not
yet passing ``lang`` keep drawing in the language the CLI set.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from patrolgeo.i18n import get_lang  # transition: removed at merge
from patrolgeo.outputs.maps import (  # noqa: F401  (transition: removed at merge)
    BASEMAPS,
    CATEGORY_COLOURS,
    DEADHEAD_COLOUR,
    GI_COLOURS,
    GRADE_COLOURS,
    HIGHWAY_COLOURS,
    OSM_ATTRIBUTION,
    OTHER_COLOUR,
    ROUTE_COLOUR,
    TERRITORY_COLOURS,
    Basemap,
    OfflineAssetError,
    check_basemap,
    display_geojson,
    inline_assets,
    latlon_bounds,
    legend,
    render_map,
    save_map,
    styled_geojson,
    territory_colours,
    to_display_crs,
    wgs84_to_gcj02,
)
from patrolgeo.outputs.maps import base_map as _base_map
from patrolgeo.outputs.maps import chief_map as _chief_map
from patrolgeo.outputs.maps import classified_map as _classified_map
from patrolgeo.outputs.maps import grade_map as _grade_map
from patrolgeo.outputs.maps import highway_label as _highway_label
from patrolgeo.outputs.maps import hotspot_map as _hotspot_map
from patrolgeo.outputs.maps import index_page as _index_page
from patrolgeo.outputs.maps import overview_map as _overview_map
from patrolgeo.outputs.maps import segments_map as _segments_map


def _process_lang(draw: Callable[..., Any]) -> Callable[..., Any]:
    """``draw`` with ``lang`` defaulting to the process language (transition only)."""
    @functools.wraps(draw)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        kwargs.setdefault("lang", get_lang())
        return draw(*args, **kwargs)

    return wrapper


base_map = _process_lang(_base_map)
chief_map = _process_lang(_chief_map)
classified_map = _process_lang(_classified_map)
grade_map = _process_lang(_grade_map)
hotspot_map = _process_lang(_hotspot_map)
overview_map = _process_lang(_overview_map)
segments_map = _process_lang(_segments_map)


def highway_label(highway: str, lang: str | None = None) -> str:
    """Transition: :func:`patrolgeo.outputs.maps.highway_label` in the process language."""
    return _highway_label(highway, lang or get_lang())


def index_page(links: list[tuple[str, str]], title: str, lang: str | None = None) -> str:
    """Transition: :func:`patrolgeo.outputs.maps.index_page` in the process language."""
    return _index_page(links, title, lang or get_lang())
