"""Bulk balancing: borders shift along paths of neighbouring territories.

Far-off loads move from the fullest to the emptiest territory through the territories
between them: each territory on the path grows into the previous one from their
border, nearest its centre first, so all of them stay connected and compact.
"""

from __future__ import annotations

import heapq
import itertools
import math
from collections import deque

import numpy as np

from patrolgeo.territories._params import EPS
from patrolgeo.territories._state import _State


def transfer(state: _State, x: int, y: int, amount: float) -> float:
    """Grow territory y into x by about ``amount`` of workload; return what moved.

    Units of x touching y are taken nearest to y's centre first, each only if x stays
    connected without it, so y grows compactly and both stay connected.
    """
    part, u = state.part, state.u
    cx, cy = state.centres[y]
    heap = [_near(u.xy, cx, cy, i) for i in state.border(x, y)]
    heapq.heapify(heap)
    tried: set[int] = set()
    moved = 0.0
    while heap and moved < amount:
        _, i = heapq.heappop(heap)
        if i in tried or part[i] != x:
            continue
        tried.add(i)
        group = _movable(state, i)
        if group is None:
            continue
        w = sum(u.w[j] for j in group)
        if moved + w - amount > amount - moved:
            continue
        for j in group:
            state.move(j, y)
            tried.add(j)
        moved += w
        for v in _left_behind(state, group, x, tried):
            heapq.heappush(heap, _near(u.xy, cx, cy, v))
    return moved


def _left_behind(state: _State, group: list[int], x: int, tried: set[int]) -> list[int]:
    """Units of ``x`` next to the moved ``group``, not yet tried, in neighbour order."""
    part, nbrs = state.part, state.u.nbrs
    return [v for j in group for v in nbrs[j] if part[v] == x and v not in tried]


def _near(xy: np.ndarray, cx: float, cy: float, i: int) -> tuple[float, int]:
    """Heap key of unit ``i``: its distance to ``(cx, cy)``, then its index."""
    return (math.hypot(xy[i, 0] - cx, xy[i, 1] - cy), i)


def _movable(state: _State, i: int) -> list[int] | None:
    """Return unit ``i`` with what only hangs on it, or ``None`` if a pin holds it."""
    if state.u.pinned[i] >= 0:
        return None
    return [i] if state.keeps_connected(i) else detach(state, i)


def detach(state: _State, i: int) -> list[int] | None:
    """Return ``i`` with the pieces of its territory that only hang on ``i``.

    The largest remaining piece stays; ``None`` if a detached piece holds a pin.
    """
    part, nbrs = state.part, state.u.nbrs
    a = part[i]
    seen = {i}
    pieces: list[list[int]] = []
    for s in nbrs[i]:
        if part[s] != a or s in seen:
            continue
        piece = [s]
        seen.add(s)
        queue = deque([s])
        while queue:
            x = queue.popleft()
            for y in nbrs[x]:
                if part[y] == a and y not in seen:
                    seen.add(y)
                    piece.append(y)
                    queue.append(y)
        pieces.append(piece)
    if len(pieces) <= 1:
        return [i]
    w = state.u.w
    pieces.sort(key=lambda pc: (-sum(w[j] for j in pc), min(pc)))
    group = [i] + [j for pc in pieces[1:] for j in pc]
    if any(state.u.pinned[j] >= 0 for j in group):
        return None
    return group


def path_balance(state: _State, tol: float, max_steps: int) -> int:
    """Move workload from the fullest to the emptiest territory along paths of territories.

    Each border on the path of neighbouring territories shifts by the same amount;
    returns the transfers made.
    """
    steps = 0
    blocked: set[tuple[int, int]] = set()
    while steps < max_steps:
        rel = [state.rel(c) for c in range(state.k)]
        order_over = sorted(range(state.k), key=lambda c: (-rel[c], c))
        order_under = sorted(range(state.k), key=lambda c: (rel[c], c))
        if rel[order_over[0]] <= 1 + tol and rel[order_under[0]] >= 1 - tol:
            break
        adj = state.territory_graph()
        ends = state.params.path_ends
        pair = next(((o, un) for o in order_over[:ends] for un in order_under[:ends]
                     if o != un and (o, un) not in blocked and rel[o] > rel[un]), None)
        if pair is None:
            break
        o, un = pair
        path = _territory_path(adj, o, un)
        amount = min(state.load[o] - state.target[o], state.target[un] - state.load[un])
        if state.fixed_centres is None:
            state.update_centres()
        if path is None or amount <= EPS:
            blocked.add(pair)
            continue
        moved = _along(state, path, amount)
        steps += 1
        if moved <= EPS:
            blocked.add(pair)
        else:
            blocked.clear()
    return steps


def _along(state: _State, path: list[int], amount: float) -> float:
    """Shift ``amount`` along ``path``, border by border; return what the last one moved."""
    moved = amount
    for x, y in itertools.pairwise(path):
        moved = transfer(state, x, y, moved)
        if moved <= EPS:
            break
    return moved


def _territory_path(adj: dict[int, set[int]], a: int, b: int) -> list[int] | None:
    """Shortest path of territories from ``a`` to ``b`` (lowest ids first), or ``None``."""
    prev = {a: -1}
    queue = deque([a])
    while queue:
        x = queue.popleft()
        if x == b:
            path = [b]
            while prev[path[-1]] >= 0:
                path.append(prev[path[-1]])
            return path[::-1]
        for y in sorted(adj[x]):
            if y not in prev:
                prev[y] = x
                queue.append(y)
    return None
