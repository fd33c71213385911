"""The segments contract: what every stage may rely on in a segments table.

A *segment* is one undirected street piece between intersections of the simplified
graph (see :func:`patrolgeo.roads.segments_from_graph`). Its ``segment_id`` is
``"<way id>-<lower end node id>-<higher end node id>"``, plus ``-<n>`` where one way
joins the same two nodes more than once; it never depends on row order.

Every stage calls :func:`validate_segments` on entry, and every stage that needs to know
which segments touch, which graph edge runs the other way along a street, or which node
is nearest a point, asks this module, so the answers agree across stages.

Examples
--------
>>> from patrolgeo.segments import parse_segment_id
>>> parse_segment_id("23456-101-205")
SegmentId(way=23456, low=101, high=205, n=0)
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable
from typing import Any, NamedTuple

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
from scipy import sparse

from patrolgeo.errors import SegmentsError

#: The columns :func:`patrolgeo.roads.segments_from_graph` writes, in order.
SEGMENT_COLUMNS = (
    "segment_id", "road_id", "road_name", "highway", "oneway", "length_m", "lanes",
    "width_m", "name_source", "osm_way_id", "u", "v", "key", "geometry",
)

#: The columns without which no stage can work on a segments table.
CORE_COLUMNS = ("segment_id", "u", "v", "length_m", "geometry")


def validate_segments(
    segments: gpd.GeoDataFrame,
    columns: Iterable[str] = CORE_COLUMNS,
    *,
    projected: bool = True,
) -> gpd.GeoDataFrame:
    """Check a segments table against the contract and return it unchanged.

    Parameters
    ----------
    segments
        The table to check.
    columns
        Columns that must be present (default :data:`CORE_COLUMNS`).
    projected
        Require a projected (metric) CRS when the table has one.

    Raises
    ------
    SegmentsError
        Naming the first missing column, the first duplicate ``segment_id``, or the CRS.
    """
    if not isinstance(segments, pd.DataFrame):
        raise SegmentsError(f"segments must be a GeoDataFrame, not {type(segments).__name__}")
    for column in columns:
        if column not in segments.columns:
            raise SegmentsError(f"segments have no column {column!r}", field=column)
    if "segment_id" in segments.columns and not segments["segment_id"].is_unique:
        dup = segments["segment_id"][segments["segment_id"].duplicated()].iloc[0]
        raise SegmentsError(f"segment id {dup!r} occurs twice", field="segment_id")
    crs = getattr(segments, "crs", None)
    if projected and crs is not None and not crs.is_projected:
        raise SegmentsError("segments must be in a projected CRS (metres)", field="crs")
    return segments


class SegmentId(NamedTuple):
    """The parts of a segment id: OSM way, lower and higher end node, repeat number."""

    way: int
    low: int
    high: int
    n: int = 0


def parse_segment_id(segment_id: str) -> SegmentId:
    """Split a segment id into its OSM way and end-node ids.

    Raises
    ------
    SegmentsError
        When ``segment_id`` is not of the form ``way-low-high[-n]``.
    """
    parts = str(segment_id).split("-")
    try:
        numbers = [int(p) for p in parts]
    except ValueError:
        numbers = []
    if len(numbers) not in (3, 4):
        raise SegmentsError(f"{segment_id!r} is not a segment id (way-node-node[-n])",
                            field="segment_id")
    return SegmentId(*numbers)


def end_node_pairs(segments: pd.DataFrame) -> np.ndarray:
    """Pairs ``(i, j)``, ``i < j``, of segment positions that share an end node.

    Built with a join on node ids (no Python loop); sorted, each pair once even when two
    segments share both ends.
    """
    n = len(segments)
    ends = pd.DataFrame({
        "seg": np.concatenate([np.arange(n), np.arange(n)]),
        "node": np.concatenate([segments["u"].to_numpy(), segments["v"].to_numpy()]),
    }).drop_duplicates()
    joined = ends.merge(ends, on="node", suffixes=("_a", "_b"))
    joined = joined[joined["seg_a"] < joined["seg_b"]]
    pairs = joined[["seg_a", "seg_b"]].drop_duplicates().to_numpy(dtype=np.int64)
    order = np.lexsort((pairs[:, 1], pairs[:, 0])) if len(pairs) else np.arange(0)
    return pairs[order].reshape(-1, 2)


def adjacency_matrix(segments: pd.DataFrame) -> sparse.csr_matrix:
    """Binary symmetric adjacency of segments sharing an end node, zero diagonal.

    Row ``i`` is the segment at position ``i`` of ``segments``.
    """
    n = len(segments)
    pairs = end_node_pairs(segments)
    rows = np.concatenate([pairs[:, 0], pairs[:, 1]])
    cols = np.concatenate([pairs[:, 1], pairs[:, 0]])
    matrix = sparse.coo_matrix((np.ones(len(rows)), (rows, cols)), shape=(n, n)).tocsr()
    matrix.sort_indices()
    return matrix


def neighbour_ids(segments: pd.DataFrame) -> dict[str, list[str]]:
    """``segment_id -> ids of the segments sharing an end node with it``, in row order.

    A segment that shares both ends with another lists it twice (it touches it twice).
    """
    by_node: dict[Hashable, list[str]] = {}
    for sid, u, v in zip(segments["segment_id"], segments["u"], segments["v"], strict=True):
        by_node.setdefault(u, []).append(sid)
        by_node.setdefault(v, []).append(sid)
    out: dict[str, list[str]] = {}
    for members in by_node.values():
        for sid in members:
            out.setdefault(sid, []).extend(m for m in members if m != sid)
    return out


def _scalar(value: Any) -> Any:
    if isinstance(value, list):
        return value[0] if value else None
    return value


#: How far the length of a street's two directed edges may differ (metres, plus a share
#: of the length) and still be one street: osmnx measures both from one geometry, so
#: they differ only by rounding.
REVERSE_LENGTH_TOLERANCE_M = 0.5
REVERSE_LENGTH_TOLERANCE_SHARE = 0.01


def reverse_edge(G: nx.MultiDiGraph, u: Hashable, v: Hashable, key: Hashable) -> Hashable | None:
    """Key of the edge ``(v, u)`` that is the same street as ``(u, v, key)``, or ``None``.

    The same street means the same OSM way and the same length within
    :data:`REVERSE_LENGTH_TOLERANCE_M` plus :data:`REVERSE_LENGTH_TOLERANCE_SHARE`;
    among several, the closest in length. A one-way street has none.
    """
    back = G._succ.get(v, {}).get(u)
    if not back:
        return None
    data = G._succ[u][v][key]
    length = float(data.get("length", 0.0))
    way = _scalar(data.get("osmid"))
    tolerance = REVERSE_LENGTH_TOLERANCE_M + REVERSE_LENGTH_TOLERANCE_SHARE * length
    best, best_diff = None, math.inf
    for k, other in back.items():
        if u == v and k == key:
            continue
        if _scalar(other.get("osmid")) != way:
            continue
        diff = abs(float(other.get("length", length)) - length)
        if diff <= tolerance and diff < best_diff:
            best, best_diff = k, diff
    return best


def nearest_node(G: nx.MultiDiGraph, x: float, y: float) -> Hashable:
    """The graph node nearest to ``(x, y)`` in the graph's CRS (first of ties)."""
    ids = list(G.nodes)
    if not ids:
        raise SegmentsError("the graph has no node to snap to")
    xy = np.array([(G.nodes[n]["x"], G.nodes[n]["y"]) for n in ids])
    return ids[int(np.argmin(((xy - (x, y)) ** 2).sum(axis=1)))]


__all__ = [
    "CORE_COLUMNS",
    "REVERSE_LENGTH_TOLERANCE_M",
    "REVERSE_LENGTH_TOLERANCE_SHARE",
    "SEGMENT_COLUMNS",
    "SegmentId",
    "adjacency_matrix",
    "end_node_pairs",
    "nearest_node",
    "neighbour_ids",
    "parse_segment_id",
    "reverse_edge",
    "validate_segments",
]
