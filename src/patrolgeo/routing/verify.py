"""An independent route checker: is this really a route covering the required streets?

:func:`verify_route` shares no code with the solvers. It reads the graph itself: every
traversal must be an edge of ``G`` (in its direction when one-way streets bind),
consecutive traversals must touch, the route must close (or start where asked), every
required segment must be run (each side, when both sides are asked), and the length is
recomputed from the edge geometries. It takes a :class:`~patrolgeo.routing.Route`, a
sequence of directed edges ``(u, v, key)`` or ``(u, v)``, or a sequence of nodes, so
routes of other tools can be checked the same way.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import networkx as nx
import numpy as np

from patrolgeo.errors import RoutingError
from patrolgeo.i18n import tr

MAX_LISTED = 50


@dataclass
class RouteCheck:
    """What :func:`verify_route` found.

    Attributes
    ----------
    ok
        True when there is no violation.
    violations
        One line per violation (at most 50 listed; ``n_violations`` counts all).
    length_m
        The route length recomputed from the edge geometries.
    claimed_length_m
        The length the route states (or the sum of the graph's ``length`` attributes).
    covered, required
        Required segments (or sides) run, and asked for.
    """

    ok: bool
    violations: list[str] = field(default_factory=list)
    n_violations: int = 0
    length_m: float = 0.0
    claimed_length_m: float = 0.0
    covered: int = 0
    required: int = 0
    n_traversals: int = 0

    def raise_if_invalid(self) -> None:
        """Raise :class:`RoutingError` listing the first violations, if any."""
        if not self.ok:
            shown = "; ".join(self.violations[:3])
            more = f" (+{self.n_violations - 3})" if self.n_violations > 3 else ""
            raise RoutingError(tr(f"路线校验未通过：{shown}{more}",
                                  f"route check failed: {shown}{more}"), field="route")


def _fingerprint(coords: np.ndarray) -> tuple[float, ...]:
    rounded = np.round(np.asarray(coords, float), 1)
    forward = tuple(rounded.ravel())
    backward = tuple(rounded[::-1].ravel())
    return min(forward, backward)


def _way(value: Any) -> int | None:
    if isinstance(value, list):
        value = value[0] if value else None
    try:
        return None if value is None or (isinstance(value, float) and math.isnan(value)) \
            else int(value)
    except (TypeError, ValueError):
        return None


def _edge_line(G: nx.MultiDiGraph, u: Any, v: Any, data: dict[str, Any]) -> np.ndarray:
    geom = data.get("geometry")
    if geom is not None:
        return np.asarray(geom.coords)
    return np.array([[G.nodes[u]["x"], G.nodes[u]["y"]], [G.nodes[v]["x"], G.nodes[v]["y"]]])


def _polyline_length(coords: np.ndarray) -> float:
    if len(coords) < 2:
        return 0.0
    return float(np.hypot(*np.diff(coords, axis=0).T).sum())


class _EdgeIndex:
    """Maps graph edges to segments by their end nodes and their geometry."""

    def __init__(self, G: nx.MultiDiGraph, segments: gpd.GeoDataFrame) -> None:
        self.G = G
        self.by_shape: dict[tuple[Any, ...], str] = {}
        self.oneway: dict[str, bool] = {}
        self.ends: dict[str, tuple[Any, Any]] = {}
        way = segments["osm_way_id"] if "osm_way_id" in segments else [None] * len(segments)
        for sid, u, v, oneway, osmid, geom in zip(
                segments["segment_id"].astype(str), segments["u"], segments["v"],
                segments["oneway"], way, segments.geometry, strict=True):
            a, b = (u, v) if u <= v else (v, u)
            self.by_shape[(a, b, _way(osmid), _fingerprint(np.asarray(geom.coords)))] = sid
            self.oneway[sid] = bool(oneway)
            self.ends[sid] = (u, v)
        self._cache: dict[tuple[Any, Any, Any], tuple[str | None, float]] = {}

    def segment_of(self, u: Any, v: Any, key: Any) -> tuple[str | None, float]:
        """Segment id and geometric length of graph edge ``(u, v, key)``."""
        found = self._cache.get((u, v, key))
        if found is None:
            data = self.G[u][v][key]
            coords = _edge_line(self.G, u, v, data)
            a, b = (u, v) if u <= v else (v, u)
            sid = self.by_shape.get((a, b, _way(data.get("osmid")), _fingerprint(coords)))
            if sid is None:  # a graph without way ids on its edges
                sid = self.by_shape.get((a, b, None, _fingerprint(coords)))
            found = (sid, _polyline_length(coords))
            self._cache[(u, v, key)] = found
        return found


def _as_edges(route: Any) -> tuple[list[tuple[Any, Any, Any]], dict[str, Any]]:
    """Normalise a route to a list of ``(u, v, key or None)`` and what it claims."""
    info: dict[str, Any] = {}
    if hasattr(route, "traversals"):
        info["route"] = route
        # the segment a traversal names settles which of parallel edges it ran
        info["hints"] = [t.segment_id for t in route.traversals]
        return [(t.u, t.v, t.key) for t in route.traversals], info
    items = list(route)
    if not items:
        return [], info
    first = items[0]
    if isinstance(first, (tuple, list)) and len(first) in (2, 3):
        return [(e[0], e[1], e[2] if len(e) == 3 else None) for e in items], info
    # a node sequence
    return [(x, y, None) for x, y in itertools.pairwise(items)], info


def verify_route(
    G: nx.MultiDiGraph,
    required: Iterable[str] | None,
    route: Any,
    *,
    closed: bool = True,
    respect_oneway: bool | None = None,
    both_sides: bool = False,
    start: Any = None,
    segments: gpd.GeoDataFrame | None = None,
    length_tolerance: float | None = 0.005,
    raise_on_error: bool = False,
) -> RouteCheck:
    """Check a route against the graph, independently of how it was computed.

    Parameters
    ----------
    G
        The projected road graph.
    required
        Segment ids that must be run; None means every segment.
    route
        A :class:`~patrolgeo.routing.Route`, a sequence of ``(u, v, key)`` or ``(u, v)``
        edges, or a sequence of node ids.
    closed
        Whether the route must end where it starts.
    respect_oneway
        Whether runs must follow the graph's edge directions (default: the route's own
        setting for a Route, else True unless the graph is a walk graph).
    both_sides
        Require each two-way required segment in both directions.
    start
        A node id the route must start at (and end at, when closed).
    segments
        The segments table; computed from ``G`` when None.
    length_tolerance
        Allowed relative difference between the stated and recomputed lengths; None
        skips the length checks (for graphs whose lengths are not their lines').
    raise_on_error
        Raise :class:`RoutingError` instead of returning a failed check.

    Returns
    -------
    RouteCheck
    """
    if segments is None:
        from patrolgeo.roads import segments_from_graph

        segments = segments_from_graph(G)
    edges, info = _as_edges(route)
    the_route = info.get("route")
    if respect_oneway is None:
        respect_oneway = bool(the_route.respect_oneway) if the_route is not None else \
            G.graph.get("mode", "drive") != "walk"
    index = _EdgeIndex(G, segments)
    all_ids = set(index.oneway)
    wanted = set(all_ids) if required is None else {str(s) for s in required}
    violations: list[str] = []

    def add(message: str) -> None:
        violations.append(message)

    unknown = wanted - all_ids
    for sid in sorted(unknown)[:5]:
        add(tr(f"必经路段 {sid} 不在路网中", f"required segment {sid} is not in the network"))
    wanted -= unknown

    run: list[tuple[str | None, bool]] = []  # segment, along its u -> v
    length = 0.0
    claimed = 0.0
    hints = info.get("hints")
    for i, (u, v, key) in enumerate(edges):
        chosen, reverse = _resolve(G, index, u, v, key, respect_oneway, wanted, run,
                                   hints[i] if hints else None)
        if chosen is None:
            what = tr("不存在的边", "no such edge") if not G.has_edge(u, v) and \
                not G.has_edge(v, u) else tr("逆行单行道", "against a one-way street")
            add(tr(f"第 {i + 1} 段 ({u}→{v}, key={key})：{what}",
                   f"traversal {i + 1} ({u}->{v}, key={key}): {what}"))
            run.append((None, True))
            continue
        eu, ev, ek = chosen
        sid, geo_len = index.segment_of(eu, ev, ek)
        length += geo_len
        claimed += float(G[eu][ev][ek].get("length", geo_len))
        if sid is None:
            add(tr(f"第 {i + 1} 段不属于任何路段", f"traversal {i + 1} matches no segment"))
            run.append((None, True))
            continue
        su, sv = index.ends[sid]
        along = (u, v) == (su, sv) if su != sv else not reverse
        run.append((sid, along))
        if the_route is not None and length_tolerance is not None:
            stated = the_route.traversals[i].length_m
            if abs(stated - geo_len) > 1.0 + 0.01 * geo_len:
                add(tr(f"第 {i + 1} 段长度 {stated:.1f} 米与几何长度 {geo_len:.1f} 米不符",
                       f"traversal {i + 1} states {stated:.1f} m, geometry gives "
                       f"{geo_len:.1f} m"))

    for i in range(len(edges) - 1):
        if edges[i][1] != edges[i + 1][0]:
            add(tr(f"第 {i + 1} 段终点 {edges[i][1]} 与第 {i + 2} 段起点 {edges[i + 1][0]} 不相接",
                   f"traversal {i + 1} ends at {edges[i][1]} but traversal {i + 2} starts "
                   f"at {edges[i + 1][0]}"))
    if edges:
        if closed and edges[-1][1] != edges[0][0]:
            add(tr(f"路线未闭合：起于 {edges[0][0]}，止于 {edges[-1][1]}",
                   f"route is not closed: starts at {edges[0][0]}, ends at {edges[-1][1]}"))
        if start is not None and edges[0][0] != start:
            add(tr(f"路线起点 {edges[0][0]} 不是 {start}",
                   f"route starts at {edges[0][0]}, not at {start}"))
    elif wanted:
        add(tr("路线为空", "the route is empty"))

    # without one-way rules every street has two sides one may run
    two_sided = {sid: (not index.oneway[sid]) or not respect_oneway for sid in index.oneway}
    done_any = {sid for sid, _ in run if sid is not None}
    done_dir = {(sid, along) for sid, along in run if sid is not None}
    covered = 0
    n_required = 0
    missing: list[str] = []
    for sid in sorted(wanted):
        if both_sides and two_sided[sid]:
            for along in (True, False):
                n_required += 1
                if (sid, along) in done_dir:
                    covered += 1
                else:
                    missing.append(f"{sid} ({'u->v' if along else 'v->u'})")
        else:
            n_required += 1
            if sid in done_any:
                covered += 1
            else:
                missing.append(sid)
    for sid in missing[:MAX_LISTED]:
        add(tr(f"必经路段 {sid} 未走到", f"required segment {sid} is not covered"))
    if len(missing) > MAX_LISTED:
        add(tr(f"另有 {len(missing) - MAX_LISTED} 个必经路段未走到",
               f"{len(missing) - MAX_LISTED} more required segments are not covered"))

    if the_route is not None:
        _check_route_claims(the_route, run, wanted, two_sided, both_sides, length,
                            length_tolerance, add)
    elif length_tolerance is not None and claimed > 0 and \
            abs(claimed - length) > length_tolerance * max(length, 1.0):
        add(tr(f"边长属性之和 {claimed:.1f} 米与几何长度 {length:.1f} 米不符",
               f"edge lengths add to {claimed:.1f} m, geometry to {length:.1f} m"))

    check = RouteCheck(ok=not violations, violations=violations[:MAX_LISTED],
                       n_violations=len(violations), length_m=length,
                       claimed_length_m=the_route.total_length_m if the_route is not None
                       else claimed, covered=covered, required=n_required,
                       n_traversals=len(edges))
    if raise_on_error:
        check.raise_if_invalid()
    return check


def _resolve(G: nx.MultiDiGraph, index: _EdgeIndex, u: Any, v: Any, key: Any,
             respect_oneway: bool, wanted: set[str], run: list[tuple[str | None, bool]],
             hint: str | None = None) -> tuple[tuple[Any, Any, Any] | None, bool]:
    """Find the graph edge a traversal uses; ``reverse`` when it runs an edge backwards."""
    forward = G._succ.get(u, {}).get(v, {})
    backward = {} if respect_oneway else G._succ.get(v, {}).get(u, {})
    if key is not None:
        if key in forward:
            return (u, v, key), False
        if key in backward and not forward:
            return (v, u, key), True
        return None, False
    options = [((u, v, k), False) for k in forward] + [((v, u, k), True) for k in backward]
    if not options:
        return None, False
    # an edge given by its nodes only: the segment named, else a required segment not
    # yet run, then the shortest (the choice a route through these nodes would make)
    done = {sid for sid, _ in run}

    def rank(option: tuple[tuple[Any, Any, Any], bool]) -> tuple[int, int, float]:
        (eu, ev, ek), _ = option
        sid, geo_len = index.segment_of(eu, ev, ek)
        fresh = sid in wanted and sid not in done
        return (0 if hint is not None and sid == hint else 1, 0 if fresh else 1, geo_len)

    return min(options, key=rank)


def _check_route_claims(route: Any, run: list[tuple[str | None, bool]], wanted: set[str],
                        two_sided: dict[str, bool], both_sides: bool, length: float,
                        tolerance: float | None, add: Any) -> None:
    """A Route also states its service runs and its length: check those too."""
    service: dict[tuple[str, bool | None], int] = {}
    for t, (sid, along) in zip(route.traversals, run, strict=True):
        if t.deadhead or sid is None:
            continue
        if sid not in wanted:
            add(tr(f"路段 {sid} 非必经却标为作业", f"segment {sid} is served but not required"))
            continue
        side = along if (both_sides and two_sided[sid]) else None
        service[(sid, side)] = service.get((sid, side), 0) + 1
    twice = [k for k, c in service.items() if c > 1]
    for sid, _side in twice[:5]:
        add(tr(f"路段 {sid} 作业了不止一次", f"segment {sid} is served more than once"))
    stated = route.total_length_m
    if tolerance is not None and not math.isclose(stated, length, rel_tol=tolerance,
                                                  abs_tol=1.0):
        add(tr(f"路线长度 {stated:.1f} 米与几何重算 {length:.1f} 米不符",
               f"route states {stated:.1f} m, geometry gives {length:.1f} m"))
    if route.traversals:
        cum = route.traversals[-1].cum_m
        if not math.isclose(cum, stated, rel_tol=1e-9, abs_tol=1e-3):
            add(tr("累计里程与总长不符", "cumulative distance does not add up to the total"))


def check_all(G: nx.MultiDiGraph, required: Iterable[str] | None,
              routes: Sequence[Any], **kwargs: Any) -> list[RouteCheck]:
    """Check several routes (say, one per chief) with the same settings."""
    segments = kwargs.pop("segments", None)
    if segments is None:
        from patrolgeo.roads import segments_from_graph

        segments = segments_from_graph(G)
    req = None if required is None else list(required)
    return [verify_route(G, req, r, segments=segments, **kwargs) for r in routes]
