"""Capacitated Arc Routing Problem (CARP) instances: CARPLIB reader, solver and checker.

The CARP asks for vehicle routes from a depot, each within a capacity, that together
serve every required edge of an undirected graph exactly once, at least total cost.
CARPLIB (Universitat de València) stores the classic benchmarks (gdb, val, egl, kshs,
bmcv ...) as text files with Spanish keywords::

    NOMBRE : gdb1
    VERTICES : 12
    ARISTAS_REQ : 22
    ARISTAS_NOREQ : 0
    VEHICULOS : 5
    CAPACIDAD : 5
    LISTA_ARISTAS_REQ :
    ( 1, 2)  coste 13 demanda 1
    ...
    LISTA_ARISTAS_NOREQ :
    ( 3, 7)  coste 4
    DEPOSITO :   1

:func:`read_carp` reads such a file into a :class:`CarpInstance`, :func:`solve_carp`
solves it with PyVRP (each required edge becomes a mutually exclusive pair of directed
clients, see :mod:`patrolgeo.routing.capacitated`), and :func:`check_carp_solution`
checks a solution from scratch: every route is an unbroken walk over edges of the
instance from the depot back to the depot, every required edge is served exactly once,
no route exceeds the capacity, and the cost is recomputed from the edge costs alone.
"""

from __future__ import annotations

import itertools
import math
import re
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from pyvrp import Client, ClientGroup, Depot, Location, ProblemData, VehicleType
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import dijkstra

from patrolgeo.errors import InputRowError, PatrolgeoError, RoutingError

__all__ = [
    "CarpEdge",
    "CarpInstance",
    "CarpRoute",
    "CarpSolution",
    "CarpSolutionError",
    "CarpStep",
    "check_carp_solution",
    "parse_carp",
    "read_carp",
    "solve_carp",
]


class CarpSolutionError(PatrolgeoError):
    """A CARP solution breaks a rule of its instance (walk, service, capacity or cost)."""


# --------------------------------------------------------------------------- instance


@dataclass(frozen=True)
class CarpEdge:
    """One undirected edge of a CARP instance.

    Attributes
    ----------
    u, v
        End vertices, 1-based as in the file.
    cost
        Cost of traversing the edge without serving it (deadheading).
    demand
        Load picked up when the edge is served; positive for a required edge.
    required
        Whether the edge must be served.
    serve_cost
        Cost of traversing the edge while serving it (CARPLIB: the same as ``cost``
        unless the file gives both).
    line
        1-based line of the file that defined the edge (0 when built in code).
    """

    u: int
    v: int
    cost: int
    demand: int = 0
    required: bool = False
    serve_cost: int | None = None
    line: int = 0

    @property
    def service_cost(self) -> int:
        """Cost of serving the edge (``serve_cost`` or, if unset, ``cost``)."""
        return self.cost if self.serve_cost is None else self.serve_cost


@dataclass(frozen=True)
class CarpInstance:
    """A CARP instance: an undirected graph, its required edges, a depot and a capacity.

    Attributes
    ----------
    name
        The instance name (``NOMBRE``).
    n_vertices
        Number of vertices; vertices are numbered ``1..n_vertices``.
    depot
        The depot vertex.
    capacity
        Vehicle capacity (``CAPACIDAD``).
    edges
        Every edge, required ones first in file order, then the others.
    vehicles
        ``VEHICULOS`` of the file (often the least fleet known to suffice), if given.
        The solver treats the fleet as unlimited unless told otherwise, as the
        literature's best known values do.
    source
        The file the instance came from, if any.
    comment
        ``COMENTARIO`` of the file.
    """

    name: str
    n_vertices: int
    depot: int
    capacity: int
    edges: tuple[CarpEdge, ...]
    vehicles: int | None = None
    source: str | None = None
    comment: str = ""

    @property
    def required(self) -> list[int]:
        """Indices (into :attr:`edges`) of the required edges."""
        return [i for i, e in enumerate(self.edges) if e.required]

    @property
    def total_demand(self) -> int:
        """Sum of the demands of the required edges."""
        return sum(e.demand for e in self.edges if e.required)

    @property
    def total_service_cost(self) -> int:
        """Sum of the service costs of the required edges (a lower bound on any cost)."""
        return sum(e.service_cost for e in self.edges if e.required)

    def min_vehicles(self) -> int:
        """The least number of routes that the capacity allows (total demand / capacity)."""
        return max(1, math.ceil(self.total_demand / self.capacity))

    def distances(self) -> np.ndarray:
        """All-pairs deadheading costs, an ``(n+1) x (n+1)`` array (row and column 0 unused).

        Unreachable pairs are ``inf``.
        """
        n = self.n_vertices + 1
        best: dict[tuple[int, int], int] = {}
        for e in self.edges:
            for a, b in ((e.u, e.v), (e.v, e.u)):
                if e.u != e.v and ((a, b) not in best or e.cost < best[a, b]):
                    best[a, b] = e.cost
        rows = [a for a, _ in best]
        cols = [b for _, b in best]
        # csgraph treats stored zeros as missing edges: shift costs by one and undo it on
        # hop counts would be wrong, so store zero-cost edges as a tiny positive weight
        vals = [c if c > 0 else 1e-9 for c in best.values()]
        graph = coo_matrix((vals, (rows, cols)), shape=(n, n)).tocsr()
        dist = dijkstra(graph, directed=True)
        finite = np.isfinite(dist)
        dist[finite] = np.round(dist[finite])
        return dist


_HEADER_INT = {
    "VERTICES": "n_vertices",
    "ARISTAS_REQ": "n_required",
    "ARISTAS_NOREQ": "n_optional",
    "VEHICULOS": "vehicles",
    "CAPACIDAD": "capacity",
    "COSTE_TOTAL_REQ": "total_cost",
    "DEPOSITO": "depot",
}
_KEY_LINE = re.compile(r"^\s*([A-Za-z_]+)\s*:\s*(.*?)\s*$")
_EDGE_LINE = re.compile(r"^\s*\(\s*(-?\d+)\s*,\s*(-?\d+)\s*\)\s*(.*?)\s*$")
_INT = re.compile(r"^-?\d+$")


def _number(text: str, source: str, line: int, field: str) -> int:
    token = text.split()[0] if text.split() else ""
    if not _INT.match(token):
        raise InputRowError(f"expected an integer, found {text.strip()!r}", file=source,
                            row=line, field=field)
    return int(token)


def _edge_values(rest: str, source: str, line: int) -> dict[str, list[int]]:
    """Parse ``coste 13 demanda 1`` (and variants) into ``{"coste": [13], ...}``."""
    values: dict[str, list[int]] = {}
    current: str | None = None
    for token in rest.replace(",", " ").split():
        if _INT.match(token):
            if current is None:
                raise InputRowError(f"number {token} without a keyword (coste, demanda)",
                                    file=source, row=line, field="edge")
            values[current].append(int(token))
        else:
            if token.lower() not in ("coste", "demanda"):
                if current is not None and not values[current]:
                    raise InputRowError(f"expected a number after {current}, found "
                                        f"{token!r}", file=source, row=line, field=current)
                raise InputRowError(f"unknown edge keyword {token!r} (expected coste, "
                                    "demanda)", file=source, row=line, field=token)
            current = token.lower()
            if current in values:
                raise InputRowError(f"keyword {token!r} given twice", file=source,
                                    row=line, field=token)
            values[current] = []
    return values


def parse_carp(text: str, source: str = "<string>") -> CarpInstance:
    """Parse the text of a CARPLIB ``.dat`` file.

    Parameters
    ----------
    text
        The file's contents.
    source
        Name used in error messages (the file path).

    Returns
    -------
    CarpInstance

    Raises
    ------
    InputRowError
        On any malformed line, naming the source, the line number and the keyword.
    """
    header: dict[str, int] = {}
    name = Path(source).stem
    comment = ""
    section: str | None = None
    required: list[CarpEdge] = []
    optional: list[CarpEdge] = []
    for lineno, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith(("#", "%")) or line.upper() == "EOF":
            continue
        if (edge := _EDGE_LINE.match(line)) is not None:
            if section is None:
                raise InputRowError("edge line outside LISTA_ARISTAS_REQ / "
                                    "LISTA_ARISTAS_NOREQ", file=source, row=lineno,
                                    field="edge")
            u, v = int(edge.group(1)), int(edge.group(2))
            values = _edge_values(edge.group(3), source, lineno)
            costs = values.get("coste", [])
            if len(costs) not in (1, 2):
                raise InputRowError("expected 'coste <cost>' (or 'coste <serve> <deadhead>')",
                                    file=source, row=lineno, field="coste")
            demands = values.get("demanda", [0])
            if len(demands) != 1:
                raise InputRowError("expected 'demanda <demand>'", file=source, row=lineno,
                                    field="demanda")
            if min(costs) < 0 or demands[0] < 0:
                raise InputRowError("negative cost or demand", file=source, row=lineno,
                                    field="coste" if min(costs) < 0 else "demanda")
            is_required = section == "LISTA_ARISTAS_REQ"
            if is_required and demands[0] <= 0:
                raise InputRowError("a required edge needs a positive demand", file=source,
                                    row=lineno, field="demanda")
            cost = costs[-1]
            serve = costs[0] if len(costs) == 2 else None
            target = required if is_required else optional
            target.append(CarpEdge(u, v, cost, demands[0], is_required, serve, lineno))
            continue
        key_line = _KEY_LINE.match(line)
        if key_line is None:
            raise InputRowError(f"cannot read line {line[:40]!r}", file=source, row=lineno)
        key, value = key_line.group(1).upper(), key_line.group(2)
        if key in ("LISTA_ARISTAS_REQ", "LISTA_ARISTAS_NOREQ"):
            section = key
            continue
        section = None
        if key == "NOMBRE":
            name = value or name
        elif key == "COMENTARIO":
            comment = value
        elif key in _HEADER_INT:
            if key in header:
                raise InputRowError(f"{key} given twice", file=source, row=lineno, field=key)
            header[key] = _number(value, source, lineno, key)
        elif key == "TIPO_COSTES_ARISTAS":
            if value.upper() != "EXPLICITOS":
                raise InputRowError(f"edge cost type {value!r} is not supported "
                                    "(only EXPLICITOS)", file=source, row=lineno, field=key)
        else:
            raise InputRowError(f"unknown keyword {key}", file=source, row=lineno, field=key)

    for key in ("VERTICES", "CAPACIDAD"):
        if key not in header:
            raise InputRowError(f"missing {key}", file=source, field=key)
    n = header["VERTICES"]
    depot = header.get("DEPOSITO", 1)
    capacity = header["CAPACIDAD"]
    if n <= 0:
        raise InputRowError("VERTICES must be positive", file=source, field="VERTICES")
    if capacity <= 0:
        raise InputRowError("CAPACIDAD must be positive", file=source, field="CAPACIDAD")
    if not 1 <= depot <= n:
        raise InputRowError(f"depot {depot} is not a vertex 1..{n}", file=source,
                            field="DEPOSITO")
    for key, found in (("ARISTAS_REQ", required), ("ARISTAS_NOREQ", optional)):
        if key in header and header[key] != len(found):
            raise InputRowError(f"{key} says {header[key]} edges but the list has "
                                f"{len(found)}", file=source, field=key)
    if not required:
        raise InputRowError("no required edges (LISTA_ARISTAS_REQ is empty)", file=source,
                            field="LISTA_ARISTAS_REQ")
    for e in (*required, *optional):
        for end in (e.u, e.v):
            if not 1 <= end <= n:
                raise InputRowError(f"vertex {end} is not in 1..{n}", file=source,
                                    row=e.line, field="edge")
        if e.required and e.demand > capacity:
            raise InputRowError(f"demand {e.demand} of edge ({e.u}, {e.v}) exceeds the "
                                f"capacity {capacity}", file=source, row=e.line,
                                field="demanda")
    instance = CarpInstance(
        name=name, n_vertices=n, depot=depot, capacity=capacity,
        edges=tuple(required + optional), vehicles=header.get("VEHICULOS"),
        source=source, comment=comment,
    )
    dist = instance.distances()
    for e in required:
        if not (np.isfinite(dist[depot, e.u]) and np.isfinite(dist[e.v, depot])):
            raise InputRowError(f"edge ({e.u}, {e.v}) cannot be reached from the depot",
                                file=source, row=e.line, field="edge")
    return instance


def read_carp(path: str | Path) -> CarpInstance:
    """Read a CARPLIB ``.dat`` file.

    Raises
    ------
    InputRowError
        When the file is missing, unreadable or malformed (naming file and line).
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8", errors="strict")
    except FileNotFoundError as exc:
        raise InputRowError("file not found", file=path) from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise InputRowError(f"cannot read file: {exc}", file=path) from exc
    return parse_carp(text, source=str(path))


# --------------------------------------------------------------------------- solutions


@dataclass(frozen=True)
class CarpStep:
    """One traversal of an edge in a route: ``edge`` (index into the instance's edges)
    from ``frm`` to ``to``, serving it or deadheading."""

    edge: int
    frm: int
    to: int
    serve: bool


@dataclass(frozen=True)
class CarpRoute:
    """A vehicle route as an explicit walk from the depot back to the depot."""

    steps: tuple[CarpStep, ...]

    @property
    def served(self) -> list[int]:
        """Indices of the edges this route serves, in order."""
        return [s.edge for s in self.steps if s.serve]


@dataclass
class CarpSolution:
    """Routes solving a CARP instance, with what the solver reports.

    Attributes
    ----------
    routes
        The routes, each an explicit walk.
    cost
        The cost the solver computed (check it with :func:`check_carp_solution`).
    seconds
        Wall time of the solve.
    lower_bound
        A lower bound on the optimum, if the solver knows one.
    stats
        Solver details (iterations, restarts, seed).
    """

    routes: list[CarpRoute]
    cost: int
    seconds: float = 0.0
    lower_bound: int | None = None
    stats: dict[str, object] = field(default_factory=dict)


def check_carp_solution(instance: CarpInstance, solution: CarpSolution | list[CarpRoute]
                        ) -> int:
    """Check a CARP solution from first principles and return its recomputed cost.

    Checks that every route starts and ends at the depot and is an unbroken walk whose
    every step is an edge of the instance between the stated ends; that every required
    edge is served exactly once and no other edge is served; that no route's served
    demand exceeds the capacity; and, for a :class:`CarpSolution`, that its reported
    cost equals the cost recomputed here (service cost for served steps, traversal
    cost for the others). Uses no shortest path and nothing of the solver.

    Raises
    ------
    CarpSolutionError
        Naming the route (``row``) and the rule broken (``field``).
    """
    routes = solution.routes if isinstance(solution, CarpSolution) else solution
    edges = instance.edges
    served_count = [0] * len(edges)
    total = 0
    source = instance.source or instance.name
    for r, route in enumerate(routes, start=1):
        if not route.steps:
            continue
        at = instance.depot
        load = 0
        for s, step in enumerate(route.steps, start=1):
            if not 0 <= step.edge < len(edges):
                raise CarpSolutionError(f"step {s} uses unknown edge {step.edge}",
                                        file=source, row=r, field="edge")
            e = edges[step.edge]
            if {step.frm, step.to} != {e.u, e.v} or (e.u != e.v and step.frm == step.to):
                raise CarpSolutionError(f"step {s} goes {step.frm}->{step.to} over edge "
                                        f"({e.u}, {e.v})", file=source, row=r, field="edge")
            if step.frm != at:
                raise CarpSolutionError(f"step {s} starts at {step.frm}, the walk is at {at}",
                                        file=source, row=r, field="walk")
            at = step.to
            if step.serve:
                if not e.required:
                    raise CarpSolutionError(f"step {s} serves edge ({e.u}, {e.v}) which is "
                                            "not required", file=source, row=r,
                                            field="service")
                served_count[step.edge] += 1
                load += e.demand
                total += e.service_cost
            else:
                total += e.cost
        if at != instance.depot:
            raise CarpSolutionError(f"route ends at {at}, not at the depot {instance.depot}",
                                    file=source, row=r, field="walk")
        if load > instance.capacity:
            raise CarpSolutionError(f"load {load} exceeds the capacity {instance.capacity}",
                                    file=source, row=r, field="capacity")
    for i, count in enumerate(served_count):
        e = edges[i]
        if e.required and count != 1:
            raise CarpSolutionError(f"required edge ({e.u}, {e.v}) is served {count} times",
                                    file=source, row=e.line or None, field="service")
    if isinstance(solution, CarpSolution) and solution.cost != total:
        raise CarpSolutionError(f"reported cost {solution.cost} differs from the recomputed "
                                f"cost {total}", file=source, field="cost")
    return total


# --------------------------------------------------------------------------- solver


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
    vals = [max(instance.edges[i].cost, 1e-9) for i in cheapest.values()]
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


def carp_problem(instance: CarpInstance, vehicles: int | None = None):
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
    """
    from patrolgeo.routing.capacitated import SearchSettings, solve_problem

    t0 = time.perf_counter()
    data, ends = carp_problem(instance, vehicles)
    # the clock covers the whole call: leave time to map the routes back after the search
    budget = None if seconds is None else max(0.0, seconds - (time.perf_counter() - t0) - 0.25)
    settings = SearchSettings(seconds=budget, iterations=iterations, stall=stall, seed=seed)
    solution, stats = solve_problem(data, settings)
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
    return CarpSolution(routes, cost, time.perf_counter() - t0, stats=dict(stats, seed=seed))


def best_known_value(instance: CarpInstance) -> int | None:
    """The best known value of a benchmark instance, from a ``bks.csv`` (columns
    ``instance, bks``) beside its file or one folder up, if there is one."""
    import csv

    if instance.source is None:
        return None
    here = Path(instance.source).resolve().parent
    for folder in (here, here.parent):
        table = folder / "bks.csv"
        if table.exists():
            with table.open(encoding="utf-8") as fh:
                for row in csv.DictReader(fh):
                    if row.get("instance") in (instance.name, Path(instance.source).stem):
                        try:
                            return int(row["bks"])
                        except (KeyError, ValueError):
                            return None
    return None


def format_routes(instance: CarpInstance, solution: CarpSolution) -> str:
    """The routes as text, one line per route: vertices walked, served edges in brackets."""
    lines = [f"# {instance.name}: cost {solution.cost}, {len(solution.routes)} routes"]
    for n, route in enumerate(solution.routes, start=1):
        load = sum(instance.edges[i].demand for i in route.served)
        parts = [str(instance.depot)]
        for s in route.steps:
            parts.append(f"[{s.to}]" if s.serve else str(s.to))
        lines.append(f"route {n} (load {load}): " + " ".join(parts))
    return "\n".join(lines) + "\n"
