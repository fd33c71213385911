"""Repairs of a start: pins joined, empty chiefs seeded, cut-off pieces reattached."""

from __future__ import annotations

from collections import deque

import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import dijkstra

from patrolgeo.territories._params import NEAR_ZERO_WEIGHT
from patrolgeo.territories._units import _components, _unit_graph, _Units


def _settle(units: _Units, part: list[int], k: int, target: np.ndarray) -> None:
    """Join pins, seed empty chiefs and repair connectivity, in place."""
    _connect_pins(units, part, k)
    _seed_empty(units, part, k, target)
    _repair(units, part, k, target)


def _connect_pins(units: _Units, part: list[int], k: int) -> None:
    """Join the pinned units of each chief by shortest paths through unpinned units."""
    pinned = np.asarray(units.pinned)
    if (pinned >= 0).sum() < 2:
        return
    graph = _unit_graph(units)
    claimed = pinned.copy()
    for c in range(k):
        mine = np.flatnonzero(pinned == c)
        if len(mine) < 2:
            continue
        free = (claimed < 0) | (claimed == c)
        keep = free[graph.tocoo().row] & free[graph.tocoo().col]
        coo = graph.tocoo()
        sub = coo_matrix((coo.data[keep], (coo.row[keep], coo.col[keep])),
                         shape=graph.shape).tocsr()
        tree = {int(mine[0])}
        rest = [int(x) for x in mine[1:]]
        while rest:
            dist, pred, _ = dijkstra(sub, indices=sorted(tree), min_only=True,
                                     return_predecessors=True)
            reach = [(dist[r], r) for r in rest if np.isfinite(dist[r])]
            if not reach:
                break
            _, r = min(reach)
            node = r
            while node >= 0 and node not in tree:
                tree.add(node)
                if claimed[node] < 0:
                    claimed[node] = c
                    part[node] = c
                node = pred[node]
            rest = [x for x in rest if x not in tree]


def _repair(units: _Units, part: list[int], k: int, target: np.ndarray) -> None:
    """Give every piece cut off from its territory to the neighbour it touches most."""
    e = units.edges
    n = len(part)
    w = np.asarray(units.w)
    for _ in range(n + 1):
        p = np.asarray(part)
        same = p[e[:, 0]] == p[e[:, 1]]
        labels = _components(n, e[same, :2])
        main = _main_pieces(units, labels, p, k)
        fragments = [f for f in np.unique(labels) if not main[f]]
        if not fragments:
            return
        load = np.bincount(p, weights=w, minlength=k) / target
        touch = _fragment_contacts(e, labels, p, main[labels])
        changed = False
        for f in fragments:
            options = touch.get(int(f))
            if not options:
                continue
            chief = min(options, key=lambda c: (-options[c], load[c], c))
            for i in np.flatnonzero(labels == f):
                part[i] = chief
            changed = True
        if not changed:
            return


def _main_pieces(units: _Units, labels: np.ndarray, p: np.ndarray, k: int) -> np.ndarray:
    """Per piece, whether it is a main one: holds a pin, or the heaviest of its chief."""
    w = np.asarray(units.w)
    pinned = np.asarray(units.pinned)
    comp_w = np.bincount(labels, weights=w + NEAR_ZERO_WEIGHT)
    comp_owner = np.zeros(labels.max() + 1, dtype=np.int64)
    comp_owner[labels] = p
    comp_pinned = np.zeros(labels.max() + 1, dtype=bool)
    comp_pinned[labels[pinned >= 0]] = True
    main = np.zeros(labels.max() + 1, dtype=bool)
    main[comp_pinned] = True
    for c in range(k):
        comps = np.flatnonzero(comp_owner == c)
        if len(comps) and not comp_pinned[comps].any():
            best = comps[np.lexsort((comps, -comp_w[comps]))[0]]
            main[best] = True
    return main


def _fragment_contacts(e: np.ndarray, labels: np.ndarray, p: np.ndarray,
                       is_main_unit: np.ndarray) -> dict[int, dict[int, int]]:
    """Per fragment, the pairs it shares with each other chief's main pieces."""
    touch: dict[int, dict[int, int]] = {}
    for a, b, cnt in e.tolist():
        for x, y in ((a, b), (b, a)):
            if not is_main_unit[x] and is_main_unit[y] and p[y] != p[x]:
                t = touch.setdefault(int(labels[x]), {})
                t[int(p[y])] = t.get(int(p[y]), 0) + cnt
    return touch


def _seed_empty(units: _Units, part: list[int], k: int, target: np.ndarray) -> None:
    """Give each chief without units a connected ball cut from the fullest territory's edge."""
    graph = _unit_graph(units)
    w = np.asarray(units.w)
    pinned = np.asarray(units.pinned)
    for c in range(k):
        if c in set(part):
            continue
        p = np.asarray(part)
        load = np.bincount(p, weights=w, minlength=k) / target
        donor = int(np.argmax(load))
        members = np.flatnonzero((p == donor) & (pinned < 0))
        if len(members) == 0:
            continue
        centre = units.xy[p == donor].mean(axis=0)
        far = np.hypot(*(units.xy[members] - centre).T)
        seed = int(members[np.lexsort((members, -far))[0]])
        dist = dijkstra(graph, indices=seed)
        order = np.lexsort((np.arange(len(w)), dist))
        taken = 0.0
        for i in order:
            if not np.isfinite(dist[i]) or taken >= target[c]:
                break
            if pinned[i] >= 0:
                continue
            part[i] = c
            taken += w[i]


def _fill_unassigned(units: _Units, part: np.ndarray) -> None:
    """Give unassigned units the chief of the neighbour reached first (breadth first)."""
    queue = deque(int(i) for i in np.flatnonzero(part >= 0))
    while queue:
        i = queue.popleft()
        for v in sorted(units.nbrs[i]):
            if part[v] < 0:
                part[v] = part[i]
                queue.append(v)
    if (part < 0).any():  # pragma: no cover - the segment graph is connected
        part[part < 0] = 0
