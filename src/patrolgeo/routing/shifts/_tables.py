"""Shift plans as tables (routes, steps, stops) and route lines for export."""

from __future__ import annotations

from patrolgeo.routing.shifts._crews import format_clock
from patrolgeo.routing.shifts._steps import ShiftPlan, ShiftRoute

ROUTE_LINE_COLUMNS = ["route", "crew", "distance_m", "geometry"]
STOP_COLUMNS = ["route", "visit_id", "kind", "node", "arrival", "start", "end"]


def _summary(r: ShiftRoute) -> dict:
    return {
        "route": r.index, "crew": r.crew, "start": format_clock(r.start_s),
        "end": format_clock(r.end_s), "duration_min": round(r.duration_s / 60, 1),
        "distance_m": round(r.distance_m, 1), "served_m": round(r.served_m, 1),
        "deadhead_m": round(r.distance_m - r.served_m, 1), "segments": len(r.served),
        "stops": sum(s.kind != "reload" for s in r.stops), "load": round(r.load, 3),
        "trips": r.trips,
    }


def _steps_and_line(G, r: ShiftRoute) -> tuple[list[dict], list[tuple[float, float]]]:
    """One row per step of a route, and the coordinates of its whole line."""
    steps = []
    coords: list[tuple[float, float]] = []
    for n, s in enumerate(r.steps, start=1):
        steps.append({"route": r.index, "order": n, "segment_id": s.segment_id,
                      "u": s.u, "v": s.v, "key": s.key, "deadhead": s.deadhead,
                      "length_m": round(s.length_m, 2), "start": format_clock(s.start_s),
                      "end": format_clock(s.end_s)})
        geom = G.edges[s.u, s.v, s.key].get("geometry")
        ends = [(G.nodes[node]["x"], G.nodes[node]["y"]) for node in (s.u, s.v)]
        part = list(geom.coords) if geom is not None else ends
        coords.extend(part if not coords else part[1:])
    return steps, coords


def plan_tables(G, plan: ShiftPlan):
    """Turn a plan into tables for export.

    Parameters
    ----------
    G
        The street graph the plan was made on.
    plan
        From :func:`plan_shifts`.

    Returns
    -------
    routes
        One row per route: ``route, crew, start, end, duration_min, distance_m,
        served_m, deadhead_m, segments, stops, load, trips``.
    steps
        One row per traversal: ``route, order, segment_id, u, v, key, deadhead,
        length_m, start, end``.
    stops
        One row per point visit or reload: ``route, visit_id, kind, node, arrival,
        start, end``.
    lines
        GeoDataFrame, one line per route (graph CRS), with ``route, crew, distance_m``.
    """
    import geopandas as gpd
    import pandas as pd
    from shapely.geometry import LineString

    summary, steps, stops, lines = [], [], [], []
    for r in plan.routes:
        summary.append(_summary(r))
        route_steps, coords = _steps_and_line(G, r)
        steps.extend(route_steps)
        for s in r.stops:
            stops.append({"route": r.index, "visit_id": s.visit_id, "kind": s.kind,
                          "node": s.node, "arrival": format_clock(s.arrival_s),
                          "start": format_clock(s.start_s), "end": format_clock(s.end_s)})
        if len(coords) >= 2:
            lines.append({"route": r.index, "crew": r.crew,
                          "distance_m": round(r.distance_m, 1), "geometry": LineString(coords)})
    lines_gdf = gpd.GeoDataFrame(lines or None, columns=ROUTE_LINE_COLUMNS,
                                 geometry="geometry", crs=G.graph.get("crs"))
    return (pd.DataFrame(summary), pd.DataFrame(steps),
            pd.DataFrame(stops, columns=STOP_COLUMNS), lines_gdf)
