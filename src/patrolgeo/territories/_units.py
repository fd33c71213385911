"""Segments as arrays, and the units (whole roads or single segments) that move together."""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from scipy.sparse import coo_matrix, csr_matrix
from scipy.sparse.csgraph import connected_components

from patrolgeo.segments import end_node_pairs
from patrolgeo.territories._params import MIN_LENGTH_M

MIN_EDGE_M = 1e-3  # length added to every unit edge, so zero-length edges still cost


@dataclass
class _Net:
    """Segments as arrays, in segment-id order."""

    ids: np.ndarray
    road: np.ndarray  # road index per segment
    road_ids: list[str]
    named: np.ndarray  # per road
    w: np.ndarray
    length: np.ndarray
    xy: np.ndarray  # midpoints
    pairs: np.ndarray  # (m, 2) adjacent segment positions, i < j


def _net(segments: gpd.GeoDataFrame, workload: pd.Series) -> _Net:
    """Segments (validated by the caller) as arrays, in their row order."""
    road_col = "road_id" if "road_id" in segments.columns else "segment_id"
    if "name_source" in segments.columns:
        named_seg = segments["name_source"].fillna("").astype(str).ne("").to_numpy()
    elif "road_name" in segments.columns:
        named_seg = segments["road_name"].notna().to_numpy()
    else:
        named_seg = np.zeros(len(segments), dtype=bool)
    road_codes, road_ids = pd.factorize(segments[road_col].astype(str), sort=True)
    named = np.zeros(len(road_ids), dtype=bool)
    np.logical_or.at(named, road_codes, named_seg)
    mid = shapely.line_interpolate_point(segments.geometry.values, 0.5, normalized=True)
    return _Net(
        ids=segments["segment_id"].to_numpy(dtype=object),
        road=road_codes.astype(np.int64),
        road_ids=[str(r) for r in road_ids],
        named=named,
        w=workload.reindex(segments["segment_id"]).to_numpy(dtype=float),
        length=segments["length_m"].to_numpy(dtype=float),
        xy=np.column_stack([shapely.get_x(mid), shapely.get_y(mid)]),
        pairs=end_node_pairs(segments),
    )


def _components(n: int, pairs: np.ndarray) -> np.ndarray:
    """Connected-component label of each of ``n`` positions joined by ``pairs``."""
    graph = coo_matrix((np.ones(len(pairs)), (pairs[:, 0], pairs[:, 1])), shape=(n, n))
    return connected_components(graph, directed=False)[1]


@dataclass
class _Units:
    """Groups of segments that move together, and their adjacency."""

    of_seg: np.ndarray
    members: list[np.ndarray]
    w: list[float]
    length: list[float]
    nseg: list[int]
    xy: np.ndarray
    road: list[int]
    nbrs: list[list[int]]
    ews: list[list[int]]
    edges: np.ndarray  # (m, 3): unit a, unit b, pair count
    pinned: list[int]
    prev_known: list[int]
    prev_count: list[dict[int, int]]


def _build_units(net: _Net, atomic: np.ndarray, seg_pin: np.ndarray,
                 seg_prev: np.ndarray) -> _Units:
    """Group segments into units: the connected pieces of each atomic road, else singles."""
    n = len(net.ids)
    a, b = net.pairs[:, 0], net.pairs[:, 1]
    same = (net.road[a] == net.road[b]) & atomic[net.road[a]]
    labels = _components(n, net.pairs[same])
    # relabel in order of first segment, so unit order follows segment-id order
    _, first = np.unique(labels, return_index=True)
    order = np.argsort(first)
    remap = np.empty(len(order), dtype=np.int64)
    remap[order] = np.arange(len(order))
    of_seg = remap[labels]
    n_units = len(order)
    sort = np.argsort(of_seg, kind="stable")
    bounds = np.searchsorted(of_seg[sort], np.arange(n_units + 1))
    members = [sort[bounds[i]:bounds[i + 1]] for i in range(n_units)]
    w = np.bincount(of_seg, weights=net.w, minlength=n_units)
    length = np.bincount(of_seg, weights=net.length, minlength=n_units)
    nseg = np.bincount(of_seg, minlength=n_units)
    lw = np.maximum(net.length, MIN_LENGTH_M)
    tot = np.bincount(of_seg, weights=lw, minlength=n_units)
    xy = np.column_stack([np.bincount(of_seg, weights=net.xy[:, i] * lw, minlength=n_units)
                          / tot for i in (0, 1)])
    road = [int(net.road[m[0]]) for m in members]
    ua, ub = of_seg[a], of_seg[b]
    cross = ua != ub
    lo, hi = np.minimum(ua, ub)[cross], np.maximum(ua, ub)[cross]
    if len(lo):
        uniq, counts = np.unique(np.column_stack([lo, hi]), axis=0, return_counts=True)
    else:
        uniq, counts = np.zeros((0, 2), dtype=np.int64), np.zeros(0, dtype=np.int64)
    nbrs: list[list[int]] = [[] for _ in range(n_units)]
    ews: list[list[int]] = [[] for _ in range(n_units)]
    for (p, q), c in zip(uniq.tolist(), counts.tolist(), strict=True):
        nbrs[p].append(q)
        ews[p].append(c)
        nbrs[q].append(p)
        ews[q].append(c)
    pinned = []
    prev_known = []
    prev_count = []
    for m in members:
        pins = set(seg_pin[m].tolist()) - {-1}
        pinned.append(pins.pop() if pins else -1)
        prev = seg_prev[m]
        prev = prev[prev >= 0]
        prev_known.append(len(prev))
        vals, cnt = np.unique(prev, return_counts=True)
        prev_count.append(dict(zip(vals.tolist(), cnt.tolist(), strict=True)))
    return _Units(of_seg=of_seg, members=members, w=w.tolist(), length=length.tolist(),
                  nseg=nseg.tolist(), xy=xy, road=road, nbrs=nbrs, ews=ews,
                  edges=np.column_stack([uniq, counts]) if len(uniq) else
                  np.zeros((0, 3), dtype=np.int64),
                  pinned=pinned, prev_known=prev_known, prev_count=prev_count)


def _atomic_roads(net: _Net, road_share: float, mean_target: float, seg_pin: np.ndarray,
                  seg_prev: np.ndarray) -> np.ndarray:
    """Roads kept as whole units: named, short enough, not pinned or previously split."""
    road_w = np.bincount(net.road, weights=net.w, minlength=len(net.road_ids))
    atomic = net.named & (road_w <= road_share * mean_target)
    for values in (seg_pin, seg_prev):
        known = values >= 0
        if not known.any():
            continue
        table = pd.DataFrame({"road": net.road[known], "chief": values[known]})
        split = table.groupby("road")["chief"].nunique()
        atomic[split.index[split.to_numpy() > 1].to_numpy()] = False
    return atomic


def _unit_graph(units: _Units) -> csr_matrix:
    """Symmetric unit adjacency weighted by mean length, for shortest paths."""
    n = len(units.w)
    e = units.edges
    ln = np.asarray(units.length)
    weights = (ln[e[:, 0]] + ln[e[:, 1]]) / 2 + MIN_EDGE_M
    return coo_matrix((np.concatenate([weights, weights]),
                       (np.concatenate([e[:, 0], e[:, 1]]), np.concatenate([e[:, 1], e[:, 0]]))),
                      shape=(n, n)).tocsr()
