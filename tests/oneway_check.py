"""An independent one-way checker for routes: re-derives the rules from the raw OSM tags.

It shares no code with :mod:`patrolgeo.roads`: the file is read here (``xml.etree`` for
OSM XML, ``osmium`` for PBF), the one-way rule of every way is worked out here from its
tags (OSM wiki, Key:oneway and Key:cycleway), and each traversal of a route is placed on
its way's own node list to tell which way along the way it runs.

A traversal runs from graph node ``u`` to graph node ``v`` (both OSM node ids) along one
way. Where ``u`` and ``v`` pin the run down (each once in an open way) the direction is
their order in the way; otherwise (closed ways, loops, nodes used twice) the candidate
runs of the way between them are compared with the traversal's own line.
"""

from __future__ import annotations

import bz2
import gzip
import itertools
import math
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

ALONG = 1
AGAINST = -1

#: What a oneway-like value means: the directions it allows along the way's node order.
_VALUE_MEANING = {
    "yes": {ALONG}, "true": {ALONG}, "1": {ALONG},
    "-1": {AGAINST}, "reverse": {AGAINST},
    "no": {ALONG, AGAINST}, "false": {ALONG, AGAINST}, "0": {ALONG, AGAINST},
    # direction changes with the time of day: never safe to assume either way
    "reversible": set(), "alternating": set(),
}

#: Tag pairs the wiki documents as one-way without a oneway tag.
_IMPLIED = {("highway", "motorway"), ("highway", "motorway_link"),
            ("junction", "roundabout"), ("junction", "circular")}

#: Keys read for each mode, most specific first (access hierarchy: motorcar <
#: motor_vehicle < vehicle; bicycle < vehicle); then ``oneway:vehicle``, ``oneway``.
_MODE_KEYS = {
    "drive": ("oneway:motorcar", "oneway:motor_vehicle"),
    "bike": ("oneway:bicycle",),
}

#: ``cycleway*`` values that open a one-way street to bicycles the other way.
_CONTRAFLOW = ("opposite", "opposite_lane", "opposite_track", "opposite_share_busway")

#: Points along a traversal (fractions of its length) compared with candidate runs.
_PROBES = (0.2, 0.4, 0.6, 0.8)

_EARTH_R_M = 6_371_008.8


def _meaning(value: str | None) -> set[int] | None:
    if value is None:
        return None
    found = _VALUE_MEANING.get(value.strip().lower())
    return None if found is None else set(found)


def _bike_contraflow(tags: dict[str, str]) -> bool:
    """Tags opening a one-way street to cyclists in both directions."""
    for key in ("cycleway", "cycleway:left", "cycleway:right", "cycleway:both"):
        if tags.get(key, "") in _CONTRAFLOW:
            return True
    for side in ("left", "right", "both"):
        if tags.get(f"cycleway:{side}:oneway") in ("no", "-1"):
            return True
    return False


def allowed_directions(tags: dict[str, str], mode: str) -> set[int]:
    """Directions along the way's node order that ``mode`` may travel.

    Parameters
    ----------
    tags
        The raw way tags.
    mode
        ``"walk"``, ``"bike"`` or ``"drive"``.

    Returns
    -------
    set of int
        Some of ``{ALONG, AGAINST}``; empty for reversible ways (by vehicle).
    """
    both = {ALONG, AGAINST}
    if mode == "walk":
        return both
    for key in _MODE_KEYS.get(mode, ()):
        found = _meaning(tags.get(key))
        if found is not None:
            return found
    base = _meaning(tags.get("oneway:vehicle"))
    if base is None:
        base = _meaning(tags.get("oneway"))
    if base is None:
        base = {ALONG} if any(tags.get(k) == v for k, v in _IMPLIED) else both
    if mode == "bike" and len(base) == 1 and _bike_contraflow(tags):
        return both
    return base


# ---------------------------------------------------------------------------- reading


def _open_xml(path: Path) -> Any:
    name = path.name.lower()
    if name.endswith(".bz2"):
        return bz2.open(path, "rb")
    if name.endswith(".gz"):
        return gzip.open(path, "rb")
    return path.open("rb")


def _read_xml(path: Path) -> tuple[dict[int, tuple[list[int], dict[str, str]]],
                                   dict[int, tuple[float, float]]]:
    ways: dict[int, tuple[list[int], dict[str, str]]] = {}
    nodes: dict[int, tuple[float, float]] = {}
    with _open_xml(path) as fh:
        for _, el in ET.iterparse(fh, events=("end",)):
            if el.tag == "node":
                nodes[int(el.get("id"))] = (float(el.get("lon")), float(el.get("lat")))
                el.clear()
            elif el.tag == "way":
                refs = [int(nd.get("ref")) for nd in el.findall("nd")]
                tags = {t.get("k"): t.get("v") for t in el.findall("tag")}
                if "highway" in tags:
                    ways[int(el.get("id"))] = (refs, tags)
                el.clear()
    return ways, nodes


def _read_pbf(path: Path) -> tuple[dict[int, tuple[list[int], dict[str, str]]],
                                   dict[int, tuple[float, float]]]:
    import osmium

    ways: dict[int, tuple[list[int], dict[str, str]]] = {}
    nodes: dict[int, tuple[float, float]] = {}
    way_items = cast("Iterable[osmium.osm.Way]", osmium.FileProcessor(str(path), osmium.osm.WAY))
    for way in way_items:
        if "highway" in way.tags:
            ways[way.id] = ([n.ref for n in way.nodes], dict(way.tags))
    node_items = cast("Iterable[osmium.osm.Node]",
                      osmium.FileProcessor(str(path), osmium.osm.NODE))
    for node in node_items:
        if node.location.valid():
            nodes[node.id] = (node.location.lon, node.location.lat)
    return ways, nodes


@dataclass
class OSMWays:
    """The highway ways of a file (node refs, tags) and node positions (lon, lat)."""

    ways: dict[int, tuple[list[int], dict[str, str]]]
    nodes: dict[int, tuple[float, float]]

    @classmethod
    def read(cls, path: str | Path) -> OSMWays:
        """Read an OSM XML (plain, bz2, gz) or PBF file."""
        path = Path(path)
        if path.name.lower().endswith(".pbf"):
            return cls(*_read_pbf(path))
        return cls(*_read_xml(path))


# ---------------------------------------------------------------------------- geometry


def _metres(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance between two (lon, lat) points."""
    lon1, lat1, lon2, lat2 = map(math.radians, (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + \
        math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * _EARTH_R_M * math.asin(math.sqrt(min(1.0, h)))


def _length(points: list[tuple[float, float]]) -> float:
    return sum(_metres(p, q) for p, q in itertools.pairwise(points))


def _at(points: list[tuple[float, float]], fraction: float) -> tuple[float, float]:
    """The point ``fraction`` of the way along a (lon, lat) polyline (planar steps)."""
    steps = [_metres(p, q) for p, q in itertools.pairwise(points)]
    goal = fraction * sum(steps)
    for (p, q), step in zip(itertools.pairwise(points), steps, strict=True):
        if goal <= step and step > 0:
            t = goal / step
            return (p[0] + t * (q[0] - p[0]), p[1] + t * (q[1] - p[1]))
        goal -= step
    return points[-1]


def _runs(refs: list[int], u: int, v: int) -> list[tuple[int, list[int]]]:
    """Every run of the way from ``u`` to ``v``: (direction, node ids in run order)."""
    closed = len(refs) > 2 and refs[0] == refs[-1]
    ring = refs[:-1] if closed else refs
    n = len(ring)
    at_u = [i for i, r in enumerate(ring) if r == u]
    at_v = [i for i, r in enumerate(ring) if r == v]
    runs: list[tuple[int, list[int]]] = []
    for i in at_u:
        for j in at_v:
            if closed:
                fwd = (j - i) % n or n
                runs.append((ALONG, [ring[(i + k) % n] for k in range(fwd + 1)]))
                back = (i - j) % n or n
                runs.append((AGAINST, [ring[(i - k) % n] for k in range(back + 1)]))
            elif i < j:
                runs.append((ALONG, ring[i:j + 1]))
            elif i > j:
                runs.append((AGAINST, ring[j:i + 1][::-1]))
    return runs


# ---------------------------------------------------------------------------- checking


@dataclass(frozen=True)
class WrongWay:
    """A run against the one-way rule of its way."""

    way_id: int
    from_node: int
    to_node: int
    length_m: float
    direction: int


@dataclass(frozen=True)
class Run:
    """One traversal to check: its way, end nodes, and its line as (lon, lat) points."""

    way_id: int
    u: int
    v: int
    line: tuple[tuple[float, float], ...] = ()


class OneWayChecker:
    """Checks runs along the ways of one OSM file against the one-way rules of a mode."""

    def __init__(self, osm: str | Path | OSMWays, mode: str) -> None:
        self.data = osm if isinstance(osm, OSMWays) else OSMWays.read(osm)
        self.mode = mode

    def direction(self, run: Run) -> tuple[int, list[int]]:
        """Which way along its way a run goes, and the way's nodes it passes, in order."""
        refs, _ = self.data.ways[run.way_id]
        runs = _runs(refs, run.u, run.v)
        if not runs:
            raise ValueError(f"nodes {run.u} -> {run.v} are not both on way {run.way_id}")
        if len(runs) == 1 or not run.line:
            return runs[0]
        line = list(run.line)

        def misfit(candidate: tuple[int, list[int]]) -> float:
            points = [self.data.nodes[r] for r in candidate[1]]
            return sum(_metres(_at(line, f), _at(points, f)) for f in _PROBES)

        return min(runs, key=misfit)

    def check(self, runs: Iterable[Run]) -> list[WrongWay]:
        """Return the runs going against their way's rule."""
        wrong = []
        for run in runs:
            _, tags = self.data.ways[run.way_id]
            allowed = allowed_directions(tags, self.mode)
            direction, nodes = self.direction(run)
            if direction not in allowed:
                length = _length([self.data.nodes[r] for r in nodes])
                wrong.append(WrongWay(run.way_id, run.u, run.v, length, direction))
        return wrong


def route_runs(route: Any) -> list[Run]:
    """The runs of a :class:`patrolgeo.routing.Route`, lines in WGS-84 as driven.

    The way of a run is the ``osm_way_id`` of its segment (the route's segments table).
    A boundary link (``kind == "outside"``: a detour outside the area) is split into
    one run per step along the ways it follows (``via_ways``/``via_nodes`` of
    ``route.links``); a transfer leg runs on no way and is skipped.
    """
    table = route.to_geodataframe().to_crs(4326)
    segs = route.segments
    way_of = dict(zip(segs["segment_id"].astype(str), segs["osm_way_id"].astype(int),
                      strict=True))
    links = route.links.set_index("segment_id") if route.links is not None else None
    kinds = table["kind"] if "kind" in table else ["street"] * len(table)
    runs: list[Run] = []
    for sid, u, v, geom, kind in zip(table["segment_id"], table["u"], table["v"],
                                     table.geometry, kinds, strict=True):
        if kind == "transfer":
            continue
        if kind == "outside":
            assert links is not None
            ways = [int(w) for w in str(links.loc[sid, "via_ways"]).split(";")]
            nodes = [int(n) for n in str(links.loc[sid, "via_nodes"]).split(";")]
            assert (nodes[0], nodes[-1]) == (int(u), int(v)) and len(nodes) == len(ways) + 1
            points = list(geom.coords)  # the link's vertices are its nodes
            assert len(points) == len(nodes)
            runs += [Run(w, a, b, (points[i], points[i + 1]))
                     for i, (w, a, b) in enumerate(zip(ways, nodes, nodes[1:], strict=False))]
            continue
        runs.append(Run(way_of[str(sid)], int(u), int(v), tuple(geom.coords)))
    return runs


def check_route(osm: str | Path | OSMWays, route: Any, mode: str | None = None
                ) -> list[WrongWay]:
    """Return the traversals of ``route`` that go against a one-way rule of the file.

    Parameters
    ----------
    osm
        The OSM file the route's network was built from (or its :class:`OSMWays`).
    route
        A :class:`patrolgeo.routing.Route` with its segments table.
    mode
        Mode whose rules bind (default the route's own mode).
    """
    return OneWayChecker(osm, mode or route.mode).check(route_runs(route))
