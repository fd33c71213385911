"""Linking the pieces of the required streets: spanning trees and closed-walk bounds.

:func:`link_components` is the minimum spanning tree of the distances between pieces
(Mehlhorn's Voronoi construction, one multi-source Dijkstra).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
from scipy.sparse.csgraph import dijkstra

from patrolgeo.errors import RoutingError
from patrolgeo.routing.network import StreetNetwork

CLOSED_WALK_BUDGET = 2e7
"""Pieces x segments beyond which the closed-walk bound (one Dijkstra per piece) is skipped."""

CLOSED_WALK_MAX_PIECES = 2000
"""Pieces beyond which the closed-walk bound is skipped (its dense matrix grows as k**2)."""

CLOSED_WALK_LEFT_OUT = 50
"""Pieces tried as the one left out of the 1-tree (the farthest first give the best bound)."""


@dataclass
class Links:
    """Paths joining the pieces of the required streets into one."""

    fwd: np.ndarray  # runs a -> b added per segment
    rev: np.ndarray  # runs b -> a added per segment
    mst_m: float     # length of the spanning tree (a lower bound on any linking)
    n_pieces: int


def _path_back(pred: np.ndarray, node: int) -> list[int]:
    path = [node]
    while pred[path[-1]] >= 0:
        path.append(int(pred[path[-1]]))
    return path


def link_components(net: StreetNetwork, label: np.ndarray, *, respect_oneway: bool
                    ) -> Links:
    """Join the pieces ``label`` (>= 0 per node; -1 elsewhere) by a minimum spanning tree.

    Each node carries the index of its piece or -1. A multi-source Dijkstra from every
    piece (forward, and backward when one-way streets bind) labels each node with its
    nearest piece; every arc between two labels is a candidate link. Kruskal's algorithm
    over the candidates gives a minimum spanning tree of the piece distances (Mehlhorn).

    Parameters
    ----------
    net
        The network.
    label
        Piece index per node, -1 outside every piece.
    respect_oneway
        Whether the links obey one-way streets.

    Returns
    -------
    Links
        Runs added per segment and direction, and the spanning tree's length.

    Raises
    ------
    RoutingError
        When some piece cannot be reached from the others.
    """
    n_pieces = int(label.max()) + 1 if len(label) and label.max() >= 0 else 0
    zero = np.zeros(net.n_segments, np.int64)
    if n_pieces <= 1:
        return Links(zero, zero.copy(), 0.0, n_pieces)
    matrix, arc_seg = net.sparse_graph(respect_oneway)
    sources = np.flatnonzero(label >= 0)
    dist_f, pred_f, src_f = dijkstra(matrix, directed=True, indices=sources,
                                     return_predecessors=True, min_only=True)
    if respect_oneway:
        dist_b, pred_b, src_b = dijkstra(matrix.T.tocsr(), directed=True, indices=sources,
                                         return_predecessors=True, min_only=True)
    else:
        dist_b, pred_b, src_b = dist_f, pred_f, src_f
    coo = matrix.tocoo()
    p, q, w = coo.row, coo.col, coo.data
    ok = (src_f[p] >= 0) & (src_b[q] >= 0)
    p, q, w, seg_pq = p[ok], q[ok], w[ok], arc_seg[ok]
    cp, cq = label[src_f[p]], label[src_b[q]]
    diff = cp != cq
    p, q, w, cp, cq, seg_pq = p[diff], q[diff], w[diff], cp[diff], cq[diff], seg_pq[diff]
    cost = dist_f[p] + w + dist_b[q]
    order = np.lexsort((seg_pq, cost))
    parent = list(range(n_pieces))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    indptr, indices = matrix.indptr, matrix.indices
    fwd = zero.copy()
    rev = zero.copy()

    def add_arc(x: int, y: int) -> None:
        # the matrix keeps, per node pair, the shortest arc; CSR rows are sorted
        lo, hi = indptr[x], indptr[x + 1]
        s = int(arc_seg[lo + np.searchsorted(indices[lo:hi], y)])
        if net.a[s] == x and net.b[s] == y:
            fwd[s] += 1
        else:
            rev[s] += 1

    mst = 0.0
    joined = 1
    for k in order.tolist():
        ra, rb = find(int(cp[k])), find(int(cq[k]))
        if ra == rb:
            continue
        parent[rb] = ra
        mst += float(cost[k])
        pk, qk = int(p[k]), int(q[k])
        into_p = _path_back(pred_f, pk)[::-1]  # source ... p
        for x, y in itertools.pairwise(into_p):
            add_arc(x, y)
        add_arc(pk, qk)
        from_q = _path_back(pred_b, qk)  # q ... target (pred_b points towards the target)
        for x, y in itertools.pairwise(from_q):
            add_arc(x, y)
        joined += 1
        if joined == n_pieces:
            break
    if joined < n_pieces:
        raise RoutingError("some required streets cannot be reached from the others",
                           field="required")
    return Links(fwd, rev, mst, n_pieces)


def _dense_mst(dist: np.ndarray) -> float:
    """Prim's algorithm on a small dense distance matrix."""
    k = len(dist)
    if k <= 1:
        return 0.0
    inside = np.zeros(k, bool)
    inside[0] = True
    best = dist[0].copy()
    total = 0.0
    for _ in range(k - 1):
        cand = np.where(inside, np.inf, best)
        j = int(np.argmin(cand))
        total += float(cand[j])
        inside[j] = True
        best = np.minimum(best, dist[j])
    return total


def closed_walk_bound(net: StreetNetwork, label: np.ndarray,
                      budget: float = CLOSED_WALK_BUDGET) -> float:
    """Bound from below the travel needed to join the pieces by one closed walk.

    A closed walk through every piece (each contracted to a point) contains a spanning
    tree of the others plus two edges at any one piece: the 1-tree bound, maximised
    over the piece left out. It takes one Dijkstra per piece: beyond ``budget``
    (pieces x segments) it returns 0 and the spanning tree bound alone is used.

    Parameters
    ----------
    net
        The network.
    label
        Piece index per node, -1 outside every piece.
    budget
        Largest pieces x segments worth the Dijkstra runs.

    Returns
    -------
    float
        The bound in metres (0 when skipped or not finite).
    """
    k = int(label.max()) + 1 if label.max() >= 0 else 0
    if k <= 1 or k * net.n_segments > budget or k > CLOSED_WALK_MAX_PIECES:
        return 0.0
    matrix, _ = net.sparse_graph(False)
    dist = np.zeros((k, k))
    members = label >= 0
    for c in range(k):
        d = dijkstra(matrix, directed=True, indices=np.flatnonzero(label == c), min_only=True)
        per_piece = np.full(k, np.inf)
        np.minimum.at(per_piece, label[members], d[members])
        dist[c] = per_piece
    np.fill_diagonal(dist, 0.0)
    dist = np.minimum(dist, dist.T)
    if not np.all(np.isfinite(dist)):
        return 0.0
    if k == 2:
        return 2.0 * float(dist[0, 1])
    best = 0.0
    # leaving out the pieces farthest from the rest gives the strongest bounds
    masked = dist + np.diag(np.full(k, np.inf))
    order = np.argsort(-np.sort(masked, axis=1)[:, :2].sum(axis=1))[:CLOSED_WALK_LEFT_OUT]
    for c in order.tolist():
        others = [x for x in range(k) if x != c]
        two = np.sort(dist[c, others])[:2].sum()
        best = max(best, _dense_mst(dist[np.ix_(others, others)]) + float(two))
    return best
