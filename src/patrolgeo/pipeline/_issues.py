"""The hotspots verb: reports validated, snapped and tested, and their files."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import pandas as pd

from patrolgeo import (
    defaults,
    issues,
    pois,
    territories,
)
from patrolgeo.errors import InputRowError
from patrolgeo.labels import Text
from patrolgeo.outputs import maps
from patrolgeo.outputs.files import write_csv, write_gpkg
from patrolgeo.pipeline._common import (
    DEFAULT_MAP_OPTIONS,
    MapOptions,
    RunOutputs,
    Step,
    _no_step,
)


@dataclass
class IssuesResult:
    """Reports taken in, snapped to segments, aggregated and tested for hotspots."""

    intake: issues.Intake
    snapped: gpd.GeoDataFrame
    hotspots: issues.HotspotResult
    summaries: dict[str, pd.DataFrame]
    synthetic_input: pd.DataFrame | None = None

    @property
    def synthetic(self) -> bool:
        """Whether the reports are synthetic (demo data)."""
        return self.intake.synthetic


def read_assignment(path: str | Path) -> pd.Series:
    """Read an ``assignments.csv`` as a ``segment_id -> chief_id`` series.

    The same reader as ``patrolgeo assign --previous`` (:func:`territories.read_assignment`),
    so a file one verb accepts no other refuses.

    Parameters
    ----------
    path
        The CSV file (UTF-8, UTF-8 with BOM, or GB18030).

    Returns
    -------
    pandas.Series
        ``chief_id`` indexed by ``segment_id``.
    """
    table = territories.read_assignment(path)
    return pd.Series(table["chief_id"].to_numpy(), index=table["segment_id"].to_numpy(),
                     name="chief_id")


def analyse_issues(
    segments: gpd.GeoDataFrame,
    raw: issues.RawReports,
    *,
    taxonomy: issues.Taxonomy | None = None,
    crs: str = "wgs84",
    tz: str = "Asia/Shanghai",
    bounds: tuple[float, float, float, float] | None = None,
    max_distance_m: float = issues.DEFAULT_MAX_DISTANCE_M,
    value: str = "rate",
    gi_pvalue: str = "model",
    permutations: int = issues.DEFAULT_PERMUTATIONS,
    seed: int = 0,
    fdr: float = issues.DEFAULT_FDR,
    as_of: str | pd.Timestamp | None = None,
    earliest: str | pd.Timestamp | None = None,
    assignment: pd.Series | None = None,
    step: Step | None = None,
    lang: str = defaults.LANG,
) -> IssuesResult:
    """Validate, snap, aggregate and test reports on ``segments``.

    ``as_of`` (default now) and ``earliest`` (default
    :data:`patrolgeo.issues.DEFAULT_EARLIEST`) bound the report times kept (see
    :func:`patrolgeo.issues.validate`); ``value``, ``gi_pvalue``, ``permutations``,
    ``seed`` and ``fdr`` go to :func:`patrolgeo.issues.find_hotspots`.

    Raises
    ------
    InputRowError
        When no report survives validation (the message names the first problem).
    """
    from patrolgeo.labels import label

    step = step or _no_step
    step(label("issue_text", "validating", lang))
    intake = issues.validate(raw, taxonomy=taxonomy, crs=crs, tz=tz, bounds=bounds,
                             as_of=as_of, earliest=earliest)
    if len(intake.reports) == 0:
        first = intake.rejects.iloc[0] if len(intake.rejects) else None
        detail = {code: (f"; {first['field']}: "
                         f"{issues.reject_reason(first['reason_code'], first['detail'], code)}"
                         if first is not None else "") for code in ("zh", "en")}
        raise InputRowError(
            Text(f"没有有效的问题上报（{intake.n_read} 行全部被拒）{detail['zh']}",
                 f"no valid report ({intake.n_read} rows, all rejected){detail['en']}"),
            file=None if first is None else first["source_file"],
            row=None if first is None else int(first["row"]))
    step(label("issue_text", "snapping", lang))
    snapped = issues.snap_reports(intake.reports, segments, max_distance_m=max_distance_m)
    step(label("issue_text", "hotspot_analysis", lang))
    result = issues.find_hotspots(snapped, segments, value=value, gi_pvalue=gi_pvalue,
                                  permutations=permutations, seed=seed, fdr=fdr,
                                  assignment=assignment)
    summaries = {
        "road": issues.aggregate(snapped, ["road"]),
        "category": issues.aggregate(snapped, ["category", "subcategory"]),
        "week": issues.aggregate(snapped, ["week", "category"]),
        "source": issues.aggregate(snapped, ["source"]),
    }
    if assignment is not None:
        summaries["chief"] = issues.aggregate(snapped, ["chief"], assignment=assignment,
                                              unassigned=label("issue_text", "unassigned",
                                                               lang))
    return IssuesResult(intake, snapped, result, summaries)


def synthetic_issues(
    osm: str | Path,
    segments: gpd.GeoDataFrame,
    *,
    weeks: int = 12,
    seed: int = 0,
    bad_rows: int = 10,
) -> pd.DataFrame:
    """Synthetic reports (demo only) on ``segments`` from the OSM context of ``osm``."""
    context, _ = pois_context(osm)
    return issues.synthetic_reports(segments, context, weeks=weeks, seed=seed,
                                    bad_rows=bad_rows)


def pois_context(osm: str | Path):
    """Points of interest and bus-route ways of an OSM file (``None`` for a GraphML)."""
    if str(osm).lower().endswith(".graphml"):
        return None, {}
    return pois.read_context(osm)


def write_hotspots(result: IssuesResult, out: str | Path, outputs: RunOutputs,
                   map_options: MapOptions = DEFAULT_MAP_OPTIONS,
                   lang: str = defaults.LANG) -> None:
    """Write snapped reports, rejects, hotspots, issue load, summaries and the map.

    Snapped reports as CSV and GeoPackage, the rejects with their reasons in ``lang``,
    every segment's hotspot class and trend (GeoPackage), issue load per segment, the
    totals per road, category, week, source (and chief) and the hotspot map.
    """
    from patrolgeo.labels import label


    def name(code: str, **fields: str) -> str:
        return label("issue_text", code, lang).format(**fields)

    out = Path(out)
    tag = name("synthetic_tag") if result.synthetic else ""
    if result.synthetic_input is not None:
        outputs.add(name("synthetic_reports_csv") + tag,
                    write_csv(result.synthetic_input, out / "synthetic_reports.csv"))
    snapped = result.snapped.copy()
    snapped["week"] = snapped["week"].dt.strftime("%Y-%m-%d")
    outputs.add(name("snapped_csv") + tag, write_csv(snapped, out / "issues_snapped.csv"))
    gpkg = snapped.copy()
    gpkg["reported_at"] = gpkg["reported_at"].dt.strftime("%Y-%m-%dT%H:%M:%S")
    outputs.add(name("snapped_gpkg") + tag,
                write_gpkg(gpkg, out / "issues_snapped.gpkg", layer="issues"))
    outputs.add(name("rejects_csv"),
                write_csv(result.intake.rejects_table(lang), out / "rejects.csv"))
    segments = issues.label_hotspots(result.hotspots.segments, lang)
    outputs.add(name("hotspots_gpkg") + tag,
                write_gpkg(segments, out / "hotspots.gpkg", layer="hotspots"))
    load_columns = ["segment_id", "road_id", "road_name", "length_m", "issue_count",
                    "severity_sum", "issue_load", "street_q", "gi_class", "hot_kind",
                    "hot_label", "trend"]
    load_columns += [c for c in ("chief_id", "synthetic") if c in segments.columns]
    outputs.add(name("issue_load_csv") + tag,
                write_csv(pd.DataFrame(segments[load_columns]), out / "issue_load.csv"))
    for key, table in result.summaries.items():
        table = table.copy()
        if "week" in table.columns:
            table["week"] = table["week"].dt.strftime("%Y-%m-%d")
        outputs.add(name("summary_csv", key=label("issue_summary_key", key, lang)) + tag,
                    write_csv(table, out / f"issues_by_{key}.csv"))
    fmap = maps.hotspot_map(segments, result.snapped, synthetic=result.synthetic,
                            basemap=map_options.basemap, offline=map_options.offline,
                            lang=lang)
    outputs.add(name("hotspot_map") + tag,
                maps.save_map(fmap, out / "hotspots.html", offline=map_options.offline))
