"""Capacitated and timed street routes with PyVRP: shifts, hoppers, time windows, weeks.

Arc routing as a vehicle routing problem: each required street segment becomes a
*mutually exclusive pair of directed clients* (a PyVRP client group: serve it one way or
the other; a one-way street has a single client); point visits (school-gate posts
助学岗, restaurant inspections, sorting kiosks) are ordinary clients with a time window
and a service time. Distances and times between clients are shortest paths over the
street graph, so a solution maps back to an explicit walk over graph edges.

The search is a small memetic algorithm around PyVRP's local search (its granular
neighbourhoods, client-group moves, capacity/time/distance penalties): a population of
educated solutions recombined by route exchange, as in hybrid genetic search. The same
engine solves the CARP benchmarks (:mod:`patrolgeo.routing.carp`), where it is checked
against the best known values.
"""

from __future__ import annotations

import itertools
import math
import random
import time
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from pyvrp import (
    Client,
    ClientGroup,
    Depot,
    Location,
    ProblemData,
    RandomNumberGenerator,
    Solution,
    VehicleType,
)
from pyvrp import Route as PyVRPRoute
from pyvrp.PenaltyManager import PenaltyManager, PenaltyParams
from pyvrp.search import (
    OPERATORS,
    LocalSearch,
    NeighbourhoodParams,
    PerturbationManager,
    PerturbationParams,
    compute_neighbours,
)

from patrolgeo.errors import CapacityError, InputRowError, RoutingError

# --------------------------------------------------------------------------- search


@dataclass(frozen=True)
class SearchSettings:
    """How long and how the memetic search runs.

    Attributes
    ----------
    seconds
        Wall-clock limit; ``None`` for none. A run stopped by the clock is not
        reproducible to the byte; one stopped by ``iterations`` or ``stall`` is.
    iterations
        Most offspring to generate; ``None`` for no limit.
    stall
        Stop after this many offspring without a better feasible solution.
    seed
        Seed of every random choice.
    population
        Least population size (mu); each subpopulation grows to ``population +
        generation`` and is then culled back by cost and diversity.
    generation
        Offspring per generation (lambda).
    neighbours
        Size of PyVRP's granular neighbourhood per client.
    """

    seconds: float | None = None
    iterations: int | None = 1000
    stall: int | None = 300
    seed: int = 0
    population: int = 12
    generation: int = 20
    neighbours: int = 50

    def __post_init__(self) -> None:
        if self.seconds is None and self.iterations is None and self.stall is None:
            raise ValueError("give seconds, iterations or stall, or the search never stops")


@dataclass
class _Individual:
    routes: list[tuple[list[int], int]]  # (client indices, vehicle type)
    feasible: bool
    cost: int
    penalised: int
    succ: np.ndarray
    pred: np.ndarray


class _Subpopulation:
    def __init__(self) -> None:
        self.members: list[_Individual] = []
        self.dist = np.zeros((0, 0))
        self.fitness: np.ndarray | None = None


def _route_list(solution: Solution) -> list[tuple[list[int], int]]:
    return [([a.idx for a in r if a.is_client()], r.vehicle_type()) for r in solution.routes()]


def solve_problem(data: ProblemData, settings: SearchSettings,
                  initial: Sequence[Solution] = ()) -> tuple[Solution, dict[str, Any]]:
    """Solve PyVRP problem data with the memetic search; return the best solution found.

    Parameters
    ----------
    data
        The PyVRP problem (client groups, time windows, capacities, reloads allowed).
    settings
        Stopping rules and search sizes.
    initial
        Solutions to seed the population with.

    Returns
    -------
    solution
        The best feasible solution, or the least infeasible one when none was found
        (check ``solution.is_feasible()``).
    stats
        ``iterations``, ``seconds``, ``best_at`` (offspring count at the last
        improvement).
    """
    t0 = time.perf_counter()
    rng = random.Random(settings.seed)
    n_groups_or_clients = max(1, data.num_clients)
    neighbours = compute_neighbours(
        data, NeighbourhoodParams(num_neighbours=min(settings.neighbours,
                                                     max(1, data.num_clients - 1))))
    ls = LocalSearch(data, RandomNumberGenerator(settings.seed), neighbours,
                     PerturbationManager(PerturbationParams(0, 0)))
    for op in OPERATORS:
        if op.supports(data):
            ls.add_operator(op(data))

    # start penalties at the scale of a typical edge per unit of violation
    matrix = data.distance_matrix(0)
    scale = float(np.median(matrix[matrix > 0])) if (matrix > 0).any() else 1.0
    pm = PenaltyManager(
        ([max(1.0, scale)] * data.num_load_dimensions, max(1.0, scale / 10), 1.0),
        PenaltyParams(solutions_between_updates=100, penalty_increase=1.2,
                      penalty_decrease=0.85, target_feasible=0.2),
    )
    pyvrp_rng = RandomNumberGenerator(settings.seed + 1)
    n_tasks = data.num_clients
    group_of = np.arange(n_tasks)
    for g, group in enumerate(data.groups()):
        for c in group:
            group_of[c] = data.num_clients + g

    def signature(routes: list[tuple[list[int], int]]) -> tuple[np.ndarray, np.ndarray]:
        size = data.num_clients + data.num_groups
        succ = np.full(size, -1)
        pred = np.full(size, -1)
        for visits, _ in routes:
            tasks = group_of[visits]
            succ[tasks[:-1]] = tasks[1:]
            pred[tasks[1:]] = tasks[:-1]
        return succ, pred

    def educate(solution: Solution) -> tuple[_Individual, Solution]:
        cost_eval = pm.cost_evaluator()
        solution = ls(solution, cost_eval, exhaustive=True)
        pm.register(solution)
        if not solution.is_feasible() and rng.random() < 0.5:
            repaired = ls(solution, pm.max_cost_evaluator(), exhaustive=True)
            if repaired.is_feasible():
                solution = repaired
        routes = _route_list(solution)
        succ, pred = signature(routes)
        return _Individual(routes, solution.is_feasible(), solution.distance_cost()
                           + solution.duration_cost() + solution.fixed_vehicle_cost(),
                           cost_eval.penalised_cost(solution), succ, pred), solution

    pops = {True: _Subpopulation(), False: _Subpopulation()}
    best: tuple[int, Solution] | None = None
    least_bad: tuple[int, Solution] | None = None
    n_elite, n_close = 4, 5
    mu, lam = settings.population, settings.generation
    iterations = 0
    best_at = 0

    def distances(ind: _Individual, others: list[_Individual]) -> np.ndarray:
        if not others:
            return np.zeros(0)
        succ = np.stack([o.succ for o in others])
        np.stack([o.pred for o in others])
        broken = ((succ != ind.succ) & (succ != ind.pred)).sum(axis=1)
        return broken / n_groups_or_clients

    def fitness(pop: _Subpopulation) -> np.ndarray:
        n = len(pop.members)
        if n <= 1:
            return np.zeros(n)
        dist = pop.dist + np.diag(np.full(n, np.inf))
        cost = np.array([m.penalised for m in pop.members])
        close = np.sort(dist, axis=1)[:, : min(n_close, n - 1)].mean(axis=1)
        cost_rank = np.argsort(np.argsort(cost, kind="stable"), kind="stable") / (n - 1)
        div_rank = np.argsort(np.argsort(-close, kind="stable"), kind="stable") / (n - 1)
        return cost_rank + (1 - n_elite / n) * div_rank

    def add(ind: _Individual, solution: Solution) -> None:
        nonlocal best, least_bad, best_at
        if ind.feasible and (best is None or ind.cost < best[0]):
            best = (ind.cost, solution)
            best_at = iterations
        penalised = pm.max_cost_evaluator().penalised_cost(solution)
        if least_bad is None or penalised < least_bad[0]:
            least_bad = (penalised, solution)
        pop = pops[ind.feasible]
        d = distances(ind, pop.members)
        n = len(pop.members)
        grown = np.zeros((n + 1, n + 1))
        grown[:n, :n] = pop.dist
        grown[n, :n] = d
        grown[:n, n] = d
        pop.dist = grown
        pop.members.append(ind)
        pop.fitness = None
        if len(pop.members) > mu + lam:
            while len(pop.members) > mu:
                n = len(pop.members)
                cost = np.array([m.penalised for m in pop.members])
                same = (pop.dist + np.eye(n)) == 0
                clone = next((a for a in range(n) if (same[a] & (cost <= cost[a])).any()), None)
                worst = clone if clone is not None else int(np.argmax(fitness(pop)))
                pop.members.pop(worst)
                pop.dist = np.delete(np.delete(pop.dist, worst, 0), worst, 1)

    def select() -> _Individual:
        n_feas, n_inf = len(pops[True].members), len(pops[False].members)
        picks = []
        for _ in range(2):
            pop = pops[True] if rng.random() * (n_feas + n_inf) < n_feas else pops[False]
            if pop.fitness is None:
                pop.fitness = fitness(pop)
            i = rng.randrange(len(pop.members))
            picks.append((pop.fitness[i], i, pop.members[i]))
        return min(picks, key=lambda p: (p[0], p[1]))[2]

    def crossover(a: _Individual, b: _Individual) -> Solution:
        # keep some routes of one parent whole, fill in the other parent's routes without
        # the clients already kept; the local search reinserts whatever is left out
        routes_a = [r for r in a.routes if r[0]]
        k = rng.randint(1, max(1, len(routes_a) - 1)) if len(routes_a) > 1 else 1
        kept = rng.sample(routes_a, min(k, len(routes_a)))
        taken = {group_of[c] for visits, _ in kept for c in visits}
        used = [0] * data.num_vehicle_types
        child: list[PyVRPRoute] = []
        for visits, vt in kept:
            used[vt] += 1
            child.append(PyVRPRoute(data, visits, vt))
        for visits, vt in b.routes:
            rest = [c for c in visits if group_of[c] not in taken]
            if rest and used[vt] < data.vehicle_type(vt).num_available:
                used[vt] += 1
                child.append(PyVRPRoute(data, rest, vt))
        return Solution(data, child)

    def stop() -> bool:
        if settings.seconds is not None and time.perf_counter() - t0 >= settings.seconds:
            return True
        if settings.iterations is not None and iterations >= settings.iterations:
            return True
        return settings.stall is not None and iterations - best_at >= settings.stall

    for solution in initial:
        add(*educate(solution))
    for n in range(max(0, 4 * mu - len(initial))):
        # at least one individual, then until the population is full or time is short
        if (n > 0 or initial) and (stop() or (
                settings.seconds is not None
                and time.perf_counter() - t0 > 0.15 * settings.seconds)):
            break
        add(*educate(Solution.make_random(data, pyvrp_rng)))
    while not stop():
        iterations += 1
        child = crossover(select(), select())
        add(*educate(child))

    chosen = best[1] if best is not None else least_bad[1]  # type: ignore[index]
    return chosen, {"iterations": iterations, "seconds": time.perf_counter() - t0,
                    "best_at": best_at, "feasible": best is not None}


# --------------------------------------------------------------------------- street model

#: Distances go to PyVRP in decimetres, times in seconds, demands in hundredths.
DISTANCE_SCALE = 10
DEMAND_SCALE = 100
_NEVER = np.iinfo(np.int64).max // 4


def clock(text: str | float | int) -> float:
    """Seconds since midnight of ``"HH:MM"`` or ``"HH:MM:SS"`` (numbers pass through).

    Raises
    ------
    ValueError
        On a malformed time.
    """
    if isinstance(text, int | float):
        return float(text)
    parts = str(text).strip().split(":")
    if len(parts) not in (2, 3) or not all(p.isdigit() for p in parts):
        raise ValueError(f"time {text!r} is not HH:MM or HH:MM:SS")
    h, m, s = (int(p) for p in (*parts, "0")[:3])
    if h > 47 or m > 59 or s > 59:
        raise ValueError(f"time {text!r} is out of range")
    return float(h * 3600 + m * 60 + s)


def format_clock(seconds: float) -> str:
    """``"HH:MM"`` of seconds since midnight (rounded to the minute)."""
    minutes = round(seconds / 60)
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


@dataclass(frozen=True)
class Crew:
    """A kind of road chief, patrol or sweeper, and how many of them start at the depot.

    Attributes
    ----------
    name
        Label of this kind of crew (appears on its routes).
    count
        How many such crews (chiefs, vehicles) are available.
    speed_mps
        Travel speed when not serving, metres per second (walking about 1.2, e-bike
        about 4, sweeper truck about 6).
    service_speed_mps
        Speed while serving a street (patrolling, sweeping); default ``speed_mps``.
    capacity
        Hopper capacity in the units of the segments' demand; ``None`` for none.
    shift_s
        Longest route duration in seconds (``None``: no limit).
    max_distance_m
        Longest route distance in metres (``None``: no limit).
    start_s, end_s
        Earliest start and latest return, seconds since midnight (see :func:`clock`).
    reload_nodes
        Graph nodes where the hopper can be emptied during the shift (transfer
        stations); empty for none.
    """

    name: str = "crew"
    count: int = 1
    speed_mps: float = 1.2
    service_speed_mps: float | None = None
    capacity: float | None = None
    shift_s: float | None = None
    max_distance_m: float | None = None
    start_s: float = 0.0
    end_s: float | None = None
    reload_nodes: tuple[Hashable, ...] = ()

    @property
    def serve_speed(self) -> float:
        return self.service_speed_mps if self.service_speed_mps is not None else self.speed_mps


@dataclass(frozen=True)
class PointVisit:
    """A stop at a point: a school-gate post (助学岗), an inspection, a sorting kiosk.

    Attributes
    ----------
    visit_id
        Unique id.
    node
        The graph node where the visit happens (see :func:`nearest_node`).
    service_s
        Time spent there, seconds.
    windows
        Allowed start times ``((early, late), ...)`` in seconds since midnight; the
        visit starts within one of them (several windows: any one of them). Empty
        for no window.
    kind
        Free label (``"school_gate"``, ``"restaurant"``, ``"kiosk"`` ...).
    demand
        Load it adds (usually 0).
    """

    visit_id: str
    node: Hashable
    service_s: float = 0.0
    windows: tuple[tuple[float, float], ...] = ()
    kind: str = "visit"
    demand: float = 0.0


def school_gate_visits(post_id: str, node: Hashable,
                       hours: Sequence[tuple[str, str]] = (("07:10", "07:50"),
                                                           ("16:30", "17:30")),
                       ) -> list[PointVisit]:
    """The visits that staff a school-gate post (助学岗) for each of its school hours.

    A post is staffed for the whole of each period: the chief arrives by its start and
    stays to its end, so each period is one visit starting exactly at the period's
    start with the period's length as service time.
    """
    visits = []
    for n, (start, end) in enumerate(hours, start=1):
        a, b = clock(start), clock(end)
        if b <= a:
            raise ValueError(f"school hours {start}-{end} end before they start")
        visits.append(PointVisit(f"{post_id}-{n}", node, b - a, ((a, a),), "school_gate"))
    return visits


def nearest_node(G, x: float, y: float) -> Hashable:
    """The graph node nearest to ``(x, y)`` in the graph's CRS."""
    ids = list(G.nodes)
    xy = np.array([(G.nodes[n]["x"], G.nodes[n]["y"]) for n in ids])
    return ids[int(np.argmin(((xy - (x, y)) ** 2).sum(axis=1)))]


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
        return float(sum(s.length_m for s in self.steps))

    @property
    def served_m(self) -> float:
        return float(sum(s.length_m for s in self.steps if not s.deadhead))

    @property
    def duration_s(self) -> float:
        return self.end_s - self.start_s

    @property
    def served(self) -> list[str]:
        """Segment ids served, in order."""
        return [s.segment_id for s in self.steps if not s.deadhead]  # type: ignore[misc]


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
        return float(sum(r.distance_m for r in self.routes))

    @property
    def longest_m(self) -> float:
        return max((r.distance_m for r in self.routes), default=0.0)

    @property
    def longest_s(self) -> float:
        return max((r.duration_s for r in self.routes), default=0.0)


def to_route(route: ShiftRoute, traversal: Any = None) -> list[Any]:
    """A route's walk as a list of traversals for ``patrolgeo.routing.verify_route``.

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
    """A shift route as a :class:`patrolgeo.routing.Route` (closed at the depot).

    The result goes through :func:`patrolgeo.routing.verify_route` and the route
    exports (GPX, turn-by-turn, GeoJSON) like any postman route.
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


@dataclass(frozen=True)
class _Task:
    segment_id: str
    arcs: tuple[tuple[Hashable, Hashable, int, float], ...]  # (u, v, key, length_m)
    demand: float
    group: bool  # the arcs are alternatives (serve one); else each arc is a task


def _edge_lookup(G) -> tuple[list[Hashable], dict[Hashable, int], Any,
                             dict[tuple[int, int], tuple[int, float]]]:
    from scipy.sparse import coo_matrix

    nodes = list(G.nodes)
    index = {n: i for i, n in enumerate(nodes)}
    best: dict[tuple[int, int], tuple[int, float]] = {}
    for u, v, k, length in G.edges(keys=True, data="length"):
        a, b = index[u], index[v]
        if a != b and ((a, b) not in best or float(length) < best[a, b][1]):
            best[a, b] = (k, float(length))
    rows = [a for a, _ in best]
    cols = [b for _, b in best]
    vals = [max(length, 1e-6) for _, length in best.values()]
    n = len(nodes)
    csr = coo_matrix((vals, (rows, cols)), shape=(n, n)).tocsr()
    return nodes, index, csr, best


def _segment_arcs(G, u, v, key) -> list[tuple[Hashable, Hashable, int, float]]:
    data = G.edges[u, v, key]
    length = float(data["length"])
    arcs = [(u, v, int(key), length)]
    if u != v and G.has_edge(v, u):
        way = data.get("osmid")
        best = None
        for k, d in G[v][u].items():
            diff = abs(float(d["length"]) - length)
            if d.get("osmid") == way and diff <= 0.5 + 0.01 * length and (
                    best is None or diff < best[0]):
                best = (diff, k, float(d["length"]))
        if best is not None:
            arcs.append((v, u, int(best[1]), best[2]))
    return arcs


def _values(segments, spec, name: str, default: Any) -> dict[str, Any]:
    if spec is None:
        return {}
    if isinstance(spec, str):
        if spec not in segments.columns:
            raise RoutingError(f"segments have no column {spec!r}", field=name)
        return dict(zip(segments["segment_id"], segments[spec], strict=True))
    return dict(spec)


def _tasks(G, segments, required, demand, sides) -> list[_Task]:
    rows = segments.set_index("segment_id", drop=False)
    if required is None:
        wanted = list(rows.index)
    else:
        wanted = list(dict.fromkeys(required))
        missing = [s for s in wanted if s not in rows.index]
        if missing:
            raise InputRowError(f"unknown segment {missing[0]!r}", field="segment_id")
    demands = _values(segments, demand, "demand", 0.0)
    side_of = (_values(segments, sides, "sides", "either")
               if sides not in ("either", "both") else {})
    tasks = []
    for sid in sorted(wanted):
        row = rows.loc[sid]
        d = float(demands.get(sid, 0.0) or 0.0)
        if not math.isfinite(d) or d < 0:
            raise InputRowError(f"segment {sid}: demand {d} is not a non-negative number",
                                field="demand")
        arcs = tuple(_segment_arcs(G, row["u"], row["v"], row["key"]))
        mode = side_of.get(sid, sides if sides in ("either", "both") else "either")
        if mode not in ("either", "both"):
            raise InputRowError(f"segment {sid}: sides {mode!r} is not either or both",
                                field="sides")
        if mode == "both" and len(arcs) == 2:
            # each side carries half the demand
            for arc in arcs:
                tasks.append(_Task(sid, (arc,), d / 2, False))
        else:
            tasks.append(_Task(sid, arcs, d, len(arcs) == 2))
    return tasks


@dataclass
class _Model:
    data: ProblemData
    nodes: list[Hashable]
    index: dict[Hashable, int]
    csr: Any
    best_edge: dict[tuple[int, int], tuple[int, float]]
    loc_in: list[int]  # node index where service at a location starts
    loc_out: list[int]  # ... and ends
    loc_len: list[float]  # metres served at a location
    loc_time: list[list[int]]  # per profile: seconds of service at a location
    legs: list[np.ndarray]  # per profile: deadhead seconds between locations
    client_info: list[tuple[str, Any]]  # ("arc", (task, arc)) or ("visit", PointVisit)
    reload_nodes: list[Hashable]
    crews: list[Crew]
    profiles: list[tuple[float, float]]
    metres: np.ndarray  # deadhead metres between locations
    segment_of: dict[tuple[Hashable, Hashable, int], str]
    tasks: list[_Task]


def _segment_index(segments, G) -> dict[tuple[Hashable, Hashable, int], str]:
    out: dict[tuple[Hashable, Hashable, int], str] = {}
    for sid, u, v, k in zip(segments["segment_id"], segments["u"], segments["v"],
                            segments["key"], strict=True):
        for a, b, kk, _ in _segment_arcs(G, u, v, k):
            out[a, b, kk] = sid
    return out


def _build_model(G, segments, tasks: list[_Task], depot: Hashable, crews: Sequence[Crew],
                 visits: Sequence[PointVisit], reload_s: float) -> _Model:
    from scipy.sparse.csgraph import dijkstra

    if not crews:
        raise CapacityError("no crews given", field="crews")
    for c in crews:
        if c.count < 1 or c.speed_mps <= 0 or c.serve_speed <= 0:
            raise CapacityError(f"crew {c.name}: count and speeds must be positive",
                                field="crews")
    nodes, index, csr, best_edge = _edge_lookup(G)
    if depot not in index:
        raise RoutingError(f"depot {depot} is not a node of the graph", field="depot")
    reload_nodes = list(dict.fromkeys(n for c in crews for n in c.reload_nodes))
    for n in (*reload_nodes, *(v.node for v in visits)):
        if n not in index:
            raise RoutingError(f"node {n} is not a node of the graph", field="node")
    profiles = list(dict.fromkeys((c.speed_mps, c.serve_speed) for c in crews))

    loc_in = [index[depot]] + [index[n] for n in reload_nodes]
    loc_out = list(loc_in)
    loc_len = [0.0] * len(loc_in)
    client_info: list[tuple[str, Any]] = []
    for task in tasks:
        for arc in task.arcs:
            loc_in.append(index[arc[0]])
            loc_out.append(index[arc[1]])
            loc_len.append(arc[3])
            client_info.append(("arc", (task, arc)))
    for visit in visits:
        for _ in visit.windows or ((0.0, 0.0),):
            loc_in.append(index[visit.node])
            loc_out.append(index[visit.node])
            loc_len.append(0.0)
            client_info.append(("visit", visit))

    sources = sorted(set(loc_out))
    targets = np.array(loc_in)
    rows: dict[int, np.ndarray] = {}
    for start in range(0, len(sources), 256):
        chunk = sources[start:start + 256]
        dist = dijkstra(csr, directed=True, indices=chunk)
        for s, row in zip(chunk, dist, strict=True):
            rows[s] = row[targets]
    metres = np.stack([rows[o] for o in loc_out])
    for a in range(len(loc_in)):
        metres[a, a] = 0.0
    _check_reachable(metres, client_info, len(reload_nodes) + 1, nodes, loc_in)

    dist_dm = np.rint((np.array(loc_len)[:, None] + metres) * DISTANCE_SCALE).astype(np.int64)
    np.fill_diagonal(dist_dm, 0)
    loc_time = [[round(length / serve) for length in loc_len] for _, serve in profiles]
    legs = [np.rint(metres / speed).astype(np.int64) for speed, _ in profiles]
    durations = []
    for p in range(len(profiles)):
        dur = np.array(loc_time[p], dtype=np.int64)[:, None] + legs[p]
        np.fill_diagonal(dur, 0)
        durations.append(dur)

    with_load = any(t.demand > 0 for t in tasks) or any(v.demand > 0 for v in visits)
    with_load = with_load and any(c.capacity is not None for c in crews)

    def load(x: float) -> list[int]:
        return [math.ceil(round(x * DEMAND_SCALE, 6))] if with_load else []

    clients: list[Client] = []
    groups: list[ClientGroup] = []
    n_depots = len(reload_nodes) + 1
    c = 0
    for task in tasks:
        group = None
        if task.group:
            group = len(groups)
            groups.append(ClientGroup([c, c + 1]))
        for arc in task.arcs:
            clients.append(Client(location=n_depots + c, delivery=load(task.demand),
                                  required=group is None, group=group,
                                  name=f"{task.segment_id}:{arc[0]}>{arc[1]}"))
            c += 1
    for visit in visits:
        windows = visit.windows or ((0.0, float(_NEVER)),)
        group = None
        if len(windows) > 1:
            group = len(groups)
            groups.append(ClientGroup(list(range(c, c + len(windows)))))
        for early, late in windows:
            clients.append(Client(location=n_depots + c, delivery=load(visit.demand),
                                  service_duration=round(visit.service_s),
                                  tw_early=round(early), tw_late=min(round(late), _NEVER),
                                  required=group is None, group=group, name=visit.visit_id))
            c += 1
    depots = [Depot(0, name="depot")] + [
        Depot(1 + i, service_duration=round(reload_s), name=f"reload-{n}")
        for i, n in enumerate(reload_nodes)]
    vehicle_types = []
    for crew in crews:
        capacity = []
        if with_load:
            capacity = [_NEVER if crew.capacity is None
                        else math.floor(round(crew.capacity * DEMAND_SCALE, 6))]
        vehicle_types.append(VehicleType(
            num_available=crew.count, capacity=capacity, start_depot=0, end_depot=0,
            tw_early=round(crew.start_s),
            tw_late=_NEVER if crew.end_s is None else round(crew.end_s),
            shift_duration=_NEVER if crew.shift_s is None else math.floor(crew.shift_s),
            max_distance=_NEVER if crew.max_distance_m is None
            else math.floor(crew.max_distance_m * DISTANCE_SCALE),
            profile=profiles.index((crew.speed_mps, crew.serve_speed)),
            reload_depots=[1 + reload_nodes.index(n) for n in crew.reload_nodes],
            name=crew.name,
        ))
    data = ProblemData(
        [Location(float(G.nodes[nodes[i]]["x"]), float(G.nodes[nodes[i]]["y"]))
         for i in loc_in],
        clients, depots, vehicle_types, [dist_dm] * len(profiles), durations, groups,
    )
    return _Model(data, nodes, index, csr, best_edge, loc_in, loc_out, loc_len, loc_time,
                  legs, client_info, reload_nodes, list(crews), profiles, metres,
                  _segment_index(segments, G), tasks)


def _check_reachable(metres, client_info, n_depots, nodes, loc_in) -> None:
    back = metres[:, 0]
    out = metres[0, :]
    for c, (kind, info) in enumerate(client_info):
        loc = n_depots + c
        if not (math.isfinite(out[loc]) and math.isfinite(back[loc])):
            what = info[0].segment_id if kind == "arc" else info.visit_id
            raise RoutingError(f"{what} cannot be reached from the depot and back "
                               f"(node {nodes[loc_in[loc]]})", field="segment_id"
                               if kind == "arc" else "visit_id")
    if n_depots > 1 and not np.isfinite(metres[:n_depots, :n_depots]).all():
        raise RoutingError("a reload node cannot be reached from the depot and back",
                           field="reload_nodes")


def _hours(seconds: float) -> str:
    return f"{seconds / 3600:.2f} h"


def _check_limits(model: _Model) -> None:
    """Raise :class:`CapacityError` for work that no crew can do even alone."""
    n_depots = len(model.reload_nodes) + 1
    out, back = model.metres[0], model.metres[:, 0]
    crews = model.crews
    caps = [c.capacity for c in crews]
    max_cap = None if any(c is None for c in caps) else max(caps)  # type: ignore[type-var]
    max_dist = max((math.inf if c.max_distance_m is None else c.max_distance_m)
                   for c in crews)

    def trip_time(crew: Crew, loc: int, service: float) -> float:
        p = model.profiles.index((crew.speed_mps, crew.serve_speed))
        return (round(out[loc] / crew.speed_mps) + model.loc_time[p][loc] + service
                + round(back[loc] / crew.speed_mps))

    def shift(crew: Crew) -> float:
        limit = math.inf if crew.shift_s is None else crew.shift_s
        if crew.end_s is not None:
            limit = min(limit, crew.end_s - crew.start_s)
        return limit

    by_task: dict[int, list[int]] = {}
    visits: dict[str, list[tuple[int, PointVisit]]] = {}
    for c, (kind, info) in enumerate(model.client_info):
        if kind == "arc":
            by_task.setdefault(id(info[0]), []).append(n_depots + c)
        else:
            visits.setdefault(info.visit_id, []).append((n_depots + c, info))
    for task in model.tasks:
        locs = by_task[id(task)]
        sid = task.segment_id
        if max_cap is not None and task.demand > max_cap:
            raise CapacityError(f"segment {sid}: demand {task.demand:g} exceeds the largest "
                                f"capacity {max_cap:g}", field="capacity")
        metres = min(out[loc] + model.loc_len[loc] + back[loc] for loc in locs)
        if metres > max_dist:
            raise CapacityError(f"segment {sid}: the round trip from the depot is "
                                f"{metres / 1000:.2f} km, longer than max_distance_m "
                                f"{max_dist / 1000:.2f} km", field="max_distance_m")
        if all(trip_time(c, loc, 0.0) > shift(c) for c in crews for loc in locs):
            fastest = min(trip_time(c, loc, 0.0) for c in crews for loc in locs)
            longest = max(shift(c) for c in crews)
            raise CapacityError(f"segment {sid}: the round trip from the depot takes "
                                f"{_hours(fastest)}, longer than the shift ({_hours(longest)})",
                                field="shift_s")
    for visit_id, options in visits.items():
        ok_window = False
        for crew in crews:
            for loc, visit in options:
                go = round(out[loc] / crew.speed_mps)
                come = round(back[loc] / crew.speed_mps)
                windows = visit.windows or ((0.0, math.inf),)
                early, late = windows[[loc2 for loc2, _ in options].index(loc)]
                start = max(crew.start_s + go, early)
                if start > late:
                    continue
                ok_window = True
                end = start + visit.service_s + come
                if (go + visit.service_s + come <= shift(crew)
                        and (crew.end_s is None or end <= crew.end_s)):
                    break
            else:
                continue
            break
        else:
            field_name = "shift_s" if ok_window else "window"
            raise CapacityError(f"visit {visit_id} cannot be made within its window and "
                                "a crew's shift", field=field_name)


def _activity_location(model: _Model, activity) -> int:
    n_depots = len(model.reload_nodes) + 1
    return activity.idx if activity.is_depot() else n_depots + activity.idx


class _Paths:
    """Shortest paths over the graph, one Dijkstra per source node, cached."""

    def __init__(self, model: _Model) -> None:
        self.model = model
        self.pred: dict[int, np.ndarray] = {}

    def edges(self, a: int, b: int) -> list[tuple[Hashable, Hashable, int, float]]:
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


def _plan_from_solution(model: _Model, solution: Solution, depot: Hashable,
                        stats: dict[str, Any]) -> ShiftPlan:
    paths = _Paths(model)
    routes = []
    for r in solution.routes():
        vt = r.vehicle_type()
        crew = model.crews[vt]
        p = model.profiles.index((crew.speed_mps, crew.serve_speed))
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
                stops.append(Stop(f"reload-{model.nodes[model.loc_in[b]]}", "reload",
                                  model.nodes[model.loc_in[b]], len(steps), t,
                                  float(cur.start_time), float(cur.end_time)))
                trip_loads.append(0.0)
        routes.append(ShiftRoute(crew.name, len(routes) + 1, steps, stops,
                                 float(r.start_time()), float(r.end_time()),
                                 max(trip_loads), r.num_trips()))
    return ShiftPlan(routes, depot, stats)


def _transfer(solution: Solution, data: ProblemData) -> Solution:
    from pyvrp import Activity

    routes = []
    for r in solution.routes():
        acts = [Activity(a.type, a.idx) for a in list(r)[1:-1]]
        routes.append(PyVRPRoute(data, acts, r.vehicle_type()))
    return Solution(data, routes)


def _balance(model: _Model, solution: Solution, settings: SearchSettings, by: str,
             rounds: int = 8) -> tuple[Solution, int]:
    """Lower the longest route by bisection on a route limit (distance or duration)."""
    def longest(sol: Solution) -> int:
        return max(r.distance() if by == "distance" else r.duration() for r in sol.routes())

    data = model.data
    vehicles = data.num_vehicles
    work = (sum(model.loc_len[_activity_location(model, a)] for r in solution.routes()
                for a in r if a.is_client()) * DISTANCE_SCALE)
    lo = math.ceil(work / vehicles) if by == "distance" else 0
    hi = longest(solution)
    done = 0
    quick = SearchSettings(seconds=None if settings.seconds is None else settings.seconds / rounds,
                           iterations=max(50, (settings.iterations or 1000) // 4),
                           stall=settings.stall, seed=settings.seed,
                           population=settings.population, generation=settings.generation,
                           neighbours=settings.neighbours)
    while done < rounds and lo < hi:
        done += 1
        limit = (lo + hi) // 2
        if by == "distance":
            types = [vt.replace(max_distance=min(vt.max_distance, limit))
                     for vt in data.vehicle_types()]
        else:
            types = [vt.replace(shift_duration=min(vt.shift_duration, limit))
                     for vt in data.vehicle_types()]
        tight = data.replace(vehicle_types=types)
        candidate, _ = solve_problem(tight, quick, initial=[_transfer(solution, tight)])
        if candidate.is_feasible() and longest(candidate) < hi:
            solution = _transfer(candidate, data)
            hi = longest(solution)
        else:
            lo = limit + 1
    return solution, done


def plan_shifts(
    G,
    segments,
    *,
    depot: Hashable,
    crews: Sequence[Crew] | Crew,
    required: Iterable[str] | None = None,
    demand: str | Mapping[str, float] | None = None,
    visits: Sequence[PointVisit] = (),
    sides: str = "either",
    balance: bool | str = False,
    reload_s: float = 600.0,
    settings: SearchSettings | None = None,
) -> ShiftPlan:
    """Split the required streets and point visits over crews' shifts.

    Parameters
    ----------
    G
        The projected street graph (``roads.load_graph``); edges carry ``length``.
    segments
        Segments of ``G`` (``roads.segments_from_graph``).
    depot
        Graph node where every route starts and ends (see :func:`nearest_node`).
    crews
        The crews available (count, speeds, capacity, shift length, working hours).
    required
        Segment ids to serve (default: every row of ``segments``).
    demand
        Load of serving each segment (litter, kg): a column of ``segments`` or a
        mapping; counts against the crews' ``capacity``.
    visits
        Point visits with service times and time windows (:func:`school_gate_visits`).
    sides
        ``"either"``: a two-way street is served once, in either direction (patrols);
        ``"both"``: each direction is served (sweeping both kerbs), half the demand
        each; or a column of ``segments`` holding one of these per segment.
    balance
        ``False`` minimises total distance; ``"distance"`` or ``"time"`` (``True``:
        time when a crew has a shift length, else distance) then lowers the longest
        route as far as the search can.
    reload_s
        Seconds spent emptying the hopper at a reload node.
    settings
        Search settings; by default at most 1,000 offspring, stopping after 300
        without improvement, seed 0 (reproducible).

    Returns
    -------
    ShiftPlan
        Routes as walks over graph edges, with stops and times.

    Raises
    ------
    CapacityError
        A segment or visit that no crew can do even alone (naming it and the limit
        field), or crews too few for the whole work.
    RoutingError
        A segment, visit or node the depot cannot reach.
    """
    crews = [crews] if isinstance(crews, Crew) else list(crews)
    settings = settings or SearchSettings()
    tasks = _tasks(G, segments, required, demand, sides)
    visits = list(visits)
    ids = [v.visit_id for v in visits]
    if len(set(ids)) != len(ids):
        raise RoutingError("visit ids are not unique", field="visit_id")
    if not tasks and not visits:
        raise RoutingError("nothing to route: no required segment and no visit",
                           field="required")
    model = _build_model(G, segments, tasks, depot, crews, visits, reload_s)
    _check_limits(model)
    solution, stats = solve_problem(model.data, settings)
    if not solution.is_feasible():
        raise CapacityError(
            f"{sum(c.count for c in crews)} crew(s) cannot serve all the work within "
            "their shifts, capacities and windows; add crews or lengthen shifts",
            field="count")
    if balance:
        by = balance if isinstance(balance, str) else (
            "time" if any(c.shift_s is not None for c in crews) else "distance")
        if by not in ("distance", "time"):
            raise ValueError(f"balance {balance!r}: use 'distance' or 'time'")
        solution, rounds = _balance(model, solution, settings, by)
        stats = dict(stats, balance=by, balance_rounds=rounds)
    return _plan_from_solution(model, solution, depot, stats)


# --------------------------------------------------------------------------- periodic plans


def visit_patterns(frequency: int, days: int = 7) -> list[tuple[int, ...]]:
    """The evenly spread day patterns for ``frequency`` visits in a ``days``-day cycle.

    Consecutive visits (cyclically) are ``days // frequency`` or one more days apart,
    e.g. 2 a week: Mon+Thu, Tue+Fri ... ; 3 a week: Mon+Wed+Fri, ...
    """
    if not 1 <= frequency <= days:
        raise ValueError(f"frequency {frequency} is not within 1..{days}")
    patterns = {tuple(sorted({(o + (i * days) // frequency) % days for i in range(frequency)}))
                for o in range(days)}
    return sorted(patterns)


def spread_visits(
    visits_per_week: Mapping[str, int],
    workload: Mapping[str, float],
    *,
    days: int = 7,
    adjacency: Mapping[str, Iterable[str]] | None = None,
    passes: int = 20,
) -> dict[str, tuple[int, ...]]:
    """Choose the days on which each segment is served, balancing the daily workload.

    Each segment with ``f`` visits a week gets one of the evenly spread patterns of
    :func:`visit_patterns`. Segments are placed largest first on the pattern that keeps
    the busiest day lightest (then the sum of squared daily loads, then most
    neighbours already on those days, so that a day's streets hang together), and
    moved between patterns while that improves the balance.

    Parameters
    ----------
    visits_per_week
        Visits per segment id (segments with 0 are left out).
    workload
        Work of one visit per segment id (metres, minutes, demand).
    days
        Days in the cycle (7; 5 or 6 for working weeks).
    adjacency
        Segment ids touching each segment id (optional tie-breaker).
    passes
        Most improvement passes.

    Returns
    -------
    dict
        ``{segment_id: (day, ...)}`` with days ``0..days-1``.

    Raises
    ------
    InputRowError
        A frequency that is not a whole number within ``0..days``.
    """
    wanted = {}
    for sid, f in visits_per_week.items():
        if f is None or (isinstance(f, float) and math.isnan(f)):
            continue
        if float(f) != int(f) or not 0 <= int(f) <= days:
            raise InputRowError(f"segment {sid}: {f} visits a week is not a whole number "
                                f"within 0..{days}", field="visits_per_week")
        if int(f) > 0:
            wanted[sid] = int(f)
    for sid in wanted:
        if sid not in workload:
            raise InputRowError(f"segment {sid}: no workload", field="workload")
    patterns = {f: visit_patterns(f, days) for f in set(wanted.values())}
    load = np.zeros(days)
    chosen: dict[str, tuple[int, ...]] = {}
    neighbours = {sid: list(adjacency.get(sid, ())) if adjacency else [] for sid in wanted}

    def together(sid: str, pattern: tuple[int, ...]) -> int:
        return sum(1 for n in neighbours[sid] if n in chosen
                   for d in pattern if d in chosen[n])

    def best_pattern(sid: str) -> tuple[int, ...]:
        w = float(workload[sid])
        options = []
        for pattern in patterns[wanted[sid]]:
            trial = load.copy()
            trial[list(pattern)] += w
            options.append((round(trial.max(), 9), round(float((trial ** 2).sum()), 6),
                            -together(sid, pattern), pattern))
        return min(options)[3]

    order = sorted(wanted, key=lambda s: (-float(workload[s]) * wanted[s], s))
    for sid in order:
        pattern = best_pattern(sid)
        chosen[sid] = pattern
        load[list(pattern)] += float(workload[sid])
    for _ in range(passes):
        moved = False
        for sid in order:
            old = chosen.pop(sid)
            load[list(old)] -= float(workload[sid])
            new = best_pattern(sid)
            chosen[sid] = new
            load[list(new)] += float(workload[sid])
            moved |= new != old
        if not moved:
            break
    return {sid: chosen[sid] for sid in sorted(chosen)}


@dataclass
class WeeklyPlan:
    """Routes for every day of a cycle and the days each segment is served.

    Attributes
    ----------
    days
        One :class:`ShiftPlan` per day (``None`` for a day without work).
    assignment
        ``{segment_id: (day, ...)}``.
    day_loads
        Workload per day (the quantity that was balanced).
    """

    days: list[ShiftPlan | None]
    assignment: dict[str, tuple[int, ...]]
    day_loads: list[float]


def _adjacency(segments) -> dict[str, list[str]]:
    by_node: dict[Hashable, list[str]] = {}
    for sid, u, v in zip(segments["segment_id"], segments["u"], segments["v"], strict=True):
        by_node.setdefault(u, []).append(sid)
        by_node.setdefault(v, []).append(sid)
    out: dict[str, list[str]] = {}
    for members in by_node.values():
        for sid in members:
            out.setdefault(sid, []).extend(m for m in members if m != sid)
    return out


def weekly_plan(
    G,
    segments,
    visits_per_week: str | Mapping[str, int],
    *,
    depot: Hashable,
    crews: Sequence[Crew] | Crew,
    days: int = 7,
    workload: str | Mapping[str, float] = "length_m",
    demand: str | Mapping[str, float] | None = None,
    visits_by_day: Mapping[int, Sequence[PointVisit]] | None = None,
    sides: str = "either",
    balance: bool | str = False,
    settings: SearchSettings | None = None,
) -> WeeklyPlan:
    """Spread segments needing several visits a week over the days, then route each day.

    Parameters
    ----------
    G, segments
        The street graph and its segments.
    visits_per_week
        A column of ``segments`` or a mapping ``{segment_id: visits}`` (from the
        cleaning plans); segments with none are not served.
    depot, crews, demand, sides, balance, settings
        As for :func:`plan_shifts`, for every day.
    days
        Days in the cycle.
    workload
        What to balance across days: a column (default ``length_m``) or a mapping.
    visits_by_day
        Point visits of each day (school-gate posts on school days ...).

    Returns
    -------
    WeeklyPlan
    """
    freq = _values(segments, visits_per_week, "visits_per_week", 0)
    work = _values(segments, workload, "workload", 0.0)
    assignment = spread_visits(freq, work, days=days, adjacency=_adjacency(segments))
    plans: list[ShiftPlan | None] = []
    loads = []
    for day in range(days):
        todo = [sid for sid, ds in assignment.items() if day in ds]
        loads.append(float(sum(float(work[s]) for s in todo)))
        day_visits = list((visits_by_day or {}).get(day, ()))
        if not todo and not day_visits:
            plans.append(None)
            continue
        plans.append(plan_shifts(G, segments, depot=depot, crews=crews, required=todo,
                                 demand=demand, visits=day_visits, sides=sides,
                                 balance=balance, settings=settings))
    return WeeklyPlan(plans, assignment, loads)


# --------------------------------------------------------------------------- tables


def plan_tables(G, plan: ShiftPlan):
    """A plan as tables for export.

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
        summary.append({
            "route": r.index, "crew": r.crew, "start": format_clock(r.start_s),
            "end": format_clock(r.end_s), "duration_min": round(r.duration_s / 60, 1),
            "distance_m": round(r.distance_m, 1), "served_m": round(r.served_m, 1),
            "deadhead_m": round(r.distance_m - r.served_m, 1), "segments": len(r.served),
            "stops": sum(s.kind != "reload" for s in r.stops), "load": round(r.load, 3),
            "trips": r.trips,
        })
        coords: list[tuple[float, float]] = []
        for n, s in enumerate(r.steps, start=1):
            steps.append({"route": r.index, "order": n, "segment_id": s.segment_id,
                          "u": s.u, "v": s.v, "key": s.key, "deadhead": s.deadhead,
                          "length_m": round(s.length_m, 2), "start": format_clock(s.start_s),
                          "end": format_clock(s.end_s)})
            data = G.edges[s.u, s.v, s.key]
            geom = data.get("geometry")
            ends = [(G.nodes[n]["x"], G.nodes[n]["y"]) for n in (s.u, s.v)]
            part = list(geom.coords) if geom is not None else ends
            coords.extend(part if not coords else part[1:])
        for s in r.stops:
            stops.append({"route": r.index, "visit_id": s.visit_id, "kind": s.kind,
                          "node": s.node, "arrival": format_clock(s.arrival_s),
                          "start": format_clock(s.start_s), "end": format_clock(s.end_s)})
        if len(coords) >= 2:
            lines.append({"route": r.index, "crew": r.crew,
                          "distance_m": round(r.distance_m, 1), "geometry": LineString(coords)})
    lines_gdf = gpd.GeoDataFrame(lines or None, columns=["route", "crew", "distance_m",
                                                         "geometry"],
                                 geometry="geometry", crs=G.graph.get("crs"))
    return (pd.DataFrame(summary), pd.DataFrame(steps),
            pd.DataFrame(stops, columns=["route", "visit_id", "kind", "node", "arrival",
                                         "start", "end"]), lines_gdf)
