"""Euler circuits a person can follow: straight on where possible, U-turns last.

Every Euler circuit of a multigraph is fixed by its *transitions*: at each vertex, which
arriving traversal is followed by which leaving one. This module picks, at every vertex,
the pairing of arrivals with departures of least turn cost (straight < slight < right <
left < U-turn, plus a small cost for changing road), which splits the multigraph into
closed trails; then it merges the trails into one circuit by swapping the transitions of
two trails at a shared vertex, cheapest swaps first (Kruskal over trails). The circuit
starts where breaking it costs most (the worst transition at the start is never driven).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
from scipy.optimize import linear_sum_assignment
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components


@dataclass(frozen=True)
class TurnPenalty:
    """Costs of the turns at intersections, used to choose among Euler circuits.

    Units are arbitrary (think "seconds lost"); only their order matters much.
    Deflections below ``straight_deg`` are straight on, below ``slight_deg`` slight,
    below ``uturn_deg`` a turn, and beyond (or back along the same street) a U-turn.
    """

    slight: float = 0.5
    right: float = 2.0
    left: float = 3.0
    uturn: float = 30.0
    road_change: float = 1.0
    straight_deg: float = 20.0
    slight_deg: float = 45.0
    uturn_deg: float = 150.0


@dataclass
class CircuitInput:
    """Copies of the multigraph to put in one circuit.

    Copy ``j`` runs from node ``p[j]`` to ``q[j]`` (its only direction when
    ``directed``); ``h_p[j]`` is the heading leaving ``p`` along it and ``h_q[j]`` the
    heading leaving ``q`` along it backwards. ``street`` and ``side_p`` identify the
    street and which of its ends ``p`` is (for U-turn detection); ``road`` is an integer
    road code (-1 for none); ``virtual`` marks the closing edge of an open route.
    """

    p: np.ndarray
    q: np.ndarray
    h_p: np.ndarray
    h_q: np.ndarray
    street: np.ndarray
    side_p: np.ndarray
    road: np.ndarray
    virtual: np.ndarray
    directed: bool


@dataclass
class Circuit:
    """The circuit: copies in order and whether each is run ``p -> q``."""

    copies: np.ndarray
    forward: np.ndarray
    uturn_after: np.ndarray  # per copy but the last: the move to the next one is a U-turn
    turn_cost: float

    @property
    def u_turns(self) -> int:
        """Number of U-turns in the circuit."""
        return int(self.uturn_after.sum())


def _end_arrays(ci: CircuitInput) -> tuple[np.ndarray, ...]:
    m = len(ci.p)
    node = np.empty(2 * m, np.int64)
    node[0::2], node[1::2] = ci.p, ci.q
    heading = np.empty(2 * m)
    heading[0::2], heading[1::2] = ci.h_p, ci.h_q
    side = np.empty(2 * m, np.int64)
    side[0::2], side[1::2] = ci.side_p, 1 - ci.side_p
    return node, heading, side


def transition_cost(ci: CircuitInput, arrive: np.ndarray, leave: np.ndarray,
                    pen: TurnPenalty, heading: np.ndarray, side: np.ndarray
                    ) -> tuple[np.ndarray, np.ndarray]:
    """Cost and U-turn flag of arriving through end ``arrive`` and leaving by ``leave``.

    Ends are numbered ``2j`` (the ``p`` end of copy ``j``) and ``2j + 1`` (its ``q`` end).
    """
    ca, cl = arrive >> 1, leave >> 1
    delta = np.angle(np.exp(1j * (heading[leave] - heading[arrive] - np.pi)))
    deg = np.degrees(np.abs(delta))
    same_street = (ci.street[ca] == ci.street[cl]) & (side[arrive] == side[leave])
    uturn = same_street | (deg >= pen.uturn_deg)
    cost = np.where(deg < pen.straight_deg, 0.0,
                    np.where(deg < pen.slight_deg, pen.slight,
                             np.where(delta > 0, pen.left, pen.right)))
    cost = np.where(uturn, pen.uturn, cost)
    cost = cost + pen.road_change * ((ci.road[ca] != ci.road[cl]) | (ci.road[ca] < 0))
    virtual = ci.virtual[ca] | ci.virtual[cl]
    return np.where(virtual, 0.0, cost), uturn & ~virtual


_PAIRINGS: dict[int, list[list[tuple[int, int]]]] = {}


def _pairings(k: int) -> list[list[tuple[int, int]]]:
    """All perfect matchings of ``range(k)`` (k even, small)."""
    if k not in _PAIRINGS:
        def rec(items: list[int]) -> list[list[tuple[int, int]]]:
            if not items:
                return [[]]
            first, rest = items[0], items[1:]
            out = []
            for i, other in enumerate(rest):
                for tail in rec(rest[:i] + rest[i + 1:]):
                    out.append([(first, other), *tail])
            return out
        _PAIRINGS[k] = rec(list(range(k)))
    return _PAIRINGS[k]


def _initial_pairing(ci: CircuitInput, pen: TurnPenalty, node: np.ndarray,
                     heading: np.ndarray, side: np.ndarray) -> np.ndarray:
    """Least-cost transitions at every vertex: ``partner[end]`` is the paired end."""
    n_ends = len(node)
    partner = np.full(n_ends, -1, np.int64)
    if ci.directed:
        # arrivals are the q ends (odd), departures the p ends (even)
        arrive = np.arange(1, n_ends, 2)
        leave = np.arange(0, n_ends, 2)
        arrive = arrive[np.argsort(node[arrive], kind="stable")]
        leave = leave[np.argsort(node[leave], kind="stable")]
        verts, starts, counts = np.unique(node[arrive], return_index=True, return_counts=True)
        lstarts = np.searchsorted(node[leave], verts)
        one = counts == 1
        partner[arrive[starts[one]]] = leave[lstarts[one]]
        two = counts == 2
        s, ls = starts[two], lstarts[two]
        a0, a1, l0, l1 = arrive[s], arrive[s + 1], leave[ls], leave[ls + 1]
        keep = (transition_cost(ci, a0, l0, pen, heading, side)[0]
                + transition_cost(ci, a1, l1, pen, heading, side)[0]
                <= transition_cost(ci, a0, l1, pen, heading, side)[0]
                + transition_cost(ci, a1, l0, pen, heading, side)[0])
        partner[a0] = np.where(keep, l0, l1)
        partner[a1] = np.where(keep, l1, l0)
        for s0, ls0, c in zip(starts[counts > 2].tolist(), lstarts[counts > 2].tolist(),
                              counts[counts > 2].tolist(), strict=True):
            arr, lea = arrive[s0:s0 + c], leave[ls0:ls0 + c]
            cost = transition_cost(ci, np.repeat(arr, c), np.tile(lea, c), pen, heading,
                                   side)[0].reshape(c, c)
            rows, cols = linear_sum_assignment(cost)
            partner[arr[rows]] = lea[cols]
        partner[partner[partner >= 0]] = np.flatnonzero(partner >= 0)
        return partner

    order = np.argsort(node, kind="stable")
    verts, starts, counts = np.unique(node[order], return_index=True, return_counts=True)
    two = counts == 2
    e0, e1 = order[starts[two]], order[starts[two] + 1]
    partner[e0], partner[e1] = e1, e0
    four = counts == 4
    if four.any():
        s = starts[four]
        e = [order[s + i] for i in range(4)]

        def sym(x: np.ndarray, y: np.ndarray) -> np.ndarray:
            return (transition_cost(ci, x, y, pen, heading, side)[0]
                    + transition_cost(ci, y, x, pen, heading, side)[0])

        options = [((0, 1), (2, 3)), ((0, 2), (1, 3)), ((0, 3), (1, 2))]
        costs = np.stack([sym(e[i], e[j]) + sym(e[k], e[m4]) for (i, j), (k, m4) in options])
        best = np.argmin(costs, axis=0)
        for o, ((i, j), (k, m4)) in enumerate(options):
            sel = best == o
            partner[e[i][sel]], partner[e[j][sel]] = e[j][sel], e[i][sel]
            partner[e[k][sel]], partner[e[m4][sel]] = e[m4][sel], e[k][sel]
    for c in np.unique(counts[counts > 4]).tolist():
        group = starts[counts == c]
        ends = order[group[:, None] + np.arange(c)]  # one row of c ends per vertex
        ii, jj = np.meshgrid(np.arange(c), np.arange(c), indexing="ij")
        a, b = ends[:, ii.ravel()].ravel(), ends[:, jj.ravel()].ravel()
        cmat = (transition_cost(ci, a, b, pen, heading, side)[0]
                + transition_cost(ci, b, a, pen, heading, side)[0]).reshape(len(group), c, c)
        if c <= 10:
            pairings = np.array(_pairings(c))  # (n_pairings, c/2, 2)
            total = cmat[:, pairings[:, :, 0], pairings[:, :, 1]].sum(axis=2)
            best = pairings[np.argmin(total, axis=1)]  # (vertices, c/2, 2)
            rows = np.arange(len(group))[:, None]
            x, y = ends[rows, best[:, :, 0]].ravel(), ends[rows, best[:, :, 1]].ravel()
            partner[x], partner[y] = y, x
            continue
        for row in range(len(group)):  # rare: greedy on the cheapest pairs
            used: set[int] = set()
            for flat in np.argsort(cmat[row], axis=None, kind="stable").tolist():
                i, j = divmod(flat, c)
                if i != j and i not in used and j not in used:
                    partner[ends[row, i]], partner[ends[row, j]] = ends[row, j], ends[row, i]
                    used.update((i, j))
    return partner


def _trail_labels(partner: np.ndarray) -> tuple[int, np.ndarray]:
    """Label each end by the closed trail it lies on."""
    n_ends = len(partner)
    ends = np.arange(n_ends)
    rows = np.concatenate([ends, ends])
    cols = np.concatenate([partner, ends ^ 1])
    graph = coo_matrix((np.ones(len(rows), np.int8), (rows, cols)), shape=(n_ends, n_ends))
    return connected_components(graph, directed=False)


class _UnionFind:
    def __init__(self, n: int) -> None:
        self.parent = list(range(n))

    def find(self, x: int) -> int:
        parent = self.parent
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def union(self, x: int, y: int) -> bool:
        rx, ry = self.find(x), self.find(y)
        if rx == ry:
            return False
        self.parent[ry] = rx
        return True


def _merge_trails(ci: CircuitInput, pen: TurnPenalty, partner: np.ndarray, node: np.ndarray,
                  heading: np.ndarray, side: np.ndarray) -> None:
    """Swap transitions at shared vertices until one closed trail remains (in place)."""
    n_trails, label = _trail_labels(partner)
    if n_trails <= 1:
        return
    uf = _UnionFind(n_trails)
    remaining = n_trails
    while remaining > 1:
        x1, y1, x2, y2 = _candidate_swaps(ci, partner, node, label, uf, n_trails)
        cand_cost, cand_flip = _swap_costs(ci, pen, heading, side, x1, y1, x2, y2)
        merged_any = False
        for k in np.argsort(cand_cost, kind="stable").tolist():
            a1, b1, a2, b2 = int(x1[k]), int(y1[k]), int(x2[k]), int(y2[k])
            if partner[a1] != b1 or partner[a2] != b2:
                continue  # stale: a swap here already changed these transitions
            if not uf.union(int(label[a1]), int(label[a2])):
                continue
            _swap(ci.directed, partner, a1, b1, a2, b2, bool(cand_flip[k]))
            remaining -= 1
            merged_any = True
            if remaining == 1:
                break
        if not merged_any:  # pragma: no cover - connectivity guarantees progress
            raise RuntimeError("could not merge the closed trails into one circuit")


def _candidate_swaps(ci: CircuitInput, partner: np.ndarray, node: np.ndarray,
                     label: np.ndarray, uf: _UnionFind, n_trails: int
                     ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Pairs of transitions ``(x1, y1)``, ``(x2, y2)`` of two trails at a shared vertex."""
    # current transitions, one row per pair, keyed by the arriving/first end
    first = np.flatnonzero(
        (np.arange(len(partner)) & 1 == 1) if ci.directed
        else (np.arange(len(partner)) < partner))
    second = partner[first]
    root_of = np.fromiter((uf.find(t) for t in range(n_trails)), np.int64, n_trails)
    roots = root_of[label[first]]
    at = node[first]
    order = np.lexsort((roots, at))
    first, second, roots, at = first[order], second[order], roots[order], at[order]
    # vertices where at least two trails meet: every pair of transitions of two
    # different trails there is a candidate swap
    _, starts, counts = np.unique(at, return_index=True, return_counts=True)
    two = starts[(counts == 2)]
    two = two[roots[two] != roots[two + 1]]
    pairs_i, pairs_j = [two], [two + 1]
    busy = (counts > 2) & (roots[starts] != roots[starts + counts - 1])
    for s0, c in zip(starts[busy].tolist(), counts[busy].tolist(), strict=True):
        r = roots[s0:s0 + c].tolist()
        for i, j in itertools.combinations(range(c), 2):
            if r[i] != r[j]:
                pairs_i.append(np.array([s0 + i]))
                pairs_j.append(np.array([s0 + j]))
    pi, pj = np.concatenate(pairs_i), np.concatenate(pairs_j)
    if len(pi) == 0:
        raise RuntimeError("the multigraph is not connected; cannot build one circuit")
    return first[pi], second[pi], first[pj], second[pj]


def _swap_costs(ci: CircuitInput, pen: TurnPenalty, heading: np.ndarray, side: np.ndarray,
                x1: np.ndarray, y1: np.ndarray, x2: np.ndarray, y2: np.ndarray
                ) -> tuple[np.ndarray, np.ndarray]:
    """Extra turn cost of each candidate swap, and whether the undirected one flips."""

    def tc(a: np.ndarray, b: np.ndarray) -> np.ndarray:
        return transition_cost(ci, a, b, pen, heading, side)[0]

    if ci.directed:  # arrive x, leave y: only (x1 -> y2, x2 -> y1) merges
        old = tc(x1, y1) + tc(x2, y2)
        return tc(x1, y2) + tc(x2, y1) - old, np.zeros(len(x1), bool)

    def sym(a: np.ndarray, b: np.ndarray) -> np.ndarray:
        return tc(a, b) + tc(b, a)

    old = sym(x1, y1) + sym(x2, y2)
    opt_a = sym(x1, x2) + sym(y1, y2) - old  # pairs (x1,x2), (y1,y2)
    opt_b = sym(x1, y2) + sym(y1, x2) - old  # pairs (x1,y2), (y1,x2)
    return np.minimum(opt_a, opt_b), opt_a < opt_b


def _swap(directed: bool, partner: np.ndarray, a1: int, b1: int, a2: int, b2: int,
          flip: bool) -> None:
    """Re-pair the ends of transitions ``(a1, b1)`` and ``(a2, b2)`` (in place)."""
    if directed or not flip:
        if directed:
            partner[a1], partner[b2] = b2, a1
            partner[a2], partner[b1] = b1, a2
        else:
            partner[a1], partner[b2] = b2, a1
            partner[b1], partner[a2] = a2, b1
    else:
        partner[a1], partner[a2] = a2, a1
        partner[b1], partner[b2] = b2, b1


def euler_circuit(ci: CircuitInput, start: int, pen: TurnPenalty | None = None) -> Circuit:
    """Build one Euler circuit over all copies, starting (and ending) at ``start``.

    With a virtual copy present the circuit is cut there: the route leaves ``start``
    right after the virtual copy and stops when it reaches it, so it ends at the
    virtual copy's other end.
    """
    pen = pen or TurnPenalty()
    m = len(ci.p)
    if m == 0:
        return Circuit(np.zeros(0, np.int64), np.zeros(0, bool), np.zeros(0, bool), 0.0)
    node, heading, side = _end_arrays(ci)
    partner = _initial_pairing(ci, pen, node, heading, side)
    _merge_trails(ci, pen, partner, node, heading, side)

    virtual = np.flatnonzero(ci.virtual)
    if len(virtual):
        v = int(virtual[0])
        # the virtual copy arrives at ``start``: leave by the end paired with its arrival
        arrive = 2 * v + 1 if ci.q[v] == start else 2 * v
        first_leave = int(partner[arrive])
    else:
        at_start = np.flatnonzero(node == start)
        if len(at_start) == 0:
            raise RuntimeError("the start node is not on the circuit")
        if ci.directed:
            arrivals = at_start[at_start & 1 == 1]
            cost = transition_cost(ci, arrivals, partner[arrivals], pen, heading, side)[0]
            first_leave = int(partner[arrivals[int(np.argmax(cost))]])
        else:
            cost = transition_cost(ci, at_start, partner[at_start], pen, heading, side)[0]
            first_leave = int(partner[at_start[int(np.argmax(cost))]])

    copies = np.empty(m, np.int64)
    forward = np.empty(m, bool)
    leave = first_leave
    count = 0
    part = partner.tolist()
    virt = ci.virtual.tolist()
    while True:
        c = leave >> 1
        if virt[c]:
            break
        copies[count] = c
        forward[count] = (leave & 1) == 0
        count += 1
        leave = part[leave ^ 1]
        if leave == first_leave:
            break
    copies, forward = copies[:count], forward[:count]
    if count + len(virtual) != m:  # pragma: no cover - guarded by the merge
        raise RuntimeError("the circuit does not use every copy")
    arrive_ends = np.where(forward, 2 * copies + 1, 2 * copies)
    leave_ends = np.where(forward, 2 * copies, 2 * copies + 1)
    if len(copies) > 1:
        cost, uturn = transition_cost(ci, arrive_ends[:-1], leave_ends[1:], pen, heading, side)
        total = float(cost.sum())
    else:
        uturn, total = np.zeros(0, bool), 0.0
    return Circuit(copies, forward, uturn, total)
