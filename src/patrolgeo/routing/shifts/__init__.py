"""Capacitated and timed street routes with PyVRP: shifts, hoppers, time windows, weeks.

Arc routing as a vehicle routing problem: each required street segment becomes a
*mutually exclusive pair of directed clients* (a PyVRP client group: serve it one way or
the other; a one-way street has a single client); point visits (school-gate posts
助学岗, restaurant inspections, sorting kiosks) are ordinary clients with a time window
and a service time. Distances and times between clients are shortest paths over the
street graph, so a solution maps back to an explicit walk over graph edges.

The search is the memetic algorithm of :mod:`patrolgeo.routing.memetic` around PyVRP's
local search; the same engine solves the CARP benchmarks (:mod:`patrolgeo.routing.carp`),
where it is checked against the best known values.

Examples
--------
>>> from patrolgeo.routing.shifts import Crew, clock
>>> Crew("chief", count=3, start_s=clock("07:00")).start_s
25200.0
"""

from patrolgeo.routing.memetic import MemeticParams, MemeticResult, SearchSettings, solve_problem
from patrolgeo.routing.shifts._crews import (
    SCHOOL_HOURS,
    Crew,
    PointVisit,
    clock,
    format_clock,
    school_gate_visits,
)
from patrolgeo.routing.shifts._model import DEMAND_SCALE, DISTANCE_SCALE
from patrolgeo.routing.shifts._plan import plan_shifts
from patrolgeo.routing.shifts._steps import (
    ShiftPlan,
    ShiftRoute,
    Step,
    Stop,
    as_route,
    to_route,
)
from patrolgeo.routing.shifts._tables import plan_tables
from patrolgeo.routing.shifts._weekly import (
    WeeklyPlan,
    spread_visits,
    visit_patterns,
    weekly_plan,
)
from patrolgeo.segments import nearest_node

__all__ = [
    "DEMAND_SCALE",
    "DISTANCE_SCALE",
    "SCHOOL_HOURS",
    "Crew",
    "MemeticParams",
    "MemeticResult",
    "PointVisit",
    "SearchSettings",
    "ShiftPlan",
    "ShiftRoute",
    "Step",
    "Stop",
    "WeeklyPlan",
    "as_route",
    "clock",
    "format_clock",
    "nearest_node",
    "plan_shifts",
    "plan_tables",
    "school_gate_visits",
    "solve_problem",
    "spread_visits",
    "to_route",
    "visit_patterns",
    "weekly_plan",
]
