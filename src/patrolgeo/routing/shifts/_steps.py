"""Plans as walks: a PyVRP solution mapped back to traversals of graph edges."""

from __future__ import annotations

import itertools
from collections.abc import Hashable
from dataclasses import dataclass, field
from typing import Any, cast

import numpy as np
from pyvrp import Solution

from patrolgeo.errors import RoutingError
from patrolgeo.routing.shifts._model import _activity_location, _Model


@dataclass(frozen=True)
class Step:
    """One traversal of a directed graph edge in a route.

    The field names and order match ``patrolgeo.routing.Traversal`` (see
    :func:`to_route`), with times added.
    """

    segment_id: str | None
    u: Hashable
    v: Hashable
    key: int
    deadhead: bool
    length_m: float
    start_s: float = 0.0
    end_s: float = 0.0


@dataclass(frozen=True)
class Stop:
    """A point visit (or a reload at a dump site) in a route, after ``after_step`` steps."""

    visit_id: str
    kind: str
    node: Hashable
    after_step: int
    arrival_s: float
    start_s: float
    end_s: float


@dataclass
class ShiftRoute:
    """One crew's route: the walk over the graph, its stops and its schedule."""

    crew: str
    index: int
    steps: list[Step]
    stops: list[Stop]
    start_s: float
    end_s: float
    load: float = 0.0
    trips: int = 1

    @property
    def distance_m(self) -> float:
        """Metres walked or driven, serving and deadheading."""
        return float(sum(s.length_m for s in self.steps))

    @property
    def served_m(self) -> float:
        """Metres served."""
        return float(sum(s.length_m for s in self.steps if not s.deadhead))

    @property
    def duration_s(self) -> float:
        """Seconds from start to return."""
        return self.end_s - self.start_s

    @property
    def served(self) -> list[str]:
        """Segment ids served, in order."""
        # a serving step always carries its segment id (only deadhead steps may lack one)
        return [cast(str, s.segment_id) for s in self.steps if not s.deadhead]


@dataclass
class ShiftPlan:
    """Routes covering the required segments and point visits.

    Attributes
    ----------
    routes
        Non-empty routes.
    depot
        The depot node.
    stats
        Search details: iterations, seconds, balancing rounds.
    """

    routes: list[ShiftRoute]
    depot: Hashable
    stats: dict[str, Any] = field(default_factory=dict)

    @property
    def distance_m(self) -> float:
        """Metres of all routes together."""
        return float(sum(r.distance_m for r in self.routes))

    @property
    def longest_m(self) -> float:
        """Metres of the longest route."""
        return max((r.distance_m for r in self.routes), default=0.0)

    @property
    def longest_s(self) -> float:
        """Seconds of the longest route."""
        return max((r.duration_s for r in self.routes), default=0.0)


def to_route(route: ShiftRoute, traversal: Any = None) -> list[Any]:
    """Turn a route's walk into traversals for ``patrolgeo.routing.verify_route``.

    Parameters
    ----------
    route
        A route of a :class:`ShiftPlan`.
    traversal
        Callable building one traversal from the keyword arguments ``segment_id, u, v,
        key, deadhead, length_m`` (pass ``patrolgeo.routing.Traversal``); by default
        plain ``(segment_id, u, v, key, deadhead, length_m)`` tuples.

    Returns
    -------
    list
        The traversals in walking order, starting and ending at the depot.
    """
    out = []
    for s in route.steps:
        fields = {"segment_id": s.segment_id, "u": s.u, "v": s.v, "key": s.key,
                  "deadhead": s.deadhead, "length_m": s.length_m}
        out.append(traversal(**fields) if traversal is not None else tuple(fields.values()))
    return out


def as_route(route: ShiftRoute, *, mode: str = "walk",
             segments: Any = None) -> Any:
    """Turn a shift route into a :class:`patrolgeo.routing.Route` (closed at the depot).

    The result goes through :func:`patrolgeo.routing.verify_route` and the route
    exports (GPX, turn-by-turn, GeoJSON) like any postman route.

    Parameters
    ----------
    route
        A route of a :class:`ShiftPlan`.
    mode
        Travel mode of ``patrolgeo.routing.SPEEDS_KMH`` for the times.
    segments
        The segments table, for the route's CRS and exports.

    Returns
    -------
    patrolgeo.routing.Route
    """
    from dataclasses import replace

    from patrolgeo.routing import Route, Traversal
    from patrolgeo.routing.route import SPEEDS_KMH

    speed = SPEEDS_KMH[mode] / 3.6
    walk, cum = [], 0.0
    for t in to_route(route, Traversal):
        cum += t.length_m
        walk.append(replace(t, cum_m=cum, time_s=cum / speed))
    served = tuple(sorted({t.segment_id for t in walk if not t.deadhead}))
    start = walk[0].u if walk else None
    return Route(traversals=walk, closed=True, mode=mode, start_node=start, end_node=start,
                 required_ids=served, method="capacitated (PyVRP)", speed_mps=speed,
                 crs=None if segments is None else segments.crs, segments=segments)


class _Paths:
    """Shortest paths over the graph, one Dijkstra per source node, cached."""

    def __init__(self, model: _Model) -> None:
        self.model = model
        self.pred: dict[int, np.ndarray] = {}

    def edges(self, a: int, b: int) -> list[tuple[Hashable, Hashable, int, float]]:
        """Return the edges ``(u, v, key, length)`` of a shortest path from ``a`` to ``b``."""
        from scipy.sparse.csgraph import dijkstra

        if a == b:
            return []
        if a not in self.pred:
            _, pred = dijkstra(self.model.csr, directed=True, indices=a,
                               return_predecessors=True)
            self.pred[a] = pred
        pred = self.pred[a]
        chain = [b]
        while chain[-1] != a:
            p = int(pred[chain[-1]])
            if p < 0:
                raise RoutingError(f"no path from node {self.model.nodes[a]} to "
                                   f"{self.model.nodes[b]}")
            chain.append(p)
        chain.reverse()
        nodes = self.model.nodes
        return [(nodes[x], nodes[y], *self.model.best_edge[x, y])
                for x, y in itertools.pairwise(chain)]


def _route_walk(model: _Model, paths: _Paths, r, p: int
                ) -> tuple[list[Step], list[Stop], list[float]]:
    """Map one PyVRP route to steps, stops and per-trip loads (speed profile ``p``)."""
    acts = list(r)
    steps: list[Step] = []
    stops: list[Stop] = []
    trip_loads = [0.0]
    for prev, cur in itertools.pairwise(acts):
        a, b = _activity_location(model, prev), _activity_location(model, cur)
        t = float(prev.end_time)
        if prev.is_client() and model.client_info[prev.idx][0] == "arc":
            task, (u, v, k, length) = model.client_info[prev.idx][1]
            serve_s = model.loc_time[p][a]
            steps.append(Step(task.segment_id, u, v, k, False, length, t, t + serve_s))
            t += serve_s
            trip_loads[-1] += task.demand
        leg = float(model.legs[p][a, b])
        path = paths.edges(model.loc_out[a], model.loc_in[b])
        total = sum(e[3] for e in path)
        for u, v, k, length in path:
            dt = leg * length / total if total > 0 else 0.0
            steps.append(Step(model.segment_of.get((u, v, k)), u, v, k, True, length, t,
                              t + dt))
            t += dt
        if cur.is_client() and model.client_info[cur.idx][0] == "visit":
            visit = model.client_info[cur.idx][1]
            trip_loads[-1] += visit.demand
            stops.append(Stop(visit.visit_id, visit.kind, visit.node, len(steps),
                              t, float(cur.start_time), float(cur.end_time)))
        elif cur.is_depot() and cur is not acts[-1]:
            node = model.nodes[model.loc_in[b]]
            stops.append(Stop(f"reload-{node}", "reload", node, len(steps), t,
                              float(cur.start_time), float(cur.end_time)))
            trip_loads.append(0.0)
    return steps, stops, trip_loads


def _plan_from_solution(model: _Model, solution: Solution, depot: Hashable,
                        stats: dict[str, Any]) -> ShiftPlan:
    paths = _Paths(model)
    routes: list[ShiftRoute] = []
    for r in solution.routes():
        crew = model.crews[r.vehicle_type()]
        steps, stops, trip_loads = _route_walk(model, paths, r, model.profile(crew))
        routes.append(ShiftRoute(crew.name, len(routes) + 1, steps, stops,
                                 float(r.start_time()), float(r.end_time()),
                                 max(trip_loads), r.num_trips()))
    return ShiftPlan(routes, depot, stats)
