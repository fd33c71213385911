"""Solving CARP instances with PyVRP inside the memetic search."""

from __future__ import annotations

import itertools
import time

import numpy as np
from pyvrp import Client, ClientGroup, Depot, Location, ProblemData, VehicleType
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import dijkstra

from patrolgeo.errors import RoutingError
from patrolgeo.routing.carp._instance import (
    ZERO_COST,
    CarpInstance,
    CarpRoute,
    CarpSolution,
    CarpStep,
)
from patrolgeo.routing.memetic import SearchSettings, solve_problem

#: Seconds of a clock budget kept back to map the routes back after the search.
MAPPING_RESERVE_S = 0.25


def _deadhead_graph(instance: CarpInstance) -> tuple[np.ndarray, np.ndarray, dict]:
    """Shortest deadheading costs, predecessors, and the cheapest edge of each vertex pair."""
    n = instance.n_vertices + 1
    cheapest: dict[tuple[int, int], int] = {}
    for i, e in enumerate(instance.edges):
        if e.u == e.v:
            continue
        for a, b in ((e.u, e.v), (e.v, e.u)):
            j = cheapest.get((a, b))
            if j is None or e.cost < instance.edges[j].cost:
                cheapest[a, b] = i
    rows = [a for a, _ in cheapest]
    cols = [b for _, b in cheapest]
    vals = [max(instance.edges[i].cost, ZERO_COST) for i in cheapest.values()]
    graph = coo_matrix((vals, (rows, cols)), shape=(n, n)).tocsr()
    dist, pred = dijkstra(graph, directed=True, return_predecessors=True)
    finite = np.isfinite(dist)
    dist[finite] = np.round(dist[finite])
    return dist, pred, cheapest


def _path_steps(frm: int, to: int, pred: np.ndarray, cheapest: dict) -> list[CarpStep]:
    nodes = [to]
    while nodes[-1] != frm:
        p = int(pred[frm, nodes[-1]])
        if p < 0:
            raise RoutingError(f"no path from {frm} to {to}")
        nodes.append(p)
    nodes.reverse()
    return [CarpStep(cheapest[a, b], a, b, False) for a, b in itertools.pairwise(nodes)]


def carp_problem(instance: CarpInstance, vehicles: int | None = None
                 ) -> tuple[ProblemData, list[tuple[int, int, int]]]:
    """Build the PyVRP problem of a CARP instance.

    Every required edge ``(u, v)`` becomes two clients, ``u->v`` and ``v->u``, in one
    required, mutually exclusive client group; the distance from client ``a`` to
    client ``b`` is the shortest deadheading cost from the head of ``a`` to the tail of
    ``b`` (service costs are a constant, added back by the caller).

    Parameters
    ----------
    instance
        The CARP instance.
    vehicles
        Fleet size; by default as many as there are required edges (no limit).

    Returns
    -------
    data, ends
        The PyVRP ``ProblemData`` and, per client, ``(edge index, tail, head)``.

    Raises
    ------
    RoutingError
        When a required edge cannot be reached from the depot.
    """
    dist, _, _ = _deadhead_graph(instance)
    required = instance.required
    ends: list[tuple[int, int, int]] = []
    for i in required:
        e = instance.edges[i]
        ends.extend([(i, e.u, e.v), (i, e.v, e.u)])
    tails = np.array([instance.depot] + [t for _, t, _ in ends])
    heads = np.array([instance.depot] + [h for _, _, h in ends])
    matrix = dist[np.ix_(heads, tails)]
    if not np.isfinite(matrix).all():
        raise RoutingError("some required edge cannot be reached from the depot",
                           file=instance.source)
    matrix = matrix.astype(np.int64)
    np.fill_diagonal(matrix, 0)
    fleet = vehicles if vehicles is not None else len(required)
    clients = [
        Client(location=1 + c, delivery=[instance.edges[i].demand], required=False,
               group=c // 2, name=f"{t}-{h}")
        for c, (i, t, h) in enumerate(ends)
    ]
    groups = [ClientGroup([2 * k, 2 * k + 1]) for k in range(len(required))]
    data = ProblemData(
        [Location(0.0, 0.0) for _ in range(len(tails))], clients, [Depot(0)],
        [VehicleType(fleet, [instance.capacity])], [matrix], [np.zeros_like(matrix)], groups,
    )
    return data, ends


def solve_carp(
    instance: CarpInstance,
    *,
    seconds: float | None = 30.0,
    iterations: int | None = None,
    stall: int | None = None,
    seed: int = 0,
    vehicles: int | None = None,
) -> CarpSolution:
    """Solve a CARP instance with PyVRP's local search inside a memetic search.

    Parameters
    ----------
    instance
        From :func:`read_carp` or built in code.
    seconds, iterations, stall
        Stop after this wall time, this many offspring, or this many offspring without
        improvement, whichever comes first (at least one must be given). Runs stopped
        by ``iterations`` or ``stall`` are reproducible for a given ``seed``.
    seed
        Random seed.
    vehicles
        Fleet size limit (default: none, as for the literature's best known values).

    Returns
    -------
    CarpSolution
        Routes as explicit walks (deadheading along shortest paths); ``cost`` is the
        total, service included.

    Raises
    ------
    RoutingError
        When no feasible solution was found (a fleet too small).
    """
    t0 = time.perf_counter()
    data, ends = carp_problem(instance, vehicles)
    # the clock covers the whole call: leave time to map the routes back after the search
    budget = (None if seconds is None
              else max(0.0, seconds - (time.perf_counter() - t0) - MAPPING_RESERVE_S))
    settings = SearchSettings(seconds=budget, iterations=iterations, stall=stall, seed=seed)
    result = solve_problem(data, settings)
    solution = result.solution
    if not solution.is_feasible():
        raise RoutingError(f"no feasible solution found for {instance.name} "
                           f"(fleet {vehicles}, capacity {instance.capacity})",
                           file=instance.source)
    _, pred, cheapest = _deadhead_graph(instance)
    routes = []
    for route in solution.routes():
        steps: list[CarpStep] = []
        at = instance.depot
        for activity in route:
            if not activity.is_client():
                continue
            edge, tail, head = ends[activity.idx]
            steps += _path_steps(at, tail, pred, cheapest)
            steps.append(CarpStep(edge, tail, head, True))
            at = head
        steps += _path_steps(at, instance.depot, pred, cheapest)
        routes.append(CarpRoute(tuple(steps)))
    cost = int(solution.distance()) + instance.total_service_cost
    return CarpSolution(routes, cost, time.perf_counter() - t0,
                        stats=dict(result.stats, seed=seed))
