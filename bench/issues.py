"""Issue intake at scale: one million report rows validated, snapped and aggregated.

Run: ``python bench/issues.py [--rows 1000000]``. The report file is generated first
(synthetic reports, seeded, with a few broken rows), then each case runs in a fresh
process that times every stage and reports its peak memory. Peer for the snapping step:
geopandas' ``sjoin_nearest`` on the same points.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _common import print_table, reference_inputs, run_isolated


def _segments(osm: str):
    from patrolgeo import roads

    return roads.segments_from_graph(roads.load_graph(osm, mode="walk"))


def make_reports(osm: str, rows: int, path: str) -> dict:
    """Write about ``rows`` synthetic reports (plus 0.1 % broken rows) to ``path``."""
    from patrolgeo import issues, pois

    seg = _segments(osm)
    context, _ = pois.read_context(osm)
    probe = issues.synthetic_reports(seg, context, weeks=12, seed=0)
    scale = rows / max(len(probe), 1)
    table = issues.synthetic_reports(seg, context, weeks=12, seed=0, scale=scale,
                                     bad_rows=rows // 1000)
    table.to_csv(path, index=False)
    return {"rows": len(table), "segments": len(seg)}


def patrolgeo_case(osm: str, path: str, hotspots: bool) -> dict:
    from patrolgeo import issues, roads

    seg = _segments(osm)
    bounds = roads.file_bounds(osm)
    t0 = time.perf_counter()
    raw = issues.read_raw(path)
    t1 = time.perf_counter()
    intake = issues.validate(raw, bounds=bounds)
    n_read = intake.n_read
    del raw  # the raw text columns are not needed once validated
    t2 = time.perf_counter()
    snapped = issues.snap_reports(intake.reports, seg)
    t3 = time.perf_counter()
    by_road_week = issues.aggregate(snapped, ["road", "week"])
    by_category = issues.aggregate(snapped, ["category", "subcategory"])
    load = issues.issue_load(snapped, seg)
    t4 = time.perf_counter()
    result = {"rows": n_read, "kept": len(intake.reports),
              "rejected": intake.n_rejected_rows, "read_s": t1 - t0, "validate_s": t2 - t1,
              "snap_s": t3 - t2, "aggregate_s": t4 - t3,
              "groups": len(by_road_week) + len(by_category), "load_sum": float(load.sum())}
    if hotspots:
        found = issues.find_hotspots(snapped, seg)
        result["hotspots_s"] = time.perf_counter() - t4
        result["hot_streets"] = int(found.segments["street_hot"].sum())
    result["seconds"] = time.perf_counter() - t0
    return result


def sjoin_nearest_case(osm: str, path: str, hotspots: bool) -> dict:
    import geopandas as gpd
    import pandas as pd

    seg = _segments(osm)
    table = pd.read_csv(path, usecols=["lat", "lon"])
    table = table[pd.to_numeric(table["lat"], errors="coerce").notna()
                  & pd.to_numeric(table["lon"], errors="coerce").between(-180, 180)]
    t0 = time.perf_counter()
    points = gpd.GeoDataFrame(geometry=gpd.points_from_xy(table["lon"].astype(float),
                                                          table["lat"].astype(float)),
                              crs="EPSG:4326").to_crs(seg.crs)
    joined = gpd.sjoin_nearest(points, seg[["segment_id", "geometry"]], max_distance=50,
                               how="left", distance_col="d")
    return {"rows": len(table), "kept": int(joined["segment_id"].notna().sum()),
            "snap_s": time.perf_counter() - t0, "seconds": time.perf_counter() - t0}


def main() -> None:

    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--no-hotspots", action="store_true")
    args = parser.parse_args()
    inputs = reference_inputs()
    rows = []
    with tempfile.TemporaryDirectory(prefix="patrolgeo-bench-") as tmp:
        for label, osm in inputs:
            path = str(Path(tmp) / f"{label}.csv")
            made = run_isolated("issues", "make_reports",
                                {"osm": osm, "rows": args.rows, "path": path})
            if "error" in made:
                print(f"{label}: cannot make reports: {made['error']}")
                continue
            case = {"osm": osm, "path": path, "hotspots": not args.no_hotspots}
            for tool, func in (("patrolgeo", "patrolgeo_case"),
                               ("geopandas sjoin_nearest (snap only)", "sjoin_nearest_case")):
                res = run_isolated("issues", func, case)
                rows.append({"network": f"{label} ({made['segments']} segments)", "tool": tool,
                             **res})
    print_table(rows, ["network", "tool", "rows", "kept", "rejected", "read_s", "validate_s",
                       "snap_s", "aggregate_s", "hotspots_s", "seconds", "peak_mb", "error"])
    print("\nseconds = end to end: read + validate + snap + aggregate (per road and week, per "
          "category, issue load) + hotspots (hot streets, hot areas, weekly trends); for "
          "sjoin_nearest, the snapping of the same points alone. peak_mb is the peak "
          "resident memory of the whole process. Target: <= 20 s and <= 1,024 MB at "
          "1,000,000 reports.")


if __name__ == "__main__":
    main()
