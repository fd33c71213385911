"""End-to-end runs over the stages: what ``patrolgeo demo`` and the CLI verbs call.

One module per verb. Each verb is two steps: a computation that takes and returns frames,
graphs and results (``load_roads``, ``plan_from_osm``, ``analyse_issues``, ``assign``,
``plan_route``, ``plan_shift_tables``), then a writer that puts them in a folder with their
words in the caller's language (``write_*``, ``draw_maps``). The CLI and, later, the service
call the same functions.
"""

from patrolgeo.pipeline._common import (
    DEFAULT_MAP_OPTIONS,
    DEFAULT_NETWORK_OPTIONS,
    MapOptions,
    NetworkOptions,
    RoadsResult,
    RunOutputs,
    Step,
    demo_osm_path,
    excluded_note,
    excluded_table,
    helsinki_osm_path,
    load_roads,
    staged_run,
    write_excluded,
    write_roads,
)
from patrolgeo.pipeline._demo import run_demo
from patrolgeo.pipeline._issues import (
    IssuesResult,
    analyse_issues,
    pois_context,
    read_assignment,
    synthetic_issues,
    write_hotspots,
)
from patrolgeo.pipeline._maps import draw_maps
from patrolgeo.pipeline._plans import plan_from_osm, write_plans
from patrolgeo.pipeline._route import RouteResult, plan_route, read_required_segments, write_route
from patrolgeo.pipeline._shifts import ShiftTables, plan_shift_tables, write_shifts
from patrolgeo.pipeline._territories import assign, write_territories

__all__ = [
    "DEFAULT_MAP_OPTIONS",
    "DEFAULT_NETWORK_OPTIONS",
    "IssuesResult",
    "MapOptions",
    "NetworkOptions",
    "RoadsResult",
    "RouteResult",
    "RunOutputs",
    "ShiftTables",
    "Step",
    "analyse_issues",
    "assign",
    "demo_osm_path",
    "draw_maps",
    "excluded_note",
    "excluded_table",
    "helsinki_osm_path",
    "load_roads",
    "plan_from_osm",
    "plan_route",
    "plan_shift_tables",
    "pois_context",
    "read_assignment",
    "read_required_segments",
    "run_demo",
    "staged_run",
    "synthetic_issues",
    "write_excluded",
    "write_hotspots",
    "write_plans",
    "write_roads",
    "write_route",
    "write_shifts",
    "write_territories",
]
