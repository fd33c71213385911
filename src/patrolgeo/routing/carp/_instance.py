"""CARP instances and solutions: edges, instances, steps, routes."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import dijkstra

from patrolgeo.errors import PatrolgeoError

#: csgraph treats stored zeros as missing edges: a zero-cost edge is stored with this
#: tiny positive weight instead (distances are rounded back to whole costs).
ZERO_COST = 1e-9


class CarpSolutionError(PatrolgeoError):
    """A CARP solution breaks a rule of its instance (walk, service, capacity or cost)."""


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

    Examples
    --------
    >>> inst = CarpInstance("two", 2, 1, 5, (CarpEdge(1, 2, 3, 2, True),))
    >>> inst.required, inst.total_demand, inst.min_vehicles()
    ([0], 2, 1)
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
        """Return the least number of routes that the capacity allows (total demand / capacity)."""
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
        vals = [c if c > 0 else ZERO_COST for c in best.values()]
        graph = coo_matrix((vals, (rows, cols)), shape=(n, n)).tocsr()
        dist = dijkstra(graph, directed=True)
        finite = np.isfinite(dist)
        dist[finite] = np.round(dist[finite])
        return dist


@dataclass(frozen=True)
class CarpStep:
    """One traversal of an edge in a route, serving it or deadheading.

    Attributes
    ----------
    edge
        Index into the instance's edges.
    frm, to
        The vertices it goes from and to.
    serve
        Whether the traversal serves the edge.
    """

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
