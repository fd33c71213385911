"""Directed and mixed postman: balance the runs by a minimum-cost flow (OR-Tools).

:func:`min_cost_flow` is OR-Tools' network simplex for balancing directed degrees;
:func:`solve_directed` combines it with linking, parity bounds and the improvements of
:mod:`patrolgeo.routing._mixed`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from patrolgeo.errors import RoutingError
from patrolgeo.routing._cover import Cover, _odd_nodes, _toggle, piece_labels
from patrolgeo.routing._linking import closed_walk_bound, link_components
from patrolgeo.routing._mixed import (
    _cancel_two_way_cycles,
    _drop_opposite_pairs,
    _orient_half_paths,
)
from patrolgeo.routing._undirected import min_tjoin
from patrolgeo.routing.network import UNITS_PER_M, StreetNetwork, components


def min_cost_flow(n: int, tail: np.ndarray, head: np.ndarray, cost: np.ndarray,
                  capacity: np.ndarray, supply: np.ndarray) -> tuple[np.ndarray, int]:
    """Minimum-cost flow (OR-Tools network simplex); returns arc flows and total cost.

    Raises
    ------
    RoutingError
        When the supplies cannot be routed (some required street cannot be left or
        reached along one-way streets).
    """
    from ortools.graph.python import min_cost_flow as ortools_mcf

    solver = ortools_mcf.SimpleMinCostFlow()
    if len(tail):
        solver.add_arcs_with_capacity_and_unit_cost(
            tail.astype(np.int32), head.astype(np.int32), capacity.astype(np.int64),
            cost.astype(np.int64))
    solver.set_nodes_supplies(np.arange(n, dtype=np.int32), supply.astype(np.int64))
    status = solver.solve()
    if status != solver.OPTIMAL:
        raise RoutingError("the one-way streets leave no way to balance the route "
                           "(some street cannot be left or reached)", field="oneway")
    flows = solver.flows(np.arange(len(tail), dtype=np.int32)) if len(tail) else \
        np.zeros(0, np.int64)
    return np.asarray(flows, np.int64), int(solver.optimal_cost())




@dataclass
class FlowResult:
    """Deadhead runs per segment, reversal flow of flexible streets, cost, route ends."""

    dfwd: np.ndarray
    drev: np.ndarray
    reversal: np.ndarray
    cost_mm: int
    start: int
    end: int


def _flow_network(net: StreetNetwork, respect_oneway: bool, fixed_fwd: np.ndarray,
                  fixed_rev: np.ndarray, flexible: np.ndarray, *, start: int, closed: bool,
                  candidates: np.ndarray) -> FlowResult:
    """Balance fixed runs plus flexible two-way services by a minimum-cost flow.

    ``fixed_fwd``/``fixed_rev`` count runs whose direction is fixed; ``flexible`` marks
    two-way required segments that must be run once in either direction (first taken
    ``a -> b``; a zero-cost reversal arc of capacity 2 lets the flow turn them round).
    With an open route, a super sink (and, without a start, a super source) lets the
    flow choose the route's free ends among ``candidates``.
    """
    n = net.n_nodes
    tail, head, seg, forward = net.arcs(respect_oneway)
    w = net.weights_int()
    run_fwd = fixed_fwd + flexible.astype(np.int64)
    inflow = (np.bincount(net.b, weights=run_fwd, minlength=n)
              + np.bincount(net.a, weights=fixed_rev, minlength=n))
    outflow = (np.bincount(net.a, weights=run_fwd, minlength=n)
               + np.bincount(net.b, weights=fixed_rev, minlength=n))
    supply = np.rint(inflow - outflow).astype(np.int64)
    big = int(np.abs(supply).sum()) + 4
    tails = [tail]
    heads = [head]
    costs = [w[seg]]
    caps = [np.full(len(tail), big, np.int64)]
    flex = np.flatnonzero(flexible)
    tails.append(net.b[flex])
    heads.append(net.a[flex])
    costs.append(np.zeros(len(flex), np.int64))
    caps.append(np.full(len(flex), 2, np.int64))
    total_nodes = n
    sink = source = -1
    supply_all = [supply]
    if not closed:
        if start >= 0:
            supply_all[0] = supply_all[0].copy()
            supply_all[0][start] += 1
        else:
            source = total_nodes
            total_nodes += 1
            tails.append(np.full(len(candidates), source))
            heads.append(candidates)
            costs.append(np.zeros(len(candidates), np.int64))
            caps.append(np.ones(len(candidates), np.int64))
            supply_all.append(np.array([1], np.int64))
        sink = total_nodes
        total_nodes += 1
        tails.append(candidates)
        heads.append(np.full(len(candidates), sink))
        costs.append(np.zeros(len(candidates), np.int64))
        caps.append(np.ones(len(candidates), np.int64))
        supply_all.append(np.array([-1], np.int64))
    flows, cost = min_cost_flow(total_nodes, np.concatenate(tails), np.concatenate(heads),
                                np.concatenate(costs), np.concatenate(caps),
                                np.concatenate(supply_all))
    n_arcs = len(tail)
    dead = flows[:n_arcs]
    dfwd = np.bincount(seg[forward], weights=dead[forward], minlength=net.n_segments)
    drev = np.bincount(seg[~forward], weights=dead[~forward], minlength=net.n_segments)
    reversal = np.zeros(net.n_segments, np.int64)
    reversal[flex] = flows[n_arcs:n_arcs + len(flex)]
    chosen_start, chosen_end = start, start
    pos = n_arcs + len(flex)
    if not closed:
        if source >= 0:
            f = flows[pos:pos + len(candidates)]
            chosen_start = int(candidates[np.flatnonzero(f)[0]])
            pos += len(candidates)
        f = flows[pos:pos + len(candidates)]
        chosen_end = int(candidates[np.flatnonzero(f)[0]])
    return FlowResult(np.rint(dfwd).astype(np.int64), np.rint(drev).astype(np.int64),
                      reversal, cost, chosen_start, chosen_end)


def _realise(fixed_fwd: np.ndarray, fixed_rev: np.ndarray, flexible: np.ndarray,
             reversal: np.ndarray, dfwd: np.ndarray, drev: np.ndarray,
             service_fwd: np.ndarray, service_rev: np.ndarray
             ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Turn a flow into runs: a half-reversed flexible street is run once each way."""
    fwd = fixed_fwd + dfwd
    rev = fixed_rev + drev
    sfwd = service_fwd.copy()
    srev = service_rev.copy()
    flex = flexible.astype(bool)
    full = flex & (reversal == 2)
    half = flex & (reversal == 1)
    none = flex & (reversal == 0)
    rev = rev + full + half
    fwd = fwd + none + half
    srev = srev | full
    sfwd = sfwd | none | half
    return fwd, rev, sfwd, srev




def forced_bridge_runs(net: StreetNetwork, required: np.ndarray, start: int) -> np.ndarray:
    """Two-way bridges that every closed route must cross both ways.

    A closed route crosses a bridge (a street whose removal cuts the network) equally
    often each way; it must cross it when required streets (or the start) lie on both
    sides, or when the bridge itself is to be served. Such a street is run at least once
    each way in any route, so fixing both runs loses nothing and tightens the bound.
    """
    import networkx as nx

    seg = np.flatnonzero(net.a != net.b)
    lo = np.minimum(net.a[seg], net.b[seg])
    hi = np.maximum(net.a[seg], net.b[seg])
    pair = lo * net.n_nodes + hi
    uniq, counts = np.unique(pair, return_counts=True)
    single = np.isin(pair, uniq[counts == 1])
    simple = nx.Graph()
    simple.add_edges_from(zip(lo.tolist(), hi.tolist(), strict=True))
    bridge_pairs = {min(x, y) * net.n_nodes + max(x, y) for x, y in nx.bridges(simple)}
    is_bridge = np.zeros(net.n_segments, bool)
    is_bridge[seg[single & np.isin(pair, list(bridge_pairs))]] = True
    if not is_bridge.any():
        return is_bridge
    keep = ~is_bridge & (net.a != net.b)
    comp = components(net.n_nodes, net.a[keep], net.b[keep])
    weight = np.bincount(comp[net.a[required & ~is_bridge]], minlength=net.n_nodes).astype(float)
    if start >= 0:
        weight[comp[start]] += 1
    tree = nx.Graph()
    bridges = np.flatnonzero(is_bridge)
    for s in bridges.tolist():
        tree.add_edge(int(comp[net.a[s]]), int(comp[net.b[s]]), seg=s)
    for s in bridges[required[bridges]].tolist():
        # a required bridge counts for both of its sides
        weight[comp[net.a[s]]] += 1
        weight[comp[net.b[s]]] += 1
    needed = np.zeros(net.n_segments, bool)
    for root in [min(c) for c in nx.connected_components(tree)]:
        below: dict[int, float] = {}
        order = list(nx.dfs_postorder_nodes(tree, root))
        parent = dict(nx.bfs_predecessors(tree, root))
        comp_total = float(sum(weight[c] for c in order))
        for c in order:
            below[c] = below.get(c, 0.0) + float(weight[c])
            if c in parent:
                p = parent[c]
                below[p] = below.get(p, 0.0) + below[c]
                s = tree.edges[c, p]["seg"]
                inside = below[c]
                outside = comp_total - inside
                if required[s] or (inside > 0 and outside > 0):
                    needed[s] = True
    return needed


def _evaluate(net: StreetNetwork, runs: tuple) -> float:
    return float(np.dot(runs[0] + runs[1], net.length))


def solve_directed(net: StreetNetwork, req_fwd: np.ndarray, req_rev: np.ndarray,
                   req_either: np.ndarray, *, respect_oneway: bool, start: int, closed: bool,
                   improve: bool = True) -> Cover:
    """Directed and mixed postman over one-way and two-way streets.

    Parameters
    ----------
    net
        The network.
    req_fwd, req_rev
        Boolean per segment: a service run must go ``a -> b`` / ``b -> a``.
    req_either
        Boolean per segment: a service run must go once, either way (two-way streets).
    respect_oneway
        Whether deadhead runs obey one-way streets.
    start
        Dense start node, or -1 to let the solver choose.
    closed
        Whether the route returns to its start.

    Notes
    -----
    With fixed directions only and the required streets in one piece, the minimum-cost
    flow gives the optimum. Otherwise the best of "balance, then link" and "link, then
    balance" is kept, streets run both ways around a cycle are run once round it, and
    the deadhead streets are balanced again. The lower bound is the best of three
    relaxations: balance with half-turned streets, parity with all streets undirected,
    and the spanning tree linking the pieces.
    """
    n = net.n_nodes
    required = req_fwd | req_rev | req_either
    w_req = float(np.dot(req_fwd.astype(np.int64) + req_rev + req_either, net.length))
    two_way = ~net.oneway if respect_oneway else np.ones(net.n_segments, bool)
    forced = np.zeros(net.n_segments, bool)
    if closed:
        forced = forced_bridge_runs(net, required, start) & two_way
    # a bridge crossed both ways: its runs are fixed, its service (if any) goes a -> b
    fixed_fwd = (req_fwd | forced).astype(np.int64)
    fixed_rev = (req_rev | forced).astype(np.int64)
    svc_fwd = req_fwd | (req_either & forced)
    svc_rev = req_rev.copy()
    req_either = req_either & ~forced
    w_r = float(np.dot(fixed_fwd + fixed_rev + req_either, net.length))
    mixed = bool(req_either.any())
    touched = np.zeros(n, bool)
    seg_req = np.flatnonzero(required)
    touched[net.a[seg_req]] = True
    touched[net.b[seg_req]] = True
    if start >= 0:
        touched[start] = True
    candidates = np.flatnonzero(touched)
    labels = piece_labels(net, required, [start])
    n_pieces = int(labels.max()) + 1 if labels.max() >= 0 else 0
    fixed_ends = [start] if (not closed and start >= 0) else []
    free = 0 if closed else (1 if start >= 0 else 2)

    def flow(ff: np.ndarray, fr: np.ndarray, flexible: np.ndarray) -> FlowResult:
        return _flow_network(net, respect_oneway, ff, fr, flexible, start=start,
                             closed=closed, candidates=candidates)

    first = flow(fixed_fwd, fixed_rev, req_either)
    lower = w_r + first.cost_mm / UNITS_PER_M
    if mixed or n_pieces > 1:
        # runs fixed in every route (including both ways over needed bridges), plus
        # the two-way services once: what they leave odd must be joined
        odd = _odd_nodes(net, fixed_fwd + fixed_rev + req_either)
        parity = min_tjoin(net, _toggle(odd, fixed_ends), free_ends=free)
        lower = max(lower, w_r + parity.length_m)
    if n_pieces > 1:
        joining = link_components(net, labels, respect_oneway=False).mst_m
        if closed:
            joining = max(joining, closed_walk_bound(net, labels))
        lower = max(lower, w_req + joining)

    options = []
    runs = (*_realise(fixed_fwd, fixed_rev, req_either, first.reversal, first.dfwd,
                      first.drev, svc_fwd, svc_rev), first.start, first.end)
    if n_pieces <= 1:
        options.append(runs)
    else:
        # balance first, then link what is still apart and balance again
        fwd, rev, sfwd, srev, s0, e0 = runs
        apart = piece_labels(net, (fwd + rev) > 0, [start, s0, e0])
        if apart.max() >= 1:
            lk = link_components(net, apart, respect_oneway=respect_oneway)
            ff, fr = fwd + lk.fwd, rev + lk.rev
            again = flow(ff, fr, np.zeros_like(req_either))
            options.append((ff + again.dfwd, fr + again.drev, sfwd, srev, again.start,
                            again.end))
        else:
            options.append(runs)
        # link first, then balance
        lk = link_components(net, labels, respect_oneway=respect_oneway)
        ff, fr = fixed_fwd + lk.fwd, fixed_rev + lk.rev
        res = flow(ff, fr, req_either)
        options.append((*_realise(ff, fr, req_either, res.reversal, res.dfwd, res.drev,
                                  svc_fwd, svc_rev), res.start, res.end))
    for fwd, rev, sfwd, srev, s0, e0 in options:
        half = req_either & (fwd >= 1) & (rev >= 1)
        _orient_half_paths(net, fwd, rev, sfwd, srev, half, respect_oneway)
        _cancel_two_way_cycles(net, fwd, rev, sfwd, srev, respect_oneway, fixed_fwd,
                               fixed_rev)
        _drop_opposite_pairs(net, fwd, rev, sfwd, srev, [start, s0, e0], respect_oneway)
    best = min(options, key=lambda r: _evaluate(net, r))
    if improve and (n_pieces > 1 or mixed):
        for _ in range(4):
            fwd, rev, sfwd, srev, s0, e0 = best
            # keep every deadhead street once, in the direction used; balance again
            keep_f = ((fwd - sfwd.astype(np.int64)) > 0) & ~required & ~forced
            keep_r = ((rev - srev.astype(np.int64)) > 0) & ~required & ~forced
            ff = fixed_fwd + keep_f
            fr = fixed_rev + keep_r
            res = flow(ff, fr, req_either)
            cand = (*_realise(ff, fr, req_either, res.reversal, res.dfwd, res.drev,
                              svc_fwd, svc_rev), res.start, res.end)
            half = req_either & (cand[0] >= 1) & (cand[1] >= 1)
            _orient_half_paths(net, *cand[:4], half, respect_oneway)
            _cancel_two_way_cycles(net, *cand[:4], respect_oneway, fixed_fwd, fixed_rev)
            _drop_opposite_pairs(net, *cand[:4], [start, cand[4], cand[5]], respect_oneway)
            if _evaluate(net, cand) < _evaluate(net, best) - 1e-6 and \
                    piece_labels(net, (cand[0] + cand[1]) > 0, [start]).max() <= 0:
                best = cand
            else:
                break
    fwd, rev, sfwd, srev, s0, e0 = best
    cover = Cover(False, fwd=fwd, rev=rev, service_fwd=sfwd.astype(np.int64),
                  service_rev=srev.astype(np.int64))
    cover.lower_bound_m = lower
    exact = n_pieces <= 1 and not mixed
    cover.method = ("exact min-cost flow" if exact else
                    "mixed postman heuristic (flow, cycle reorientation, re-balance)"
                    if mixed else "directed rural postman heuristic (link, flow)")
    cover.optimal = exact or cover.length(net) <= lower + 1e-6
    if exact:
        cover.lower_bound_m = cover.length(net)
    cover.start, cover.end = (s0, e0) if not closed else (start, start)
    return cover
