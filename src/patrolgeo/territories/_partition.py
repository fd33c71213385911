"""The fresh start: recursive bisection into connected, balanced halves.

METIS (``pymetis``, seeded) halves the area in the ratio of the two halves' capacities,
both on the units and on single segments (each unit then follows most of its
workload), with a few seeds, plus a straight cut across the long axis; each candidate
is repaired so both halves are connected and evened out by growing the lighter half
into the heavier from the border; the balanced candidate with the fewest cut pairs is
kept. With stations, chiefs are halved along the area's long axis and each half goes
to the side nearer its stations.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from patrolgeo.territories._params import (
    BISECTION_TOLERANCE,
    BISECTION_TRIES,
    DEFAULT_SEARCH,
    EPS,
    NEAR_ZERO_WEIGHT,
    SearchParams,
)
from patrolgeo.territories._paths import transfer
from patrolgeo.territories._state import _State
from patrolgeo.territories._units import _components, _Units


def _metis_sub(graph: _Units, members: np.ndarray, shares: list[float], seed: int,
               params: SearchParams = DEFAULT_SEARCH) -> np.ndarray:
    """Cut the subgraph of ``graph`` induced by ``members`` into parts of the given shares."""
    import pymetis

    local = np.full(len(graph.w), -1, dtype=np.int64)
    local[members] = np.arange(len(members))
    e = graph.edges
    keep = (local[e[:, 0]] >= 0) & (local[e[:, 1]] >= 0)
    a, b, c = local[e[keep, 0]], local[e[keep, 1]], e[keep, 2]
    n = len(members)
    if n < len(shares) or len(a) == 0:
        return np.arange(n) % len(shares)
    src = np.concatenate([a, b])
    dst = np.concatenate([b, a])
    wts = np.concatenate([c, c])
    order = np.lexsort((dst, src))
    src, dst, wts = src[order], dst[order], wts[order]
    xadj = np.concatenate([[0], np.cumsum(np.bincount(src, minlength=n))])
    w = np.asarray(graph.w)[members]
    total = w.sum()
    scale = params.metis_weight_scale / total if total > 0 else 1
    vweights = np.maximum(1, np.round(w * scale)).astype(int)
    tp = [x / sum(shares) for x in shares]
    tp[-1] = max(0.0, 1.0 - sum(tp[:-1]))
    _, parts = pymetis.part_graph(
        len(shares), pymetis.CSRAdjacency(xadj.tolist(), dst.tolist()),
        vweights=vweights.tolist(), eweights=wts.tolist(), tpwgts=tp,
        options=pymetis.Options(seed=seed, ufactor=params.metis_ufactor))
    return np.asarray(parts, dtype=np.int64)


def _repair_two(units: _Units, lab: list[int], members: np.ndarray) -> None:
    """Make sides 0 and 1 of a bisection connected: cut-off pieces go to the other side."""
    n = len(lab)
    e = units.edges
    pinned = np.asarray(units.pinned) >= 0
    w = np.asarray(units.w)
    for side in (0, 1):
        p = np.asarray(lab)
        same = (p[e[:, 0]] == side) & (p[e[:, 1]] == side)
        labels = _components(n, e[same, :2])
        mine = np.flatnonzero(p == side)
        if len(mine) == 0:
            continue
        comps = labels[mine]
        main = set(comps[pinned[mine]].tolist())
        if not main:
            comp_w = pd.Series(w[mine]).groupby(comps).sum()
            main = {int(comp_w.index[np.lexsort((comp_w.index, -comp_w.to_numpy()))[0]])}
        for i in mine[~np.isin(comps, list(main))]:
            lab[i] = 1 - side


def _split_chiefs(chiefs: list[int], xy: np.ndarray,
                  centres: np.ndarray | None) -> tuple[list[int], list[int]]:
    """Halve a group of chiefs; with stations, along the area's long axis."""
    half = len(chiefs) // 2
    if centres is None:
        return chiefs[:half], chiefs[half:]
    axis = np.linalg.svd(xy - xy.mean(axis=0), full_matrices=False)[2][0]
    proj = centres[chiefs] @ axis
    order = [chiefs[j] for j in np.lexsort((chiefs, proj))]
    return order[:half], order[half:]


@dataclass(frozen=True)
class _Bisection:
    """What every bisection of one recursive-bisection start shares."""

    units: _Units
    fine: _Units  # single segments as units
    fine_of_unit: list[np.ndarray]  # fine units of each unit
    target: np.ndarray
    seed: int
    centres: np.ndarray | None
    unit_pins: np.ndarray
    tolerance: float
    params: SearchParams


def _bisection_start(units: _Units, fine: _Units, target: np.ndarray, seed: int,
                     centres: np.ndarray | None, unit_pins: np.ndarray,
                     tolerance: float, params: SearchParams = DEFAULT_SEARCH) -> list[int]:
    """Recursive bisection into connected, balanced halves (METIS, repair, transfer).

    Each bisection tries METIS on the units and on single segments with a few seeds,
    repairs both halves to be connected, evens them out by growing the lighter half
    into the heavier, and keeps the candidate that is balanced with the fewest cuts.
    Both halves are connected, so every final territory is.
    """
    k = len(target)
    n = len(units.w)
    part = [0] * n
    if k == 1:
        return part
    ctx = _Bisection(units, fine, [fine.of_seg[m] for m in units.members], target, seed,
                     centres, unit_pins, tolerance, params)
    stack: list[tuple[np.ndarray, list[int]]] = [(np.arange(n), list(range(k)))]
    while stack:
        members, chiefs = stack.pop()
        if len(chiefs) == 1:
            for i in members:
                part[i] = chiefs[0]
            continue
        left, right = _split_chiefs(chiefs, units.xy[members], centres)
        p = np.asarray(_best_bisection(ctx, members, left, right))
        stack.append((np.flatnonzero(p == 1), right))
        stack.append((np.flatnonzero(p == 0), left))
    return part


def _best_bisection(ctx: _Bisection, members: np.ndarray, left: list[int],
                    right: list[int]) -> list[int]:
    """Sides (0 left, 1 right, 2 outside) of the best candidate cut of ``members``."""
    units = ctx.units
    t_left, t_right = float(ctx.target[left].sum()), float(ctx.target[right].sum())
    inside = np.zeros(len(units.w), dtype=bool)
    inside[members] = True
    best: tuple[tuple[float, int], list[int]] | None = None
    kinds = [(attempt, graph) for attempt in range(BISECTION_TRIES)
             for graph in (units, ctx.fine)] + [(0, None)]
    for attempt, graph in kinds:
        sides = _candidate_sides(ctx, graph, attempt, members, t_left, t_right)
        halves = _even_halves(ctx, sides, members, left, right, t_left, t_right)
        lab = halves.part
        score = _score(ctx, halves, inside, t_left, t_right)
        if best is None or score < best[0]:
            best = (score, lab)
    assert best is not None
    return best[1]


def _candidate_sides(ctx: _Bisection, graph: _Units | None, attempt: int,
                     members: np.ndarray, t_left: float, t_right: float) -> np.ndarray:
    """Side 0/1 of each member: METIS on units or single segments, or a straight cut."""
    units, fine = ctx.units, ctx.fine
    shares = [t_left, t_right]
    seed = ctx.seed * ctx.params.metis_seed_stride + attempt
    if graph is None:  # fallback: a straight cut across the long axis
        return _axis_split(units, members, t_left / (t_left + t_right))
    if graph is not fine:
        return _metis_sub(units, members, shares, seed, ctx.params)
    fine_of_unit = ctx.fine_of_unit
    fine_w = np.asarray(fine.w)
    fmembers = np.unique(np.concatenate([fine_of_unit[i] for i in members]))
    fparts = np.full(len(fine.w), -1, dtype=np.int64)
    fparts[fmembers] = _metis_sub(fine, fmembers, shares, seed, ctx.params)
    # each unit follows most of its workload
    return np.asarray([
        int(np.argmax(np.bincount(fparts[fine_of_unit[i]],
                                  weights=fine_w[fine_of_unit[i]] + NEAR_ZERO_WEIGHT,
                                  minlength=2)))
        for i in members])


def _even_halves(ctx: _Bisection, sides: np.ndarray, members: np.ndarray, left: list[int],
                 right: list[int], t_left: float, t_right: float) -> _State:
    """Orient a cut, apply pins, make both halves connected and even them out.

    Returns the light search state over the sides (0 left, 1 right, 2 outside).
    """
    units, unit_pins, tolerance = ctx.units, ctx.unit_pins, ctx.tolerance
    lab = [2] * len(units.w)
    for i, sd in zip(members.tolist(), sides.tolist(), strict=True):
        lab[i] = sd
    _orient(units, lab, members, left, right, ctx.centres, unit_pins)
    for i in members.tolist():
        pin = unit_pins[i]
        if pin >= 0:
            lab[i] = 0 if pin in left else 1
    _repair_two(units, lab, members)
    rest = float(ctx.target.sum()) - t_left - t_right
    state = _State(units, lab, np.asarray([t_left, t_right, max(rest, 1.0)]), None,
                   tolerance, np.zeros(1), 1.0, 0.0, light=True, params=ctx.params)
    for _ in range(ctx.params.bisection_rounds):
        excess = state.load[0] - t_left
        if abs(excess) <= BISECTION_TOLERANCE * tolerance * min(t_left, t_right):
            break
        x, y = (0, 1) if excess > 0 else (1, 0)
        state.update_centres()
        if transfer(state, x, y, abs(excess)) <= EPS:
            break
    return state


def _score(ctx: _Bisection, halves: _State, inside: np.ndarray, t_left: float,
           t_right: float) -> tuple[float, int]:
    """``(deviation beyond the tolerance, cut pairs)`` of a candidate, lower is better."""
    e = ctx.units.edges
    p = np.asarray(halves.part)
    dev = abs(halves.load[0] / t_left - 1) + abs(halves.load[1] / t_right - 1)
    cut = int(e[(p[e[:, 0]] != p[e[:, 1]]) & inside[e[:, 0]] & inside[e[:, 1]], 2].sum())
    return (round(max(dev - ctx.tolerance, 0.0), 6), cut)


def _axis_split(units: _Units, members: np.ndarray, share: float) -> np.ndarray:
    """Split ``members`` by a line across the area's long axis at the workload ``share``."""
    xy = units.xy[members]
    axis = np.linalg.svd(xy - xy.mean(axis=0), full_matrices=False)[2][0]
    proj = xy @ axis
    order = np.lexsort((members, proj))
    w = np.asarray(units.w)[members][order]
    cum = np.cumsum(w)
    sides = np.ones(len(members), dtype=np.int64)
    sides[order[cum - w / 2 <= share * cum[-1]]] = 0
    return sides


def _orient(units: _Units, lab: list[int], members: np.ndarray, left: list[int],
            right: list[int], centres: np.ndarray | None, unit_pins: np.ndarray) -> None:
    """Swap sides 0/1 if that agrees better with pins, then with the stations."""
    idx = members
    sides = np.asarray([lab[i] for i in idx])
    pins = unit_pins[idx]
    w = np.asarray(units.w)[idx]
    agree = disagree = 0.0
    for sd, pin, wi in zip(sides.tolist(), pins.tolist(), w.tolist(), strict=True):
        if pin < 0:
            continue
        if (pin in left) == (sd == 0):
            agree += wi + 1
        else:
            disagree += wi + 1
    flip = disagree > agree
    if agree == disagree and centres is not None:
        xy = units.xy[idx]
        c0 = xy[sides == 0].mean(axis=0) if (sides == 0).any() else xy.mean(axis=0)
        c1 = xy[sides == 1].mean(axis=0) if (sides == 1).any() else xy.mean(axis=0)
        gl, gr = centres[left].mean(axis=0), centres[right].mean(axis=0)
        keep = np.hypot(*(c0 - gl)) + np.hypot(*(c1 - gr))
        swap = np.hypot(*(c0 - gr)) + np.hypot(*(c1 - gl))
        flip = swap < keep
    if flip:
        for i in idx.tolist():
            lab[i] = 1 - lab[i]
