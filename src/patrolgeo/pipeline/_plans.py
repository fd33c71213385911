"""The plans verb: grades and cleaning plans from the OSM file, and their files."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from patrolgeo import (
    defaults,
    plans,
    pois,
    roads,
)
from patrolgeo.errors import OSMFileError
from patrolgeo.labels import Text
from patrolgeo.outputs import maps
from patrolgeo.outputs.files import write_csv, write_text, write_xlsx
from patrolgeo.pipeline._common import (
    DEFAULT_MAP_OPTIONS,
    MapOptions,
    RoadsResult,
    RunOutputs,
)


def plan_from_osm(
    result: RoadsResult,
    osm: str | Path,
    *,
    rules: plans.Rules | None = None,
    overrides: list[plans.Override] | None = None,
    bbox: tuple[float, float, float, float] | None = None,
    issue_load: pd.Series | None = None,
) -> plans.PlanResult:
    """Grade the roads of ``result`` and plan their cleaning from the same OSM file."""
    osm = Path(osm)
    if osm.name.lower().endswith(roads.GRAPHML_SUFFIXES):
        raise OSMFileError("plans read shops, stations and bus routes from the OSM file: "
                           "give the .osm/.osm.bz2/.osm.pbf, not a GraphML cache", file=osm)
    evidence = pois.read_evidence(osm, bbox=bbox)
    return plans.plan_roads(result.segments, evidence, rules=rules, overrides=overrides,
                            issue_load=issue_load)


def write_plans(plan: plans.PlanResult, out: str | Path, outputs: RunOutputs,
                map_options: MapOptions = DEFAULT_MAP_OPTIONS,
                lang: str = defaults.LANG) -> None:
    """Write the plan book, with its words in ``lang``.

    Plan table (CSV, xlsx), per-road plan pages (HTML), per-segment grades and workloads
    (CSV) and the grade map.
    """
    from patrolgeo.outputs import plans as plan_files

    out = Path(out)
    outputs.add(Text("保洁方案表 CSV", "Cleaning plans CSV"),
                write_csv(plan_files.plan_csv_table(plan, lang), out / "plans.csv"))
    outputs.add(Text("保洁方案表 Excel", "Cleaning plans Excel"),
                write_xlsx(plan_files.plan_sheets(plan, lang), out / "plans.xlsx"))
    outputs.add(Text("一路一策方案册", "Per-road plan book"),
                write_text(plan_files.plan_book_html(plan, lang=lang), out / "plans.html"))
    outputs.add(Text("分段等级与工作量 CSV", "Segment grades and workloads CSV"),
                write_csv(plan_files.segment_csv_table(plan, lang), out / "segments_plan.csv"))
    outputs.add(Text("保洁等级地图", "Cleaning grade map"),
                maps.save_map(maps.grade_map(plan.segments, basemap=map_options.basemap,
                                             offline=map_options.offline, lang=lang),
                              out / "grades.html", offline=map_options.offline))
