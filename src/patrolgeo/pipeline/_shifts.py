"""The shifts verb: crews' shift routes around a depot, and their tables."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd

from patrolgeo import (
    defaults,
)
from patrolgeo.labels import Text, pick
from patrolgeo.outputs.files import write_csv, write_geojson
from patrolgeo.pipeline._common import (
    RoadsResult,
    RunOutputs,
)


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
    """Write the shift tables of :func:`plan_shift_tables`.

    ``shifts_routes.csv``, ``shifts_steps.csv``, ``shifts_stops.csv`` and
    ``shifts_routes.geojson``.
    """
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
