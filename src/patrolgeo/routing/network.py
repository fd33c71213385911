"""The street network as arrays: what the postman solvers and the circuit builder read.

A :class:`StreetNetwork` holds one row per segment (end nodes as dense indices, length,
one-way flag, the graph keys of both directions, headings at both ends) and the node
coordinates. It is built once from a graph and its segments table, so the solvers never
touch networkx or geopandas in their inner loops.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, SupportsInt, cast

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
import shapely
from pyproj import Transformer
from scipy.sparse import coo_matrix, csr_matrix

from patrolgeo.errors import RoutingError
from patrolgeo.segments import CORE_COLUMNS, reverse_edge, validate_segments

#: Metres per integer weight unit handed to the integer solvers (millimetres).
UNITS_PER_M = 1000
#: The largest edge weight pymatching takes without rescaling (it would lose exactness).
MAX_MATCHING_WEIGHT = 2**24 - 1


@dataclass
class StreetNetwork:
    """Segments and nodes of a road graph as NumPy arrays.

    Attributes
    ----------
    node_ids
        Graph node id of each dense node index (sorted).
    x, y
        Projected node coordinates (metres).
    segment_ids
        ``segment_id`` of each segment row.
    a, b
        Dense node indices of the segment's ``u`` and ``v`` (its digitised direction).
    length
        Length in metres.
    oneway
        Whether the street may only be driven ``a -> b``.
    key_fwd, key_rev
        Graph keys of the edges ``(u, v)`` and ``(v, u)``; ``key_rev`` is -1 where the
        graph has no reverse edge (a one-way street).
    heading_a, heading_b
        Heading in radians (counter-clockwise from east) when leaving ``a`` along the
        segment, and when leaving ``b`` along it backwards.
    road
        Road name of each segment (for instructions and keeping a road together).
    row
        Position of each segment in the segments table it came from (links: -1).
    outside
        Rows that are boundary links of the graph (edges flagged ``outside``, see
        :mod:`patrolgeo.roads._links`): one-way travel arcs after the segments, never
        required; None when the graph has none.
    links
        The link rows (``segment_id, u, v, key, length_m, via_ways, via_nodes,
        geometry``), for the route's geometry and checks.
    """

    node_ids: np.ndarray
    x: np.ndarray
    y: np.ndarray
    segment_ids: np.ndarray
    a: np.ndarray
    b: np.ndarray
    length: np.ndarray
    oneway: np.ndarray
    key_fwd: np.ndarray
    key_rev: np.ndarray
    heading_a: np.ndarray
    heading_b: np.ndarray
    road: np.ndarray
    row: np.ndarray
    crs: Any = None
    outside: np.ndarray | None = None
    links: gpd.GeoDataFrame | None = None

    def link_mask(self) -> np.ndarray:
        """Rows that are boundary links (travel only, never a segment to serve)."""
        if self.outside is None:
            return np.zeros(self.n_segments, bool)
        return self.outside

    @property
    def n_nodes(self) -> int:
        """Number of nodes."""
        return len(self.node_ids)

    @property
    def n_segments(self) -> int:
        """Number of segments."""
        return len(self.segment_ids)

    def weights_int(self) -> np.ndarray:
        """Segment lengths as integer millimetres (at least 1, so no edge is free)."""
        return np.maximum(np.rint(self.length * UNITS_PER_M), 1).astype(np.int64)

    def arcs(self, respect_oneway: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Return the travel arcs ``(tail, head, segment, forward)``.

        Every segment gives its forward arc; a two-way segment (or any segment when
        one-way streets are ignored) also gives the reverse arc.
        """
        seg = np.arange(self.n_segments)
        back = seg if not respect_oneway else seg[~self.oneway]
        tail = np.concatenate([self.a, self.b[back]])
        head = np.concatenate([self.b, self.a[back]])
        segment = np.concatenate([seg, back])
        forward = np.concatenate([np.ones(len(seg), bool), np.zeros(len(back), bool)])
        return tail, head, segment, forward

    def sparse_graph(self, respect_oneway: bool, segments: np.ndarray | None = None
                     ) -> tuple[csr_matrix, np.ndarray]:
        """Return a CSR matrix of travel arcs (shortest parallel arc kept), segment of each.

        Returns the matrix for :mod:`scipy.sparse.csgraph` and, aligned with its stored
        entries in CSR order, the segment row each entry came from.
        """
        tail, head, seg, _ = self.arcs(respect_oneway)
        if segments is not None:
            keep = np.isin(seg, segments)
            tail, head, seg = tail[keep], head[keep], seg[keep]
        n = self.n_nodes
        weight = np.maximum(self.length[seg], 1e-6)
        order = np.lexsort((weight, head, tail))
        tail, head, seg, weight = tail[order], head[order], seg[order], weight[order]
        first = np.ones(len(tail), bool)
        first[1:] = (tail[1:] != tail[:-1]) | (head[1:] != head[:-1])
        tail, head, seg, weight = tail[first], head[first], seg[first], weight[first]
        matrix = csr_matrix((weight, (tail, head)), shape=(n, n))
        matrix.sort_indices()
        # entries are unique and sorted by (tail, head), as CSR stores them
        return matrix, seg

    def nearest_node(self, x: float, y: float, candidates: np.ndarray | None = None
                     ) -> tuple[int, float]:
        """Return the dense index of the node nearest to ``(x, y)`` and its distance."""
        idx = np.arange(self.n_nodes) if candidates is None else np.asarray(candidates)
        if len(idx) == 0:
            raise RoutingError("no node to snap the start point to", field="start")
        d2 = (self.x[idx] - x) ** 2 + (self.y[idx] - y) ** 2
        best = int(np.argmin(d2))
        return int(idx[best]), float(math.sqrt(d2[best]))


def _check_table(segments: gpd.GeoDataFrame) -> None:
    """Check the segments contract; raise :class:`RoutingError` for an empty table.

    A missing column or a repeated id breaks the contract and raises
    :class:`~patrolgeo.errors.SegmentsError`, as in every other stage.
    """
    validate_segments(segments, (*CORE_COLUMNS, "key", "oneway"))
    if len(segments) == 0:
        raise RoutingError("no segments to route over", field="segments")


def _edge_keys(G: nx.MultiDiGraph, segments: gpd.GeoDataFrame, u: np.ndarray, v: np.ndarray,
               keys: np.ndarray, oneway: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Graph keys of each segment's edge and of its reverse edge (-1: none, one-way)."""
    succ = G._succ
    key_fwd = np.empty(len(segments), np.int64)
    key_rev = np.full(len(segments), -1, np.int64)
    for i, (uu, vv, kk) in enumerate(zip(u.tolist(), v.tolist(), keys.tolist(), strict=True)):
        edges = succ.get(uu, {}).get(vv)
        if not edges or kk not in edges:
            raise RoutingError(f"segment {segments['segment_id'].iloc[i]} names edge "
                               f"({uu}, {vv}, {kk}) that is not in the graph",
                               row=i + 1, field="key")
        key_fwd[i] = kk
        if not oneway[i]:
            back = reverse_edge(G, uu, vv, kk)
            key_rev[i] = -1 if back is None else cast(SupportsInt, back)  # edge keys are ints
    return key_fwd, key_rev


#: Prefix of the row id of a boundary link (``outside:<u>-<v>-<key>``).
OUTSIDE_PREFIX = "outside:"

#: Columns of :attr:`StreetNetwork.links`.
LINK_COLUMNS = ("segment_id", "u", "v", "key", "oneway", "length_m", "road_name", "via_ways",
                "via_nodes", "geometry")


def is_outside_edge(data: dict[str, Any]) -> bool:
    """Whether edge attributes flag a boundary link (``outside``; True or "True" from GraphML)."""
    flag = data.get("outside", False)
    return flag is True or str(flag).lower() == "true"


def graph_links(G: nx.MultiDiGraph, crs: Any) -> gpd.GeoDataFrame:
    """The boundary links of ``G`` (edges flagged ``outside``) as rows of a table."""
    rows = []
    for u, v, k, d in G.edges(keys=True, data=True):
        if not is_outside_edge(d):
            continue
        geom = d.get("geometry")
        if geom is None:
            geom = shapely.LineString([(G.nodes[u]["x"], G.nodes[u]["y"]),
                                       (G.nodes[v]["x"], G.nodes[v]["y"])])
        rows.append({"segment_id": f"{OUTSIDE_PREFIX}{u}-{v}-{k}", "u": u, "v": v, "key": k,
                     "oneway": True, "length_m": float(d.get("length", geom.length)),
                     "road_name": None, "via_ways": str(d.get("via_ways", "")),
                     "via_nodes": str(d.get("via_nodes", "")), "geometry": geom})
    if not rows:
        return gpd.GeoDataFrame({c: [] for c in LINK_COLUMNS}, geometry="geometry", crs=crs)
    return gpd.GeoDataFrame(rows, columns=list(LINK_COLUMNS), geometry="geometry", crs=crs)


def network_from_graph(G: nx.MultiDiGraph, segments: gpd.GeoDataFrame) -> StreetNetwork:
    """Build the :class:`StreetNetwork` of ``segments`` over graph ``G``.

    Parameters
    ----------
    G
        The projected road graph the segments were cut from.
    segments
        A segments table (see :func:`patrolgeo.roads.segments_from_graph`).

    Raises
    ------
    RoutingError
        When a segment names an edge that is not in ``G``.
    """
    _check_table(segments)
    links = graph_links(G, segments.crs)
    n_streets = len(segments)
    if len(links):
        segments = pd.concat([segments, links[[c for c in links.columns
                                               if c not in ("via_ways", "via_nodes")]]],
                             ignore_index=True)
    ids = segments["segment_id"].astype(str)
    rows = np.arange(len(segments))
    if not ids.is_monotonic_increasing:
        # ties are broken by position: a canonical order makes routes independent of
        # the row order of the table
        rows = np.argsort(ids.to_numpy(dtype=object), kind="stable")
        segments = segments.iloc[rows]
    u = segments["u"].to_numpy()
    v = segments["v"].to_numpy()
    keys = segments["key"].to_numpy()
    length = segments["length_m"].to_numpy(dtype=float)
    if not np.all(np.isfinite(length)) or np.any(length < 0):
        bad = int(np.flatnonzero(~np.isfinite(length) | (length < 0))[0])
        raise RoutingError(f"segment {segments['segment_id'].iloc[bad]} has length "
                           f"{length[bad]!r}", row=bad + 1, field="length_m")
    node_ids = np.unique(np.concatenate([u, v]))
    a = np.searchsorted(node_ids, u)
    b = np.searchsorted(node_ids, v)
    nodes = G._node
    try:
        x = np.fromiter((nodes[n]["x"] for n in node_ids), float, len(node_ids))
        y = np.fromiter((nodes[n]["y"] for n in node_ids), float, len(node_ids))
    except KeyError as exc:
        raise RoutingError(f"node {exc.args[0]} of the segments is not in the graph "
                           "(or has no x/y)", field="u") from exc
    oneway = segments["oneway"].to_numpy(dtype=bool)
    key_fwd, key_rev = _edge_keys(G, segments, u, v, keys, oneway)
    geoms = np.asarray(segments.geometry.values, dtype=object)
    heading_a, heading_b = _end_headings(geoms, x[a], y[a], x[b], y[b])
    road = segments["road_name"].to_numpy(dtype=object) if "road_name" in segments else \
        np.full(len(segments), None, dtype=object)
    return StreetNetwork(
        node_ids=node_ids, x=x, y=y,
        segment_ids=segments["segment_id"].to_numpy(dtype=object),
        a=a.astype(np.int64), b=b.astype(np.int64), length=length, oneway=oneway,
        key_fwd=key_fwd, key_rev=key_rev, heading_a=heading_a, heading_b=heading_b,
        road=road, row=np.where(rows < n_streets, rows, -1), crs=segments.crs,
        outside=(rows >= n_streets) if len(links) else None,
        links=links if len(links) else None,
    )


def _end_headings(geoms: np.ndarray, ax: np.ndarray, ay: np.ndarray, bx: np.ndarray,
                  by: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Headings leaving each end of each line, along its first (last) piece."""
    coords, index = shapely.get_coordinates(geoms, return_index=True)
    counts = np.bincount(index, minlength=len(geoms))
    first = np.cumsum(counts) - counts
    last = first + counts - 1
    ok = counts >= 2
    f0 = coords[np.where(ok, first, 0)]
    f1 = coords[np.where(ok, np.minimum(first + 1, last), 0)]
    l0 = coords[np.where(ok, last, 0)]
    l1 = coords[np.where(ok, np.maximum(last - 1, first), 0)]
    # the line may be digitised from v to u: orient it by its first point
    flipped = ((f0[:, 0] - bx) ** 2 + (f0[:, 1] - by) ** 2
               < (f0[:, 0] - ax) ** 2 + (f0[:, 1] - ay) ** 2)
    start_vec = np.where(flipped[:, None], l1 - l0, f1 - f0)
    end_vec = np.where(flipped[:, None], f1 - f0, l1 - l0)
    chord = np.arctan2(by - ay, bx - ax)
    heading_a = np.where(ok & np.any(start_vec != 0, axis=1),
                         np.arctan2(start_vec[:, 1], start_vec[:, 0]), chord)
    heading_b = np.where(ok & np.any(end_vec != 0, axis=1),
                         np.arctan2(end_vec[:, 1], end_vec[:, 0]), chord + np.pi)
    return heading_a, heading_b


def to_graph_xy(G_crs: Any, lat: float, lon: float) -> tuple[float, float]:
    """Project a WGS-84 ``(lat, lon)`` into the graph's CRS."""
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise RoutingError(f"start point ({lat}, {lon}) is not a latitude,longitude pair",
                           field="start")
    transformer = Transformer.from_crs("EPSG:4326", G_crs, always_xy=True)
    x, y = transformer.transform(lon, lat)
    return float(x), float(y)


def components(n: int, tail: np.ndarray, head: np.ndarray, strong: bool = False
               ) -> np.ndarray:
    """Label every node with its connected (or strongly connected) component."""
    from scipy.sparse.csgraph import connected_components

    graph = coo_matrix((np.ones(len(tail)), (tail, head)), shape=(n, n)).tocsr()
    return connected_components(graph, directed=strong, connection="strong" if strong
                                else "weak")[1]
