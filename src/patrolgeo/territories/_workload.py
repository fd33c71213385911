"""Workload per segment and chief ids."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd

from patrolgeo.errors import CapacityError, InputRowError
from patrolgeo.segments import validate_segments
from patrolgeo.territories._params import DEFAULT_ISSUE_WEIGHT, DEFAULT_PATROL_SPEED_KMH


def chief_ids(k: int, existing: list[str] | tuple[str, ...] = ()) -> list[str]:
    """Return ``k`` chief ids: ``existing`` first (in order), then ``C01``, ``C02`` … unused.

    Parameters
    ----------
    k
        Number of ids.
    existing
        Ids to keep, in order (duplicates dropped); at most ``k`` are kept.

    Returns
    -------
    list of str
        ``k`` distinct ids.

    Raises
    ------
    CapacityError
        When ``k < 1``.

    Examples
    --------
    >>> chief_ids(3, ["C02"])
    ['C02', 'C01', 'C03']
    """
    if k < 1:
        raise CapacityError(f"the number of chiefs must be at least 1, not {k}", field="chiefs")
    ids = list(dict.fromkeys(existing))[:k]
    taken = set(ids)
    width = max(2, len(str(k + len(existing))))
    n = 1
    while len(ids) < k:
        cand = f"C{n:0{width}d}"
        if cand not in taken:
            ids.append(cand)
            taken.add(cand)
        n += 1
    return ids


def _keyed(values: pd.Series | str, segments: gpd.GeoDataFrame, what: str) -> pd.Series:
    """Return ``values`` (a Series or a column name) as floats indexed by segment id."""
    if isinstance(values, str):
        if values not in segments.columns:
            raise InputRowError(f"segments have no column {values!r}", field=what)
        series = pd.Series(segments[values].to_numpy(), index=segments["segment_id"].to_numpy())
    else:
        series = pd.Series(values)
        ids = pd.Index(segments["segment_id"])
        if not series.index.isin(ids).all():
            if series.index.equals(segments.index):
                series = pd.Series(series.to_numpy(), index=ids)
            else:
                unknown = series.index[~series.index.isin(ids)][0]
                raise InputRowError(f"unknown segment id {unknown!r}", field=what)
    numeric = pd.to_numeric(series, errors="coerce").astype(float)
    bad = numeric.isna() & series.notna() | (numeric < 0) | np.isinf(numeric)
    if bad.any():
        sid = numeric.index[bad.to_numpy()][0]
        raise InputRowError(f"segment {sid}: {what} must be a number >= 0, not "
                            f"{series.loc[sid]!r}", field=what)
    return numeric


def segment_workload(
    segments: gpd.GeoDataFrame,
    workload: pd.Series | str | None = None,
    *,
    issue_load: pd.Series | str | None = None,
    issue_weight: float = DEFAULT_ISSUE_WEIGHT,
    speed_kmh: float = DEFAULT_PATROL_SPEED_KMH,
) -> pd.Series:
    """Return each segment's workload in minutes per week, indexed by ``segment_id``.

    Parameters
    ----------
    segments
        Segments from :func:`patrolgeo.roads.segments_from_graph`.
    workload
        A Series (indexed by segment id, or aligned with ``segments``) or a column name.
        ``None`` uses the ``workload`` column of the plans stage when present, else the
        fallback: minutes to walk the segment once at ``speed_kmh`` (``length_m``).
    issue_load
        Optional per-segment issue load (Series or column name); missing segments count 0.
    issue_weight
        Minutes of workload per unit of issue load.
    speed_kmh
        Patrol speed of the fallback.

    Returns
    -------
    pandas.Series
        ``workload`` in minutes per week, indexed by ``segment_id`` in segment order.

    Raises
    ------
    SegmentsError
        When the segments have no ``segment_id`` column or repeat an id.
    InputRowError
        A missing column, a workload that is not a number >= 0, or a bad speed or weight.
    """
    validate_segments(segments, ("segment_id",), projected=False)
    if workload is None and "workload" in segments.columns:
        workload = "workload"
    if workload is None:
        if speed_kmh <= 0:
            raise InputRowError("patrol speed must be positive", field="speed_kmh")
        base = _keyed("length_m", segments, "length_m") / (speed_kmh * 1000 / 60)
    else:
        base = _keyed(workload, segments, "workload")
        base = base.reindex(segments["segment_id"])
        if base.isna().any():
            raise InputRowError(f"segment {base.index[base.isna()][0]} has no workload",
                                field="workload")
    if issue_load is not None:
        if issue_weight < 0:
            raise InputRowError("issue weight must be >= 0", field="issue_weight")
        extra = _keyed(issue_load, segments, "issue_load").fillna(0.0)
        base = base.add(issue_weight * extra.reindex(base.index).fillna(0.0))
    base.index.name = "segment_id"
    return base.rename("workload")


