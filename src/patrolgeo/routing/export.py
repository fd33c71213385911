"""Route outputs people use: a GPX track for phones, turn-by-turn text, traversal tables.

Text goes through :func:`patrolgeo.i18n.tr` (Chinese by default):
``沿信州路向东行驶 320 米，右转进入南大街`` / ``Head east on 信州路 for 320 m, then turn
right onto 南大街``.
"""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET
from dataclasses import dataclass

import numpy as np
import shapely

from patrolgeo import ATTRIBUTION
from patrolgeo.i18n import tr
from patrolgeo.io import WGS84
from patrolgeo.roads import UNNAMED_PREFIX
from patrolgeo.routing.route import Route

_COMPASS = [("北", "north"), ("东北", "northeast"), ("东", "east"), ("东南", "southeast"),
            ("南", "south"), ("西南", "southwest"), ("西", "west"), ("西北", "northwest")]


@dataclass
class Step:
    """One instruction: follow ``road`` for ``length_m``, then turn (``turn``) onto the next."""

    road: str
    length_m: float
    heading_deg: float  # compass bearing at the start of the step, clockwise from north
    turn: str           # "straight", "slight_left", "slight_right", "left", "right",
                        # "uturn" or "arrive"
    next_road: str | None
    deadhead: bool      # the whole step is travel only
    cum_m: float        # distance from the start at the end of the step
    first_traversal: int
    last_traversal: int


def _bearing(dx: float, dy: float) -> float:
    return (90.0 - math.degrees(math.atan2(dy, dx))) % 360.0


def _end_vectors(lines: np.ndarray, probe_m: float = 12.0) -> tuple[np.ndarray, np.ndarray]:
    """Direction vectors at the start and at the end of each (oriented) line."""
    lengths = shapely.length(lines)
    probe = np.minimum(probe_m, lengths / 2)
    start = shapely.get_coordinates(shapely.get_point(lines, 0))
    end = shapely.get_coordinates(shapely.get_point(lines, -1))
    near_start = shapely.get_coordinates(shapely.line_interpolate_point(lines, probe))
    near_end = shapely.get_coordinates(shapely.line_interpolate_point(lines, lengths - probe))
    return near_start - start, end - near_end


def _turn(arrive: np.ndarray, leave: np.ndarray, same_street: bool) -> str:
    delta = math.degrees(math.atan2(arrive[0] * leave[1] - arrive[1] * leave[0],
                                    arrive[0] * leave[0] + arrive[1] * leave[1]))
    size = abs(delta)
    if same_street or size >= 150:
        return "uturn"
    if size < 20:
        return "straight"
    if size < 45:
        return "slight_left" if delta > 0 else "slight_right"
    return "left" if delta > 0 else "right"


def _road_label(name: str | None) -> str:
    if not name or name.startswith(UNNAMED_PREFIX):
        return tr("无名路", "an unnamed road")
    return name


def route_steps(route: Route) -> list[Step]:
    """Group the traversals into steps along one road and the turns between them."""
    if not route.traversals:
        return []
    lines = route.geometries()
    start_vec, end_vec = _end_vectors(lines)
    steps: list[Step] = []
    i = 0
    trav = route.traversals
    while i < len(trav):
        j = i
        road = trav[i].road_name
        # a step follows one road; a U-turn on it starts a new step
        while (j + 1 < len(trav) and trav[j + 1].road_name == road
               and trav[j + 1].segment_id != trav[j].segment_id):
            j += 1
        length = float(sum(t.length_m for t in trav[i:j + 1]))
        dead = all(t.deadhead for t in trav[i:j + 1])
        heading = _bearing(*start_vec[i])
        if j + 1 < len(trav):
            turn = _turn(end_vec[j], start_vec[j + 1],
                         trav[j + 1].segment_id == trav[j].segment_id)
            next_road = trav[j + 1].road_name
        else:
            turn, next_road = "arrive", None
        steps.append(Step(road or "", length, heading, turn, next_road, dead, trav[j].cum_m,
                          i, j))
        i = j + 1
    return steps


def _distance_text(metres: float) -> str:
    if metres >= 1000:
        return tr(f"{metres / 1000:.1f} 公里", f"{metres / 1000:.1f} km")
    rounded = int(round(metres, -1)) if metres >= 50 else max(1, round(metres))
    return tr(f"{rounded} 米", f"{rounded} m")


def _turn_text(turn: str, next_road: str | None, closed: bool) -> str:
    onto = _road_label(next_road)
    texts = {
        "straight": (f"直行进入{onto}", f"continue straight onto {onto}"),
        "slight_left": (f"稍向左进入{onto}", f"bear left onto {onto}"),
        "slight_right": (f"稍向右进入{onto}", f"bear right onto {onto}"),
        "left": (f"左转进入{onto}", f"turn left onto {onto}"),
        "right": (f"右转进入{onto}", f"turn right onto {onto}"),
        "uturn": (f"掉头沿{onto}返回", f"make a U-turn back along {onto}"),
        "arrive": (("回到出发点", "arrive back at the start") if closed
                   else ("到达终点", "arrive at the end")),
    }
    zh, en = texts[turn]
    return tr(zh, en)


def step_text(step: Step, closed: bool) -> str:
    """One step as a sentence, e.g. ``沿信州路向东行驶 320 米，右转进入南大街``."""
    zh_dir, en_dir = _COMPASS[int(((step.heading_deg + 22.5) % 360) // 45)]
    road = _road_label(step.road)
    head = tr(f"沿{road}向{zh_dir}行驶 {_distance_text(step.length_m)}",
              f"Head {en_dir} on {road} for {_distance_text(step.length_m)}")
    then = _turn_text(step.turn, step.next_road, closed)
    transit = tr("（途经，不巡查）", " (transit only)") if step.deadhead else ""
    return tr(f"{head}{transit}，{then}", f"{head}{transit}, then {then}")


def turn_by_turn(route: Route) -> list[str]:
    """Numbered turn-by-turn lines in the current language."""
    steps = route_steps(route)
    total = _distance_text(route.total_length_m)
    minutes = route.duration_s / 60
    service = _distance_text(route.service_length_m)
    lines = [tr(f"全程 {total}，约 {minutes:.0f} 分钟；巡查 {service}，"
                f"途经 {_distance_text(route.deadhead_length_m)}（{route.deadhead_pct:.1f}%），"
                f"掉头 {route.u_turns} 次。",
                f"Total {total}, about {minutes:.0f} min; patrol "
                f"{_distance_text(route.service_length_m)}, transit "
                f"{_distance_text(route.deadhead_length_m)} ({route.deadhead_pct:.1f}%), "
                f"{route.u_turns} U-turns.")]
    lines += [f"{n}. {step_text(step, route.closed)}" for n, step in enumerate(steps, 1)]
    lines.append(tr(f"地图数据 {ATTRIBUTION}", f"Map data {ATTRIBUTION}"))
    return lines


def route_gpx(route: Route, name: str | None = None) -> str:
    """The route as a GPX 1.1 track in WGS-84 (one point per vertex, in order)."""
    gpx = ET.Element("gpx", {
        "version": "1.1", "creator": "patrolgeo", "xmlns": "http://www.topografix.com/GPX/1/1",
    })
    meta = ET.SubElement(gpx, "metadata")
    ET.SubElement(meta, "name").text = name or tr("巡查路线", "Patrol route")
    ET.SubElement(meta, "desc").text = tr(
        f"全程 {route.total_length_m / 1000:.2f} 公里；地图数据 {ATTRIBUTION}",
        f"{route.total_length_m / 1000:.2f} km; map data {ATTRIBUTION}")
    copyright_el = ET.SubElement(meta, "copyright", author="OpenStreetMap contributors")
    ET.SubElement(copyright_el, "license").text = "https://opendatacommons.org/licenses/odbl/"
    trk = ET.SubElement(gpx, "trk")
    ET.SubElement(trk, "name").text = name or tr("巡查路线", "Patrol route")
    seg = ET.SubElement(trk, "trkseg")
    if route.traversals:
        import geopandas as gpd

        lines = gpd.GeoSeries(route.geometries(), crs=route.crs).to_crs(WGS84)
        coords = shapely.get_coordinates(lines.values)
        keep = np.ones(len(coords), bool)
        keep[1:] = np.any(np.abs(np.diff(coords, axis=0)) > 1e-9, axis=1)
        for lon, lat in coords[keep]:
            ET.SubElement(seg, "trkpt", lat=f"{lat:.7f}", lon=f"{lon:.7f}")
    ET.indent(gpx)
    return ET.tostring(gpx, encoding="unicode", xml_declaration=True) + "\n"
