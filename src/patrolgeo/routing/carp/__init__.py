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
clients) inside the memetic search of :mod:`patrolgeo.routing.memetic`, and
:func:`check_carp_solution` checks a solution from scratch: every route is an unbroken
walk over edges of the instance from the depot back to the depot, every required edge is
served exactly once, no route exceeds the capacity, and the cost is recomputed from the
edge costs alone.
"""

from patrolgeo.routing.carp._check import check_carp_solution
from patrolgeo.routing.carp._instance import (
    CarpEdge,
    CarpInstance,
    CarpRoute,
    CarpSolution,
    CarpSolutionError,
    CarpStep,
)
from patrolgeo.routing.carp._read import parse_carp, read_carp
from patrolgeo.routing.carp._report import best_known_value, format_routes
from patrolgeo.routing.carp._solve import carp_problem, solve_carp

__all__ = [
    "CarpEdge",
    "CarpInstance",
    "CarpRoute",
    "CarpSolution",
    "CarpSolutionError",
    "CarpStep",
    "best_known_value",
    "carp_problem",
    "check_carp_solution",
    "format_routes",
    "parse_carp",
    "read_carp",
    "solve_carp",
]
