"""The result of an assignment and the one measure of any assignment."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import geopandas as gpd
import numpy as np
import pandas as pd

from patrolgeo.errors import InputRowError
from patrolgeo.segments import validate_segments
from patrolgeo.territories._notes import TerritoryNote
from patrolgeo.territories._params import DEFAULT_ROAD_SHARE, EPS, MIN_LENGTH_M
from patrolgeo.territories._units import _components, _net
from patrolgeo.territories._workload import segment_workload

if TYPE_CHECKING:
    from patrolgeo.territories._routes import TerritoryRoutes


@dataclass
class TerritoryStats:
    """Quality of an assignment (all measured from the assignment itself)."""

    k: int
    imbalance: float
    """max over chiefs of workload/target, minus 1 (``max/mean - 1`` for equal capacities)."""
    min_share: float
    """min over chiefs of workload/target."""
    connected: int
    """Territories that are connected over the road network."""
    cut_pairs: int
    """Pairs of segments sharing a node but belonging to different chiefs."""
    roads_split: int
    """Named roads short enough to stay whole that have more than one chief."""
    max_radius_m: float
    moved: int = 0
    kept: int = 0
    new: int = 0
    pins_broken: int = 0
    seconds: float = 0.0
    notes: list[TerritoryNote] = field(default_factory=list)
    """Remarks on the result, as codes (:func:`note_text` gives the words)."""


@dataclass
class Territories:
    """The outcome of :func:`assign_territories`.

    Attributes
    ----------
    assignment
        One row per segment (sorted by ``segment_id``): ``segment_id, road_id,
        road_name, chief_id, workload, length_m, previous_chief, u, v, geometry``.
    summary
        One row per chief: ``chief_id, capacity, segments, km, workload, target,
        share_of_mean, share_of_target, radius_m, connected, route_km, deadhead_km``
        (route columns are empty until :func:`with_routes`).
    moved
        Segments whose chief changed from the previous assignment:
        ``segment_id, road_name, from_chief, to_chief``.
    stats
        :class:`TerritoryStats`.
    chiefs
        Chief ids, in order.
    centres
        ``(k, 2)`` centres used for compactness (stations or territory centroids), in the
        segments' CRS.
    """

    assignment: gpd.GeoDataFrame
    summary: pd.DataFrame
    moved: pd.DataFrame
    stats: TerritoryStats
    chiefs: list[str]
    centres: np.ndarray
    routes: TerritoryRoutes | None = None


def evaluate(
    segments: gpd.GeoDataFrame,
    chief_of: pd.Series,
    workload: pd.Series | None = None,
    *,
    capacities: Mapping[str, float] | None = None,
    road_share: float = DEFAULT_ROAD_SHARE,
    centres: Mapping[str, tuple[float, float]] | None = None,
) -> tuple[TerritoryStats, pd.DataFrame]:
    """Measure any assignment (ours or a peer's) the same way.

    Parameters
    ----------
    segments
        The segments.
    chief_of
        Chief per segment, indexed by ``segment_id``.
    workload
        Workload per segment (indexed by ``segment_id``); defaults to
        :func:`segment_workload`.
    capacities
        Relative capacity per chief (default 1 each).
    road_share
        Which named roads count as "should stay whole" for ``roads_split``.
    centres
        Centre per chief for the radius; default the length-weighted centroid.

    Returns
    -------
    tuple
        :class:`TerritoryStats` and the per-chief summary table.

    Raises
    ------
    SegmentsError
        When the segments break the segments contract.
    InputRowError
        When a segment has no chief, or a workload is not a number >= 0.
    """
    validate_segments(segments)
    seg = segments.sort_values("segment_id").reset_index(drop=True)
    wl = segment_workload(seg) if workload is None else workload
    net = _net(seg, wl)
    chief = chief_of.reindex(seg["segment_id"]).astype(object)
    if chief.isna().any():
        raise InputRowError(f"segment {chief.index[chief.isna()][0]} has no chief",
                            field="chief_id")
    chiefs = list(capacities or {}) + sorted(set(chief.tolist()) - set(capacities or {}))
    code = {c: n for n, c in enumerate(chiefs)}
    p = np.asarray([code[c] for c in chief.tolist()])
    k = len(chiefs)
    cap = np.asarray([float((capacities or {}).get(c, 1.0)) for c in chiefs])
    target = net.w.sum() * cap / cap.sum()
    load = np.bincount(p, weights=net.w, minlength=k)
    a, b = net.pairs[:, 0], net.pairs[:, 1]
    same = p[a] == p[b]
    labels = _components(len(p), net.pairs[same])
    n_comp = np.asarray([len(np.unique(labels[p == c])) for c in range(k)])
    road_w = np.bincount(net.road, weights=net.w, minlength=len(net.road_ids))
    whole = net.named & (road_w <= road_share * target.mean())
    chiefs_per_road = pd.Series(p).groupby(net.road).nunique()
    roads_split = int(((chiefs_per_road > 1) & whole[chiefs_per_road.index]).sum())
    lw = np.maximum(net.length, MIN_LENGTH_M)
    tot = np.bincount(p, weights=lw, minlength=k)
    cxy = np.column_stack([np.bincount(p, weights=net.xy[:, i] * lw, minlength=k)
                           / np.maximum(tot, EPS) for i in (0, 1)])
    if centres:
        for c, xy in centres.items():
            if c in code:
                cxy[code[c]] = xy
    dist = np.hypot(*(net.xy - cxy[p]).T)
    radius = np.zeros(k)
    np.maximum.at(radius, p, dist)
    share = load / target
    summary = pd.DataFrame({
        "chief_id": chiefs,
        "capacity": cap,
        "segments": np.bincount(p, minlength=k),
        "km": np.bincount(p, weights=net.length, minlength=k) / 1000,
        "workload": load,
        "target": target,
        "share_of_mean": load / load.mean(),
        "share_of_target": share,
        "radius_m": radius,
        "connected": n_comp == 1,
        "route_km": np.nan,
        "deadhead_km": np.nan,
    })
    stats = TerritoryStats(
        k=k, imbalance=float(share.max() - 1), min_share=float(share.min()),
        connected=int((n_comp == 1).sum()), cut_pairs=int((~same).sum()),
        roads_split=roads_split, max_radius_m=float(radius.max()),
    )
    return stats, summary
