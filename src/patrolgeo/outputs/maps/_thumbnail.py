"""Thumbnails of map pages: the lines a page draws, as a small inline SVG.

The index page shows each map as a card; its picture is drawn here in Python from the
GeoJSON the page itself carries (colours, weights and opacities as the map shows them),
so the index needs no network, no browser and no screenshot.
"""

from __future__ import annotations

import html as html_lib
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import shapely

#: Thumbnail size in SVG units (16:10); the card scales it to its width.
THUMB_WIDTH, THUMB_HEIGHT = 320, 200
#: Margin inside the thumbnail, SVG units.
_PAD = 8
#: Lines are simplified to this many SVG units (about half a screen pixel on a phone
#: card), which keeps a district's thumbnail in a few tens of kilobytes.
_SIMPLIFY_UNITS = 1.0
#: Line width in SVG units per unit of Leaflet weight (pixels on the map): thin enough
#: that a district's streets stay apart at thumbnail scale.
_WIDTH_PER_WEIGHT = 0.45
#: Leaflet's defaults for what a feature does not set (``_STYLE_FROM_PROPERTIES``).
_DEFAULT_COLOUR, _DEFAULT_WEIGHT, _DEFAULT_OPACITY = "#3388ff", 3.0, 0.9

#: Where a FeatureCollection may start: folium writes its keys sorted ("features" first).
_COLLECTION = re.compile(r'\{"(?:features|type)":')
_COLOUR = re.compile(r"#[0-9a-fA-F]{3,8}")


@dataclass(frozen=True)
class _Style:
    colour: str
    width: float
    opacity: float
    dashed: bool


def page_collections(page: str) -> Iterator[dict[str, Any]]:
    """Every GeoJSON FeatureCollection written into a map page, in drawing order.

    Parameters
    ----------
    page
        A map page's HTML.

    Yields
    ------
    dict
        A FeatureCollection.
    """
    decoder = json.JSONDecoder()
    for match in _COLLECTION.finditer(page):
        try:
            value, _ = decoder.raw_decode(page, match.start())
        except json.JSONDecodeError:
            continue
        if isinstance(value, dict) and value.get("type") == "FeatureCollection":
            yield value


def _style(props: dict[str, Any]) -> _Style:
    """The thumbnail style of a feature from its ``_c``/``_w``/``_o``/``_d`` properties."""
    colour = str(props.get("_c") or _DEFAULT_COLOUR)
    if not _COLOUR.fullmatch(colour):
        colour = _DEFAULT_COLOUR
    weight = float(props.get("_w") or _DEFAULT_WEIGHT)
    opacity = float(props.get("_o") or _DEFAULT_OPACITY)
    return _Style(colour, round(weight * _WIDTH_PER_WEIGHT, 2), round(opacity, 2),
                  bool(props.get("_d")))


def _lines(collections: list[dict[str, Any]]) -> list[tuple[_Style, Any]]:
    """``(style, line geometry in degrees)`` of every line feature, in drawing order."""
    out = []
    for collection in collections:
        for feature in collection.get("features", []):
            geometry = feature.get("geometry") or {}
            if geometry.get("type") not in ("LineString", "MultiLineString"):
                continue
            try:
                line = shapely.geometry.shape(geometry)
            except (ValueError, TypeError, AttributeError):
                continue
            if not line.is_empty:
                out.append((_style(feature.get("properties") or {}), line))
    return out


def _path_data(geometry: Any) -> str:
    """SVG path data of a (multi)line in whole SVG units; a line under a unit is a dot."""
    parts = []
    for line in getattr(geometry, "geoms", [geometry]):
        xy = np.rint(np.asarray(line.coords)[:, :2]).astype(int)
        keep = np.ones(len(xy), bool)
        keep[1:] = np.any(xy[1:] != xy[:-1], axis=1)
        xy = xy[keep]
        if len(xy) == 1:  # shorter than a unit: a dot (round caps), so no street vanishes
            parts.append(f"M{xy[0, 0]} {xy[0, 1]}h0")
            continue
        rest = " ".join(f"{x} {y}" for x, y in xy[1:])
        parts.append(f"M{xy[0, 0]} {xy[0, 1]}L{rest}")
    return "".join(parts)


def svg_thumbnail(page: str, *, label: str = "", background: str = "#f4f3ef") -> str:
    """An inline SVG of the lines a map page draws, coloured as on the map.

    Lines are projected with the latitude's scale (equirectangular about the centre),
    fitted into :data:`THUMB_WIDTH` x :data:`THUMB_HEIGHT`, merged per style and
    simplified to about one SVG unit.

    Parameters
    ----------
    page
        A map page's HTML.
    label
        The picture's accessible name (``aria-label``).
    background
        The fill behind the lines (the maps' plain background).

    Returns
    -------
    str
        ``<svg …>…</svg>``; with no line in the page, the background alone.
    """
    lines = _lines(list(page_collections(page)))
    body = ""
    if lines:
        west, south, east, north = shapely.total_bounds([g for _, g in lines])
        kx = float(np.cos(np.radians((south + north) / 2)))
        span_x, span_y = max((east - west) * kx, 1e-9), max(north - south, 1e-9)
        scale = min((THUMB_WIDTH - 2 * _PAD) / span_x, (THUMB_HEIGHT - 2 * _PAD) / span_y)
        off_x = (THUMB_WIDTH - span_x * scale) / 2
        off_y = (THUMB_HEIGHT - span_y * scale) / 2

        def to_svg(coords: np.ndarray) -> np.ndarray:
            x = off_x + (coords[:, 0] - west) * kx * scale
            y = off_y + (north - coords[:, 1]) * scale
            return np.column_stack([x, y])

        groups: dict[_Style, list[Any]] = {}
        for style, line in lines:
            groups.setdefault(style, []).append(shapely.transform(line, to_svg))
        paths = []
        for style, geoms in groups.items():
            merged = shapely.line_merge(shapely.union_all(geoms)).simplify(_SIMPLIFY_UNITS)
            data = _path_data(merged)
            if data:
                dash = ' stroke-dasharray="4 4"' if style.dashed else ""
                paths.append(f'<path d="{data}" stroke="{style.colour}" '
                             f'stroke-width="{style.width:g}" stroke-opacity="{style.opacity:g}"'
                             f"{dash}/>")
        body = ('<g fill="none" stroke-linecap="round" stroke-linejoin="round">'
                + "".join(paths) + "</g>")
    name = html_lib.escape(label, quote=True)
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {THUMB_WIDTH} '
            f'{THUMB_HEIGHT}" role="img" aria-label="{name}">'
            f'<rect width="{THUMB_WIDTH}" height="{THUMB_HEIGHT}" fill="{background}"/>'
            f"{body}</svg>")
