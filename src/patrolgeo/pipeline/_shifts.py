"""The shifts verb: crews' shift routes around a depot, and their tables."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import networkx as nx
import pandas as pd

from patrolgeo import defaults
from patrolgeo.labels import Text, pick
from patrolgeo.outputs.files import write_csv, write_geojson
from patrolgeo.pipeline._common import (
    RoadsResult,
    RunOutputs,
)
from patrolgeo.routing.route import UNREACHABLE_COLUMNS, UNREACHABLE_ONE_WAY

#: Farthest a depot may lie from the network's nearest node: a depot is a yard on a
#: street; beyond this the point is a typo (swapped coordinates, another city).
MAX_DEPOT_SNAP_M = 2000.0


@dataclass
class ShiftTables:
    """What :func:`plan_shift_tables` returns and :func:`write_shifts` writes.

    Attributes
    ----------
    routes, steps, stops, lines
        One row per route, the walk edge by edge, the point visits, the route lines.
    unreachable
        Streets of the territory no vehicle can reach from the depot and get back from
        along one-way streets (:data:`patrolgeo.routing.route.UNREACHABLE_COLUMNS`);
        empty on foot.
    """

    routes: pd.DataFrame
    steps: pd.DataFrame
    stops: pd.DataFrame
    lines: gpd.GeoDataFrame
    unreachable: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(
        columns=list(UNREACHABLE_COLUMNS)))

    def unreachable_note(self, lang: str = defaults.LANG) -> str | None:
        """One line on the streets left out, or ``None`` when every street is served."""
        n = len(self.unreachable)
        if not n:
            return None
        km = self.unreachable["length_m"].sum() / 1000
        return pick(f"注意：{n} 个路段（{km:.2f} 公里）沿单行道无法从车场往返，未排入班次，"
                    "清单见 unreachable.csv",
                    f"note: {n} segment{'' if n == 1 else 's'} ({km:.2f} km) cannot be "
                    "reached from the depot and back along one-way streets and are not in "
                    "any shift; listed in unreachable.csv", lang)


def _reachable_from(G: nx.MultiDiGraph, depot: object,
                    territory: gpd.GeoDataFrame) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    """Split ``territory`` into what a crew can reach from ``depot`` and get back from.

    On foot every street runs both ways, so everything connected is served; by vehicle
    only the depot's strongly connected part of the one-way graph is.
    """
    if G.graph.get("mode", "walk") == "walk":
        return territory, pd.DataFrame(columns=list(UNREACHABLE_COLUMNS))
    both_ways = next(c for c in nx.strongly_connected_components(G) if depot in c)
    inside = territory["u"].isin(both_ways) & territory["v"].isin(both_ways)
    left = territory[~inside]
    table = pd.DataFrame({
        "segment_id": left["segment_id"].astype(str),
        "way_id": left.get("osm_way_id", pd.NA),
        "road_name": left["road_name"], "highway": left["highway"],
        "length_m": left["length_m"].astype(float),
        "reason": UNREACHABLE_ONE_WAY,
    }, columns=list(UNREACHABLE_COLUMNS)).sort_values("segment_id").reset_index(drop=True)
    return territory[inside], table


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
) -> ShiftTables:
    """Plan crews' shifts over the streets around a depot.

    The territory is every segment within ``radius_m`` of the depot (default: the
    network's centre); school-gate posts staff 07:10-07:50 and 16:30-17:30. By vehicle,
    streets that one-way rules keep out of reach of the depot (there and back) are left
    out of the shifts and listed in :attr:`ShiftTables.unreachable`.

    Returns
    -------
    ShiftTables
        The routes, steps, stops and lines, and the unreachable streets.
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
    off = here.distance(centre)
    if off > MAX_DEPOT_SNAP_M:
        raise AreaError(Text(f"车场距路网 {off / 1000:,.1f} 公里（最多 "
                             f"{MAX_DEPOT_SNAP_M:.0f} 米）：请检查 --depot 是否为“经度,纬度”",
                             f"the depot is {off / 1000:,.1f} km from the network (at most "
                             f"{MAX_DEPOT_SNAP_M:.0f} m): check --depot is LON,LAT"),
                        field="--depot")
    if cap.clock(start) >= cap.clock(end):
        raise AreaError(Text(f"开始时刻 {start} 不早于结束时刻 {end}",
                             f"the start {start} is not before the end {end}"), field="--start")
    territory = seg if radius_m is None else seg[seg.geometry.distance(here) <= radius_m]
    if territory.empty:
        raise AreaError(f"no street within {radius_m} m of the depot", field="radius_m")
    territory, unreachable = _reachable_from(G, depot, territory)
    if territory.empty:
        raise AreaError(Text(f"车场周围 {radius_m} 米内没有车辆能往返的道路",
                             f"no street within {radius_m} m of the depot can be reached "
                             "and left by vehicle"), field="radius_m")
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
    routes, steps, stops, lines = cap.plan_tables(G, plan)
    return ShiftTables(routes, steps, stops, lines, unreachable)


def write_shifts(
    tables: ShiftTables,
    out: str | Path,
    outputs: RunOutputs,
) -> None:
    """Write the shift tables of :func:`plan_shift_tables`.

    ``shifts_routes.csv``, ``shifts_steps.csv``, ``shifts_stops.csv``,
    ``shifts_routes.geojson`` and, when some streets are out of reach,
    ``unreachable.csv``.
    """
    routes, steps, stops, lines = tables.routes, tables.steps, tables.stops, tables.lines
    out = Path(out)
    outputs.add(Text("班次路线汇总 CSV", "Shift routes CSV"),
                write_csv(routes, out / "shifts_routes.csv"))
    outputs.add(Text("班次路线逐段 CSV", "Shift route steps CSV"),
                write_csv(steps, out / "shifts_steps.csv"))
    outputs.add(Text("定点任务 CSV", "Point visits CSV"),
                write_csv(stops, out / "shifts_stops.csv"))
    outputs.add(Text("班次路线 GeoJSON", "Shift routes GeoJSON"),
                write_geojson(lines, out / "shifts_routes.geojson"))
    if len(tables.unreachable):
        outputs.add(Text("无法往返的路段 CSV", "Unreachable segments CSV"),
                    write_csv(tables.unreachable, out / "unreachable.csv"))
