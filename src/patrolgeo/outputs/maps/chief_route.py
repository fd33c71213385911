"""One chief's map: the territory and the patrol route drawn in order, turn list and GPX."""

from __future__ import annotations

import base64
import html as html_lib
import json
import re
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd

from patrolgeo.labels import DEFAULT_LANG, pick
from patrolgeo.outputs.maps._base import (
    AUTO,
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

#: Streets walked more than once are drawn as parallel lines this far to the right of
#: the way they are walked (metres, about 2-3 screen pixels at street zoom), each with
#: its own arrows, so both directions show.
OFFSET_M = 4.0
#: The route line of the step tapped (or picked in the list) is drawn this wide, in this
#: colour.
_HIGHLIGHT_WEIGHT, _HIGHLIGHT_COLOUR = 8, "#ffd92f"
#: Radius of the numbered step markers, pixels.
_STEP_MARKER_RADIUS = 5
#: The keys of ``window.PATROLGEO_STEPS`` entries (the page contract).
STEP_KEYS = ("n", "text", "distance_m", "cumulative_m", "time_s", "lat", "lon")

_TERRITORY_POPUP = [("road_name", "road_name"), ("grade", "grade"), ("length_m", "length_m"),
                    ("segment_id", "segment_id")]

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


_PANEL_CSS = """
#pg-panel{position:fixed;top:10px;left:56px;z-index:9999;background:#fff;box-sizing:border-box;
 width:min(360px,70vw);max-height:calc(100vh - 160px);overflow:auto;padding:6px 10px;
 border-radius:6px;font:12px sans-serif;box-shadow:0 1px 4px rgba(0,0,0,.3)}
#pg-panel summary{cursor:pointer;font-weight:bold;padding:4px 0}
#pg-steps{list-style:none;padding-left:2px;margin:4px 0}
#pg-steps li{padding:3px 4px;border-bottom:1px solid #eee;cursor:pointer}
#pg-steps li b{display:inline-block;min-width:2.2em;color:#d7301f}
#pg-steps li.pg-active{background:#ffd92f}
#pg-steps li small{color:#666}
#pg-locate{display:none;position:fixed;z-index:9999;right:10px;top:80px;padding:6px 8px;
 background:#fff;border:1px solid #999;border-radius:6px;font:13px sans-serif}
@media (max-width:600px){
 #pg-panel{top:auto;bottom:0;left:0;right:0;width:auto;max-height:35vh;
  border-radius:12px 12px 0 0;padding:2px 10px 6px}
 #pg-panel summary{text-align:center}
 #pg-panel summary::before{content:"";display:block;width:40px;height:4px;margin:2px auto 4px;
  border-radius:2px;background:#bbb}
 .patrolgeo-legend,.pg-legend{bottom:auto!important;top:80px!important;left:10px!important;
  right:auto!important;max-height:30vh!important}
 #pg-locate{top:auto;bottom:calc(35vh + 10px)}
 .leaflet-bottom{bottom:60px}
}
@media print{ #pg-panel,#pg-locate{display:none} }
"""


def _step_items(steps: list[dict[str, Any]], lang: str) -> str:
    """``<li data-step="N">`` rows: number, text, distance and time from the start."""
    rows = []
    for s in steps:
        extra = ""
        if s.get("cumulative_m") is not None:
            extra = "<br><small>" + html_lib.escape(pick(
                f"累计 {s['cumulative_m'] / 1000:.1f} 公里 · {s['time_s'] / 60:.0f} 分钟",
                f"{s['cumulative_m'] / 1000:.1f} km · {s['time_s'] / 60:.0f} min", lang)) \
                + "</small>"
        rows.append(f'<li data-step="{int(s["n"])}"><b>{int(s["n"])}.</b>'
                    f"{html_lib.escape(str(s['text']))}{extra}</li>")
    return "".join(rows)


def _turn_panel(title: str, summary: str, steps: list[dict[str, Any]], gpx: str | None,
                gpx_name: str, lang: str) -> Any:
    """The step list: a side panel on a desktop, a bottom sheet on a phone; GPX inline."""
    from branca.element import Element

    link = ""
    if gpx is not None:
        data = base64.b64encode(gpx.encode("utf-8")).decode("ascii")
        link = (f'<a class="patrolgeo-gpx" download="{html_lib.escape(gpx_name)}" '
                f'href="data:application/gpx+xml;base64,{data}">'
                f"{pick('下载 GPX 轨迹', 'Download GPX track', lang)}</a>")
    note = f"<p style='margin:2px 0'>{html_lib.escape(summary)}</p>" if summary else ""
    locate = pick("我的位置", "Where am I", lang)
    count = pick(f"{len(steps)} 步", f"{len(steps)} steps", lang)
    return Element(
        f"<style>{_PANEL_CSS}</style>"
        f'<details id="pg-panel" class="patrolgeo-turns" open>'
        f"<summary>{html_lib.escape(title)} · {count}</summary>{note}{link}"
        f'<ol id="pg-steps">{_step_items(steps, lang)}</ol></details>'
        f'<button id="pg-locate" type="button">&#9678; {locate}</button>'
    )


#: Wires the steps: ``PATROLGEO_STEPS``, a marker per step, route lines carrying their
#: step number; tapping a line or a marker picks the step in the list and the reverse.
_STEPS_JS = """
(function(){
const steps=%(steps)s, pos=%(pos)s, route=%(route)s, map={map};
window.PATROLGEO_STEPS=steps;
const byStep={}, markers=L.layerGroup(), hl={weight:%(hw)d,color:'%(hc)s'};
let active=null;
function esc(t){const d=document.createElement('div');d.textContent=t;return d.innerHTML;}
function li(n){return document.querySelector('#pg-steps li[data-step="'+n+'"]');}
function text(n){const s=steps[n-1];return s?'<b>'+n+'.</b> '+esc(s.text):'';}
function pick(n,from){
  if(active!==null){(byStep[active]||[]).forEach(l=>l.setStyle(l._pgStyle));
    const old=li(active); if(old) old.classList.remove('pg-active');}
  active=n; const lines=byStep[n]||[];
  lines.forEach(l=>{l.setStyle(hl); l.bringToFront();});
  const row=li(n); if(row){row.classList.add('pg-active');
    if(from!=='list') row.scrollIntoView({block:'nearest'});}
  if(from==='list'&&lines.length){map.fitBounds(L.featureGroup(lines).getBounds(),
    {maxZoom:18,padding:[30,30]});}
}
if(route){route.eachLayer(function(l){
  const n=l.feature&&l.feature.properties.step; if(!n) return;
  l.options.step=n; l._pgStyle={weight:l.options.weight,color:l.options.color};
  (byStep[n]=byStep[n]||[]).push(l);
  l.bindPopup(function(){return text(n);}); l.on('click',function(){pick(n,'map');});
});}
steps.forEach(function(s,i){ if(!pos[i]) return;
  const m=L.circleMarker(pos[i],{radius:%(radius)d,color:'#333',weight:1,fillColor:'#fff',
    fillOpacity:1,step:s.n});
  m.bindTooltip(String(s.n)); m.bindPopup(function(){return text(s.n);});
  m.on('click',function(){pick(s.n,'map');}); m.addTo(markers);});
markers.addTo(map); window.patrolgeoStepMarkers=markers;
document.querySelectorAll('#pg-steps li[data-step]').forEach(function(row){
  row.addEventListener('click',function(){pick(+row.dataset.step,'list');});});
window.patrolgeoPickStep=function(n){pick(n,'list');};
const btn=document.getElementById('pg-locate');
if(btn&&window.isSecureContext&&navigator.geolocation){
  btn.style.display='block'; let me=null;
  btn.addEventListener('click',function(){navigator.geolocation.getCurrentPosition(
    function(p){const ll=[p.coords.latitude,p.coords.longitude];
      if(me) map.removeLayer(me);
      me=L.circleMarker(ll,{radius:8,color:'#2b83ba',fillOpacity:.8}).addTo(map);
      map.setView(ll,Math.max(map.getZoom(),17));},
    function(e){btn.title=e.message;},{enableHighAccuracy:true,timeout:15000});});
}
})();
"""


def offset_repeats(route: gpd.GeoDataFrame, offset_m: float = OFFSET_M) -> np.ndarray:
    """Route lines with the streets walked more than once moved apart.

    Each run along a segment walked more than once is drawn ``offset_m`` to the right of
    the way it runs (a second run the same way ``2 * offset_m``), computed in the
    projected metres of ``route``; lines walked once stay as they are.

    Parameters
    ----------
    route
        One row per traversal (``segment_id``, lines oriented the way they are run).
    offset_m
        The offset in metres.

    Returns
    -------
    numpy.ndarray
        The lines, in route order.
    """
    import shapely

    lines = route.geometry.to_numpy().copy()
    if "segment_id" not in route or route.crs is None or not route.crs.is_projected:
        return lines
    ids = route["segment_id"].astype(str)
    kind = route["kind"].to_numpy(object) if "kind" in route else np.full(len(route), "street")
    repeated = ids.duplicated(keep=False).to_numpy() & (kind == "street")
    direction = route["direction"].astype(str) if "direction" in route else \
        pd.Series("forward", index=route.index)
    nth = direction.groupby([ids, direction]).cumcount().to_numpy()
    where = np.flatnonzero(repeated)
    if len(where):
        moved = shapely.offset_curve(lines[where], -offset_m * (1 + nth[where]))
        ok = (shapely.get_type_id(moved) == 1) & ~shapely.is_empty(moved)
        lines[where[ok]] = moved[ok]
    return lines


def _add_route(fmap: folium.Map, route: gpd.GeoDataFrame, basemap: str, arrow_every_m: float,
               lang: str) -> Any:
    """The route's lines (deadhead dashed), direction arrows and start/end markers.

    Returns the route layer (its lines carry their ``step`` number).
    """
    deadhead = route["deadhead"].to_numpy(bool)
    kind = route["kind"].to_numpy(object) if "kind" in route else np.full(len(route), "street")
    outside, transfer = kind == "outside", kind == "transfer"
    drawn = route.assign(
        _c=np.select([transfer, outside, deadhead],
                     [TRANSFER_COLOUR, OUTSIDE_COLOUR, DEADHEAD_COLOUR], ROUTE_COLOUR),
        _w=3, _o=0.95,
        _d=np.select([transfer, deadhead | outside], ["2 8", "6 6"], ""),
        step=route["step"].astype(int) if "step" in route else 0,
    ).set_geometry(offset_repeats(route), crs=route.crs)
    layer = styled_geojson(display_geojson(drawn, ["step", "_c", "_w", "_o", "_d"],
                                           basemap=basemap, tolerance_m=_ROUTE_TOLERANCE_M),
                           name=pick("巡查路线", "Patrol route", lang))
    layer.add_to(fmap)
    arrows = _arrow_points(drawn, basemap, arrow_every_m)
    fmap.add_child(map_script(_ARROWS_JS % (json.dumps(arrows), ROUTE_COLOUR)))
    _add_route_ends(fmap, route, basemap, lang)
    return layer


def _legacy_steps(instructions: list[str]) -> tuple[str, list[dict[str, Any]]]:
    """Step records from text lines.

    ``N. text`` lines are steps, a line before them the summary; lines without numbers
    are steps 1, 2, … in order.
    """
    numbered = [re.match(r"^(\d+)\.\s*(.*)$", line) for line in instructions]
    if not any(numbered):
        return "", [{"n": n, "text": t} for n, t in enumerate(instructions, 1)]
    summary = instructions[0] if numbered[0] is None else ""
    return summary, [{"n": int(m.group(1)), "text": m.group(2)} for m in numbered if m]


def _step_positions(steps: list[dict[str, Any]], basemap: str) -> list[list[float] | None]:
    """``[lat, lon]`` of each step's start in the basemap's datum (None without one)."""
    have = [s.get("lat") is not None and s.get("lon") is not None for s in steps]
    if not any(have):
        return [None] * len(steps)
    import shapely

    shown = [s for s, ok in zip(steps, have, strict=True) if ok]
    points = to_display_crs(gpd.GeoDataFrame(geometry=shapely.points(
        [s["lon"] for s in shown], [s["lat"] for s in shown]), crs="EPSG:4326"),
        basemap).geometry
    at = iter(points)
    out: list[list[float] | None] = []
    for ok in have:
        p = next(at) if ok else None
        out.append([round(p.y, 7), round(p.x, 7)] if p is not None else None)
    return out


def _add_steps(fmap: folium.Map, layer: Any, steps: list[dict[str, Any]],
               basemap: str) -> None:
    """``window.PATROLGEO_STEPS``, step markers, and the list and map picking each other."""
    records = [{k: s.get(k) for k in STEP_KEYS} for s in steps]
    fmap.add_child(map_script(_STEPS_JS % {
        "steps": json.dumps(records, ensure_ascii=False),
        "pos": json.dumps(_step_positions(steps, basemap)),
        "route": layer.get_name() if layer is not None else "null",
        "hw": _HIGHLIGHT_WEIGHT, "hc": _HIGHLIGHT_COLOUR, "radius": _STEP_MARKER_RADIUS}))


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
    steps: list[dict[str, Any]] | None = None,
    summary: str = "",
    gpx: str | None = None,
    points: gpd.GeoDataFrame | None = None,
    colour: str = TERRITORY_COLOURS[0],
    basemap: str = AUTO,
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
        Turn-by-turn lines (``N. text``; a first line without a number is the summary),
        shown as the step list when ``steps`` is not given.
    steps
        The steps as records (``outputs.route.step_records``: ``n, text, distance_m,
        cumulative_m, time_s, lat, lon``): the step list ``<ol id="pg-steps">``, a marker
        per step and ``window.PATROLGEO_STEPS``; the route lines carry the number of
        their step when ``route`` has a ``step`` column (``outputs.route.route_table``).
    summary
        A line above the steps (the route's totals).
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
    layer = None
    if route is not None and len(route):
        layer = _add_route(fmap, route, basemap, arrow_every_m, lang)
    if points is not None and len(points):
        _add_points(fmap, points, basemap, lang)
    if steps is None and instructions is not None:
        summary, steps = _legacy_steps(instructions)
    if steps is not None or gpx is not None:
        title = (pick(f"路长 {chief} 巡查路线", f"Road chief {chief}: patrol route", lang)
                 if chief else pick("巡查路线", "Patrol route", lang))
        root_figure(fmap).html.add_child(
            _turn_panel(title, summary, steps or [], gpx, f"route-{chief or 'chief'}.gpx",
                        lang))
        _add_steps(fmap, layer, steps or [], basemap)
    root_figure(fmap).html.add_child(legend(pick("图例", "Legend", lang), [
        (pick("责任区", "Territory", lang), colour),
        (pick("巡查路线", "Patrol route", lang), ROUTE_COLOUR),
        (pick("空驶/转场 (虚线)", "Deadhead (dashed)", lang), DEADHEAD_COLOUR),
        *_kind_legend(route, lang),
    ]))
    layer_control(fmap, collapsed=True)
    return fmap
