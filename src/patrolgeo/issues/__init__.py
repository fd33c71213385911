"""Issue reports and hotspots: intake, taxonomy, snapping, aggregation, Gi* and trends.

The stage computes with codes: reject reasons (``reason_code``), Gi* classes
(``gi_class``), combined hot-street / hot-area classes (``hot_kind``), trend patterns
(``trend``). Their words come from :mod:`patrolgeo.labels` (tables ``issue_reject``,
``gi_class``, ``hot_kind``, ``trend``) through :meth:`Intake.rejects_table`,
:func:`label_hotspots`, :func:`gi_class_label`, :func:`hot_kind_label` and
:func:`trend_label`, each in the language it is given.

Typical use::

    from patrolgeo import issues
    intake = issues.read_reports(["reports.csv", "open311.json"])
    snapped = issues.snap_reports(intake.reports, segments)
    result = issues.find_hotspots(snapped, segments)
    result.segments[["segment_id", "issue_count", "street_q", "gi_q", "hot_kind",
                     "trend", "issue_load"]]
    issues.label_hotspots(result.segments, "en")["hot_label"]
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
    GI_PVALUES,
    LEVELS,
    adjacency_weights,
    gi_star,
    gi_star_z,
    model_gi_star,
    permutation_pvalues,
    segment_values,
)
from patrolgeo.issues._hotspots import (
    HOT_KINDS,
    HOTSPOT_COLUMNS,
    LABEL_COLUMNS,
    HotspotResult,
    find_hotspots,
    hot_kinds,
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
from patrolgeo.issues._street import (
    DEFAULT_FDR,
    MIN_STREET_EXPOSURE_M,
    STREET_COLUMNS,
    area_test,
    exposure_km,
    fit_rate_dispersion,
    street_test,
)
from patrolgeo.issues._times import DEFAULT_EARLIEST, TimeLimits, time_limits
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
from patrolgeo.labels._issues import gi_class_label, hot_kind_label, reject_reason, trend_label

__all__ = [
    "AGGREGATE_KEYS", "DEFAULT_EARLIEST", "DEFAULT_FDR", "DEFAULT_MAX_DISTANCE_M",
    "DEFAULT_PERMUTATIONS", "GI_CLASSES", "GI_PVALUES", "HOTSPOT_COLUMNS", "HOT_KINDS",
    "INPUT_CRS", "LABEL_COLUMNS", "LEVELS", "MIN_STREET_EXPOSURE_M", "OUTPUT_COLUMNS",
    "REJECT_CODE_COLUMNS", "REJECT_COLUMNS", "SOURCES", "STATUSES", "STREET_COLUMNS",
    "SYNTHETIC_TAG", "TRENDS", "UNASSIGNED", "HotspotResult", "Intake", "RawReports",
    "Taxonomy", "TimeLimits", "adjacency_weights", "aggregate", "area_test",
    "classify_trends",
    "convert_to_wgs84", "default_taxonomy", "detect_format", "emerging_trends",
    "exposure_km", "find_hotspots", "fit_rate_dispersion", "gi_class_label", "gi_star", "gi_star_z",
    "hot_kind_label", "hot_kinds", "issue_load", "label_hotspots", "load_taxonomy",
    "mann_kendall", "model_gi_star",
    "normalise_labels", "observed_weeks", "parse_times", "permutation_pvalues",
    "read_csv_reports", "read_geojson_reports", "read_open311_reports", "read_raw",
    "read_reports", "reject_reason", "rejects_table", "reports_from_frame", "segment_values",
    "snap_reports", "street_test", "synthetic", "synthetic_reports", "taxonomy",
    "time_limits", "trend_label", "validate", "weekly_counts",
]
