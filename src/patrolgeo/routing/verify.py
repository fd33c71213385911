"""An independent route checker: is this really a route covering the required streets.

:func:`verify_route` shares no code with the solvers. It reads the graph itself: every
traversal must be an edge of ``G`` (in its direction when one-way streets bind),
consecutive traversals must touch, the route must close (or start where asked), every
required segment must be run (each side, when both sides are asked), and the length is
recomputed from the edge geometries. It takes a :class:`~patrolgeo.routing.Route`, a
sequence of directed edges ``(u, v, key)`` or ``(u, v)``, or a sequence of nodes, so
routes of other tools can be checked the same way.

Each failed check is a :class:`Violation`: a code (a key of the ``route_check`` label
table) and its parameters, rendered in a language by the face that shows it.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import networkx as nx
import numpy as np

from patrolgeo.errors import RoutingError
from patrolgeo.labels import DEFAULT_LANG, Text, label
from patrolgeo.routing.network import is_outside_edge as is_outside

MAX_LISTED = 50
"""Violations listed in a :class:`RouteCheck` (``n_violations`` counts all)."""

MAX_LISTED_UNKNOWN = 5
"""Unknown required ids, and segments served twice, named before the check moves on."""

SHOWN_IN_ERROR = 3
"""Violations named in the message of :meth:`RouteCheck.raise_if_invalid`."""

STATED_LENGTH_ABS_M = 1.0
STATED_LENGTH_REL = 0.01
"""A traversal's stated length may differ from its geometry by 1 m plus 1 %."""

ROUTE_LENGTH_ABS_M = 1.0
"""Absolute slack of the route's total length check (besides ``length_tolerance``)."""

CUMULATIVE_ABS_M = 1e-3
"""The last traversal's cumulative distance must equal the total within a millimetre."""


@dataclass(frozen=True)
class Violation:
    """One failed check: a ``route_check`` code and its parameters.

    Examples
    --------
    >>> Violation("not_covered", {"sid": "s001"}).render("en")
    'required segment s001 is not covered'
    """

    code: str
    params: dict[str, Any] = field(default_factory=dict)

    def render(self, lang: str = DEFAULT_LANG) -> str:
        """Render the violation as a sentence in ``lang``."""
        return label("route_check", self.code, lang).format(**self.params)

    def text(self) -> Text:
        """Return the violation in both languages."""
        return Text(self.render("zh"), self.render("en"))

    def __str__(self) -> str:
        """Render in the default language (Chinese)."""
        return self.render(DEFAULT_LANG)


Add = Callable[..., None]


@dataclass
class RouteCheck:
    """What :func:`verify_route` found.

    Attributes
    ----------
    ok
        True when there is no violation.
    violations
        One :class:`Violation` per failed check (at most 50 listed; ``n_violations``
        counts all).
    length_m
        The route length recomputed from the edge geometries.
    claimed_length_m
        The length the route states (or the sum of the graph's ``length`` attributes).
    covered, required
        Required segments (or sides) run, and asked for.
    """

    ok: bool
    violations: list[Violation] = field(default_factory=list)
    n_violations: int = 0
    length_m: float = 0.0
    claimed_length_m: float = 0.0
    covered: int = 0
    required: int = 0
    n_traversals: int = 0

    def messages(self, lang: str = DEFAULT_LANG) -> list[str]:
        """Render the listed violations as sentences in ``lang``."""
        return [v.render(lang) for v in self.violations]

    def failure(self) -> Text:
        """Return the first violations as one bilingual message (what the error says)."""
        more = (f" (+{self.n_violations - SHOWN_IN_ERROR})"
                if self.n_violations > SHOWN_IN_ERROR else "")

        def say(lang: str) -> str:
            shown = "; ".join(self.messages(lang)[:SHOWN_IN_ERROR])
            return label("route_check", "failed", lang).format(shown=shown, more=more)

        return Text(say("zh"), say("en"))

    def raise_if_invalid(self) -> None:
        """Raise :class:`RoutingError` listing the first violations, if any.

        Raises
        ------
        RoutingError
            When the check failed.
        """
        if not self.ok:
            raise RoutingError(self.failure(), field="route")


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
        info["transfers"] = [getattr(t, "kind", "street") == "transfer"
                             for t in route.traversals]
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

    Raises
    ------
    RoutingError
        With ``raise_on_error``, when the route fails a check.
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
    violations: list[Violation] = []

    def add(code: str, **params: Any) -> None:
        violations.append(Violation(code, params))

    wanted = _known_required(required, set(index.oneway), add)
    walk = _Walk(G, index, respect_oneway, wanted, add)
    walk.run_edges(edges, info.get("hints"),
                   the_route if length_tolerance is not None else None, info.get("transfers"))
    _check_joins(edges, closed, start, bool(wanted), add)
    # without one-way rules every street has two sides one may run
    two_sided = {sid: (not index.oneway[sid]) or not respect_oneway for sid in index.oneway}
    covered, n_required = _check_coverage(wanted, walk.run, two_sided, both_sides, add)
    if the_route is not None:
        _check_route_claims(the_route, walk.run, wanted, two_sided, both_sides, walk.length,
                            length_tolerance, add)
    else:
        _check_edge_lengths(walk.claimed, walk.length, length_tolerance, add)
    check = RouteCheck(ok=not violations, violations=violations[:MAX_LISTED],
                       n_violations=len(violations), length_m=walk.length,
                       claimed_length_m=the_route.total_length_m if the_route is not None
                       else walk.claimed, covered=covered, required=n_required,
                       n_traversals=len(edges))
    if raise_on_error:
        check.raise_if_invalid()
    return check


def _known_required(required: Iterable[str] | None, all_ids: set[str], add: Add) -> set[str]:
    """Return the required ids that are segments; name the first unknown ones."""
    wanted = set(all_ids) if required is None else {str(s) for s in required}
    unknown = wanted - all_ids
    for sid in sorted(unknown)[:MAX_LISTED_UNKNOWN]:
        add("unknown_required", sid=sid)
    return wanted - unknown


class _Walk:
    """Follows the traversals over the graph: which segment each runs, which way, how long."""

    def __init__(self, G: nx.MultiDiGraph, index: _EdgeIndex, respect_oneway: bool,
                 wanted: set[str], add: Add) -> None:
        self.G = G
        self.index = index
        self.respect_oneway = respect_oneway
        self.wanted = wanted
        self.add = add
        self.run: list[tuple[str | None, bool]] = []  # segment, along its u -> v
        self.pieces: dict[Any, int] | None = None  # weakly connected piece of each node
        self.length = 0.0
        self.claimed = 0.0

    def run_edges(self, edges: list[tuple[Any, Any, Any]], hints: list[str] | None,
                  stated_route: Any, transfers: list[bool] | None = None) -> None:
        """Resolve every traversal; check stated lengths against ``stated_route``.

        A transfer leg (between pieces no street joins) runs no edge: its stated length
        must be the straight distance between its nodes, and no street joins them.
        """
        for i, (u, v, key) in enumerate(edges):
            if transfers and transfers[i]:
                self._transfer(i, u, v, stated_route)
                continue
            geo_len = self._step(i, u, v, key, hints[i] if hints else None)
            if geo_len is not None and stated_route is not None:
                stated = stated_route.traversals[i].length_m
                if abs(stated - geo_len) > STATED_LENGTH_ABS_M + STATED_LENGTH_REL * geo_len:
                    self.add("traversal_length", n=i + 1, stated=stated, geometry=geo_len)

    def _transfer(self, i: int, u: Any, v: Any, stated_route: Any) -> None:
        self.run.append((None, True))
        if u not in self.G or v not in self.G:
            self.add("no_such_edge", n=i + 1, u=u, v=v, key=None)
            return
        if self.pieces is None:
            self.pieces = {n: k for k, piece in enumerate(nx.weakly_connected_components(
                self.G)) for n in piece}
        if self.pieces[u] == self.pieces[v] and u != v:
            self.add("transfer_joined", n=i + 1, u=u, v=v)
        nu, nv = self.G.nodes[u], self.G.nodes[v]
        straight = math.hypot(nv["x"] - nu["x"], nv["y"] - nu["y"])
        if stated_route is not None:
            stated = stated_route.traversals[i].length_m
            if abs(stated - straight) > STATED_LENGTH_ABS_M + STATED_LENGTH_REL * straight:
                self.add("traversal_length", n=i + 1, stated=stated, geometry=straight)

    def _step(self, i: int, u: Any, v: Any, key: Any, hint: str | None) -> float | None:
        """Run traversal ``i``; its geometric length, or None when it matches no segment."""
        G, index = self.G, self.index
        chosen, reverse = _resolve(G, index, u, v, key, self.respect_oneway, self.wanted,
                                   self.run, hint)
        if chosen is None:
            code = "no_such_edge" if not G.has_edge(u, v) and not G.has_edge(v, u) \
                else "against_oneway"
            self.add(code, n=i + 1, u=u, v=v, key=key)
            self.run.append((None, True))
            return None
        eu, ev, ek = chosen
        sid, geo_len = index.segment_of(eu, ev, ek)
        self.length += geo_len
        self.claimed += float(G[eu][ev][ek].get("length", geo_len))
        if sid is None and is_outside(G[eu][ev][ek]):
            self.run.append((None, True))  # a boundary link: a real detour, no segment
            return geo_len
        if sid is None:
            self.add("no_segment", n=i + 1)
            self.run.append((None, True))
            return None
        su, sv = index.ends[sid]
        along = (u, v) == (su, sv) if su != sv else not reverse
        self.run.append((sid, along))
        return geo_len


def _check_joins(edges: list[tuple[Any, Any, Any]], closed: bool, start: Any,
                 anything_wanted: bool, add: Add) -> None:
    """Consecutive traversals touch; the route closes and starts where asked."""
    for i in range(len(edges) - 1):
        if edges[i][1] != edges[i + 1][0]:
            add("gap", n=i + 1, end=edges[i][1], next=i + 2, start=edges[i + 1][0])
    if edges:
        if closed and edges[-1][1] != edges[0][0]:
            add("not_closed", start=edges[0][0], end=edges[-1][1])
        if start is not None and edges[0][0] != start:
            add("wrong_start", first=edges[0][0], start=start)
    elif anything_wanted:
        add("empty")


def _check_coverage(wanted: set[str], run: list[tuple[str | None, bool]],
                    two_sided: dict[str, bool], both_sides: bool, add: Add) -> tuple[int, int]:
    """Every required segment (or side) is run; returns (covered, required)."""
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
        add("not_covered", sid=sid)
    if len(missing) > MAX_LISTED:
        add("more_not_covered", count=len(missing) - MAX_LISTED)
    return covered, n_required


def _check_edge_lengths(claimed: float, length: float, tolerance: float | None,
                        add: Add) -> None:
    """Check that the graph's ``length`` attributes add up to the geometric length."""
    if tolerance is not None and claimed > 0 and \
            abs(claimed - length) > tolerance * max(length, 1.0):
        add("edge_lengths", claimed=claimed, geometry=length)


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
                        tolerance: float | None, add: Add) -> None:
    """Check what a Route also states: its service runs and its length."""
    service: dict[tuple[str, bool | None], int] = {}
    for t, (sid, along) in zip(route.traversals, run, strict=True):
        if t.deadhead or sid is None:
            continue
        if sid not in wanted:
            add("served_not_required", sid=sid)
            continue
        side = along if (both_sides and two_sided[sid]) else None
        service[(sid, side)] = service.get((sid, side), 0) + 1
    twice = [k for k, c in service.items() if c > 1]
    for sid, _side in twice[:MAX_LISTED_UNKNOWN]:
        add("served_twice", sid=sid)
    stated = route.total_length_m
    if tolerance is not None and not math.isclose(stated, length, rel_tol=tolerance,
                                                  abs_tol=ROUTE_LENGTH_ABS_M):
        add("route_length", stated=stated, geometry=length)
    if route.traversals:
        cum = route.traversals[-1].cum_m
        if not math.isclose(cum, stated, rel_tol=1e-9, abs_tol=CUMULATIVE_ABS_M):
            add("cumulative")


def check_all(G: nx.MultiDiGraph, required: Iterable[str] | None,
              routes: Sequence[Any], **kwargs: Any) -> list[RouteCheck]:
    """Check several routes (say, one per chief) with the same settings.

    Parameters
    ----------
    G
        The projected road graph.
    required
        Segment ids every route must run; None means every segment.
    routes
        The routes, as :func:`verify_route` takes them.
    **kwargs
        Further settings of :func:`verify_route`.

    Returns
    -------
    list of RouteCheck
    """
    segments = kwargs.pop("segments", None)
    if segments is None:
        from patrolgeo.roads import segments_from_graph

        segments = segments_from_graph(G)
    req = None if required is None else list(required)
    return [verify_route(G, req, r, segments=segments, **kwargs) for r in routes]
