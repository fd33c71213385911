"""Shift plans: the street model solved by the memetic search, then balanced."""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import replace

from pyvrp import ProblemData, Solution
from pyvrp import Route as PyVRPRoute

from patrolgeo.errors import CapacityError, RoutingError
from patrolgeo.routing.memetic import SearchSettings, solve_problem
from patrolgeo.routing.shifts._crews import Crew, PointVisit
from patrolgeo.routing.shifts._limits import _check_limits
from patrolgeo.routing.shifts._model import (
    DISTANCE_SCALE,
    _activity_location,
    _build_model,
    _Model,
    _tasks,
)
from patrolgeo.routing.shifts._steps import ShiftPlan, _plan_from_solution
from patrolgeo.segments import CORE_COLUMNS, validate_segments

#: Columns a shift plan reads from the segments (the graph edge of each segment).
SHIFT_COLUMNS = (*CORE_COLUMNS, "key")
#: Bisection rounds of balancing: each halves the gap between bound and longest route.
BALANCE_ROUNDS = 8
#: Each balancing round gets this share (1/4) of the offspring budget, at least
#: BALANCE_MIN_ITERATIONS, counted from BALANCE_DEFAULT_ITERATIONS when unlimited.
BALANCE_ITERATION_DIVISOR = 4
BALANCE_MIN_ITERATIONS = 50
BALANCE_DEFAULT_ITERATIONS = 1000


def _transfer(solution: Solution, data: ProblemData) -> Solution:
    from pyvrp import Activity

    routes = []
    for r in solution.routes():
        acts = [Activity(a.type, a.idx) for a in list(r)[1:-1]]
        routes.append(PyVRPRoute(data, acts, r.vehicle_type()))
    return Solution(data, routes)


def _tightened(data: ProblemData, by: str, limit: int) -> ProblemData:
    """Return the problem with every route's distance or duration limited to ``limit``."""
    if by == "distance":
        types = [vt.replace(max_distance=min(vt.max_distance, limit))
                 for vt in data.vehicle_types()]
    else:
        types = [vt.replace(shift_duration=min(vt.shift_duration, limit))
                 for vt in data.vehicle_types()]
    return data.replace(vehicle_types=types)


def _balance(model: _Model, solution: Solution, settings: SearchSettings, by: str,
             rounds: int = BALANCE_ROUNDS) -> tuple[Solution, int]:
    """Lower the longest route by bisection on a route limit (distance or duration)."""
    def longest(sol: Solution) -> int:
        return max(r.distance() if by == "distance" else r.duration() for r in sol.routes())

    data = model.data
    vehicles = data.num_vehicles
    work = (sum(model.loc_len[_activity_location(model, a)] for r in solution.routes()
                for a in r if a.is_client()) * DISTANCE_SCALE)
    lo = math.ceil(work / vehicles) if by == "distance" else 0
    hi = longest(solution)
    done = 0
    quick = replace(
        settings, seconds=None if settings.seconds is None else settings.seconds / rounds,
        iterations=max(BALANCE_MIN_ITERATIONS,
                       (settings.iterations or BALANCE_DEFAULT_ITERATIONS)
                       // BALANCE_ITERATION_DIVISOR))
    while done < rounds and lo < hi:
        done += 1
        limit = (lo + hi) // 2
        tight = _tightened(data, by, limit)
        candidate = solve_problem(tight, quick, initial=[_transfer(solution, tight)]).solution
        if candidate.is_feasible() and longest(candidate) < hi:
            solution = _transfer(candidate, data)
            hi = longest(solution)
        else:
            lo = limit + 1
    return solution, done


def _balance_by(balance: bool | str, crews: Sequence[Crew]) -> str:
    by = balance if isinstance(balance, str) else (
        "time" if any(c.shift_s is not None for c in crews) else "distance")
    if by not in ("distance", "time"):
        raise ValueError(f"balance {balance!r}: use 'distance' or 'time'")
    return by


def _check_visits(visits: list[PointVisit], has_tasks: bool) -> None:
    ids = [v.visit_id for v in visits]
    if len(set(ids)) != len(ids):
        raise RoutingError("visit ids are not unique", field="visit_id")
    if not has_tasks and not visits:
        raise RoutingError("nothing to route: no required segment and no visit",
                           field="required")


def plan_shifts(
    G,
    segments,
    *,
    depot: Hashable,
    crews: Sequence[Crew] | Crew,
    required: Iterable[str] | None = None,
    demand: str | Mapping[str, float] | None = None,
    visits: Sequence[PointVisit] = (),
    sides: str = "either",
    balance: bool | str = False,
    reload_s: float = 600.0,
    settings: SearchSettings | None = None,
) -> ShiftPlan:
    """Split the required streets and point visits over crews' shifts.

    Parameters
    ----------
    G
        The projected street graph (``roads.load_graph``); edges carry ``length``.
    segments
        Segments of ``G`` (``roads.segments_from_graph``).
    depot
        Graph node where every route starts and ends (see
        :func:`patrolgeo.segments.nearest_node`).
    crews
        The crews available (count, speeds, capacity, shift length, working hours).
    required
        Segment ids to serve (default: every row of ``segments``).
    demand
        Load of serving each segment (litter, kg): a column of ``segments`` or a
        mapping; counts against the crews' ``capacity``.
    visits
        Point visits with service times and time windows (:func:`school_gate_visits`).
    sides
        ``"either"``: a two-way street is served once, in either direction (patrols);
        ``"both"``: each direction is served (sweeping both kerbs), half the demand
        each; or a column of ``segments`` holding one of these per segment.
    balance
        ``False`` minimises total distance; ``"distance"`` or ``"time"`` (``True``:
        time when a crew has a shift length, else distance) then lowers the longest
        route as far as the search can.
    reload_s
        Seconds spent emptying the hopper at a reload node.
    settings
        Search settings; by default at most 1,000 offspring, stopping after 300
        without improvement, seed 0 (reproducible).

    Returns
    -------
    ShiftPlan
        Routes as walks over graph edges, with stops and times.

    Raises
    ------
    SegmentsError
        When ``segments`` breaks the segments contract.
    CapacityError
        A segment or visit that no crew can do even alone (naming it and the limit
        field), or crews too few for the whole work.
    RoutingError
        A segment, visit or node the depot cannot reach.
    """
    validate_segments(segments, SHIFT_COLUMNS)
    crews = [crews] if isinstance(crews, Crew) else list(crews)
    settings = settings or SearchSettings()
    tasks = _tasks(G, segments, required, demand, sides)
    visits = list(visits)
    _check_visits(visits, bool(tasks))
    model = _build_model(G, segments, tasks, depot, crews, visits, reload_s)
    _check_limits(model)
    result = solve_problem(model.data, settings)
    solution, stats = result.solution, result.stats
    if not solution.is_feasible():
        raise CapacityError(
            f"{sum(c.count for c in crews)} crew(s) cannot serve all the work within "
            "their shifts, capacities and windows; add crews or lengthen shifts",
            field="count")
    if balance:
        by = _balance_by(balance, crews)
        solution, rounds = _balance(model, solution, settings, by)
        stats = dict(stats, balance=by, balance_rounds=rounds)
    return _plan_from_solution(model, solution, depot, stats)
