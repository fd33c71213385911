"""Hotspot analysis of the reports on a network: counts, Gi*, trends and issue load."""

from __future__ import annotations

from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd

from patrolgeo.issues._aggregate import issue_load
from patrolgeo.issues._gi import (
    DEFAULT_PERMUTATIONS,
    LEVELS,
    MIN_EXPOSURE_M,
    gi_star,
    segment_values,
)
from patrolgeo.issues._trends import DEFAULT_ALPHA, emerging_trends, weekly_counts
from patrolgeo.labels._issues import gi_class_label, trend_label
from patrolgeo.segments import CORE_COLUMNS, adjacency_matrix, validate_segments

#: The columns :func:`find_hotspots` adds to the segments (codes and numbers).
HOTSPOT_COLUMNS = ["issue_count", "severity_sum", "issue_load", "issues_per_km", "gi_z",
                   "gi_p", "gi_q", "gi_bin", "gi_class", "trend", "trend_tau", "trend_p",
                   "hot_weeks", "cold_weeks"]

#: The columns :func:`label_hotspots` adds: the words of ``gi_class`` and ``trend``.
LABEL_COLUMNS = ["gi_label", "trend_label"]

#: Metres per kilometre, for the issues per km.
M_PER_KM = 1000.0


@dataclass
class HotspotResult:
    """Hotspot analysis of the reports on a network.

    Attributes
    ----------
    segments
        The input segments plus :data:`HOTSPOT_COLUMNS` (``chief_id`` too when an
        assignment was given, ``synthetic`` when the reports were synthetic).
    weeks
        The weeks analysed for trends (Mondays).
    params
        The settings used (value, permutations, seed, alpha, FDR levels …).
    """

    segments: gpd.GeoDataFrame
    weeks: pd.DatetimeIndex
    params: dict = field(default_factory=dict)


def find_hotspots(
    snapped: pd.DataFrame,
    segments: gpd.GeoDataFrame,
    *,
    value: str = "rate",
    permutations: int = DEFAULT_PERMUTATIONS,
    seed: int = 0,
    alpha: float = DEFAULT_ALPHA,
    assignment: pd.Series | None = None,
    weeks: int | None = None,
) -> HotspotResult:
    """Count, weigh and test the reports on every segment; classify hotspots and trends.

    Parameters
    ----------
    snapped
        Reports snapped to ``segments`` (:func:`patrolgeo.issues.snap_reports`).
    segments
        The network's segments (projected).
    value
        ``"rate"`` (EB-standardised issues per km, the default) or ``"count"``.
    permutations, seed
        Conditional permutations of Gi* and their seed.
    alpha
        Significance of a week's hot/cold spots and of the Mann–Kendall trend.
    assignment
        Optional ``segment_id -> chief_id``, added as a column.
    weeks
        Weeks the issue load is spread over (default: the span of the reports).

    Returns
    -------
    HotspotResult
        The segments with :data:`HOTSPOT_COLUMNS` (codes: see :func:`label_hotspots`
        for the words).

    Raises
    ------
    SegmentsError
        ``segments`` break the segments contract.
    InputRowError
        An unknown ``value`` or a bad ``permutations`` or ``weeks``.
    """
    validate_segments(segments, CORE_COLUMNS)
    segments = segments.reset_index(drop=True)
    adjacency = adjacency_matrix(segments)
    weekly, week_index = weekly_counts(snapped, segments)
    counts = weekly.sum(axis=1) if weekly.shape[1] else np.zeros(len(segments))
    length = segments["length_m"].to_numpy(dtype=float)
    gi = gi_star(segment_values(counts, length, value), adjacency, permutations=permutations,
                 seed=seed)
    trends = emerging_trends(weekly, adjacency, length, value=value, alpha=alpha)
    load = issue_load(snapped, segments, weeks=weeks)
    on = snapped[snapped["on_network"]]
    severity = on.groupby("segment_id")["severity"].sum().reindex(
        segments["segment_id"].to_numpy()).fillna(0.0).to_numpy()
    out = segments.copy()
    out["issue_count"] = counts.astype(np.int64)
    out["severity_sum"] = severity
    out["issue_load"] = load.to_numpy()
    out["issues_per_km"] = counts / np.maximum(length, MIN_EXPOSURE_M) * M_PER_KM
    for column in gi.columns:
        out[column] = gi[column].to_numpy()
    for column in trends.columns:
        out[column] = trends[column].to_numpy()
    if assignment is not None:
        out["chief_id"] = out["segment_id"].map(assignment)
    if len(snapped) and bool(snapped["synthetic"].any()):
        out["synthetic"] = True
    params = {"value": value, "permutations": int(permutations), "seed": int(seed),
              "alpha": alpha, "fdr_levels": [a for _, a in LEVELS],
              "weeks": len(week_index), "reports_on_network": len(on)}
    out.attrs.update(params)
    return HotspotResult(segments=out, weeks=week_index, params=params)


def label_hotspots(segments: gpd.GeoDataFrame, lang: str = "zh") -> gpd.GeoDataFrame:
    """Add the words of the Gi* classes and trends, in ``lang``, to hotspot segments.

    ``gi_label`` follows ``gi_class`` and ``trend_label`` follows ``cold_weeks`` (the
    layout of ``hotspots.gpkg``).

    Parameters
    ----------
    segments
        :attr:`HotspotResult.segments`.
    lang
        ``"zh"`` or ``"en"``.

    Returns
    -------
    geopandas.GeoDataFrame
        A copy with :data:`LABEL_COLUMNS` added (replaced, if ``segments`` had them).
    """
    out = segments.drop(columns=[c for c in LABEL_COLUMNS if c in segments.columns])
    gi_words = [gi_class_label(c, lang) for c in out["gi_class"]]
    out.insert(out.columns.get_loc("gi_class") + 1, "gi_label", gi_words)
    trend_words = [trend_label(t, lang) for t in out["trend"]]
    out.insert(out.columns.get_loc("cold_weeks") + 1, "trend_label", trend_words)
    return out
