"""Issue reports and hotspots: intake, taxonomy, snapping, aggregation, Gi* and trends.

Typical use::

    from patrolgeo import issues
    intake = issues.read_reports(["reports.csv", "open311.json"])
    snapped = issues.snap_reports(intake.reports, segments)
    result = issues.find_hotspots(snapped, segments)
    result.segments[["segment_id", "issue_count", "gi_class", "trend", "issue_load"]]
"""

from patrolgeo.issues.hotspots import (
    GI_CLASSES,
    TRENDS,
    HotspotResult,
    adjacency_weights,
    aggregate,
    classify_trends,
    emerging_trends,
    find_hotspots,
    gi_star,
    gi_star_z,
    issue_load,
    mann_kendall,
    segment_adjacency,
    segment_values,
    weekly_counts,
)
from patrolgeo.issues.intake import (
    INPUT_CRS,
    REJECT_COLUMNS,
    SOURCES,
    Intake,
    RawReports,
    parse_times,
    read_raw,
    read_reports,
    reports_from_frame,
    validate,
)
from patrolgeo.issues.snap import DEFAULT_MAX_DISTANCE_M, snap_reports
from patrolgeo.issues.synthetic import SYNTHETIC_TAG, synthetic_reports
from patrolgeo.issues.taxonomy import Taxonomy, default_taxonomy, load_taxonomy

__all__ = [
    "DEFAULT_MAX_DISTANCE_M", "GI_CLASSES", "INPUT_CRS", "REJECT_COLUMNS", "SOURCES",
    "SYNTHETIC_TAG", "TRENDS", "HotspotResult", "Intake", "RawReports", "Taxonomy",
    "adjacency_weights", "aggregate", "classify_trends", "default_taxonomy",
    "emerging_trends", "find_hotspots", "gi_star", "gi_star_z", "issue_load",
    "load_taxonomy", "mann_kendall", "parse_times", "read_raw", "read_reports",
    "reports_from_frame",
    "segment_adjacency", "segment_values", "snap_reports", "synthetic_reports", "validate",
    "weekly_counts",
]
