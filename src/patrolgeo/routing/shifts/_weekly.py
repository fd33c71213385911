"""Periodic plans: spread segments over the days of a cycle, then route each day."""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from patrolgeo.errors import InputRowError
from patrolgeo.routing.memetic import SearchSettings
from patrolgeo.routing.shifts._crews import Crew, PointVisit
from patrolgeo.routing.shifts._model import _values
from patrolgeo.routing.shifts._plan import SHIFT_COLUMNS, plan_shifts
from patrolgeo.routing.shifts._steps import ShiftPlan
from patrolgeo.segments import neighbour_ids, validate_segments

#: Most improvement passes of :func:`spread_visits`.
SPREAD_PASSES = 20


def visit_patterns(frequency: int, days: int = 7) -> list[tuple[int, ...]]:
    """List the evenly spread day patterns of ``frequency`` visits in ``days`` days.

    Consecutive visits (cyclically) are ``days // frequency`` or one more days apart,
    e.g. 2 a week: Mon+Thu, Tue+Fri ... ; 3 a week: Mon+Wed+Fri, ...

    Parameters
    ----------
    frequency
        Visits per cycle, ``1..days``.
    days
        Days in the cycle.

    Returns
    -------
    list of tuple
        The distinct patterns, sorted; each a sorted tuple of days ``0..days-1``.

    Raises
    ------
    ValueError
        When ``frequency`` is not within ``1..days``.

    Examples
    --------
    >>> visit_patterns(3, 7)[0]
    (0, 2, 4)
    """
    if not 1 <= frequency <= days:
        raise ValueError(f"frequency {frequency} is not within 1..{days}")
    patterns = {tuple(sorted({(o + (i * days) // frequency) % days for i in range(frequency)}))
                for o in range(days)}
    return sorted(patterns)


def _frequencies(visits_per_week: Mapping[str, int], workload: Mapping[str, float],
                 days: int) -> dict[str, int]:
    """Check the frequencies; keep the segments with a positive number of visits."""
    wanted = {}
    for sid, f in visits_per_week.items():
        if f is None or (isinstance(f, float) and math.isnan(f)):
            continue
        if float(f) != int(f) or not 0 <= int(f) <= days:
            raise InputRowError(f"segment {sid}: {f} visits a week is not a whole number "
                                f"within 0..{days}", field="visits_per_week")
        if int(f) > 0:
            wanted[sid] = int(f)
    for sid in wanted:
        if sid not in workload:
            raise InputRowError(f"segment {sid}: no workload", field="workload")
    return wanted


class _Spread:
    """Day loads and the chosen pattern of each segment, while they are placed."""

    def __init__(self, wanted: dict[str, int], workload: Mapping[str, float], days: int,
                 adjacency: Mapping[str, Iterable[str]] | None) -> None:
        self.wanted = wanted
        self.workload = workload
        self.patterns = {f: visit_patterns(f, days) for f in set(wanted.values())}
        self.load = np.zeros(days)
        self.chosen: dict[str, tuple[int, ...]] = {}
        self.neighbours = {sid: list(adjacency.get(sid, ())) if adjacency else []
                           for sid in wanted}

    def together(self, sid: str, pattern: tuple[int, ...]) -> int:
        """Neighbours of ``sid`` already served on the days of ``pattern``."""
        chosen = self.chosen
        return sum(1 for n in self.neighbours[sid] if n in chosen
                   for d in pattern if d in chosen[n])

    def best_pattern(self, sid: str) -> tuple[int, ...]:
        """Lightest busiest day, then least sum of squares, then most together."""
        w = float(self.workload[sid])
        options = []
        for pattern in self.patterns[self.wanted[sid]]:
            trial = self.load.copy()
            trial[list(pattern)] += w
            options.append((round(trial.max(), 9), round(float((trial ** 2).sum()), 6),
                            -self.together(sid, pattern), pattern))
        return min(options)[3]

    def place(self, sid: str) -> tuple[int, ...]:
        """Put ``sid`` on its best pattern now."""
        pattern = self.best_pattern(sid)
        self.chosen[sid] = pattern
        self.load[list(pattern)] += float(self.workload[sid])
        return pattern

    def lift(self, sid: str) -> tuple[int, ...]:
        """Take ``sid`` off its pattern."""
        old = self.chosen.pop(sid)
        self.load[list(old)] -= float(self.workload[sid])
        return old


def spread_visits(
    visits_per_week: Mapping[str, int],
    workload: Mapping[str, float],
    *,
    days: int = 7,
    adjacency: Mapping[str, Iterable[str]] | None = None,
    passes: int = SPREAD_PASSES,
) -> dict[str, tuple[int, ...]]:
    """Choose the days on which each segment is served, balancing the daily workload.

    Each segment with ``f`` visits a week gets one of the evenly spread patterns of
    :func:`visit_patterns`. Segments are placed largest first on the pattern that keeps
    the busiest day lightest (then the sum of squared daily loads, then most
    neighbours already on those days, so that a day's streets hang together), and
    moved between patterns while that improves the balance.

    Parameters
    ----------
    visits_per_week
        Visits per segment id (segments with 0 are left out).
    workload
        Work of one visit per segment id (metres, minutes, demand).
    days
        Days in the cycle (7; 5 or 6 for working weeks).
    adjacency
        Segment ids touching each segment id (optional tie-breaker).
    passes
        Most improvement passes.

    Returns
    -------
    dict
        ``{segment_id: (day, ...)}`` with days ``0..days-1``.

    Raises
    ------
    InputRowError
        A frequency that is not a whole number within ``0..days``.

    Examples
    --------
    >>> spread_visits({"a": 1, "b": 1}, {"a": 1.0, "b": 1.0}, days=2)
    {'a': (0,), 'b': (1,)}
    """
    wanted = _frequencies(visits_per_week, workload, days)
    spread = _Spread(wanted, workload, days, adjacency)
    order = sorted(wanted, key=lambda s: (-float(workload[s]) * wanted[s], s))
    for sid in order:
        spread.place(sid)
    for _ in range(passes):
        moved = False
        for sid in order:
            old = spread.lift(sid)
            moved |= spread.place(sid) != old
        if not moved:
            break
    return {sid: spread.chosen[sid] for sid in sorted(spread.chosen)}


@dataclass
class WeeklyPlan:
    """Routes for every day of a cycle and the days each segment is served.

    Attributes
    ----------
    days
        One :class:`ShiftPlan` per day (``None`` for a day without work).
    assignment
        ``{segment_id: (day, ...)}``.
    day_loads
        Workload per day (the quantity that was balanced).
    """

    days: list[ShiftPlan | None]
    assignment: dict[str, tuple[int, ...]]
    day_loads: list[float]


def weekly_plan(
    G,
    segments,
    visits_per_week: str | Mapping[str, int],
    *,
    depot: Hashable,
    crews: Sequence[Crew] | Crew,
    days: int = 7,
    workload: str | Mapping[str, float] = "length_m",
    demand: str | Mapping[str, float] | None = None,
    visits_by_day: Mapping[int, Sequence[PointVisit]] | None = None,
    sides: str = "either",
    balance: bool | str = False,
    settings: SearchSettings | None = None,
) -> WeeklyPlan:
    """Spread segments needing several visits a week over the days, then route each day.

    Parameters
    ----------
    G, segments
        The street graph and its segments.
    visits_per_week
        A column of ``segments`` or a mapping ``{segment_id: visits}`` (from the
        cleaning plans); segments with none are not served.
    depot, crews, demand, sides, balance, settings
        As for :func:`plan_shifts`, for every day.
    days
        Days in the cycle.
    workload
        What to balance across days: a column (default ``length_m``) or a mapping.
    visits_by_day
        Point visits of each day (school-gate posts on school days ...).

    Returns
    -------
    WeeklyPlan

    Raises
    ------
    SegmentsError
        When ``segments`` breaks the segments contract.
    InputRowError
        A bad frequency, or as for :func:`plan_shifts`.
    """
    validate_segments(segments, SHIFT_COLUMNS)
    freq = _values(segments, visits_per_week, "visits_per_week")
    work = _values(segments, workload, "workload")
    assignment = spread_visits(freq, work, days=days, adjacency=neighbour_ids(segments))
    plans: list[ShiftPlan | None] = []
    loads = []
    for day in range(days):
        todo = [sid for sid, ds in assignment.items() if day in ds]
        loads.append(float(sum(float(work[s]) for s in todo)))
        day_visits = list((visits_by_day or {}).get(day, ()))
        if not todo and not day_visits:
            plans.append(None)
            continue
        plans.append(plan_shifts(G, segments, depot=depot, crews=crews, required=todo,
                                 demand=demand, visits=day_visits, sides=sides,
                                 balance=balance, settings=settings))
    return WeeklyPlan(plans, assignment, loads)
