"""Route outputs people use: a GPX track for phones and turn-by-turn text.

The words come from the ``route_*`` tables of :mod:`patrolgeo.labels` in the language
of the call: ``沿信州路向东行驶 320 米，右转进入南大街`` / ``Head east on 信州路 for 320 m,
then turn right onto 南大街``. The steps themselves (codes) are
:func:`patrolgeo.routing.steps.route_steps`.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

import numpy as np
import shapely

from patrolgeo import ATTRIBUTION
from patrolgeo.atomic import WGS84
from patrolgeo.labels import DEFAULT_LANG, label
from patrolgeo.roads import (
    CONTEXT_CODES,
    UNNAMED_PREFIX,
    context_road_name,
    split_context_name,
)
from patrolgeo.routing.route import Route
from patrolgeo.routing.steps import Step, route_steps

__all__ = ["distance_text", "route_gpx", "route_steps", "step_text", "turn_by_turn"]

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


def _turn_text(turn: str, next_road: str | None, closed: bool, lang: str) -> str:
    if turn == "arrive":
        return label("route_turn", "arrive_closed" if closed else "arrive_open", lang)
    return label("route_turn", turn, lang).format(onto=_road_label(next_road, lang))


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
    then = _turn_text(step.turn, step.next_road, closed, lang)
    distance = distance_text(step.length_m, lang)
    if step.kind == "transfer":
        if step.turn == "arrive":
            head = _text("transfer_back" if closed else "transfer", lang, distance=distance)
            return _text("step", lang, head=head, transit="", then=then)
        return _text("step_only", lang, head=_text("transfer", lang, distance=distance))
    if step.kind == "outside":
        head = _text("outside", lang, distance=distance)
        return _text("step", lang, head=head, transit="", then=then)
    head = _text("head", lang, road=_road_label(step.road, lang),
                 compass=label("route_compass", step.compass, lang), distance=distance)
    transit = _text("transit", lang) if step.deadhead else ""
    return _text("step", lang, head=head, transit=transit, then=then)


def turn_by_turn(route: Route, lang: str = DEFAULT_LANG) -> list[str]:
    """Numbered turn-by-turn lines: a summary, one line per step, the map attribution.

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
    summary = _text("summary", lang, total=distance_text(route.total_length_m, lang),
                    minutes=route.duration_s / 60,
                    service=distance_text(route.service_length_m, lang),
                    deadhead=distance_text(route.deadhead_length_m, lang),
                    deadhead_pct=route.deadhead_pct, u_turns=route.u_turns)
    lines = [summary]
    if route.outside_length_m > 0:
        lines[0] += _text("outside_summary", lang, count=sum(
            1 for s in route_steps(route) if s.kind == "outside"),
            distance=distance_text(route.outside_length_m, lang))
    if route.pieces > 1:
        lines[0] += _text("pieces", lang, pieces=route.pieces, transfers=route.transfers,
                          transfer=distance_text(route.transfer_length_m, lang))
    lines += [f"{n}. {step_text(step, route.closed, lang)}"
              for n, step in enumerate(route_steps(route), 1)]
    lines.append(_text("attribution", lang, attribution=ATTRIBUTION))
    return lines


def route_gpx(route: Route, name: str | None = None, *, lang: str = DEFAULT_LANG) -> str:
    """Write the route as a GPX 1.1 track in WGS-84 (one point per vertex, in order).

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
