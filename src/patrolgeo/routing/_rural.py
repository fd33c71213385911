"""The undirected (rural) postman: link the pieces, fix parity by a T-join, prune."""

from __future__ import annotations

import numpy as np

from patrolgeo.routing._cover import (
    EPS_M,
    Cover,
    _odd_nodes,
    _set_ends,
    _toggle,
    piece_labels,
)
from patrolgeo.routing._linking import closed_walk_bound, link_components
from patrolgeo.routing._undirected import min_tjoin
from patrolgeo.routing.network import StreetNetwork, components

IMPROVE_ROUNDS = 6
"""Default rounds of drop-and-re-join of the rural heuristic."""


def _drop_redundant_pairs(net: StreetNetwork, count: np.ndarray, base: np.ndarray,
                          keep_nodes: list[int]) -> np.ndarray:
    """Remove two runs of a segment wherever parity and connectivity allow.

    Runs beyond the service run come in pairs that do not change any parity; a pair on
    a street not otherwise needed is dropped unless the route would fall apart without
    it (a Kruskal pass keeps the cheapest such pairs that hold the pieces together).
    """
    count = count.copy()
    extra = count - base
    high = extra >= 2
    # three or more extra runs: two of them are never needed
    count[high & (count >= 3)] -= 2 * ((count[high & (count >= 3)] - np.maximum(
        base[high & (count >= 3)], 1)) // 2)
    cand = np.flatnonzero((base == 0) & (count == 2))
    if len(cand) == 0:
        return count
    fixed = np.flatnonzero((count > 0) & ~np.isin(np.arange(net.n_segments), cand))
    terminal = np.zeros(net.n_nodes, bool)
    terminal[net.a[fixed]] = True
    terminal[net.b[fixed]] = True
    for node in keep_nodes:
        if node >= 0:
            terminal[node] = True
    kept = _kruskal_pairs(net, cand, fixed)
    kept_set = _prune_leaves(net, kept, terminal)
    drop = np.array(sorted(set(cand.tolist()) - kept_set), np.int64)
    count[drop] = 0
    return count


def _kruskal_pairs(net: StreetNetwork, cand: np.ndarray, fixed: np.ndarray) -> list[int]:
    """Keep the cheapest candidate pairs that join the pieces of the ``fixed`` segments."""
    fixed_comp = components(net.n_nodes, net.a[fixed], net.b[fixed])
    # union-find over nodes, each pointing at the first node of its fixed component
    _, first_node, inverse = np.unique(fixed_comp, return_index=True, return_inverse=True)
    plist = first_node[inverse].tolist()

    def find(x: int) -> int:
        while plist[x] != x:
            plist[x] = plist[plist[x]]
            x = plist[x]
        return x

    kept = []
    for s in cand[np.argsort(net.length[cand], kind="stable")].tolist():
        ra, rb = find(int(net.a[s])), find(int(net.b[s]))
        if ra != rb:
            plist[rb] = ra
            kept.append(s)
    return kept


def _prune_leaves(net: StreetNetwork, kept: list[int], terminal: np.ndarray) -> set[int]:
    """Prune kept pairs that only lead to non-terminal dead ends (Steiner leaves)."""
    kept_set = set(kept)
    degree: dict[int, list[int]] = {}
    for s in kept:
        for node in (int(net.a[s]), int(net.b[s])):
            degree.setdefault(node, []).append(s)
    stack = [nd for nd, segs in degree.items() if len(segs) == 1 and not terminal[nd]]
    while stack:
        nd = stack.pop()
        live = [s for s in degree.get(nd, []) if s in kept_set]
        if len(live) != 1 or terminal[nd]:
            continue
        s = live[0]
        kept_set.discard(s)
        other = int(net.b[s]) if int(net.a[s]) == nd else int(net.a[s])
        if _live_degree(degree, kept_set, other) == 1 and not terminal[other]:
            stack.append(other)
    return kept_set


def _live_degree(degree: dict[int, list[int]], kept_set: set[int], node: int) -> int:
    return sum(1 for t in degree.get(node, []) if t in kept_set)


def solve_undirected(net: StreetNetwork, required: np.ndarray, *, start: int, closed: bool,
                     improve: bool = True, max_rounds: int = IMPROVE_ROUNDS) -> Cover:
    """Undirected (rural) postman: exact when the required streets form one piece.

    Parameters
    ----------
    net
        The network; every segment may be run both ways.
    required
        Boolean per segment.
    start
        Dense start node, or -1 to let the solver choose.
    closed
        Whether the route returns to its start.
    improve
        Run the drop-and-re-join improvement.
    max_rounds
        Its rounds at most.

    Returns
    -------
    Cover
        Runs per segment, the lower bound and the method code.

    Raises
    ------
    RoutingError
        When the street network is not connected.
    """
    base = required.astype(np.int64)
    odd_r = _odd_nodes(net, base)
    fixed_ends = [start] if (not closed and start >= 0) else []
    free = 0 if closed else (1 if start >= 0 else 2)
    labels = piece_labels(net, required, [start])
    n_pieces = int(labels.max()) + 1 if labels.max() >= 0 else 0

    parity = min_tjoin(net, _toggle(odd_r, fixed_ends), free_ends=free)
    w_r = float(net.length[required].sum())
    if n_pieces <= 1:
        count = base.copy()
        np.add.at(count, parity.segments, 1)
        cover = Cover(True, count=count, service=required.copy(), method="exact T-join",
                      optimal=True)
        cover.lower_bound_m = w_r + parity.length_m
        _set_ends(cover, start, closed, parity.ends)
        return cover

    links = link_components(net, labels, respect_oneway=False)
    joining = max(links.mst_m, closed_walk_bound(net, labels) if closed else 0.0)
    lower = w_r + max(parity.length_m, joining)
    # connect first: link the pieces, then fix parity
    connect = base + links.fwd + links.rev
    tj = min_tjoin(net, _toggle(_odd_nodes(net, connect), fixed_ends), free_ends=free)
    count_a = connect.copy()
    np.add.at(count_a, tj.segments, 1)
    best = (count_a, tj.ends)
    # parity first: fix parity, then link the remaining pieces by doubled paths
    count_b = base.copy()
    np.add.at(count_b, parity.segments, 1)
    labels_b = piece_labels(net, count_b > 0, [start, *parity.ends])
    links_b = link_components(net, labels_b, respect_oneway=False)
    count_b = count_b + 2 * (links_b.fwd + links_b.rev)
    if np.dot(count_b, net.length) < np.dot(best[0], net.length):
        best = (count_b, parity.ends)
    count, ends = best
    rounds = 0
    while improve and rounds < max_rounds:
        rounds += 1
        current = float(np.dot(count, net.length))
        keep = [start, *ends]
        count = _drop_redundant_pairs(net, count, base, keep)
        support = (count > 0).astype(np.int64)
        tj = min_tjoin(net, _toggle(_odd_nodes(net, support), fixed_ends), free_ends=free)
        new = support.copy()
        np.add.at(new, tj.segments, 1)
        new = _drop_redundant_pairs(net, new, base, [start, *tj.ends])
        if float(np.dot(new, net.length)) < float(np.dot(count, net.length)) - EPS_M:
            count, ends = new, tj.ends
        if float(np.dot(count, net.length)) >= current - EPS_M:
            break
    cover = Cover(True, count=count, service=required.copy(),
                  method="rural postman heuristic (link, T-join, drop, re-join)")
    cover.lower_bound_m = lower
    cover.optimal = cover.length(net) <= lower + EPS_M
    _set_ends(cover, start, closed, ends)
    return cover
