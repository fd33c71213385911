"""Improvements of directed and mixed covers: reorient, cancel cycles, drop pairs.

Each works in place on the run counts ``fwd``/``rev`` and the service flags
``sfwd``/``srev`` of a cover that the balancing flow produced.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy.sparse.csgraph import dijkstra

from patrolgeo.routing._cover import EPS_M
from patrolgeo.routing._rural import _drop_redundant_pairs
from patrolgeo.routing.network import StreetNetwork


def _drop_run(s: int, *, keep_ab: bool, fwd: np.ndarray, rev: np.ndarray,
              sfwd: np.ndarray, srev: np.ndarray) -> None:
    """Drop one run of segment ``s`` against the kept direction, in place.

    The kept direction is ``a -> b`` when ``keep_ab``; a service on the dropped
    direction moves to the kept one.
    """
    if keep_ab:
        rev[s] -= 1
        if srev[s] and rev[s] == 0:
            srev[s], sfwd[s] = False, True
    else:
        fwd[s] -= 1
        if sfwd[s] and fwd[s] == 0:
            sfwd[s], srev[s] = False, True


def _cancel_two_way_cycles(net: StreetNetwork, fwd: np.ndarray, rev: np.ndarray,
                           sfwd: np.ndarray, srev: np.ndarray, respect_oneway: bool,
                           fixed_fwd: np.ndarray, fixed_rev: np.ndarray) -> None:
    """Where two-way streets run both ways form a cycle, run the cycle once round.

    Dropping one run against the chosen direction on every street of such a cycle keeps
    every node balanced and every street covered, and saves the cycle's length. Runs
    that serve a fixed direction (``fixed_fwd``/``fixed_rev``) are never dropped; a
    service that may go either way moves to the run that stays. Works in place.
    """
    import networkx as nx

    two_way = ~net.oneway if respect_oneway else np.ones(net.n_segments, bool)

    def eligible(s: int) -> bool:
        return bool(two_way[s] and net.a[s] != net.b[s]
                    and fwd[s] - fixed_fwd[s] >= 1 and rev[s] - fixed_rev[s] >= 1)

    both = [s for s in np.flatnonzero(two_way & (fwd >= 1) & (rev >= 1)).tolist()
            if eligible(s)]
    if not both:
        return
    H = nx.MultiGraph()
    for s in both:
        H.add_edge(int(net.a[s]), int(net.b[s]), key=s)
    while H.number_of_edges():
        try:
            cycle = nx.find_cycle(H)
        except nx.NetworkXNoCycle:
            return
        for x, y, s in cycle:
            # the cycle runs x -> y along segment s: drop one run y -> x
            _drop_run(s, keep_ab=bool(net.a[s] == x), fwd=fwd, rev=rev, sfwd=sfwd, srev=srev)
            if not eligible(s):
                H.remove_edge(x, y, key=s)


def _half_paths(net: StreetNetwork, half_segs: np.ndarray
                ) -> list[tuple[int, list[tuple[int, int]], int]]:
    """Split the forest of half-turned streets into paths between its odd nodes.

    Each path is ``(x, [(segment, node it is entered from), ...], y)``.
    """
    adjacency: dict[int, list[int]] = {}
    for s in half_segs.tolist():
        adjacency.setdefault(int(net.a[s]), []).append(s)
        adjacency.setdefault(int(net.b[s]), []).append(s)
    used: set[int] = set()
    paths: list[tuple[int, list[tuple[int, int]], int]] = []
    odd = [x for x, segs in sorted(adjacency.items()) if len(segs) % 2 == 1]
    for x in odd:
        while len([s for s in adjacency[x] if s not in used]) % 2 == 1:
            path, node = _walk_unused(net, adjacency, used, x)
            if path:
                paths.append((x, path, node))
    return paths


def _walk_unused(net: StreetNetwork, adjacency: dict[int, list[int]], used: set[int],
                 x: int) -> tuple[list[tuple[int, int]], int]:
    """Walk from ``x`` over unused streets until stuck; marks them used."""
    path: list[tuple[int, int]] = []
    node = x
    while True:
        nxt = [s for s in adjacency[node] if s not in used]
        if not nxt:
            return path, node
        s = nxt[0]
        used.add(s)
        other = int(net.b[s]) if int(net.a[s]) == node else int(net.a[s])
        path.append((s, node))
        node = other


def _orient_half_paths(net: StreetNetwork, fwd: np.ndarray, rev: np.ndarray,
                       sfwd: np.ndarray, srev: np.ndarray, half: np.ndarray,
                       respect_oneway: bool) -> None:
    """Run half-turned streets one way where a way back is shorter than doubling them.

    The balance relaxation leaves some two-way streets "half turned": realised, each is
    run once each way. They form a forest; it splits into paths between its odd nodes.
    Running a path one way and coming back by the shortest path costs ``d(y, x)``
    instead of the path's length: take it where that is shorter. Works in place.
    """
    half_segs = np.flatnonzero(half & (net.a != net.b))
    if len(half_segs) == 0:
        return
    paths = _half_paths(net, half_segs)
    if not paths:
        return
    matrix, arc_seg = net.sparse_graph(respect_oneway)
    for x, path, y in paths:
        w_path = float(sum(net.length[s] for s, _ in path))
        best = None
        for src, dst, along in ((y, x, True), (x, y, False)):
            dist, pred = dijkstra(matrix, directed=True, indices=src, limit=w_path,
                                  return_predecessors=True)
            if np.isfinite(dist[dst]) and dist[dst] < w_path - EPS_M and (
                    best is None or dist[dst] < best[0]):
                best = (float(dist[dst]), src, dst, along, pred)
        if best is None:
            continue
        _, src, dst, along, pred = best
        # orient the path (x -> y when along, else y -> x): drop the opposite runs
        for s, frm in path:
            _drop_run(s, keep_ab=(int(net.a[s]) == frm) == along, fwd=fwd, rev=rev,
                      sfwd=sfwd, srev=srev)
        # and come back from its end to its start
        _add_path(net, matrix, arc_seg, pred, src, dst, fwd, rev)


def _add_path(net: StreetNetwork, matrix: Any, arc_seg: np.ndarray, pred: np.ndarray,
              src: int, dst: int, fwd: np.ndarray, rev: np.ndarray) -> None:
    """Add a run over every street of the shortest path ``src -> dst`` (``pred``)."""
    indptr, indices = matrix.indptr, matrix.indices
    node = dst
    while node != src:
        prev = int(pred[node])
        lo, hi = indptr[prev], indptr[prev + 1]
        s = int(arc_seg[lo + np.searchsorted(indices[lo:hi], node)])
        if int(net.a[s]) == prev and int(net.b[s]) == node:
            fwd[s] += 1
        else:
            rev[s] += 1
        node = prev


def _drop_opposite_pairs(net: StreetNetwork, fwd: np.ndarray, rev: np.ndarray,
                         sfwd: np.ndarray, srev: np.ndarray, keep_nodes: list[int],
                         respect_oneway: bool) -> None:
    """Drop a run each way of a street where no service needs them (in place).

    A run each way leaves every node balanced. Where the street keeps another run the
    pair goes; where it would vanish, a Kruskal pass keeps only the pairs needed to
    hold the route together.
    """
    two_way = ~net.oneway if respect_oneway else np.ones(net.n_segments, bool)
    spare_f = fwd - sfwd.astype(np.int64)
    spare_r = rev - srev.astype(np.int64)
    pairs = np.where(two_way, np.minimum(spare_f, spare_r), 0)
    # pairs beyond one on a street that stays used are never needed
    stays = (fwd + rev - 2 * pairs) >= 1
    free = np.where(stays, pairs, np.maximum(pairs - 1, 0))
    fwd -= free
    rev -= free
    cand = np.flatnonzero(two_way & ~stays & (np.minimum(fwd, rev) >= 1)
                          & (fwd + rev == 2) & (sfwd == 0) & (srev == 0))
    if len(cand) == 0:
        return
    count = fwd + rev
    base = np.where(np.isin(np.arange(net.n_segments), cand), 0, np.minimum(count, 1))
    kept = _drop_redundant_pairs(net, count, base, keep_nodes)
    gone = cand[kept[cand] == 0]
    fwd[gone] = 0
    rev[gone] = 0
