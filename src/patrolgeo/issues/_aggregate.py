"""Counting reports by any key, and the issue load per segment."""

from __future__ import annotations

from collections.abc import Sequence

import geopandas as gpd
import pandas as pd

from patrolgeo.errors import InputRowError

#: The chief of reports on segments the assignment leaves out, unless the caller names
#: it (writers pass ``label("issue_text", "unassigned", lang)``).
UNASSIGNED = "unassigned"


# --------------------------------------------------------------------------- aggregation


AGGREGATE_KEYS = {
    "segment": ["segment_id"], "road": ["road_id"], "chief": ["chief_id"],
    "category": ["category_code", "category"], "subcategory": ["subcategory_code",
                                                               "subcategory"],
    "week": ["week"], "source": ["source"], "status": ["status"],
}


def aggregate(
    snapped: pd.DataFrame,
    by: Sequence[str],
    *,
    assignment: pd.Series | None = None,
    unassigned: str = UNASSIGNED,
) -> pd.DataFrame:
    """Count reports and sum their severity by any keys.

    The keys are segment, road, chief, category, subcategory, week, source and status.
    Grouping by segment, road or chief uses on-network reports only (off-network ones
    have no segment); the other keys count every kept report.

    Parameters
    ----------
    snapped
        From :func:`patrolgeo.issues.snap_reports`.
    by
        Keys, e.g. ``["road", "week"]``.
    assignment
        ``segment_id -> chief_id`` (from territories), needed for ``"chief"``.
    unassigned
        The ``chief_id`` given to reports on segments the assignment leaves out.

    Returns
    -------
    pandas.DataFrame
        The key columns, ``issue_count`` and ``severity_sum``, sorted by the keys.
    """
    unknown = [k for k in by if k not in AGGREGATE_KEYS]
    if unknown or not by:
        raise InputRowError(f"unknown aggregation key(s) {unknown}; use "
                            f"{', '.join(AGGREGATE_KEYS)}", field="by")
    # only the columns the grouping reads: a million reports' other columns stay put
    columns = [c for k in by for c in AGGREGATE_KEYS[k] if k != "chief"]
    wanted = [*dict.fromkeys([*columns, "segment_id", "on_network", "id", "severity",
                              "synthetic"])]
    frame = pd.DataFrame({c: snapped[c].to_numpy() for c in wanted if c in snapped.columns},
                         index=snapped.index)
    if any(k in ("segment", "road", "chief") for k in by):
        frame = frame[frame["on_network"]]
    if "chief" in by:
        if assignment is None:
            raise InputRowError("aggregating by chief needs an assignment segment_id -> "
                                "chief_id", field="assignment")
        frame = frame.assign(chief_id=frame["segment_id"].map(assignment))
        frame = frame.assign(chief_id=frame["chief_id"].fillna(unassigned))
    columns = [c for k in by for c in AGGREGATE_KEYS[k]]
    out = (frame.groupby(columns, sort=True, dropna=False)
           .agg(issue_count=("id", "size"), severity_sum=("severity", "sum"))
           .reset_index())
    if len(frame) and frame["synthetic"].any():
        out["synthetic"] = True
    return out


def observed_weeks(snapped: pd.DataFrame) -> int:
    """Count the calendar weeks from the first to the last report (at least 1)."""
    if len(snapped) == 0:
        return 1
    span = (snapped["week"].max() - snapped["week"].min()).days // 7 + 1
    return max(int(span), 1)


def issue_load(snapped: pd.DataFrame, segments: gpd.GeoDataFrame,
               *, weeks: int | None = None) -> pd.Series:
    """Issue load per segment: severity-weighted on-network reports per week.

    The weight of a report is its kind's severity in the taxonomy (1 for an ordinary
    street problem). ``weeks`` defaults to the calendar weeks the reports span. Plans
    use it for patrol frequency and territories for workload.

    Returns
    -------
    pandas.Series
        Float per ``segment_id`` (index), in ``segments`` order; 0 without reports.
    """
    weeks = observed_weeks(snapped) if weeks is None else int(weeks)
    if weeks < 1:
        raise InputRowError("weeks must be at least 1", field="weeks")
    on = snapped.loc[snapped["on_network"].to_numpy(dtype=bool), ["segment_id", "severity"]]
    sums = on.groupby("segment_id")["severity"].sum()
    load = sums.reindex(segments["segment_id"].to_numpy()).fillna(0.0) / weeks
    load.index.name = "segment_id"
    return load.rename("issue_load").astype(float)


