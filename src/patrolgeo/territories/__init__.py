"""Road-chief territories: every segment to exactly one of k chiefs.

A territory is a set of segments that is connected over the road network (segments
touch when they share an end node), carries a fair share of the district's workload, is
compact (few segment pairs cut between territories, short distances to its centre) and
keeps each named road whole unless the road is longer than a share of a territory.

The method is graph partitioning plus local search, as in districting for arc routing:

1. *Units.* Each named road short enough to stay whole (workload at most ``road_share``
   of a mean territory) becomes one unit per connected piece; every other segment is a
   unit of its own. Pins split a unit whose segments are pinned to different chiefs.
2. *Start.* Recursive bisection: METIS (``pymetis``, seeded) halves the area in the
   ratio of the two halves' capacities, both on the units and on single segments (each
   unit then follows most of its workload), with a few seeds; each candidate is repaired
   so both halves are connected and evened out by growing the lighter half into the
   heavier from the border (nearest its centre first); the balanced candidate with the
   fewest cut pairs is kept. With stations, chiefs are halved along the area's long axis
   and each half goes to the side nearer its stations. A re-assignment instead starts
   from the previous assignment: segments keep their chief, new segments inherit from
   the pieces of the same OSM way or from their neighbours, a new chief grows from the
   edge of the fullest territory.
3. *Repair.* Pinned units of one chief are joined by shortest paths; pieces cut off
   from their territory join the neighbour they share most boundary with.
4. *Balance.* Far-off loads first move in bulk along paths of neighbouring territories;
   then single boundary moves, or swaps of two units where units are coarse, lower the
   sum of squared relative overloads until every territory lies within
   ``1 ± tolerance`` of its target. No move splits a territory (checked by lock-step
   searches from the moved unit's neighbours). If whole roads block the balance, the
   roads at the violating boundaries are opened into segments and the step repeats.
5. *Refine.* Boundary moves and swaps that keep the band and lower
   ``cut pairs + compactness + road splits``. A re-assignment only polishes units that
   have already left their previous chief, so nothing moves that the balance does not
   need.

Workload is minutes per week per segment. Until the plans stage provides a ``workload``
column, the fallback is the minutes needed to walk the segment once at
:data:`DEFAULT_PATROL_SPEED_KMH`. An optional per-segment issue load is added with
weight ``issue_weight`` (minutes per unit of issue load).

Examples
--------
>>> from patrolgeo import roads, territories
>>> G = roads.load_graph("district.osm", mode="walk")  # doctest: +SKIP
>>> result = territories.assign_territories(G, roads.segments_from_graph(G), 5)  # doctest: +SKIP
>>> territories.assignment_table(result).to_csv("assignments.csv", index=False)  # doctest: +SKIP
"""

from patrolgeo.territories._assign import assign_territories
from patrolgeo.territories._evaluate import Territories, TerritoryStats, evaluate
from patrolgeo.territories._inputs import read_assignment, read_pins, read_stations
from patrolgeo.territories._notes import (
    DISCONNECTED,
    OUT_OF_BAND,
    PREVIOUS_DISJOINT,
    TerritoryNote,
    note_text,
)
from patrolgeo.territories._params import (
    ASSIGNMENT_COLUMNS,
    BALANCE_MARGIN,
    BISECTION_TOLERANCE,
    BISECTION_TRIES,
    BULK_VIOLATION,
    COMPACTNESS_WEIGHT,
    DEFAULT_ISSUE_WEIGHT,
    DEFAULT_PATROL_SPEED_KMH,
    DEFAULT_ROAD_SHARE,
    DEFAULT_TOLERANCE,
    LONG_ROAD_WEIGHT,
    MAX_STATION_SNAP_M,
    MOVE_WEIGHT,
    UNNAMED_ROAD_WEIGHT,
    WHOLE_ROAD_WEIGHT,
    SearchParams,
)
from patrolgeo.territories._routes import (
    TerritoryRoutes,
    assignment_table,
    summary_table,
    territory_routes,
    with_routes,
)
from patrolgeo.territories._workload import chief_ids, segment_workload

__all__ = [
    "ASSIGNMENT_COLUMNS",
    "BALANCE_MARGIN",
    "BISECTION_TOLERANCE",
    "BISECTION_TRIES",
    "BULK_VIOLATION",
    "COMPACTNESS_WEIGHT",
    "DEFAULT_ISSUE_WEIGHT",
    "DEFAULT_PATROL_SPEED_KMH",
    "DEFAULT_ROAD_SHARE",
    "DEFAULT_TOLERANCE",
    "DISCONNECTED",
    "LONG_ROAD_WEIGHT",
    "MAX_STATION_SNAP_M",
    "MOVE_WEIGHT",
    "OUT_OF_BAND",
    "PREVIOUS_DISJOINT",
    "UNNAMED_ROAD_WEIGHT",
    "WHOLE_ROAD_WEIGHT",
    "SearchParams",
    "Territories",
    "TerritoryNote",
    "TerritoryRoutes",
    "TerritoryStats",
    "assign_territories",
    "assignment_table",
    "chief_ids",
    "evaluate",
    "note_text",
    "read_assignment",
    "read_pins",
    "read_stations",
    "segment_workload",
    "summary_table",
    "territory_routes",
    "with_routes",
]
