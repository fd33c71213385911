"""Issue reports and hotspots: intake, taxonomy, snapping, aggregation, Gi* and trends.

The stage computes with codes: reject reasons (``reason_code``), Gi* classes
(``gi_class``), trend patterns (``trend``). Their words come from
:mod:`patrolgeo.labels` (tables ``issue_reject``, ``gi_class``, ``trend``) through
:meth:`Intake.rejects_table`, :func:`label_hotspots`, :func:`gi_class_label` and
:func:`trend_label`, each in the language it is given.

Typical use::

    from patrolgeo import issues
    intake = issues.read_reports(["reports.csv", "open311.json"])
    snapped = issues.snap_reports(intake.reports, segments)
    result = issues.find_hotspots(snapped, segments)
    result.segments[["segment_id", "issue_count", "gi_class", "trend", "issue_load"]]
    issues.label_hotspots(result.segments, "en")["gi_label"]
"""

from patrolgeo.issues import synthetic, taxonomy
from patrolgeo.issues._aggregate import (
    AGGREGATE_KEYS,
    UNASSIGNED,
    aggregate,
    issue_load,
    observed_weeks,
)
from patrolgeo.issues._gi import (
    DEFAULT_PERMUTATIONS,
    GI_CLASSES,
    LEVELS,
    adjacency_weights,
    gi_star,
    gi_star_z,
    permutation_pvalues,
    segment_values,
)
from patrolgeo.issues._hotspots import (
    HOTSPOT_COLUMNS,
    LABEL_COLUMNS,
    HotspotResult,
    find_hotspots,
    label_hotspots,
)
from patrolgeo.issues._parse import convert_to_wgs84, normalise_labels, parse_times
from patrolgeo.issues._read import (
    detect_format,
    read_csv_reports,
    read_geojson_reports,
    read_open311_reports,
    read_raw,
    reports_from_frame,
)
from patrolgeo.issues._reports import (
    INPUT_CRS,
    OUTPUT_COLUMNS,
    REJECT_CODE_COLUMNS,
    REJECT_COLUMNS,
    SOURCES,
    STATUSES,
    Intake,
    RawReports,
    rejects_table,
)
from patrolgeo.issues._trends import (
    TRENDS,
    classify_trends,
    emerging_trends,
    mann_kendall,
    weekly_counts,
)
from patrolgeo.issues._validate import read_reports, validate
from patrolgeo.issues.snap import DEFAULT_MAX_DISTANCE_M, snap_reports
from patrolgeo.issues.synthetic import SYNTHETIC_TAG, synthetic_reports
from patrolgeo.issues.taxonomy import Taxonomy, default_taxonomy, load_taxonomy
from patrolgeo.labels._issues import gi_class_label, reject_reason, trend_label

__all__ = [
    "AGGREGATE_KEYS", "DEFAULT_MAX_DISTANCE_M", "DEFAULT_PERMUTATIONS", "GI_CLASSES",
    "HOTSPOT_COLUMNS", "INPUT_CRS", "LABEL_COLUMNS", "LEVELS", "OUTPUT_COLUMNS",
    "REJECT_CODE_COLUMNS", "REJECT_COLUMNS", "SOURCES", "STATUSES", "SYNTHETIC_TAG",
    "TRENDS", "UNASSIGNED", "HotspotResult", "Intake", "RawReports", "Taxonomy",
    "adjacency_weights", "aggregate", "classify_trends", "convert_to_wgs84",
    "default_taxonomy", "detect_format", "emerging_trends", "find_hotspots", "gi_class_label",
    "gi_star", "gi_star_z", "issue_load", "label_hotspots", "load_taxonomy", "mann_kendall",
    "normalise_labels", "observed_weeks", "parse_times", "permutation_pvalues",
    "read_csv_reports", "read_geojson_reports", "read_open311_reports", "read_raw",
    "read_reports", "reject_reason", "rejects_table", "reports_from_frame", "segment_values",
    "snap_reports", "synthetic", "synthetic_reports", "taxonomy", "trend_label", "validate",
    "weekly_counts",
]
