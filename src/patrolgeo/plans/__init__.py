"""Road cleaning grades and per-road cleaning plans (道路分级分类保洁, 一路一策).

Every road (the ``road_id`` groups of :func:`patrolgeo.roads.segments_from_graph`) is cut
into sections (路段, ``<road_id>#1``, ``#2`` … along it) where its grade evidence changes,
each at least :data:`MIN_SECTION_M` long; each section gets a grade 一级 … 四级 from
configurable rules over OSM evidence, with its reasons, and a plan (methods,
frequencies, time windows, cleaned area, crew-hours, the road chief's patrols); every
segment carries its section and a ``workload`` in minutes per week that road-chief
territories are balanced on.

The rules live in a TOML file; the defaults ship as ``patrolgeo/data/plan_rules.toml``
and document every key. A user's file is laid over the defaults. A CSV of per-road
overrides always wins over the rules.

Evidence, measured per section (and, to cut the sections, around each segment):

* ``frontage``: the share of the road's length that has a shop, restaurant, market or
  commercial area within ``frontage_m`` metres on either side, measured at points every
  ``sample_step_m`` metres along every segment (one vectorised STRtree query);
* ``frontage_count``: distinct frontage features within ``frontage_m`` of the road;
* ``draw``: the weighted count of POIs within ``draw_m`` metres, per km of road;
* distance to the nearest public feature of each ``near`` selector of the rules (a
  venue, school or hospital inside a campus or other closed compound is not public);
* ``bus_share``: the share of length on ways of bus route relations;
* the main highway class, and the length-weighted median of ``lanes`` and ``width``.

The stage computes with codes (grades ``1`` … ``4``, method codes, :class:`Reason`
codes with the measured values); the writers of :mod:`patrolgeo.outputs.plans` put
them into words in the language of the call.

Examples
--------
>>> from patrolgeo import plans
>>> rules = plans.load_rules()
>>> plans.parse_grade("二级"), rules.grades[1].chief_patrol in [p.code for p in rules.patrol]
(2, True)
"""

from patrolgeo.plans._evidence import covered_lengths, road_evidence
from patrolgeo.plans._grading import Reason, grade_roads
from patrolgeo.plans._load import load_rules
from patrolgeo.plans._overrides import OVERRIDE_COLUMNS, Override, read_overrides
from patrolgeo.plans._plan import (
    PLAN_COLUMNS,
    PLAN_SEGMENT_COLUMNS,
    SECTION_SEGMENT_COLUMNS,
    PlanResult,
    grade_mix,
    method_codes,
    plan_roads,
)
from patrolgeo.plans._rules import (
    GRADES,
    HIGHWAY_CLASSES,
    GradePlan,
    PatrolStep,
    Rule,
    Rules,
    Window,
    default_rules_path,
    parse_grade,
    parse_time,
    parse_window,
)
from patrolgeo.plans._sections import MIN_SECTION_M, WINDOW_M, chainages, cut_runs
from patrolgeo.plans._widths import segment_widths

__all__ = [
    "GRADES", "HIGHWAY_CLASSES", "MIN_SECTION_M", "OVERRIDE_COLUMNS", "PLAN_COLUMNS",
    "PLAN_SEGMENT_COLUMNS", "SECTION_SEGMENT_COLUMNS", "WINDOW_M", "GradePlan", "Override",
    "PatrolStep", "PlanResult", "Reason", "Rule", "Rules", "Window", "chainages",
    "covered_lengths", "cut_runs", "default_rules_path", "grade_mix", "grade_roads",
    "load_rules", "method_codes", "parse_grade", "parse_time", "parse_window", "plan_roads",
    "read_overrides", "road_evidence", "segment_widths",
]
