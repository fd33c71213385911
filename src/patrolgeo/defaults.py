"""Default values shared by the pipeline (Python API, demo) and the CLI verbs, in one place.

A default that two places wrote as its own literal is named here once. Where the demo
deliberately differs from the verbs (a small area, a quick search, so that ``patrolgeo
demo`` runs in seconds), the demo's value is a separate ``DEMO_*`` constant and the demo
passes it explicitly.

Examples
--------
>>> from patrolgeo import defaults
>>> defaults.MODE
'walk'
"""

from __future__ import annotations

# --------------------------------------------------------------------------- every verb

#: Language of user-facing words: Chinese, the users' language.
LANG = "zh"
#: Travel mode of the road network: road chiefs patrol on foot.
MODE = "walk"
#: Which streets the verbs plan: the responsibility network (public streets and back
#: alleys the district answers for), not every path of the travel mode.
NETWORK = "city"
#: Basemap of the maps: chosen from the data, AMap (GCJ-02, what Chinese users know, and
#: reachable in mainland China) inside China, OpenStreetMap elsewhere.
BASEMAP = "auto"
#: Maps always carry Leaflet inline; offline also leaves out the tiles (no network at all).
OFFLINE = False
#: Random seed of every randomised step (METIS, permutations, search): reproducible runs.
SEED = 0

# --------------------------------------------------------------------------- output folders

#: Output folder of each verb (``--out``), under ``maps/`` of the working folder.
DEMO_OUT = "maps/demo"
ROADS_OUT = "maps/roads"
MAP_OUT = "maps/maps"
PLANS_OUT = "maps/plans"
ASSIGN_OUT = "maps/assign"
ROUTE_OUT = "maps/route"
HOTSPOTS_OUT = "maps/hotspots"
SHIFTS_OUT = "maps/shifts"

# --------------------------------------------------------------------------- issues

#: Datum of report coordinates: what GPS receivers and OSM use.
ISSUES_CRS = "wgs84"
#: Time zone of report times that carry none: the users' (China Standard Time).
ISSUES_TZ = "Asia/Shanghai"
#: What Gi* is computed on: the empirical-Bayes issue rate per km, fair to short roads.
HOTSPOT_VALUE = "rate"

# --------------------------------------------------------------------------- shifts (verb)

#: Serve the streets within this many metres of the depot.
SHIFT_RADIUS_M = 300.0
#: Number of crews (chiefs or vehicles).
SHIFT_CREWS = 3
#: Longest shift, hours: half a working day.
SHIFT_HOURS = 4.0
#: Walking speed between jobs, m/s.
SHIFT_SPEED_MPS = 1.2
#: Speed while patrolling or sweeping, m/s (None: the travel speed).
SHIFT_SERVICE_SPEED_MPS: float | None = None
#: Load collected per km of street (0: no capacity constraint from demand).
SHIFT_DEMAND_PER_KM = 0.0
#: Earliest start and latest return, HH:MM.
SHIFT_START = "07:00"
SHIFT_END = "18:00"
#: Search effort of the shift planner.
SHIFT_ITERATIONS = 300

# --------------------------------------------------------------------------- carp

#: Time limit of a CARPLIB solve, seconds.
CARP_SECONDS = 30.0

# --------------------------------------------------------------------------- the demo

#: Road chiefs in the demo district.
DEMO_CHIEFS = 8
#: Weeks of synthetic issue reports in the demo.
DEMO_SYNTHETIC_WEEKS = 12
#: Deliberately broken rows among the synthetic reports (they show the rejects table).
DEMO_SYNTHETIC_BAD_ROWS = 10
#: The demo's shifts serve a small area around the centre, so the demo runs in seconds.
DEMO_SHIFT_RADIUS_M = 120.0
#: The demo's longest shift, hours (the small area needs short shifts).
DEMO_SHIFT_HOURS = 2.0
#: The demo's patrol speed, m/s: slower than walking between jobs.
DEMO_SHIFT_SERVICE_SPEED_MPS = 0.8
#: The demo's search effort: enough for the small area.
DEMO_SHIFT_ITERATIONS = 100
#: The demo's school-gate post: this many degrees of longitude east of the centre (~80 m).
DEMO_SCHOOL_GATE_EAST_DEG = 0.0015
