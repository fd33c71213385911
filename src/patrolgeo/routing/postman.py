"""Postman routes over real streets: cover every required segment, return to the start.

Which problem is solved follows from the mode and the streets asked for:

- **undirected** (foot patrols, or one-way streets ignored): the exact optimum when the
  required segments form one piece (minimum T-join of the odd nodes by sparse-blossom
  matching, then an Euler circuit); a rural-postman heuristic with a lower bound when
  they lie in several pieces;
- **directed** (every service run has a fixed direction: one-way streets, or both sides
  of two-way streets for sweeping): the exact optimum by minimum-cost flow when the
  required segments form one piece;
- **mixed** (vehicles on one-way and two-way streets): a heuristic with a lower bound.

The circuit prefers going straight and turning to U-turns and keeps a road's runs
together (see :mod:`patrolgeo.routing.euler`).
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd

from patrolgeo.errors import RoutingError
from patrolgeo.routing._cover import EPS_M, Cover
from patrolgeo.routing._directed import solve_directed
from patrolgeo.routing._pieces import (
    Piece,
    boundary_dead_ends,
    nearest_next,
    piece_of_node,
    split_pieces,
    straight_m,
)
from patrolgeo.routing._rural import solve_undirected
from patrolgeo.routing.euler import CircuitInput, TurnPenalty, euler_circuit
from patrolgeo.routing.network import StreetNetwork, network_from_graph, to_graph_xy
from patrolgeo.routing.route import (
    KIND_OUTSIDE,
    KIND_STREET,
    KIND_TRANSFER,
    SPEEDS_KMH,
    Route,
    Traversal,
)

MODES = ("walk", "bike", "drive")

MAX_SNAP_M = 2000.0
"""Default farthest distance of a start point from the network (a typo, not a station)."""

EXACT_TIME_LIMIT_S = 60.0
"""Default time limit of the exact (integer program) solve."""


Start = tuple[float, float] | int | None

#: Prefix of the id of a transfer leg between pieces (``transfer:<n>``).
TRANSFER_PREFIX = "transfer:"


def _required_mask(net: StreetNetwork, required: Iterable[str] | None) -> np.ndarray:
    if required is None:
        return np.ones(net.n_segments, bool)
    if isinstance(required, str):
        required = [required]
    wanted = pd.Index(pd.unique(pd.Series(list(required), dtype=object).astype(str)))
    known = pd.Index(net.segment_ids.astype(str))
    missing = wanted.difference(known)
    if len(missing):
        shown = ", ".join(sorted(missing)[:3]) + (" …" if len(missing) > 3 else "")
        raise RoutingError(f"{len(missing)} required segment id(s) not in the network: "
                           f"{shown}", field="segment_id")
    return known.isin(wanted)


def _snap_start(net: StreetNetwork, G: nx.MultiDiGraph, start: Start, allowed: np.ndarray,
                max_snap_m: float) -> tuple[int, float | None]:
    if start is None:
        return -1, None
    candidates = np.flatnonzero(allowed)
    if not isinstance(start, (tuple, list, np.ndarray)):
        # a node id
        try:
            idx = int(np.searchsorted(net.node_ids, start))
        except TypeError:
            idx = net.n_nodes
        if idx < net.n_nodes and net.node_ids[idx] == start and allowed[idx]:
            return idx, 0.0
        if start not in G:
            raise RoutingError(f"start node {start} is not in the graph", field="start")
        x, y = float(G.nodes[start]["x"]), float(G.nodes[start]["y"])
    else:
        try:
            lat, lon = (float(c) for c in start)
        except (TypeError, ValueError) as exc:
            raise RoutingError(f"start {start!r} is not (lat, lon) or a node id",
                               field="start") from exc
        x, y = to_graph_xy(net.crs, lat, lon)
    node, dist = net.nearest_node(x, y, candidates)
    if dist > max_snap_m:
        raise RoutingError(f"start point is {dist:.0f} m from the routable network "
                           f"(more than {max_snap_m:.0f} m)", field="start")
    return node, dist


def _circuit_input(net: StreetNetwork, cover: Cover, road_code: np.ndarray
                   ) -> tuple[CircuitInput, np.ndarray, np.ndarray]:
    """Copy every run for the circuit builder, with its segment and orientation."""
    if cover.undirected:
        assert cover.count is not None
        seg = np.repeat(np.arange(net.n_segments), cover.count)
        along = np.ones(len(seg), bool)
    else:
        assert cover.fwd is not None and cover.rev is not None
        fseg = np.repeat(np.arange(net.n_segments), cover.fwd)
        rseg = np.repeat(np.arange(net.n_segments), cover.rev)
        seg = np.concatenate([fseg, rseg])
        along = np.concatenate([np.ones(len(fseg), bool), np.zeros(len(rseg), bool)])
    p = np.where(along, net.a[seg], net.b[seg])
    q = np.where(along, net.b[seg], net.a[seg])
    h_p = np.where(along, net.heading_a[seg], net.heading_b[seg])
    h_q = np.where(along, net.heading_b[seg], net.heading_a[seg])
    virtual = np.zeros(len(seg), bool)
    street = seg.copy()
    road = road_code[seg]
    side_p = np.where(along, 0, 1)
    if cover.start >= 0 and cover.end >= 0 and cover.start != cover.end:
        # an open route: close it with a virtual copy from its end back to its start
        p = np.r_[p, cover.end]
        q = np.r_[q, cover.start]
        h_p, h_q = np.r_[h_p, 0.0], np.r_[h_q, 0.0]
        street, road = np.r_[street, -1], np.r_[road, -1]
        side_p, virtual = np.r_[side_p, 0], np.r_[virtual, True]
        seg, along = np.r_[seg, -1], np.r_[along, True]
    ci = CircuitInput(p=p, q=q, h_p=h_p, h_q=h_q, street=street, side_p=side_p, road=road,
                      virtual=virtual, directed=not cover.undirected)
    return ci, seg, along


def postman_route(
    G: nx.MultiDiGraph,
    segments: gpd.GeoDataFrame | None = None,
    required: Iterable[str] | None = None,
    *,
    mode: str = "walk",
    start: Start = None,
    closed: bool = True,
    respect_oneway: bool | None = None,
    both_sides: bool = False,
    speed_kmh: float | None = None,
    turn_penalty: TurnPenalty | None = None,
    on_unreachable: str = "raise",
    max_snap_m: float = MAX_SNAP_M,
    improve: bool = True,
    exact: bool = False,
    time_limit_s: float = EXACT_TIME_LIMIT_S,
    link_pieces: bool = True,
) -> Route:
    """Compute a postman route covering the required segments.

    Parameters
    ----------
    G
        The projected road graph (from :func:`patrolgeo.roads.load_graph`).
    segments
        Its segments (:func:`patrolgeo.roads.segments_from_graph`); every segment may be
        used to travel. Computed from ``G`` when None. To route one territory, pass the
        whole district's segments and the territory's ids as ``required``, so the route
        may travel over streets outside it.
    required
        Segment ids to serve; None serves every segment.
    mode
        ``"walk"``, ``"bike"`` or ``"drive"``: sets the default speed and whether
        one-way streets bind (they do for bike and drive).
    start
        The station: ``(lat, lon)`` in degrees, or a graph node id. It is snapped to
        the nearest node of the routable network. None lets the solver choose.
    closed
        Return to the start (default); False ends the route wherever is best.
    respect_oneway
        Override whether one-way streets bind (default: not for walk, yes otherwise).
    both_sides
        Serve each side of two-way streets, i.e. run them once in each direction
        (street sweeping).
    speed_kmh
        Travel speed for the times (default per mode: :data:`SPEEDS_KMH`).
    turn_penalty
        Costs of turns and U-turns when ordering the circuit.
    on_unreachable
        ``"raise"`` (default) when a required segment cannot be reached and left
        (say, a one-way street out of the area), ``"skip"`` to leave it out and list it
        in ``Route.unreachable_ids``.
    max_snap_m
        Refuse a start point farther than this from the network.
    improve
        Run the local improvement of the heuristics.
    exact
        For the NP-hard cases (rural, mixed) of a closed route, also solve the integer
        program (HiGHS, :mod:`patrolgeo.routing.exact`) within ``time_limit_s``: the
        route is then optimal, or the bound it proved tightens ``lower_bound_m``.
    time_limit_s
        Time limit of the exact solve.
    link_pieces
        On a network in several pieces no street joins (``keep_components``), serve
        every piece: each on a circuit of its own, nearest piece next, joined by
        straight transfer legs (``Traversal.kind == "transfer"``, counted in
        ``Route.transfer_length_m``, not in the road length). False serves only the
        piece with most required length and lists the others as unreachable.

    Returns
    -------
    Route

    Raises
    ------
    RoutingError
        Unknown segment ids, unreachable segments, a start point off the network.
    """
    t0 = time.perf_counter()
    _check_choices(mode, on_unreachable)
    if segments is None:
        from patrolgeo.roads import segments_from_graph

        segments = segments_from_graph(G)
    respect = (mode != "walk") if respect_oneway is None else bool(respect_oneway)
    speed = (speed_kmh if speed_kmh is not None else SPEEDS_KMH[mode]) / 3.6
    if speed <= 0:
        raise RoutingError("speed must be positive", field="speed_kmh")
    net = network_from_graph(G, segments)
    wanted = _required_mask(net, required) & ~net.link_mask()
    if not wanted.any():
        return Route([], closed, mode, lower_bound_m=0.0, optimal=True, method="nothing to do",
                     speed_mps=speed, respect_oneway=respect, both_sides=both_sides,
                     crs=net.crs, segments=segments, seconds=time.perf_counter() - t0)
    pieces, unreachable = _reachable(net, wanted, respect, on_unreachable, link_pieces)
    at_boundary = (boundary_dead_ends(net, _boundary_nodes(G, net), pieces, unreachable)
                   if respect else np.zeros(net.n_segments, bool))
    allowed = np.logical_or.reduce([p.nodes for p in pieces])
    start_node, snap = _snap_start(net, G, start, allowed, max_snap_m)
    if start_node >= 0:  # the station's piece comes first
        first = piece_of_node(pieces, start_node)
        pieces.insert(0, pieces.pop(first))
    settings = _Settings(respect, both_sides, improve, exact, time_limit_s, speed,
                         turn_penalty)
    road_code = pd.factorize(pd.Series(net.road, dtype=object), use_na_sentinel=True)[0]
    legs = _chain(net, pieces, start_node, closed, settings, road_code)
    traversals = _join_legs(net, legs, closed, speed)
    covers = [leg.cover for leg in legs]
    total = float(sum(t.length_m for t in traversals if t.kind != KIND_TRANSFER))
    lower = min(float(sum(c.lower_bound_m for c in covers)), total)
    start_dense = legs[0].cover.start
    return Route(
        traversals=traversals, closed=closed, mode=mode,
        start_node=_native(net.node_ids[start_dense]),
        end_node=traversals[-1].v if traversals else _native(net.node_ids[start_dense]),
        lower_bound_m=lower, optimal=all(c.optimal for c in covers),
        method=" + ".join(dict.fromkeys(c.method for c in covers)), speed_mps=speed,
        u_turns=sum(leg.u_turns for leg in legs),
        dead_end_u_turns=sum(leg.dead_end for leg in legs), respect_oneway=respect,
        both_sides=both_sides,
        required_ids=tuple(net.segment_ids[np.logical_or.reduce(
            [p.required for p in pieces])].astype(str)),
        unreachable_ids=tuple(sorted(net.segment_ids[unreachable].astype(str))),
        boundary_ids=tuple(sorted(net.segment_ids[at_boundary].astype(str))),
        start_snap_m=snap, seconds=time.perf_counter() - t0, crs=net.crs,
        segments=segments, links=_used_links(net, traversals), pieces=len(pieces),
    )


@dataclass
class _Settings:
    """What every piece of a route is solved with."""

    respect: bool
    both_sides: bool
    improve: bool
    exact: bool
    time_limit_s: float
    speed: float
    turn_penalty: TurnPenalty | None


@dataclass
class _Leg:
    """The circuit serving one piece, and the straight leg that led to it."""

    cover: Cover
    traversals: list[Traversal]
    u_turns: int
    dead_end: int
    transfer_from: int = -1  # dense node the transfer leg into this piece starts at
    transfer_m: float = 0.0


def _solve_piece(net: StreetNetwork, req: np.ndarray, start: int, closed: bool,
                 settings: _Settings, road_code: np.ndarray) -> _Leg:
    """Solve and order the route of one piece from ``start`` (-1: the solver's choice)."""
    cover = _solve(net, req, settings.respect, settings.both_sides, start, closed,
                   settings.improve)
    if settings.exact and closed and not cover.optimal:
        cover = _refine_exactly(net, cover, req, settings.respect, settings.both_sides,
                                start, settings.time_limit_s)
    if cover.start < 0:
        first = int(np.flatnonzero(req)[np.argmin(net.segment_ids[req].astype(str))])
        cover.start = cover.end = int(net.a[first])
    ci, copy_seg, copy_along = _circuit_input(net, cover, road_code)
    circuit = euler_circuit(ci, cover.start, settings.turn_penalty)
    traversals, dead_end = _traversals(net, cover, circuit, copy_seg, copy_along,
                                       settings.speed, settings.respect)
    return _Leg(cover, traversals, circuit.u_turns, dead_end)


def _chain(net: StreetNetwork, pieces: list[Piece], start: int, closed: bool,
           settings: _Settings, road_code: np.ndarray) -> list[_Leg]:
    """Serve the pieces one after another, each next the nearest to where the route is.

    Every piece but the last of an open route is served on a closed circuit from its
    entry, so the route leaves a piece where it entered it.
    """
    last = len(pieces) - 1
    legs = [_solve_piece(net, pieces[0].required, start, closed or last > 0, settings,
                         road_code)]
    at = legs[0].cover.start
    left = list(range(1, len(pieces)))
    while left:
        nxt, entry, metres = nearest_next(net, pieces, left, at)
        left.remove(nxt)
        leg = _solve_piece(net, pieces[nxt].required, entry, closed or bool(left),
                           settings, road_code)
        leg.transfer_from, leg.transfer_m = at, metres
        legs.append(leg)
        at = entry
    return legs


def _transfer(net: StreetNetwork, number: int, p: int, q: int) -> Traversal:
    return Traversal(f"{TRANSFER_PREFIX}{number}", _native(net.node_ids[p]),
                     _native(net.node_ids[q]), None, True, straight_m(net, p, q),
                     kind=KIND_TRANSFER)


def _join_legs(net: StreetNetwork, legs: list[_Leg], closed: bool, speed: float
               ) -> list[Traversal]:
    """The legs' traversals in order, with the transfer legs between them.

    ``cum_m`` counts road metres only; ``time_s`` counts the transfers too.
    """
    out: list[Traversal] = []
    for number, leg in enumerate(legs):
        if number > 0:
            out.append(_transfer(net, number, leg.transfer_from, leg.cover.start))
        out.extend(leg.traversals)
    if closed and len(legs) > 1:
        out.append(_transfer(net, len(legs), legs[-1].cover.start, legs[0].cover.start))
    cum = 0.0
    for t in out:
        if t.kind != KIND_TRANSFER:
            cum += t.length_m
        t.cum_m = cum
    elapsed = 0.0
    for t in out:
        elapsed += t.length_m / speed
        t.time_s = elapsed
    return out


def _used_links(net: StreetNetwork, traversals: list[Traversal]) -> gpd.GeoDataFrame | None:
    """The lines of the boundary links and transfer legs the route runs."""
    import shapely

    rows = []
    kinds = {t.segment_id: t for t in traversals if t.kind != KIND_STREET}
    if not kinds:
        return None
    links = net.links.set_index("segment_id") if net.links is not None else None
    index = {n: i for i, n in enumerate(net.node_ids.tolist())}
    for sid, t in kinds.items():
        if t.kind == KIND_OUTSIDE and links is not None:
            row = links.loc[sid]
            rows.append({"segment_id": sid, "kind": t.kind, "u": t.u, "v": t.v,
                         "length_m": float(row["length_m"]), "via_ways": row["via_ways"],
                         "via_nodes": row["via_nodes"], "geometry": row.geometry})
        else:
            p, q = index[t.u], index[t.v]
            line = shapely.LineString([(net.x[p], net.y[p]), (net.x[q], net.y[q])])
            rows.append({"segment_id": sid, "kind": t.kind, "u": t.u, "v": t.v,
                         "length_m": t.length_m, "via_ways": "", "via_nodes": "",
                         "geometry": line})
    return gpd.GeoDataFrame(rows, geometry="geometry", crs=net.crs)


def _boundary_nodes(G: nx.MultiDiGraph, net: StreetNetwork) -> np.ndarray:
    """Boolean per node: a cut end of the area (``boundary`` attribute, see roads)."""
    nodes = G._node
    return np.fromiter((bool(nodes[n].get("boundary")) for n in net.node_ids.tolist()),
                       bool, net.n_nodes)


def _check_choices(mode: str, on_unreachable: str) -> None:
    if mode not in MODES:
        raise RoutingError(f"unknown mode {mode!r}; choose one of {', '.join(MODES)}",
                           field="mode")
    if on_unreachable not in ("raise", "skip"):
        raise RoutingError(f"on_unreachable must be 'raise' or 'skip', not {on_unreachable!r}",
                           field="on_unreachable")


def _reachable(net: StreetNetwork, wanted: np.ndarray, respect: bool, on_unreachable: str,
               all_pieces: bool) -> tuple[list[Piece], np.ndarray]:
    """Return the pieces to serve, and the required segments left out."""
    pieces, unreachable = split_pieces(net, wanted, respect, all_pieces)
    if unreachable.any() and on_unreachable == "raise":
        ids = sorted(net.segment_ids[unreachable].astype(str))
        shown = ", ".join(ids[:3]) + (" …" if len(ids) > 3 else "")
        raise RoutingError(f"{len(ids)} required segment(s) cannot be reached and left "
                           f"from the rest of the network: {shown}", field="segment_id")
    return pieces, unreachable


def _solve(net: StreetNetwork, req: np.ndarray, respect: bool, both_sides: bool,
           start_node: int, closed: bool, improve: bool) -> Cover:
    """Solve the case at hand: undirected (rural) or directed/mixed."""
    if not respect and not both_sides:
        return solve_undirected(net, req, start=start_node, closed=closed, improve=improve)
    if respect and not both_sides and not net.oneway.any():
        # a network with no one-way street is undirected: solve it exactly as such
        return solve_undirected(net, req, start=start_node, closed=closed, improve=improve)
    oneway = net.oneway if respect else np.zeros(net.n_segments, bool)
    sides = np.full(net.n_segments, bool(both_sides))
    req_fwd = req & (oneway | sides)
    req_rev = req & ~oneway & sides
    req_either = req & ~oneway & ~sides
    return solve_directed(net, req_fwd, req_rev, req_either, respect_oneway=respect,
                          start=start_node, closed=closed, improve=improve)


def _refine_exactly(net: StreetNetwork, cover: Cover, req: np.ndarray, respect: bool,
                    both_sides: bool, start: int, time_limit_s: float) -> Cover:
    from patrolgeo.routing.exact import solve_exact

    oneway = net.oneway if respect else np.zeros(net.n_segments, bool)
    sides = np.full(net.n_segments, bool(both_sides))
    result = solve_exact(net, undirected=cover.undirected, required=req,
                         req_fwd=req & (oneway | sides), req_rev=req & ~oneway & sides,
                         req_either=req & ~oneway & ~sides, respect_oneway=respect,
                         start=start, time_limit_s=time_limit_s)
    if result.cover is not None and result.cover.length(net) <= cover.length(net) + EPS_M:
        result.cover.start = result.cover.end = start
        return result.cover
    cover.lower_bound_m = max(cover.lower_bound_m, result.lower_bound_m)
    cover.optimal = cover.length(net) <= cover.lower_bound_m + EPS_M
    return cover


def _native(value: Any) -> Any:
    return value.item() if hasattr(value, "item") else value


def _traversals(net: StreetNetwork, cover: Cover, circuit: Any, copy_seg: np.ndarray,
                copy_along: np.ndarray, speed: float, respect: bool
                ) -> tuple[list[Traversal], int]:
    seg = copy_seg[circuit.copies]
    forward = copy_along[circuit.copies] == circuit.forward
    tail = np.where(forward, net.a[seg], net.b[seg])
    head = np.where(forward, net.b[seg], net.a[seg])
    key = np.where(forward, net.key_fwd[seg], net.key_rev[seg])
    length = net.length[seg]
    cum = np.cumsum(length)
    # the first run of a served segment (per direction, when directions are served)
    # is its service run; every other run is deadhead
    if cover.undirected:
        assert cover.service is not None
        served = cover.service[seg]
        order_key = seg
    else:
        assert cover.service_fwd is not None and cover.service_rev is not None
        served = np.where(forward, cover.service_fwd[seg] > 0, cover.service_rev[seg] > 0)
        order_key = seg * 2 + (~forward)
    _, first_idx = np.unique(order_key, return_index=True)
    is_first = np.zeros(len(seg), bool)
    is_first[first_idx] = True
    deadhead = ~(served & is_first)
    # U-turns where the street ends are unavoidable: count them apart
    degree = np.bincount(net.a, minlength=net.n_nodes) + np.bincount(net.b, minlength=net.n_nodes)
    at_node = head[:-1]
    dead_end = int((circuit.uturn_after & (degree[at_node] == 1)).sum()) if len(seg) > 1 else 0
    node_ids = net.node_ids.tolist()
    seg_ids = net.segment_ids
    roads = net.road
    kind = np.where(net.link_mask()[seg], KIND_OUTSIDE, KIND_STREET)
    out = [
        Traversal(str(seg_ids[s]), node_ids[t], node_ids[h],
                  None if k < 0 else int(k), bool(d), float(ln), bool(f),
                  None if r is None or (isinstance(r, float) and np.isnan(r)) else str(r),
                  float(c), float(c / speed), str(kd))
        for s, t, h, k, d, ln, f, r, c, kd in zip(
            seg.tolist(), tail.tolist(), head.tolist(), key.tolist(), deadhead.tolist(),
            length.tolist(), forward.tolist(), roads[seg].tolist(), cum.tolist(),
            kind.tolist(), strict=True)
    ]
    return out, dead_end
