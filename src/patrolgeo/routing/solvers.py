"""Postman solvers over a :class:`~patrolgeo.routing.network.StreetNetwork`.

Building blocks, all compiled and near-linear on road graphs:

- :func:`min_tjoin`: minimum-weight T-join by sparse-blossom matching (pymatching) on
  the road graph itself, in integer millimetres, never on the complete graph of odd
  vertices; optional free route ends through virtual nodes.
- :func:`min_cost_flow`: OR-Tools' network simplex for balancing directed degrees.
- :func:`link_components`: the minimum spanning tree of the distances between pieces
  of required streets (Mehlhorn's Voronoi construction, one multi-source Dijkstra).

The solvers return a :class:`Cover`: how often each segment is run in each direction,
and which of those runs do the service.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

import numpy as np
import pymatching
from scipy.sparse import coo_matrix, csc_matrix, csr_matrix
from scipy.sparse.csgraph import dijkstra

from patrolgeo.errors import RoutingError
from patrolgeo.routing.network import MAX_MATCHING_WEIGHT, UNITS_PER_M, StreetNetwork, components


@dataclass
class Cover:
    """How a route runs over the segments, before it is ordered into a circuit.

    ``undirected`` covers count runs per segment in ``count`` (direction chosen by the
    circuit); directed covers count runs ``a -> b`` in ``fwd`` and ``b -> a`` in ``rev``.
    ``service_*`` count how many of those runs are service runs (0 or 1).
    """

    undirected: bool
    count: np.ndarray | None = None
    service: np.ndarray | None = None
    fwd: np.ndarray | None = None
    rev: np.ndarray | None = None
    service_fwd: np.ndarray | None = None
    service_rev: np.ndarray | None = None
    start: int = -1
    end: int = -1
    lower_bound_m: float = 0.0
    method: str = ""
    optimal: bool = False
    notes: list[str] = field(default_factory=list)

    def length(self, net: StreetNetwork) -> float:
        if self.undirected:
            return float(np.dot(self.count, net.length))
        return float(np.dot(self.fwd + self.rev, net.length))


# --------------------------------------------------------------------------- T-joins


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
    chain, ch_p, ch_q, ch_w = _contract_chains(n, lo, hi, w, odd)
    live = np.flatnonzero((ch_p >= 0) & (ch_p != ch_q))
    ch_lo, ch_hi = np.minimum(ch_p[live], ch_q[live]), np.maximum(ch_p[live], ch_q[live])
    order = np.lexsort((live, ch_w[live], ch_hi, ch_lo))
    live, ch_lo, ch_hi = live[order], ch_lo[order], ch_hi[order]
    first_of_pair = np.ones(len(live), bool)
    first_of_pair[1:] = (ch_lo[1:] != ch_lo[:-1]) | (ch_hi[1:] != ch_hi[:-1])
    live, ch_lo, ch_hi = live[first_of_pair], ch_lo[first_of_pair], ch_hi[first_of_pair]
    edge_chain = chain  # chain of every kept segment edge
    lo, hi, w = ch_lo, ch_hi, ch_w[live]
    tails, heads, weights, faults = [lo], [hi], [w], [np.arange(len(live))]
    next_node = n
    ends_base = len(live)
    if free_ends:
        graph = csr_matrix((np.r_[w, w].astype(float), (np.r_[lo, hi], np.r_[hi, lo])),
                           shape=(n, n))
        dist = dijkstra(graph, directed=True, indices=int(t_nodes[0]))
        reach = dist[t_nodes]
        if not np.all(np.isfinite(reach)):
            raise RoutingError("the street network is not connected", field="segments")
        heavy = int(reach.max()) + 1
        for z in range(free_ends):
            zi = next_node
            next_node += 1
            tails.append(np.full(len(t_nodes), zi))
            heads.append(t_nodes)
            weights.append(np.full(len(t_nodes), heavy, np.int64))
            faults.append(ends_base + z * len(t_nodes) + np.arange(len(t_nodes)))
    tail = np.concatenate(tails)
    head = np.concatenate(heads)
    weight = np.concatenate(weights)
    fault = np.concatenate(faults)
    # pymatching keeps integer weights exact only up to 2**24 - 1: split longer edges
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
    c_tail = np.concatenate(col_tail)
    c_head = np.concatenate(col_head)
    c_w = np.concatenate(col_w)
    c_fault = np.concatenate(col_fault)
    n_cols = len(c_tail)
    n_faults = ends_base + free_ends * len(t_nodes)
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
        correction = matching.decode(syndrome)
    except ValueError as exc:
        raise RoutingError("odd-degree nodes cannot be paired: the street network is not "
                           "connected", field="segments") from exc
    used_chains = live[np.flatnonzero(correction[:ends_base])]
    in_join = np.zeros(len(ch_w), bool)
    in_join[used_chains] = True
    chosen = np.concatenate([settled, seg[(edge_chain >= 0) & in_join[np.maximum(edge_chain, 0)]]])
    ends: list[int] = []
    if free_ends:
        picked = np.flatnonzero(correction[ends_base:n_faults])
        ends = sorted(int(t_nodes[i % len(t_nodes)]) for i in picked)
    return TJoin(chosen, float(net.length[chosen].sum()), ends)


# --------------------------------------------------------------------------- flows


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


# --------------------------------------------------------------------------- linking


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


def closed_walk_bound(net: StreetNetwork, label: np.ndarray, budget: float = 2e7) -> float:
    """A lower bound on the travel needed to join the pieces by one closed walk.

    A closed walk through every piece (each contracted to a point) contains a spanning
    tree of the others plus two edges at any one piece: the 1-tree bound, maximised
    over the piece left out. It takes one Dijkstra per piece: beyond ``budget``
    (pieces x segments) it returns 0 and the spanning tree bound alone is used.
    """
    k = int(label.max()) + 1 if label.max() >= 0 else 0
    if k <= 1 or k * net.n_segments > budget or k > 2000:
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
    order = np.argsort(-np.sort(masked, axis=1)[:, :2].sum(axis=1))[:50]
    for c in order.tolist():
        others = [x for x in range(k) if x != c]
        two = np.sort(dist[c, others])[:2].sum()
        best = max(best, _dense_mst(dist[np.ix_(others, others)]) + float(two))
    return best


def piece_labels(net: StreetNetwork, used: np.ndarray, extra_nodes: list[int]) -> np.ndarray:
    """Label nodes by the connected piece of the segments ``used`` (and lone extra nodes)."""
    seg = np.flatnonzero(used)
    label = np.full(net.n_nodes, -1, np.int64)
    if len(seg):
        comp = components(net.n_nodes, net.a[seg], net.b[seg])
        touched = np.zeros(net.n_nodes, bool)
        touched[net.a[seg]] = True
        touched[net.b[seg]] = True
        _, dense = np.unique(comp[touched], return_inverse=True)
        label[touched] = dense
    for node in extra_nodes:
        if node >= 0 and label[node] < 0:
            label[node] = label.max() + 1
    return label


# --------------------------------------------------------------------------- undirected


def _odd_nodes(net: StreetNetwork, count: np.ndarray) -> np.ndarray:
    deg = (np.bincount(net.a, weights=count, minlength=net.n_nodes)
           + np.bincount(net.b, weights=count, minlength=net.n_nodes))
    return (np.rint(deg).astype(np.int64) % 2) == 1


def _toggle(odd: np.ndarray, nodes: list[int]) -> np.ndarray:
    odd = odd.copy()
    for node in nodes:
        if node >= 0:
            odd[node] ^= True
    return odd


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
    fixed_comp = components(net.n_nodes, net.a[fixed], net.b[fixed])
    terminal = np.zeros(net.n_nodes, bool)
    terminal[net.a[fixed]] = True
    terminal[net.b[fixed]] = True
    for node in keep_nodes:
        if node >= 0:
            terminal[node] = True
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
    # prune kept pairs that only lead to non-terminal dead ends (Steiner leaves)
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
        if sum(1 for t in degree.get(other, []) if t in kept_set) == 1 and not terminal[other]:
            stack.append(other)
    drop = np.array(sorted(set(cand.tolist()) - kept_set), np.int64)
    count[drop] = 0
    return count


def solve_undirected(net: StreetNetwork, required: np.ndarray, *, start: int, closed: bool,
                     improve: bool = True, max_rounds: int = 6) -> Cover:
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
        if float(np.dot(new, net.length)) < float(np.dot(count, net.length)) - 1e-6:
            count, ends = new, tj.ends
        if float(np.dot(count, net.length)) >= current - 1e-6:
            break
    cover = Cover(True, count=count, service=required.copy(),
                  method="rural postman heuristic (link, T-join, drop, re-join)")
    cover.lower_bound_m = lower
    cover.optimal = cover.length(net) <= lower + 1e-6
    _set_ends(cover, start, closed, ends)
    return cover


def _set_ends(cover: Cover, start: int, closed: bool, ends: list[int]) -> None:
    if closed:
        cover.start = cover.end = start
        return
    if start >= 0:
        cover.start = start
        cover.end = ends[0] if ends else start
    elif len(ends) == 2:
        cover.start, cover.end = ends
    else:
        cover.start = cover.end = -1


# --------------------------------------------------------------------------- directed / mixed


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


def _drop_run(s: int, *, keep_ab: bool, fwd: np.ndarray, rev: np.ndarray,
              sfwd: np.ndarray, srev: np.ndarray) -> None:
    """Drop one run of segment ``s`` against the kept direction (``a -> b`` when
    ``keep_ab``); a service on the dropped direction moves to the kept one. In place."""
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
    adjacency: dict[int, list[int]] = {}
    for s in half_segs.tolist():
        adjacency.setdefault(int(net.a[s]), []).append(s)
        adjacency.setdefault(int(net.b[s]), []).append(s)
    used: set[int] = set()
    paths: list[tuple[int, list[tuple[int, int]], int]] = []
    odd = [x for x, segs in sorted(adjacency.items()) if len(segs) % 2 == 1]
    for x in odd:
        while True:
            free = [s for s in adjacency[x] if s not in used]
            if len(free) % 2 == 0:
                break
            path, node = [], x
            while True:
                nxt = [s for s in adjacency[node] if s not in used]
                if not nxt:
                    break
                s = nxt[0]
                used.add(s)
                other = int(net.b[s]) if int(net.a[s]) == node else int(net.a[s])
                path.append((s, node))
                node = other
            if path:
                paths.append((x, path, node))
    if not paths:
        return
    matrix, arc_seg = net.sparse_graph(respect_oneway)
    indptr, indices = matrix.indptr, matrix.indices
    for x, path, y in paths:
        w_path = float(sum(net.length[s] for s, _ in path))
        best = None
        for src, dst, along in ((y, x, True), (x, y, False)):
            dist, pred = dijkstra(matrix, directed=True, indices=src, limit=w_path,
                                  return_predecessors=True)
            if np.isfinite(dist[dst]) and dist[dst] < w_path - 1e-6 and (
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
