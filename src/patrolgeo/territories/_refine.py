"""Refinement: moves and swaps within the band that lower the cost.

The cost is ``cut pairs + compactness + road splits`` (plus moves away from a previous
chief when re-assigning). Units that are pinned, or still wholly with their previous
chief, are not moved to polish the result.
"""

from __future__ import annotations

from patrolgeo.territories._params import EPS
from patrolgeo.territories._state import _State


def refine(state: _State, max_passes: int) -> int:
    """Apply improving boundary moves and swaps within the band; return moves made."""
    moves = 0
    for _ in range(max_passes):
        improved = _refine_moves(state)
        if not improved:
            improved = refine_swaps(state, state.params.refine_swaps)
        moves += improved
        if state.fixed_centres is None:
            state.update_centres()
        if not improved:
            break
    return moves


def _refine_moves(state: _State) -> int:
    """One pass of the best improving single move of each boundary unit; return moves."""
    u = state.u
    improved = 0
    for i in state.boundary():
        if state.settled(i):
            continue
        a = state.part[i]
        best, best_b = -state.params.improvement, -1
        for b in sorted({state.part[v] for v in u.nbrs[i]} - {a}):
            if not state.fits(u.w[i], a, b):
                continue
            d = state.delta_cost(i, a, b)
            if d < best:
                best, best_b = d, b
        if best_b >= 0 and state.keeps_connected(i):
            state.move(i, best_b)
            improved += 1
    return improved


def _swap_partners(state: _State) -> dict[tuple[int, int], list[int]]:
    """Boundary units that may move, by ``(their chief, a neighbouring chief)``."""
    u, part = state.u, state.part
    take: dict[tuple[int, int], list[int]] = {}
    for j in state.boundary():
        if not state.settled(j):
            for a in {part[v] for v in u.nbrs[j]} - {part[j]}:
                take.setdefault((part[j], a), []).append(j)
    return take


def _partner_options(state: _State, i: int, a: int, b: int, di: float,
                     partners: list[int]) -> list[tuple[float, int]]:
    """Return the best few units of ``b`` to send back to ``a`` for ``i``, in band."""
    u, part, load = state.u, state.part, state.load
    lo_a, lo_b = ((1 - state.tol) * state.target[c] - EPS for c in (a, b))
    hi_a, hi_b = ((1 + state.tol) * state.target[c] + EPS for c in (a, b))
    options = []
    for j in partners:
        if j == i or part[j] != b:
            continue
        la = load[a] - u.w[i] + u.w[j]
        lb = load[b] + u.w[i] - u.w[j]
        if lo_a <= la <= hi_a and lo_b <= lb <= hi_b:
            options.append((state.delta_cost(j, b, a), j))
    improvement = state.params.improvement
    return sorted(o for o in options if o[0] + di < -improvement)[
        :state.params.refine_swap_options]


def _try_swap(state: _State, i: int, a: int, b: int, di: float,
              options: list[tuple[float, int]]) -> bool:
    """Move ``i`` to ``b`` and one of ``options`` back to ``a``; undo if none fits."""
    u, part = state.u, state.part
    state.move(i, b)
    for _, j in options:
        if (part[j] == b and any(part[v] == a for v in u.nbrs[j])
                and state.delta_cost(j, b, a) + di < -state.params.improvement
                and state.keeps_connected(j)):
            state.move(j, a)
            return True
    state.move(i, a)
    return False


def _swap_unit(state: _State, i: int, take: dict[tuple[int, int], list[int]]) -> bool:
    """Make the first improving swap of unit ``i`` with a neighbour; return whether made."""
    u, part = state.u, state.part
    a = part[i]
    for b in sorted({part[v] for v in u.nbrs[i]} - {a}):
        di = state.delta_cost(i, a, b)
        if di >= -state.params.improvement or state.fits(u.w[i], a, b):
            continue
        options = _partner_options(state, i, a, b, di, take.get((b, a), []))
        if not options or not state.keeps_connected(i):
            continue
        if _try_swap(state, i, a, b, di, options):
            return True
    return False


def refine_swaps(state: _State, max_swaps: int) -> int:
    """Apply improving exchanges of two units that a single move cannot make in the band.

    One unit goes out, a similar one comes back; returns the units moved.
    """
    take = _swap_partners(state)
    done = 0
    for i in state.boundary():
        if done >= max_swaps or state.settled(i):
            continue
        if _swap_unit(state, i, take):
            done += 2
    return done
