"""Hotspot analysis of the reports on a network: hot streets, hot areas, trends, load.

Two inferences, each controlling its false discovery rate (Benjamini–Hochberg) over the
segments: a **hot street** is a segment with many more reports than its length predicts
(:func:`patrolgeo.issues.street_test`); a **hot area** is a segment whose neighbourhood
(the segment and those sharing an end node) holds more issues than chance allows (Gi*,
:func:`patrolgeo.issues.gi_star`). ``hot_kind`` combines them: ``street_area``,
``street``, ``area``, ``cold_area`` or ``none``.
"""

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
    model_gi_star,
    segment_values,
)
from patrolgeo.issues._street import DEFAULT_FDR, STREET_COLUMNS, street_test
from patrolgeo.issues._trends import DEFAULT_ALPHA, emerging_trends, weekly_counts
from patrolgeo.labels._issues import gi_class_label, hot_kind_label, trend_label
from patrolgeo.segments import CORE_COLUMNS, adjacency_matrix, validate_segments

#: The columns :func:`find_hotspots` adds to the segments (codes and numbers).
HOTSPOT_COLUMNS = ["issue_count", "severity_sum", "issue_load", "issues_per_km",
                   *STREET_COLUMNS, "gi_z", "gi_p", "gi_q", "gi_bin", "gi_class",
                   "hot_kind", "trend", "trend_tau", "trend_p", "hot_weeks", "cold_weeks"]

#: The columns :func:`label_hotspots` adds: the words of ``gi_class``, ``hot_kind`` and
#: ``trend``.
LABEL_COLUMNS = ["gi_label", "hot_label", "trend_label"]

#: Codes of the combined class (words: ``patrolgeo.labels`` table ``hot_kind``), in the
#: order maps and legends show them.
HOT_KINDS = ("street_area", "street", "area", "cold_area", "none")

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
        The settings used and the fit (value, Gi* p-value method, permutations, seed,
        FDR, alpha, the network rate per km and the dispersion of the street test …).
    """

    segments: gpd.GeoDataFrame
    weeks: pd.DatetimeIndex
    params: dict = field(default_factory=dict)


def find_hotspots(
    snapped: pd.DataFrame,
    segments: gpd.GeoDataFrame,
    *,
    value: str = "rate",
    gi_pvalue: str = "model",
    permutations: int = DEFAULT_PERMUTATIONS,
    seed: int = 0,
    fdr: float = DEFAULT_FDR,
    alpha: float = DEFAULT_ALPHA,
    exposure: np.ndarray | None = None,
    assignment: pd.Series | None = None,
    weeks: int | None = None,
) -> HotspotResult:
    """Count, weigh and test the reports on every segment: hot streets, areas, trends.

    Parameters
    ----------
    snapped
        Reports snapped to ``segments`` (:func:`patrolgeo.issues.snap_reports`).
    segments
        The network's segments (projected).
    value
        What the classical Gi* (``gi_pvalue`` normal or permutation) and the weekly
        trends test: ``"rate"`` (EB-standardised issues per km, the default) or
        ``"count"``.
    gi_pvalue
        ``"model"`` (the default: each neighbourhood's count against what the street
        model predicts for its length, :func:`patrolgeo.issues.model_gi_star`),
        ``"normal"`` (the classical randomisation z of ``value`` with an analytic normal
        p-value) or ``"permutation"`` (the same z, total-permutation p-value).
    permutations, seed
        Permutations of Gi* (with ``gi_pvalue="permutation"``) and their seed.
    fdr
        False discovery rate of hot streets and of the hot/cold areas in ``hot_kind``.
    alpha
        Significance of a week's hot/cold spots and of the Mann–Kendall trend.
    exposure
        Optional relative exposure weight per segment (``segments`` order) for the
        street test; ``None``: length alone.
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
        An unknown ``value`` or ``gi_pvalue``, or a bad ``permutations``, ``fdr``,
        ``exposure`` or ``weeks``.
    """
    validate_segments(segments, CORE_COLUMNS)
    segments = segments.reset_index(drop=True)
    adjacency = adjacency_matrix(segments)
    weekly, week_index = weekly_counts(snapped, segments)
    counts = weekly.sum(axis=1) if weekly.shape[1] else np.zeros(len(segments))
    length = segments["length_m"].to_numpy(dtype=float)
    street, fit = street_test(counts, length, exposure=exposure, fdr=fdr)
    if gi_pvalue == "model":
        gi = model_gi_star(counts, fit["km"], fit["rate_per_km"], fit["alpha"], adjacency)
    else:
        gi = gi_star(segment_values(counts, length, value), adjacency, pvalue=gi_pvalue,
                     permutations=permutations, seed=seed)
    # trends only over the weeks the data covers: a week without a single report on the
    # network is a gap in the data, not a week of quiet streets
    covered = weekly.sum(axis=0) > 0
    model = (fit["km"], fit["alpha"]) if gi_pvalue == "model" else None
    trends = emerging_trends(weekly[:, covered], adjacency, length, value=value, alpha=alpha,
                             model=model)
    load = issue_load(snapped, segments, weeks=weeks)
    on = snapped.loc[snapped["on_network"].to_numpy(dtype=bool), ["segment_id", "severity"]]
    severity = on.groupby("segment_id")["severity"].sum().reindex(
        segments["segment_id"].to_numpy()).fillna(0.0).to_numpy()
    out = segments.copy()
    out["issue_count"] = counts.astype(np.int64)
    out["severity_sum"] = severity
    out["issue_load"] = load.to_numpy()
    out["issues_per_km"] = counts / np.maximum(length, MIN_EXPOSURE_M) * M_PER_KM
    for table in (street, gi):
        for column in table.columns:
            out[column] = table[column].to_numpy()
    out["hot_kind"] = hot_kinds(out["street_hot"].to_numpy(), gi["gi_z"].to_numpy(),
                                gi["gi_q"].to_numpy(), fdr)
    for column in trends.columns:
        out[column] = trends[column].to_numpy()
    if assignment is not None:
        out["chief_id"] = out["segment_id"].map(assignment)
    if len(snapped) and bool(snapped["synthetic"].any()):
        out["synthetic"] = True
    params = {"value": value, "gi_pvalue": gi_pvalue, "permutations": int(permutations),
              "seed": int(seed), "fdr": float(fdr), "alpha": alpha,
              "fdr_levels": [a for _, a in LEVELS], "weeks": int(covered.sum()),
              "street_rate_per_km": fit["rate_per_km"], "street_dispersion": fit["alpha"],
              "reports_on_network": len(on)}
    out.attrs.update(params)
    return HotspotResult(segments=out, weeks=week_index[covered], params=params)


def hot_kinds(street_hot: np.ndarray, gi_z: np.ndarray, gi_q: np.ndarray,
              fdr: float = DEFAULT_FDR) -> np.ndarray:
    """Combined class of each segment (:data:`HOT_KINDS`) from both inferences.

    A hot area is a Gi* z above 0 with Benjamini–Hochberg ``gi_q <= fdr``, a cold area
    one below 0; a hot street is ``street_hot``. A segment that is both a hot street
    and in a hot area is ``street_area``.
    """
    area = (gi_q <= fdr) & (gi_z > 0)
    cold = (gi_q <= fdr) & (gi_z < 0)
    street_hot = np.asarray(street_hot, dtype=bool)
    return np.select([street_hot & area, street_hot, area, cold],
                     ["street_area", "street", "area", "cold_area"], "none").astype(object)


def label_hotspots(segments: gpd.GeoDataFrame, lang: str = "zh") -> gpd.GeoDataFrame:
    """Add the words of the Gi* classes, combined classes and trends, in ``lang``.

    ``gi_label`` follows ``gi_class``, ``hot_label`` follows ``hot_kind`` and
    ``trend_label`` follows ``cold_weeks`` (the layout of ``hotspots.gpkg``).

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
    if "hot_kind" in out.columns:
        kind_words = [hot_kind_label(k, lang) for k in out["hot_kind"]]
        out.insert(out.columns.get_loc("hot_kind") + 1, "hot_label", kind_words)
    trend_words = [trend_label(t, lang) for t in out["trend"]]
    out.insert(out.columns.get_loc("cold_weeks") + 1, "trend_label", trend_words)
    return out
