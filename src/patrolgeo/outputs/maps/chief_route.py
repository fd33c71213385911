"""One chief's map: the territory and the patrol route drawn in order, turn list and GPX."""

from __future__ import annotations

import base64
import html as html_lib
import json
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np

from patrolgeo.labels import DEFAULT_LANG, pick
from patrolgeo.outputs.maps._base import (
    base_map,
    display_geojson,
    geojson_popup,
    latlon_bounds,
    layer_control,
    legend,
    map_script,
    popup_fields,
    root_figure,
    styled_geojson,
    to_display_crs,
)
from patrolgeo.outputs.maps.territories import TERRITORY_COLOURS

if TYPE_CHECKING:
    import folium

ROUTE_COLOUR = "#d7301f"
DEADHEAD_COLOUR = "#636363"
#: Boundary links (the route leaves the area to turn round) and straight transfer legs
#: between pieces of the network (dotted: no street is claimed).
OUTSIDE_COLOUR = "#984ea3"
TRANSFER_COLOUR = "#2b83ba"
#: Start and end markers: green where the route starts, red where an open route ends.
_START_COLOUR, _END_COLOUR = "#1a9641", "#d7191c"
#: Colour of point visits (school-gate posts, inspections).
_POINT_COLOUR = "#2b83ba"
#: Draw an arrow on every traversal at least this long, metres.
ARROW_EVERY_M = 40.0
#: Simplification tolerance of route lines, metres: finer than segments, turns matter.
_ROUTE_TOLERANCE_M = 0.5

_TERRITORY_POPUP = [("road_name", "road_name"), ("grade", "grade"), ("length_m", "length_m"),
                    ("segment_id", "segment_id")]
_ROUTE_POPUP = [("seq", "seq"), ("road_name", "road_name"), ("kind", "kind"), ("km", "km")]

_ARROWS_JS = (
    "(function(){const g=L.layerGroup();"
    "for(const a of %s){"
    "L.marker([a[0],a[1]],{interactive:false,icon:L.divIcon({className:'patrolgeo-arrow',"
    "iconSize:[14,14],html:'<div style=\"transform:rotate('+a[2]+'deg);color:"
    "%s;font:bold 14px sans-serif;line-height:14px;text-align:center\">"
    "&#9650;</div>'})}).addTo(g);}"
    "g.addTo({map});window.patrolgeoArrows=g;})();"
)


def _arrow_points(route: gpd.GeoDataFrame, basemap: str, every_m: float) -> list[list[float]]:
    """``[lat, lon, bearing°]`` at the middle of every traversal of at least ``every_m``."""
    long_enough = route[route["length_m"] >= every_m]
    if long_enough.empty:
        return []
    lines = long_enough.geometry
    mid = to_display_crs(gpd.GeoDataFrame(geometry=lines.interpolate(0.5, normalized=True)),
                         basemap).geometry
    ahead = to_display_crs(gpd.GeoDataFrame(geometry=lines.interpolate(0.55, normalized=True)),
                           basemap).geometry
    # bearing in screen terms: scale longitude differences by cos(latitude)
    dx = (ahead.x - mid.x) * np.cos(np.radians(mid.y))
    dy = ahead.y - mid.y
    bearing = (np.degrees(np.arctan2(dx, dy)) + 360) % 360
    return [[round(float(a), 5), round(float(b), 5), round(float(c))]
            for a, b, c in zip(mid.y, mid.x, bearing, strict=True)]


def _turn_panel(title: str, instructions: list[str], gpx: str | None, gpx_name: str,
                lang: str) -> Any:
    """The folding panel of numbered turns, with the GPX track as an inline download."""
    from branca.element import Element

    items = "".join(f"<li>{html_lib.escape(text)}</li>" for text in instructions)
    link = ""
    if gpx is not None:
        data = base64.b64encode(gpx.encode("utf-8")).decode("ascii")
        link = (f'<a class="patrolgeo-gpx" download="{html_lib.escape(gpx_name)}" '
                f'href="data:application/gpx+xml;base64,{data}">'
                f"{pick('下载 GPX 轨迹', 'Download GPX track', lang)}</a>")
    return Element(
        '<details class="patrolgeo-turns" open style="position:fixed;top:10px;left:56px;'
        "z-index:9999;background:white;max-width:min(360px,70vw);max-height:55vh;"
        "overflow:auto;padding:6px 10px;border-radius:6px;font:12px sans-serif;"
        'box-shadow:0 1px 4px rgba(0,0,0,.3)">'
        f"<summary><b>{html_lib.escape(title)}</b></summary>{link}"
        f'<ol style="list-style:none;padding-left:4px">{items}</ol></details>'
    )


def _add_route(fmap: folium.Map, route: gpd.GeoDataFrame, basemap: str, arrow_every_m: float,
               lang: str) -> None:
    """The route's lines (deadhead dashed), direction arrows and start/end markers."""
    deadhead = route["deadhead"].to_numpy(bool)
    kind = route["kind"].to_numpy(object) if "kind" in route else np.full(len(route), "street")
    outside, transfer = kind == "outside", kind == "transfer"
    drawn = route.assign(
        _c=np.select([transfer, outside, deadhead],
                     [TRANSFER_COLOUR, OUTSIDE_COLOUR, DEADHEAD_COLOUR], ROUTE_COLOUR),
        _w=3, _o=0.95,
        _d=np.select([transfer, deadhead | outside], ["2 8", "6 6"], ""),
        kind=np.select([transfer, outside, deadhead],
                       [pick("直线转移（路网不连通）", "Transfer (no street link)", lang),
                        pick("区外掉头", "Outside the area (turning)", lang),
                        pick("空驶/转场", "Deadhead", lang)], pick("巡查", "Patrol", lang)),
        km=(route["cum_m"] / 1000).round(2),
    )
    fields, aliases = popup_fields(drawn, _ROUTE_POPUP, lang)
    styled_geojson(display_geojson(drawn, [*fields, "_c", "_w", "_o", "_d"],
                                   basemap=basemap, tolerance_m=_ROUTE_TOLERANCE_M),
                   name=pick("巡查路线", "Patrol route", lang),
                   popup=geojson_popup(fields, aliases)).add_to(fmap)
    arrows = _arrow_points(drawn, basemap, arrow_every_m)
    fmap.add_child(map_script(_ARROWS_JS % (json.dumps(arrows), ROUTE_COLOUR)))
    _add_route_ends(fmap, route, basemap, lang)


def _kind_legend(route: gpd.GeoDataFrame | None, lang: str) -> list[tuple[str, str]]:
    """Legend rows for the boundary links and transfer legs a route has."""
    kinds = set(route["kind"]) if route is not None and "kind" in route else set()
    rows = []
    if "outside" in kinds:
        rows.append((pick("区外掉头 (虚线)", "Outside the area, turning (dashed)", lang),
                     OUTSIDE_COLOUR))
    if "transfer" in kinds:
        rows.append((pick("片区间直线转移 (点线)", "Transfer between pieces (dotted)", lang),
                     TRANSFER_COLOUR))
    return rows


def _add_route_ends(fmap: folium.Map, route: gpd.GeoDataFrame, basemap: str,
                    lang: str) -> None:
    """One start/end marker on a closed route; a start and an end marker on an open one."""
    import folium

    first = to_display_crs(route.iloc[[0]][[route.geometry.name]], basemap).geometry.iloc[0]
    last = to_display_crs(route.iloc[[-1]][[route.geometry.name]], basemap).geometry.iloc[0]
    start = first.coords[0]
    end = last.coords[-1]
    closed = np.allclose(start, end)
    tooltip = pick("起点/终点", "Start/end", lang) if closed else pick("起点", "Start", lang)
    folium.CircleMarker([start[1], start[0]], radius=9, color=_START_COLOUR, fill=True,
                        fill_opacity=1, weight=3, tooltip=tooltip).add_to(fmap)
    if not closed:
        folium.CircleMarker([end[1], end[0]], radius=9, color=_END_COLOUR, fill=True,
                            fill_opacity=1, weight=3,
                            tooltip=pick("终点", "End", lang)).add_to(fmap)


def _add_points(fmap: folium.Map, points: gpd.GeoDataFrame, basemap: str, lang: str) -> None:
    """Point visits as circles with their name, kind and time window."""
    import folium

    shown_points = to_display_crs(points, basemap)
    group = folium.FeatureGroup(name=pick("定点任务", "Point visits", lang))
    for row in shown_points.itertuples():
        text = str(getattr(row, "name", ""))
        for extra in ("kind", "time_window"):
            value = getattr(row, extra, None)
            if value is not None and str(value):
                text += f"<br>{value}"
        folium.CircleMarker([row.geometry.y, row.geometry.x], radius=7, color=_POINT_COLOUR,
                            fill=True, fill_opacity=0.9, popup=text).add_to(group)
    group.add_to(fmap)


def chief_map(
    territory: gpd.GeoDataFrame,
    route: gpd.GeoDataFrame | None = None,
    *,
    chief: str = "",
    instructions: list[str] | None = None,
    gpx: str | None = None,
    points: gpd.GeoDataFrame | None = None,
    colour: str = TERRITORY_COLOURS[0],
    basemap: str = "osm",
    offline: bool = False,
    arrow_every_m: float = ARROW_EVERY_M,
    lang: str = DEFAULT_LANG,
) -> folium.Map:
    """One chief's territory and patrol route, drawn in order, with a turn list and GPX.

    Parameters
    ----------
    territory
        The chief's segments.
    route
        The route as one row per traversal, in order (``Route.to_geodataframe()``):
        ``seq, road_name, deadhead, length_m, cum_m`` and each line oriented the way it
        is travelled. Service is drawn solid, deadhead dashed; arrows show the direction.
    chief
        The chief's id, in the turn panel's title and the GPX file name.
    instructions
        Turn-by-turn lines, shown as a numbered list.
    gpx
        The route as GPX text, offered as a download link inside the page.
    points
        Point visits (school-gate posts, inspections) with ``name`` and optionally
        ``kind`` and ``time_window``.
    colour
        The territory's colour.
    basemap, offline
        See :func:`patrolgeo.outputs.maps.base_map`.
    arrow_every_m
        Draw a direction arrow on every traversal at least this long (metres).
    lang
        Language of the map's words.

    Returns
    -------
    folium.Map
        The map.
    """
    fmap = base_map(latlon_bounds(territory, basemap), basemap=basemap, offline=offline,
                    lang=lang)
    shown = territory.assign(_c=colour, _w=7, _o=0.35, length_m=territory["length_m"].round(1))
    fields, aliases = popup_fields(shown, _TERRITORY_POPUP, lang)
    styled_geojson(display_geojson(shown, [*fields, "_c", "_w", "_o"], basemap=basemap),
                   name=pick("责任区", "Territory", lang),
                   popup=geojson_popup(fields, aliases)).add_to(fmap)
    if route is not None and len(route):
        _add_route(fmap, route, basemap, arrow_every_m, lang)
    if points is not None and len(points):
        _add_points(fmap, points, basemap, lang)
    if instructions is not None or gpx is not None:
        title = pick(f"路长 {chief} 巡查路线", f"Road chief {chief}: patrol route", lang)
        root_figure(fmap).html.add_child(
            _turn_panel(title, instructions or [], gpx, f"route-{chief or 'chief'}.gpx", lang))
    root_figure(fmap).html.add_child(legend(pick("图例", "Legend", lang), [
        (pick("责任区", "Territory", lang), colour),
        (pick("巡查路线", "Patrol route", lang), ROUTE_COLOUR),
        (pick("空驶/转场 (虚线)", "Deadhead (dashed)", lang), DEADHEAD_COLOUR),
        *_kind_legend(route, lang),
    ]))
    layer_control(fmap, collapsed=True)
    return fmap
