"""Minimum-weight T-joins by sparse-blossom matching (pymatching) on the road graph.

:func:`min_tjoin` works on the road graph itself, in integer millimetres, never on the
complete graph of odd vertices; dead ends are peeled and degree-2 chains contracted
first, and free route ends enter through virtual nodes.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pymatching
from scipy.sparse import coo_matrix, csc_matrix, csr_matrix
from scipy.sparse.csgraph import dijkstra

from patrolgeo.errors import RoutingError
from patrolgeo.routing.network import MAX_MATCHING_WEIGHT, StreetNetwork


@dataclass
class TJoin:
    """A T-join: segments used once each, its length, and the chosen free route ends."""

    segments: np.ndarray
    length_m: float
    ends: list[int]


def _undirected_edges(net: StreetNetwork, allowed: np.ndarray | None
                      ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """One edge per node pair (the shortest segment), self-loops dropped."""
    seg = np.arange(net.n_segments) if allowed is None else np.flatnonzero(allowed)
    lo = np.minimum(net.a[seg], net.b[seg])
    hi = np.maximum(net.a[seg], net.b[seg])
    keep = lo != hi
    seg, lo, hi = seg[keep], lo[keep], hi[keep]
    w = net.weights_int()[seg]
    order = np.lexsort((seg, w, hi, lo))
    seg, lo, hi, w = seg[order], lo[order], hi[order], w[order]
    first = np.ones(len(seg), bool)
    first[1:] = (lo[1:] != lo[:-1]) | (hi[1:] != hi[:-1])
    return seg[first], lo[first], hi[first], w[first]


def _peel_pendants(n: int, lo: np.ndarray, hi: np.ndarray, odd: np.ndarray
                   ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Settle the tree-like parts of a T-join problem exactly, before matching.

    A node with a single edge (a dead end) decides that edge: it belongs to every
    minimum T-join exactly when the node is in T, and the other end's membership flips.
    Peeling dead ends repeatedly removes all trees hanging off the network.

    Returns the edges kept for matching (mask), the edges forced into the join (mask),
    and the updated T.
    """
    odd = odd.copy()
    alive = np.ones(len(lo), bool)
    forced = np.zeros(len(lo), bool)
    while True:
        deg = (np.bincount(lo[alive], minlength=n) + np.bincount(hi[alive], minlength=n))
        leaf_edge_lo = alive & (deg[lo] == 1)
        leaf_edge_hi = alive & (deg[hi] == 1) & ~leaf_edge_lo
        if not (leaf_edge_lo.any() or leaf_edge_hi.any()):
            return alive, forced, odd
        for mask, leaf, other in ((leaf_edge_lo, lo, hi), (leaf_edge_hi, hi, lo)):
            edges = np.flatnonzero(mask)
            use = odd[leaf[edges]]
            forced[edges[use]] = True
            odd[leaf[edges]] = False
            # an edge whose both ends are leaves (a lone edge) is settled once, from lo
            np.logical_xor.at(odd, other[edges[use]], True)
            alive[edges] = False


def _contract_chains(n: int, lo: np.ndarray, hi: np.ndarray, w: np.ndarray, odd: np.ndarray
                     ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Merge runs of edges through nodes of degree 2 outside T into single edges.

    Such a node has both of its edges in a minimum T-join or neither, so a chain of
    them acts as one edge of the summed weight. Returns the chain of every edge (-1 for
    chains that can never be used: closed loops), and per chain its two ends and weight.
    """
    m = len(lo)
    deg = np.bincount(lo, minlength=n) + np.bincount(hi, minlength=n)
    interior = (deg == 2) & ~odd
    inc_node = np.concatenate([lo, hi])
    inc_edge = np.concatenate([np.arange(m), np.arange(m)])
    inner = interior[inc_node]
    order = np.argsort(inc_node[inner], kind="stable")
    e = inc_edge[inner][order]
    pairs = e.reshape(-1, 2)  # the two edges at each interior node
    graph = coo_matrix((np.ones(len(pairs)), (pairs[:, 0], pairs[:, 1])), shape=(m, m))
    from scipy.sparse.csgraph import connected_components

    _, chain = connected_components(graph, directed=False)
    ends_node = inc_node[~inner]
    ends_chain = chain[inc_edge[~inner]]
    order = np.argsort(ends_chain, kind="stable")
    ends_node, ends_chain = ends_node[order], ends_chain[order]
    n_chains = int(chain.max()) + 1 if m else 0
    counts = np.bincount(ends_chain, minlength=n_chains)
    first = np.cumsum(counts) - counts
    has_ends = counts == 2
    p = np.full(n_chains, -1, np.int64)
    q = np.full(n_chains, -1, np.int64)
    p[has_ends] = ends_node[first[has_ends]]
    q[has_ends] = ends_node[first[has_ends] + 1]
    weight = np.bincount(chain, weights=w, minlength=n_chains).astype(np.int64)
    usable = has_ends & (p != q)
    chain = np.where(usable[chain], chain, -1)
    return chain, p, q, weight


def min_tjoin(net: StreetNetwork, odd: np.ndarray, *, free_ends: int = 0,
              allowed: np.ndarray | None = None) -> TJoin:
    """Minimum-weight T-join of the nodes marked ``odd``, over undirected segments.

    Parameters
    ----------
    net
        The network.
    odd
        Boolean per node: the set T.
    free_ends
        0, 1 or 2 route ends that may lie anywhere: each is a virtual node joined to
        every node of T by an edge heavier than half any path, so exactly one such edge
        is used per free end and its T node becomes a route end.
    allowed
        Boolean per segment: the segments the join may use (default all).

    Returns
    -------
    TJoin
        Segments (each used once), their length, and the nodes chosen as free ends.
    """
    t_nodes = np.flatnonzero(odd)
    if len(t_nodes) == 0 and free_ends != 1:
        return TJoin(np.zeros(0, np.int64), 0.0, [])
    seg, lo, hi, w = _undirected_edges(net, allowed)
    n = net.n_nodes
    if not free_ends:
        keep, forced, odd = _peel_pendants(n, lo, hi, odd)
        settled = seg[forced]
        seg, lo, hi, w = seg[keep], lo[keep], hi[keep], w[keep]
        t_nodes = np.flatnonzero(odd)
        if len(t_nodes) == 0:
            return TJoin(settled, float(net.length[settled].sum()), [])
    else:
        settled = np.zeros(0, np.int64)
    # chains through degree-2 nodes outside T become single edges (one per node pair)
    edge_chain, live, lo, hi, w, n_chains = _chain_edges(n, lo, hi, w, odd)
    ends_base = len(live)
    tail, head, weight, fault = _columns(n, lo, hi, w, t_nodes, free_ends)
    correction = _decode(tail, head, weight, fault, n + free_ends, t_nodes, n, free_ends,
                         ends_base + free_ends * len(t_nodes))
    used_chains = live[np.flatnonzero(correction[:ends_base])]
    in_join = np.zeros(n_chains, bool)
    in_join[used_chains] = True
    chosen = np.concatenate([settled, seg[(edge_chain >= 0) & in_join[np.maximum(edge_chain, 0)]]])
    ends: list[int] = []
    if free_ends:
        picked = np.flatnonzero(correction[ends_base:ends_base + free_ends * len(t_nodes)])
        ends = sorted(int(t_nodes[i % len(t_nodes)]) for i in picked)
    return TJoin(chosen, float(net.length[chosen].sum()), ends)


def _chain_edges(n: int, lo: np.ndarray, hi: np.ndarray, w: np.ndarray, odd: np.ndarray
                 ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, int]:
    """Contract chains; one chain per node pair: (chain per edge, live chains, lo, hi, w, n)."""
    chain, ch_p, ch_q, ch_w = _contract_chains(n, lo, hi, w, odd)
    live = np.flatnonzero((ch_p >= 0) & (ch_p != ch_q))
    ch_lo, ch_hi = np.minimum(ch_p[live], ch_q[live]), np.maximum(ch_p[live], ch_q[live])
    order = np.lexsort((live, ch_w[live], ch_hi, ch_lo))
    live, ch_lo, ch_hi = live[order], ch_lo[order], ch_hi[order]
    first_of_pair = np.ones(len(live), bool)
    first_of_pair[1:] = (ch_lo[1:] != ch_lo[:-1]) | (ch_hi[1:] != ch_hi[:-1])
    live, ch_lo, ch_hi = live[first_of_pair], ch_lo[first_of_pair], ch_hi[first_of_pair]
    return chain, live, ch_lo, ch_hi, ch_w[live], len(ch_w)


def _columns(n: int, lo: np.ndarray, hi: np.ndarray, w: np.ndarray, t_nodes: np.ndarray,
             free_ends: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Build the matching edges (tail, head, weight, fault id): chains, then free ends.

    Each free end is a virtual node (``n``, ``n + 1``) joined to every node of T by an
    edge heavier than any path between nodes of T.
    """
    tails, heads, weights, faults = [lo], [hi], [w], [np.arange(len(lo))]
    if free_ends:
        graph = csr_matrix((np.r_[w, w].astype(float), (np.r_[lo, hi], np.r_[hi, lo])),
                           shape=(n, n))
        dist = dijkstra(graph, directed=True, indices=int(t_nodes[0]))
        reach = dist[t_nodes]
        if not np.all(np.isfinite(reach)):
            raise RoutingError("the street network is not connected", field="segments")
        heavy = int(reach.max()) + 1
        for z in range(free_ends):
            tails.append(np.full(len(t_nodes), n + z))
            heads.append(t_nodes)
            weights.append(np.full(len(t_nodes), heavy, np.int64))
            faults.append(len(lo) + z * len(t_nodes) + np.arange(len(t_nodes)))
    return (np.concatenate(tails), np.concatenate(heads), np.concatenate(weights),
            np.concatenate(faults))


def _split_long(tail: np.ndarray, head: np.ndarray, weight: np.ndarray, fault: np.ndarray,
                next_node: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, int]:
    """Split edges heavier than pymatching keeps exact (2**24 - 1) into chains of pieces."""
    pieces = np.maximum(1, -(-weight // MAX_MATCHING_WEIGHT))
    long = np.flatnonzero(pieces > 1)
    col_tail, col_head, col_w, col_fault = [tail], [head], [weight], [fault]
    if len(long):
        col_tail[0] = tail.copy()
        col_head[0] = head.copy()
        col_w[0] = weight.copy()
        for i in long.tolist():
            k = int(pieces[i])
            chain = np.arange(next_node, next_node + k - 1)
            next_node += k - 1
            part = -(-int(weight[i]) // k)
            nodes = np.r_[tail[i], chain, head[i]]
            col_head[0][i] = nodes[1]
            col_w[0][i] = part
            col_tail.append(nodes[1:-1])
            col_head.append(nodes[2:])
            col_w.append(np.full(k - 1, part, np.int64))
            col_fault.append(np.full(k - 1, -1))
    return (np.concatenate(col_tail), np.concatenate(col_head), np.concatenate(col_w),
            np.concatenate(col_fault), next_node)


def _decode(tail: np.ndarray, head: np.ndarray, weight: np.ndarray, fault: np.ndarray,
            next_node: int, t_nodes: np.ndarray, n: int, free_ends: int,
            n_faults: int) -> np.ndarray:
    """Minimum-weight perfect matching of T (and the free ends): which faults flip."""
    c_tail, c_head, c_w, c_fault, next_node = _split_long(tail, head, weight, fault,
                                                          next_node)
    n_cols = len(c_tail)
    check = csc_matrix((np.ones(2 * n_cols, np.uint8),
                        (np.r_[c_tail, c_head], np.r_[np.arange(n_cols), np.arange(n_cols)])),
                       shape=(next_node, n_cols))
    has_fault = c_fault >= 0
    faults_matrix = csc_matrix((np.ones(int(has_fault.sum()), np.uint8),
                                (c_fault[has_fault], np.flatnonzero(has_fault))),
                               shape=(max(n_faults, 1), n_cols))
    matching = pymatching.Matching.from_check_matrix(check, weights=c_w.astype(float),
                                                     faults_matrix=faults_matrix)
    syndrome = np.zeros(next_node, np.uint8)
    syndrome[t_nodes] = 1
    syndrome[n:n + free_ends] = 1
    try:
        return matching.decode(syndrome)
    except ValueError as exc:
        raise RoutingError("odd-degree nodes cannot be paired: the street network is not "
                           "connected", field="segments") from exc
