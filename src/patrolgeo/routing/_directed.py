"""Directed and mixed postman: balance the runs by a minimum-cost flow (OR-Tools).

:func:`min_cost_flow` is OR-Tools' network simplex for balancing directed degrees;
:func:`solve_directed` combines it with linking, parity bounds and the improvements of
:mod:`patrolgeo.routing._mixed`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from patrolgeo.errors import RoutingError
from patrolgeo.routing._cover import EPS_M, Cover, _odd_nodes, _toggle, piece_labels
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
    """Minimum-cost flow (OR-Tools network simplex).

    Parameters
    ----------
    n
        Number of nodes.
    tail, head, cost, capacity
        Per arc: its ends, integer unit cost and capacity.
    supply
        Per node: supply (positive) or demand (negative).

    Returns
    -------
    tuple of (numpy.ndarray, int)
        The flow on every arc and the total cost.

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

    Parameters
    ----------
    net
        The network.
    required
        Boolean per segment: segments to serve.
    start
        Dense start node, or -1.

    Returns
    -------
    numpy.ndarray
        Boolean per segment: the bridges every closed route runs both ways.
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


IMPROVE_ROUNDS = 4
"""Rounds of "keep the deadhead streets once, balance again" after the first cover."""


Runs = tuple  # (fwd, rev, service_fwd, service_rev, start node, end node)


def _evaluate(net: StreetNetwork, runs: tuple) -> float:
    return float(np.dot(runs[0] + runs[1], net.length))


@dataclass
class _Problem:
    """The fixed part of a directed/mixed problem, and the steps every cover goes through."""

    net: StreetNetwork
    respect_oneway: bool
    start: int
    closed: bool
    candidates: np.ndarray  # nodes that may be free route ends
    required: np.ndarray    # any service asked for, per segment
    forced: np.ndarray      # bridges run both ways in every closed route
    fixed_fwd: np.ndarray
    fixed_rev: np.ndarray
    svc_fwd: np.ndarray
    svc_rev: np.ndarray
    req_either: np.ndarray  # two-way services of free direction (forced bridges excluded)

    def flow(self, ff: np.ndarray, fr: np.ndarray, flexible: np.ndarray) -> FlowResult:
        """Balance runs ``ff``/``fr`` plus the ``flexible`` services."""
        return _flow_network(self.net, self.respect_oneway, ff, fr, flexible,
                             start=self.start, closed=self.closed, candidates=self.candidates)

    def realised(self, ff: np.ndarray, fr: np.ndarray, res: FlowResult) -> Runs:
        """Return the runs of a flow over fixed runs ``ff``/``fr`` and the two-way services."""
        return (*_realise(ff, fr, self.req_either, res.reversal, res.dfwd, res.drev,
                          self.svc_fwd, self.svc_rev), res.start, res.end)

    def polish(self, runs: Runs) -> None:
        """Orient half-turned paths, cancel two-way cycles, drop opposite pairs (in place)."""
        fwd, rev, sfwd, srev, s0, e0 = runs
        half = self.req_either & (fwd >= 1) & (rev >= 1)
        _orient_half_paths(self.net, fwd, rev, sfwd, srev, half, self.respect_oneway)
        _cancel_two_way_cycles(self.net, fwd, rev, sfwd, srev, self.respect_oneway,
                               self.fixed_fwd, self.fixed_rev)
        _drop_opposite_pairs(self.net, fwd, rev, sfwd, srev, [self.start, s0, e0],
                             self.respect_oneway)


def _make_problem(net: StreetNetwork, req_fwd: np.ndarray, req_rev: np.ndarray,
                  req_either: np.ndarray, respect_oneway: bool, start: int,
                  closed: bool) -> _Problem:
    """Fix the runs every route makes (services one way, needed bridges both ways)."""
    required = req_fwd | req_rev | req_either
    two_way = ~net.oneway if respect_oneway else np.ones(net.n_segments, bool)
    forced = np.zeros(net.n_segments, bool)
    if closed:
        forced = forced_bridge_runs(net, required, start) & two_way
    touched = np.zeros(net.n_nodes, bool)
    seg_req = np.flatnonzero(required)
    touched[net.a[seg_req]] = True
    touched[net.b[seg_req]] = True
    if start >= 0:
        touched[start] = True
    # a bridge crossed both ways: its runs are fixed, its service (if any) goes a -> b
    return _Problem(net, respect_oneway, start, closed, np.flatnonzero(touched), required,
                    forced, fixed_fwd=(req_fwd | forced).astype(np.int64),
                    fixed_rev=(req_rev | forced).astype(np.int64),
                    svc_fwd=req_fwd | (req_either & forced), svc_rev=req_rev.copy(),
                    req_either=req_either & ~forced)


def _lower_bound(p: _Problem, first: FlowResult, labels: np.ndarray, n_pieces: int,
                 w_req: float) -> float:
    """Return the best of the balance, parity and linking relaxations."""
    net = p.net
    w_r = float(np.dot(p.fixed_fwd + p.fixed_rev + p.req_either, net.length))
    lower = w_r + first.cost_mm / UNITS_PER_M
    if p.req_either.any() or n_pieces > 1:
        # runs fixed in every route (including both ways over needed bridges), plus
        # the two-way services once: what they leave odd must be joined
        fixed_ends = [p.start] if (not p.closed and p.start >= 0) else []
        free = 0 if p.closed else (1 if p.start >= 0 else 2)
        odd = _odd_nodes(net, p.fixed_fwd + p.fixed_rev + p.req_either)
        parity = min_tjoin(net, _toggle(odd, fixed_ends), free_ends=free)
        lower = max(lower, w_r + parity.length_m)
    if n_pieces > 1:
        joining = link_components(net, labels, respect_oneway=False).mst_m
        if p.closed:
            joining = max(joining, closed_walk_bound(net, labels))
        lower = max(lower, w_req + joining)
    return lower


def _options(p: _Problem, first: FlowResult, labels: np.ndarray, n_pieces: int
             ) -> list[Runs]:
    """Candidate covers: the balance alone, or balance-then-link and link-then-balance."""
    net = p.net
    runs = p.realised(p.fixed_fwd, p.fixed_rev, first)
    if n_pieces <= 1:
        return [runs]
    options = []
    # balance first, then link what is still apart and balance again
    fwd, rev, sfwd, srev, s0, e0 = runs
    apart = piece_labels(net, (fwd + rev) > 0, [p.start, s0, e0])
    if apart.max() >= 1:
        lk = link_components(net, apart, respect_oneway=p.respect_oneway)
        ff, fr = fwd + lk.fwd, rev + lk.rev
        again = p.flow(ff, fr, np.zeros_like(p.req_either))
        options.append((ff + again.dfwd, fr + again.drev, sfwd, srev, again.start,
                        again.end))
    else:
        options.append(runs)
    # link first, then balance
    lk = link_components(net, labels, respect_oneway=p.respect_oneway)
    ff, fr = p.fixed_fwd + lk.fwd, p.fixed_rev + lk.rev
    options.append(p.realised(ff, fr, p.flow(ff, fr, p.req_either)))
    return options


def _rebalance(p: _Problem, best: Runs) -> Runs:
    """Keep every deadhead street once, in the direction used; balance again, while it pays."""
    net = p.net
    for _ in range(IMPROVE_ROUNDS):
        fwd, rev, sfwd, srev, _s0, _e0 = best
        keep_f = ((fwd - sfwd.astype(np.int64)) > 0) & ~p.required & ~p.forced
        keep_r = ((rev - srev.astype(np.int64)) > 0) & ~p.required & ~p.forced
        ff = p.fixed_fwd + keep_f
        fr = p.fixed_rev + keep_r
        cand = p.realised(ff, fr, p.flow(ff, fr, p.req_either))
        p.polish(cand)
        if _evaluate(net, cand) < _evaluate(net, best) - EPS_M and \
                piece_labels(net, (cand[0] + cand[1]) > 0, [p.start]).max() <= 0:
            best = cand
        else:
            break
    return best


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
    improve
        Re-balance the deadhead streets after the first cover.

    Returns
    -------
    Cover
        Runs per direction, their services, the lower bound and the method code.

    Raises
    ------
    RoutingError
        When one-way streets leave no balanced route.

    Notes
    -----
    With fixed directions only and the required streets in one piece, the minimum-cost
    flow gives the optimum. Otherwise the best of "balance, then link" and "link, then
    balance" is kept, streets run both ways around a cycle are run once round it, and
    the deadhead streets are balanced again. The lower bound is the best of three
    relaxations: balance with half-turned streets, parity with all streets undirected,
    and the spanning tree linking the pieces.
    """
    w_req = float(np.dot(req_fwd.astype(np.int64) + req_rev + req_either, net.length))
    p = _make_problem(net, req_fwd, req_rev, req_either, respect_oneway, start, closed)
    mixed = bool(p.req_either.any())
    labels = piece_labels(net, p.required, [start])
    n_pieces = int(labels.max()) + 1 if labels.max() >= 0 else 0
    first = p.flow(p.fixed_fwd, p.fixed_rev, p.req_either)
    lower = _lower_bound(p, first, labels, n_pieces, w_req)
    options = _options(p, first, labels, n_pieces)
    for runs in options:
        p.polish(runs)
    best = min(options, key=lambda r: _evaluate(net, r))
    if improve and (n_pieces > 1 or mixed):
        best = _rebalance(p, best)
    fwd, rev, sfwd, srev, s0, e0 = best
    cover = Cover(False, fwd=fwd, rev=rev, service_fwd=sfwd.astype(np.int64),
                  service_rev=srev.astype(np.int64))
    cover.lower_bound_m = lower
    exact = n_pieces <= 1 and not mixed
    cover.method = ("exact min-cost flow" if exact else
                    "mixed postman heuristic (flow, cycle reorientation, re-balance)"
                    if mixed else "directed rural postman heuristic (link, flow)")
    cover.optimal = exact or cover.length(net) <= lower + EPS_M
    if exact:
        cover.lower_bound_m = cover.length(net)
    cover.start, cover.end = (s0, e0) if not closed else (start, start)
    return cover
