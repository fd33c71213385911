"""Networks in several pieces: which required segments each piece can serve, in what order.

A network kept whole (``keep_components``) may fall into pieces no street joins. The
postman route serves each piece on a closed circuit of its own and moves between them
on *transfer legs*: straight lines, off the network, whose length is counted apart
(``Route.transfer_length_m``). The pieces are visited nearest first: from the point
where the route is, to the nearest end of a required segment of an unvisited piece.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from patrolgeo.errors import RoutingError
from patrolgeo.routing.network import StreetNetwork, components


@dataclass
class Piece:
    """The required segments one piece of the network can serve, and its nodes.

    Attributes
    ----------
    required
        Boolean per network row: the required segments inside the piece's main strongly
        connected part (all of its required segments when one-way streets do not bind).
    nodes
        Boolean per node: the nodes of that part (where a route in the piece may be).
    at_required
        Boolean per node: the ends of the piece's required segments.
    """

    required: np.ndarray
    nodes: np.ndarray
    at_required: np.ndarray

    @property
    def ends(self) -> np.ndarray:
        """Dense indices of the nodes at the ends of the piece's required segments."""
        return np.flatnonzero(self.at_required)

    def length(self, net: StreetNetwork) -> float:
        """Required metres of the piece."""
        return float(net.length[self.required].sum())


def split_pieces(net: StreetNetwork, wanted: np.ndarray, respect_oneway: bool,
                 all_pieces: bool) -> tuple[list[Piece], np.ndarray]:
    """The pieces with required segments, most required metres first, and those left out.

    Within a (weakly connected) piece, one-way streets may still leave required
    segments that no vehicle can both reach and leave: the part holding most of the
    piece's required length is served, the rest is left out. Without ``all_pieces``
    only the piece holding most required length is served.

    Returns
    -------
    pieces, unreachable
        The pieces to serve, and a boolean per row of the required segments left out.

    Raises
    ------
    RoutingError
        When no required segment can be driven both in and out.
    """
    tail, head, _, _ = net.arcs(respect_oneway)
    weak = components(net.n_nodes, tail, head, strong=False)
    strong = components(net.n_nodes, tail, head, strong=True) if respect_oneway else weak
    req = np.flatnonzero(wanted)
    inside = req[strong[net.a[req]] == strong[net.b[req]]]
    if len(inside) == 0:
        raise RoutingError("no required segment can be driven both in and out",
                           field="required")
    weight = np.bincount(strong[net.a[inside]], weights=net.length[inside] + 1e-9,
                         minlength=int(strong.max()) + 1)
    piece_of_strong = np.zeros(len(weight), np.int64)
    piece_of_strong[strong] = weak
    best: dict[int, int] = {}
    for label in np.flatnonzero(weight > 0).tolist():
        piece = int(piece_of_strong[label])
        if piece not in best or weight[label] > weight[best[piece]]:
            best[piece] = label
    chosen = sorted(best.values(), key=lambda lab: (-weight[lab], lab))
    if not all_pieces:
        chosen = chosen[:1]
    pieces = []
    served = np.zeros(net.n_segments, bool)
    for label in chosen:
        seg_in = wanted & (strong[net.a] == label) & (strong[net.b] == label)
        ends = np.zeros(net.n_nodes, bool)
        ends[net.a[seg_in]] = True
        ends[net.b[seg_in]] = True
        pieces.append(Piece(required=seg_in, nodes=strong == label, at_required=ends))
        served |= seg_in
    return pieces, wanted & ~served


def piece_of_node(pieces: list[Piece], node: int) -> int:
    """Index of the piece whose part holds ``node`` (-1: none)."""
    for i, piece in enumerate(pieces):
        if piece.nodes[node]:
            return i
    return -1


def nearest_next(net: StreetNetwork, pieces: list[Piece], left: list[int], at: int
                 ) -> tuple[int, int, float]:
    """The unvisited piece nearest to node ``at``: ``(piece, entry node, metres)``.

    The entry is the end of a required segment of the piece nearest in a straight line.
    """
    best = (-1, -1, np.inf)
    for i in left:
        ends = pieces[i].ends
        d = np.hypot(net.x[ends] - net.x[at], net.y[ends] - net.y[at])
        j = int(np.argmin(d))
        if d[j] < best[2]:
            best = (i, int(ends[j]), float(d[j]))
    return best


def straight_m(net: StreetNetwork, p: int, q: int) -> float:
    """Straight-line metres between two nodes (projected coordinates)."""
    return float(np.hypot(net.x[q] - net.x[p], net.y[q] - net.y[p]))


def _reach(n: int, tail: np.ndarray, head: np.ndarray, sources: np.ndarray) -> np.ndarray:
    """Boolean per node: reachable along the arcs from any of ``sources``."""
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import breadth_first_order

    # a super source (node n) with an arc to every source
    t = np.concatenate([tail, np.full(len(sources), n)])
    h = np.concatenate([head, sources])
    graph = coo_matrix((np.ones(len(t)), (t, h)), shape=(n + 1, n + 1)).tocsr()
    order = breadth_first_order(graph, n, directed=True, return_predecessors=False)
    seen = np.zeros(n + 1, bool)
    seen[order] = True
    return seen[:n]


def boundary_dead_ends(net: StreetNetwork, boundary: np.ndarray, pieces: list[Piece],
                       left_out: np.ndarray) -> np.ndarray:
    """Left-out segments whose one-way trouble is the area's boundary.

    A segment is a boundary dead end when the route's streets lead to it and from it
    on to a node where a way of the file leaves the area (no legal way back inside
    the data), or when it is reached only from where a way enters the area.

    Parameters
    ----------
    net
        The network (one-way streets bind).
    boundary
        Boolean per node: a cut end (``boundary`` node attribute of the graph).
    pieces
        The pieces served.
    left_out
        Boolean per row: the required segments left out.
    """
    tail, head, _, _ = net.arcs(True)
    main = np.flatnonzero(np.logical_or.reduce([p.nodes for p in pieces]))
    ends = np.flatnonzero(boundary)
    if len(ends) == 0 or not left_out.any():
        return np.zeros(net.n_segments, bool)
    from_main = _reach(net.n_nodes, tail, head, main)
    to_main = _reach(net.n_nodes, head, tail, main)
    to_edge = _reach(net.n_nodes, head, tail, ends)
    from_edge = _reach(net.n_nodes, tail, head, ends)
    a, b = net.a, net.b
    out_of_area = from_main[a] & to_edge[b] & ~to_main[b]
    into_area = from_edge[a] & to_main[b] & ~from_main[a]
    return left_out & (out_of_area | into_area)
