"""Small road graphs for routing tests: a graph and its segments, as roads would make them."""

from __future__ import annotations

import geopandas as gpd
import networkx as nx
from shapely.geometry import LineString

CRS = "EPSG:32650"


def make_network(edges, coords, oneway=None, names=None):
    """Build ``(G, segments)`` from ``edges = [(u, v, length), ...]``.

    ``coords`` maps node -> (x, y) in metres. A two-way edge gets both directed edges in
    ``G`` (the reverse with the reversed line), a one-way edge only ``u -> v``. Segment
    ids are ``"s<index>"``. Parallel edges and loops are allowed. A length of None takes
    the length of the line drawn.
    """
    oneway = oneway or [False] * len(edges)
    names = names or [f"road-{i % 5}" for i in range(len(edges))]
    G = nx.MultiDiGraph(crs=CRS, mode="drive" if any(oneway) else "walk")
    for node, (x, y) in coords.items():
        G.add_node(node, x=float(x), y=float(y))
    rows = []
    for i, (u, v, length) in enumerate(edges):
        (ux, uy), (vx, vy) = coords[u], coords[v]
        if u == v:  # a loop: a small triangle so that it has a shape
            line = LineString([(ux, uy), (ux + 1, uy + 2), (ux + 2, uy), (ux, uy)])
        else:
            # a bend keyed by i keeps parallel edges apart and varies the lengths
            bend = 3.0 * ((i * 37) % 11)
            mx, my = (ux + vx) / 2 + bend, (uy + vy) / 2 - bend
            line = LineString([(ux, uy), (mx, my), (vx, vy)])
        length = line.length if length is None else length
        key = G.add_edge(u, v, osmid=1000 + i, length=float(length), geometry=line,
                         name=names[i])
        if not oneway[i]:
            G.add_edge(v, u, osmid=1000 + i, length=float(length),
                       geometry=LineString(list(line.coords)[::-1]), name=names[i])
        rows.append({"segment_id": f"s{i:03d}", "road_id": names[i], "road_name": names[i],
                     "highway": "residential", "oneway": bool(oneway[i]),
                     "length_m": float(length), "lanes": None, "width_m": None,
                     "name_source": "name", "osm_way_id": 1000 + i, "u": u, "v": v,
                     "key": key, "geometry": line})
    return G, gpd.GeoDataFrame(rows, geometry="geometry", crs=CRS)


def random_connected(rng, n_nodes, n_edges, *, loops=False, oneway_share=0.0):
    """A random connected (strongly, with one-way streets) multigraph on a plane."""
    coords = {i: (float(x), float(y)) for i, (x, y) in
              enumerate(rng.uniform(0, 1000, size=(n_nodes, 2)))}
    order = rng.permutation(n_nodes)
    pairs = [(int(order[i]), int(order[rng.integers(0, i)])) for i in range(1, n_nodes)]
    while len(pairs) < n_edges:
        u, v = (int(x) for x in rng.integers(0, n_nodes, 2))
        if u != v or loops:
            pairs.append((u, v))
    # lengths follow the lines drawn (bent by the index), as in a real graph
    edges = [(u, v, None) for u, v in pairs]
    oneway = [bool(rng.random() < oneway_share) for _ in edges]
    # one-way streets only where a two-way street keeps the tree part: the spanning tree
    # edges (first n-1) stay two-way so that the graph is strongly connected
    oneway = [False] * (n_nodes - 1) + oneway[n_nodes - 1:]
    return edges, coords, oneway


def lengths_of(G, segments):
    """``[(u, v, length)]`` of the segments, with the lengths the graph carries."""
    return [(u, v, float(length)) for u, v, length in
            zip(segments["u"], segments["v"], segments["length_m"], strict=True)]
