"""Balancing moves: single boundary moves, or swaps of two units, towards the band.

Each step takes the territory farthest outside ``1 ± tol`` and makes the cheapest move
(by the refine objective) that lowers the sum of squared relative overloads without
splitting a territory; where units are too coarse for one move, two units are swapped.
"""

from __future__ import annotations

from patrolgeo.territories._params import EPS
from patrolgeo.territories._state import _State


def balance(state: _State, max_moves: int, tol: float | None = None) -> int:
    """Move units until every territory is within ``1 ± tol``; return moves made."""
    tol = state.tol if tol is None else tol
    moves = 0
    stuck: set[int] = set()
    while moves < max_moves:
        c = _worst(state, tol, stuck)
        if c is None:
            break
        made = _first_connected_move(state, _balance_moves(state, c))
        if not made and swap(state, c, tol):
            made = 2
        moves += made
        if made:
            stuck.clear()
        else:
            stuck.add(c)
    return moves


def _worst(state: _State, tol: float, stuck: set[int]) -> int | None:
    """Return the chief farthest outside the band (highest id of ties), not yet stuck."""
    worst = [(state.violation(c, tol), c) for c in range(state.k)
             if c not in stuck and state.violation(c, tol) > EPS]
    return max(worst)[1] if worst else None


def _may_give(state: _State, a: int, c: int, over: bool) -> bool:
    """Whether a unit of chief ``a`` may move to balance ``c`` (out of it, or into it)."""
    if over:
        return a == c
    return a != c and state.rel(a) > state.rel(c)


def _balance_moves(state: _State, c: int) -> list[tuple[float, float, int, int]]:
    """List moves ``(cost, -workload, unit, to)`` out of an overfull or into an underfull ``c``.

    Only moves that lower the squared overloads count, cheapest first; among moves of
    equal cost the one of more workload.
    """
    u, part = state.u, state.part
    over = state.rel(c) > 1
    cands = []
    for i in range(len(part)):
        a = part[i]
        if u.pinned[i] >= 0 or not _may_give(state, a, c, over):
            continue
        targets = {part[v] for v in u.nbrs[i]} - {a}
        if not over:
            targets &= {c}
        for b in targets:
            if over and state.rel(b) >= state.rel(c):
                continue
            if state.delta_phi(u.w[i], a, b) >= -EPS:
                continue
            cands.append((state.delta_cost(i, a, b), -u.w[i], i, b))
    cands.sort()
    return cands


def _first_connected_move(state: _State, cands: list[tuple[float, float, int, int]]) -> int:
    """Make the first of the best candidates that splits no territory; return 1 or 0."""
    for *_, i, b in cands[:state.params.balance_candidates]:
        if state.keeps_connected(i):
            state.move(i, b)
            return 1
    return 0


def _excess(load: float, target: float, tol: float) -> float:
    """How far ``load`` lies outside ``1 ± tol`` of ``target``, relative to it."""
    r = load / target
    return max(r - 1 - tol, 1 - tol - r, 0.0)


def _swap_sides(state: _State, c: int) -> tuple[dict[int, list[int]], dict[int, list[int]]]:
    """Units of ``c`` touching each neighbour ``b``, and units of each ``b`` touching ``c``."""
    u, part = state.u, state.part
    give: dict[int, list[int]] = {}
    take: dict[int, list[int]] = {}
    for i in range(len(part)):
        if u.pinned[i] >= 0:
            continue
        touching = {part[v] for v in u.nbrs[i]}
        if part[i] == c:
            for b in touching - {c}:
                give.setdefault(b, []).append(i)
        elif c in touching:
            take.setdefault(part[i], []).append(i)
    return give, take


def _swap_options(state: _State, c: int, tol: float) -> list[tuple[float, float, int, int]]:
    """List swaps ``(excess after, cost, unit of c, unit of b)`` that lower the excess."""
    u, load, target = state.u, state.load, state.target
    give, take = _swap_sides(state, c)
    ranked = []
    for b in sorted(give):
        before = _excess(load[c], target[c], tol) + _excess(load[b], target[b], tol)
        for i in give[b]:
            for j in take.get(b, []):
                d = u.w[j] - u.w[i]
                after = (_excess(load[c] + d, target[c], tol)
                         + _excess(load[b] - d, target[b], tol))
                if after < before - EPS:
                    ranked.append((after, i, j))
    ranked.sort()
    options = []
    for after, i, j in ranked[:state.params.swap_ranked]:
        b = state.part[j]
        options.append((after, state.delta_cost(i, c, b) + state.delta_cost(j, b, c), i, j))
    options.sort()
    return options


def swap(state: _State, c: int, tol: float) -> bool:
    """Exchange a unit of c for a unit of a neighbour when no single move balances.

    Units are coarse next to a small imbalance: giving one unit and taking back a
    slightly smaller one moves the difference. Returns whether a swap was made.
    """
    u, part = state.u, state.part
    for _, _, i, j in _swap_options(state, c, tol)[:state.params.swap_tried]:
        b = part[j]
        if not state.keeps_connected(i):
            continue
        state.move(i, b)
        if any(part[v] == c for v in u.nbrs[j]) and state.keeps_connected(j):
            state.move(j, c)
            return True
        state.move(i, c)
    return False
