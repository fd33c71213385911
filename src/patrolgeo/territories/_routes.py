"""Patrol routes of the territories, and the tables the writers write."""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import Any

import geopandas as gpd
import networkx as nx
import pandas as pd

from patrolgeo.territories._evaluate import Territories
from patrolgeo.territories._params import ASSIGNMENT_COLUMNS


@dataclass
class TerritoryRoutes:
    """Patrol routes of the territories, from the routing stage.

    ``routes`` maps each chief to its :class:`~patrolgeo.routing.Route`, each one checked
    by :func:`~patrolgeo.routing.verify_route` before it is kept.
    """

    per_chief: pd.DataFrame
    longest_route_m: float = math.nan
    total_deadhead_m: float = math.nan
    whole_area_route_m: float = math.nan
    whole_area_deadhead_m: float = math.nan
    routes: dict[str, Any] = field(default_factory=dict)


def territory_routes(
    G: nx.MultiDiGraph,
    territories: Territories,
    segments: gpd.GeoDataFrame,
    *,
    mode: str | None = None,
    whole_area: bool = True,
) -> TerritoryRoutes:
    """Route each territory with the postman of the routing stage, and the whole area once.

    Each route may travel over the whole district's streets (``segments``) but serves
    only its chief's. Reports the longest route (the min-max objective) and the total
    deadhead of the k routes beside the deadhead of one route over the whole area.

    Parameters
    ----------
    G
        The road graph of the segments.
    territories
        The assignment to route.
    segments
        The whole district's segments.
    mode
        Travel mode (default the graph's, else ``"walk"``).
    whole_area
        Also route the whole area once, for comparison.

    Returns
    -------
    TerritoryRoutes
        One route per chief, and the whole-area figures.

    Raises
    ------
    RoutingError
        When a route fails the independent check.
    """
    from patrolgeo.routing import postman_route, verify_route

    mode = mode or G.graph.get("mode", "walk")
    seg = territories.assignment
    rows, routes = [], {}
    for chief in territories.chiefs:
        ids = seg.loc[seg["chief_id"] == chief, "segment_id"].tolist()
        route = postman_route(G, segments, required=ids, mode=mode)
        verify_route(G, ids, route, segments=segments).raise_if_invalid()
        routes[chief] = route
        rows.append({"chief_id": chief, "route_km": route.total_length_m / 1000,
                     "deadhead_km": route.deadhead_length_m / 1000})
    per_chief = pd.DataFrame(rows)
    whole = (postman_route(G, segments, required=seg["segment_id"].tolist(), mode=mode)
             if whole_area else None)
    return TerritoryRoutes(
        per_chief=per_chief,
        longest_route_m=float(per_chief["route_km"].max() * 1000),
        total_deadhead_m=float(per_chief["deadhead_km"].sum() * 1000),
        whole_area_route_m=float(whole.total_length_m) if whole else math.nan,
        whole_area_deadhead_m=float(whole.deadhead_length_m) if whole else math.nan,
        routes=routes,
    )


def with_routes(territories: Territories, routes: TerritoryRoutes) -> Territories:
    """Return ``territories`` with the route columns of its summary filled in.

    Parameters
    ----------
    territories
        An assignment.
    routes
        Its routes, from :func:`territory_routes`.

    Returns
    -------
    Territories
        A copy with ``routes`` set and ``route_km, deadhead_km`` in its summary.
    """
    summary = territories.summary.drop(columns=["route_km", "deadhead_km"]).merge(
        routes.per_chief, on="chief_id", how="left")
    return replace(territories, summary=summary, routes=routes)


def assignment_table(territories: Territories) -> pd.DataFrame:
    """Return the ``assignments.csv`` table: ``segment_id, road_name, chief_id, workload``.

    Parameters
    ----------
    territories
        An assignment.

    Returns
    -------
    pandas.DataFrame
        One row per segment, workload rounded to 3 decimals.
    """
    table = pd.DataFrame(territories.assignment[ASSIGNMENT_COLUMNS])
    table["workload"] = table["workload"].round(3)
    return table


def summary_table(territories: Territories) -> pd.DataFrame:
    """Return the ``chiefs.csv`` table: one row per chief, rounded for people and diffs.

    Parameters
    ----------
    territories
        An assignment.

    Returns
    -------
    pandas.DataFrame
        The summary with lengths, workloads and shares rounded.
    """
    table = territories.summary.copy()
    for col, digits in (("km", 3), ("workload", 1), ("target", 1), ("share_of_mean", 4),
                        ("share_of_target", 4), ("radius_m", 0), ("route_km", 3),
                        ("deadhead_km", 3)):
        table[col] = table[col].astype(float).round(digits)
    return table
