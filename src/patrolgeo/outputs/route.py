"""Route outputs people use: a GPX track for phones and turn-by-turn text.

The words come from the ``route_*`` tables of :mod:`patrolgeo.labels` in the language
of the call: ``沿信州路向东行驶 320 米，右转进入南大街`` / ``Head east on 信州路 for 320 m,
then turn right onto 南大街``. The steps themselves (codes) are
:func:`patrolgeo.routing.steps.route_steps`.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import TYPE_CHECKING, Any

import numpy as np
import shapely

from patrolgeo import ATTRIBUTION
from patrolgeo.atomic import WGS84
from patrolgeo.labels import DEFAULT_LANG, has_label, label
from patrolgeo.roads import (
    CONTEXT_CODES,
    UNNAMED_PREFIX,
    context_road_name,
    split_context_name,
)
from patrolgeo.routing.route import Route
from patrolgeo.routing.steps import Step, Way, route_steps

if TYPE_CHECKING:
    import geopandas as gpd

__all__ = ["distance_text", "route_gpx", "route_steps", "route_table", "step_records",
           "step_text", "turn_by_turn", "way_label"]

GPX_COORD_EPS = 1e-9
"""Degrees below which two consecutive track points are the same point (dropped)."""


def _text(code: str, lang: str, **values: object) -> str:
    return label("route_text", code, lang).format(**values)


def _road_label(name: str | None, lang: str) -> str:
    """A road's name in ``lang``: context names (``近复兴路无名路``) re-composed in English."""
    if not name or name.startswith(UNNAMED_PREFIX):
        return _text("unnamed", lang)
    if lang != "zh":
        for code in CONTEXT_CODES:
            parts = split_context_name(code, name)
            if parts is not None:
                return context_road_name(code, parts, lang)
    return name


def _class_label(highway: str, lang: str) -> str:
    """An unnamed way by its class: ``次干路`` / ``the secondary road``."""
    code = "link" if highway.endswith("_link") else highway
    return label("route_class", code if has_label("route_class", code) else "other", lang)


def way_label(way: Way | None, lang: str = DEFAULT_LANG) -> str:
    """What a step's way is called in ``lang``: a name, a context name, a class, a square.

    Examples
    --------
    >>> way_label(Way("", "", "secondary", "class"), "zh")
    '次干路'
    """
    if way is None:
        return _text("unnamed", lang)
    bare = not way.name or way.name.startswith(UNNAMED_PREFIX)
    if way.piece == "plaza":
        return _text("square", lang) if bare else _road_label(way.name, lang)
    if way.piece == "class" or bare:
        return _class_label(way.highway, lang)
    return _road_label(way.name, lang)


def distance_text(metres: float, lang: str = DEFAULT_LANG) -> str:
    """Format a distance: ``1.2 公里`` from 1 km, else rounded to 10 m (from 50 m).

    Examples
    --------
    >>> distance_text(324.0, "en")
    '320 m'
    """
    if metres >= 1000:
        return _text("km", lang, km=metres / 1000)
    rounded = int(round(metres, -1)) if metres >= 50 else max(1, round(metres))
    return _text("m", lang, m=rounded)


#: A step partly in transit says how much once transit is at least this share of it.
PARTLY_TRANSIT_SHARE = 0.2


def _turn_text(step: Step, closed: bool, lang: str) -> str:
    if step.turn == "arrive":
        return label("route_turn", "arrive_closed" if closed else "arrive_open", lang)
    if step.turn == "uturn" and step.forced_uturn:
        return label("route_turn", "uturn_dead_end", lang)
    then = label("route_turn", step.turn, lang).format(onto=way_label(step.next_way, lang))
    if step.landmark and step.turn not in ("leave_area", "end_piece"):
        then = _text("at", lang, landmark=_road_label(step.landmark, lang)) + then
    return then


def _head(step: Step, lang: str) -> str:
    """The first half of a street step: which way, which direction, how far."""
    compass = label("route_compass", step.compass, lang)
    road = way_label(step.way, lang)
    for name in step.via:
        road = _text("via", lang, a=road, b=_road_label(name, lang))
    if step.out_and_back:
        head = _text("out_and_back", lang, road=road, compass=compass,
                     there=distance_text(step.length_m - step.back_m, lang),
                     back=distance_text(step.back_m, lang))
    elif step.way.piece == "plaza":
        head = _text("plaza", lang, road=road, compass=compass,
                     distance=distance_text(step.length_m, lang))
    else:
        head = _text("head", lang, road=road, compass=compass,
                     distance=distance_text(step.length_m, lang))
    if step.toward:
        head += _text("toward", lang, road=_road_label(step.toward, lang))
    if step.spurs:
        head += _text("spurs", lang, count=step.spurs)
    return head


def step_text(step: Step, closed: bool, lang: str = DEFAULT_LANG) -> str:
    """One step as a sentence, e.g. ``沿信州路向东行驶 320 米，右转进入南大街``.

    Parameters
    ----------
    step
        A step of :func:`~patrolgeo.routing.steps.route_steps`.
    closed
        Whether the route returns to its start (the last step says so).
    lang
        ``"zh"`` or ``"en"``.

    Returns
    -------
    str
    """
    then = _turn_text(step, closed, lang)
    distance = distance_text(step.length_m, lang)
    if step.kind == "transfer":
        if step.turn == "arrive":
            head = _text("transfer_back" if closed else "transfer", lang, distance=distance)
            return _text("step", lang, head=head, transit="", then=then)
        return _text("step_only", lang, head=_text("transfer", lang, distance=distance))
    if step.kind == "outside":
        head = _text("outside", lang, distance=distance)
        return _text("step", lang, head=head, transit="", then=then)
    if step.deadhead:
        transit = _text("transit", lang)
    elif step.deadhead_m >= PARTLY_TRANSIT_SHARE * step.length_m:
        transit = _text("partly_transit", lang, distance=distance_text(step.deadhead_m, lang))
    else:
        transit = ""
    return _text("step", lang, head=_head(step, lang), transit=transit, then=then)


def _summary(route: Route, steps: list[Step], lang: str) -> str:
    line = _text("summary", lang, total=distance_text(route.total_length_m, lang),
                 minutes=route.duration_s / 60,
                 service=distance_text(route.service_length_m, lang),
                 deadhead=distance_text(route.deadhead_length_m, lang),
                 deadhead_pct=route.deadhead_pct, u_turns=route.u_turns)
    if route.outside_length_m > 0:
        line += _text("outside_summary", lang, count=sum(1 for s in steps if s.kind == "outside"),
                      distance=distance_text(route.outside_length_m, lang))
    if route.pieces > 1:
        line += _text("pieces", lang, pieces=route.pieces, transfers=route.transfers,
                      transfer=distance_text(route.transfer_length_m, lang))
    return line


def step_records(route: Route, lang: str = DEFAULT_LANG) -> list[dict[str, Any]]:
    """The steps as plain records, the same numbers as every other output.

    Parameters
    ----------
    route
        A computed route.
    lang
        Language of ``text``.

    Returns
    -------
    list of dict
        ``{n, text, distance_m, cumulative_m, time_s, lat, lon, first_seq, last_seq}``
        per step: ``cumulative_m`` and ``time_s`` from the start to the step's end (at
        the mode's speed), ``lat, lon`` (WGS-84) where it starts, ``first_seq ..
        last_seq`` the traversals (``seq`` of ``Route.to_geodataframe``) it covers.
    """
    steps = route_steps(route)
    if not steps:
        return []
    import geopandas as gpd

    points = gpd.GeoSeries(shapely.points([s.x for s in steps], [s.y for s in steps]),
                           crs=route.crs)
    if route.crs is not None:
        points = points.to_crs(WGS84)
    return [{"n": s.n, "text": step_text(s, route.closed, lang),
             "distance_m": round(s.length_m, 1), "cumulative_m": round(s.cum_m, 1),
             "time_s": round(s.time_s, 1), "lat": round(float(p.y), 7),
             "lon": round(float(p.x), 7), "first_seq": s.first_traversal + 1,
             "last_seq": s.last_traversal + 1}
            for s, p in zip(steps, points, strict=True)]


def route_table(route: Route) -> gpd.GeoDataFrame:
    """``Route.to_geodataframe()`` with the number of the step each traversal belongs to.

    Returns
    -------
    geopandas.GeoDataFrame
        One row per traversal, plus a ``step`` column (1, 2, …, as in every output).
    """
    table = route.to_geodataframe()
    number = np.zeros(len(table), dtype=np.int64)
    for s in route_steps(route):
        number[s.first_traversal:s.last_traversal + 1] = s.n
    table["step"] = number
    return table


def turn_by_turn(route: Route, lang: str = DEFAULT_LANG) -> list[str]:
    """Numbered turn-by-turn lines: a summary, one line per step, the map attribution.

    Each step line is ``N. <instruction>｜累计 <distance>，<minutes> 分钟`` (the distance
    and time from the start at the end of the step).

    Parameters
    ----------
    route
        A computed route.
    lang
        ``"zh"`` or ``"en"``.

    Returns
    -------
    list of str
    """
    steps = route_steps(route)
    lines = [_summary(route, steps, lang)]
    lines += [_text("line", lang, n=s.n, text=step_text(s, route.closed, lang),
                    cum=distance_text(s.cum_m, lang), minutes=s.time_s / 60) for s in steps]
    lines.append(_text("attribution", lang, attribution=ATTRIBUTION))
    return lines


def route_gpx(route: Route, name: str | None = None, *, lang: str = DEFAULT_LANG) -> str:
    """Write the route as GPX 1.1 in WGS-84: a route of its steps, and the track.

    The ``<rte>`` has one ``<rtept>`` per step, where the step starts, named
    ``N. <instruction>`` (the numbers of the turn list, the map and the sheet); the
    ``<trk>`` has one point per vertex, in order, broken at transfer legs.

    Parameters
    ----------
    route
        A computed route.
    name
        Track name (default: "巡查路线" / "Patrol route").
    lang
        ``"zh"`` or ``"en"`` for the default name and the description.

    Returns
    -------
    str
        The GPX document, with its XML declaration.
    """
    gpx = ET.Element("gpx", {
        "version": "1.1", "creator": "patrolgeo", "xmlns": "http://www.topografix.com/GPX/1/1",
    })
    title = name or _text("gpx_name", lang)
    meta = ET.SubElement(gpx, "metadata")
    ET.SubElement(meta, "name").text = title
    ET.SubElement(meta, "desc").text = _text("gpx_desc", lang, km=route.total_length_m / 1000,
                                             attribution=ATTRIBUTION)
    copyright_el = ET.SubElement(meta, "copyright", author="OpenStreetMap contributors")
    ET.SubElement(copyright_el, "license").text = "https://opendatacommons.org/licenses/odbl/"
    rte = ET.SubElement(gpx, "rte")
    ET.SubElement(rte, "name").text = title
    for record in step_records(route, lang):
        point = ET.SubElement(rte, "rtept", lat=f"{record['lat']:.7f}",
                              lon=f"{record['lon']:.7f}")
        ET.SubElement(point, "name").text = f"{record['n']}. {record['text']}"
    trk = ET.SubElement(gpx, "trk")
    ET.SubElement(trk, "name").text = title
    if not route.traversals:
        ET.SubElement(trk, "trkseg")
    else:
        import geopandas as gpd

        lines = gpd.GeoSeries(route.geometries(), crs=route.crs).to_crs(WGS84).to_numpy()
        # a transfer leg runs on no street: the track breaks there (a new trkseg)
        transfer = np.fromiter((t.kind == "transfer" for t in route.traversals), bool)
        start = 0
        for stop in [*np.flatnonzero(transfer).tolist(), len(lines)]:
            if stop > start:
                _track_segment(ET.SubElement(trk, "trkseg"), lines[start:stop])
            start = stop + 1
    ET.indent(gpx)
    return ET.tostring(gpx, encoding="unicode", xml_declaration=True) + "\n"


def _track_segment(seg: ET.Element, lines: np.ndarray) -> None:
    """Write the vertices of ``lines`` (WGS-84, in order) as the points of ``seg``."""
    coords = shapely.get_coordinates(lines)
    keep = np.ones(len(coords), bool)
    keep[1:] = np.any(np.abs(np.diff(coords, axis=0)) > GPX_COORD_EPS, axis=1)
    for lon, lat in coords[keep]:
        ET.SubElement(seg, "trkpt", lat=f"{lat:.7f}", lon=f"{lon:.7f}")
