"""Patrol and cleaning routes over road segments.

The postman front door: :func:`postman_route` (Chinese, rural, directed and mixed postman
tours), :func:`verify_route` (an independent route checker, reporting
:class:`Violation` codes) and :func:`route_steps` (the route as steps with manoeuvre and
compass codes). The writers that turn routes into GPX and turn-by-turn text are in
:mod:`patrolgeo.outputs.route`.

Private modules: ``_cover`` (what solvers return), ``_undirected`` (T-joins by
matching), ``_linking`` (joining pieces), ``_rural`` (undirected postman),
``_directed`` (min-cost flow postman), ``_mixed`` (its improvements); ``network``,
``euler``, ``exact``, ``route``, ``steps``, ``verify``. ``capacitated`` (shifts,
capacities, time windows with PyVRP) and ``carp`` (CARPLIB instances) are separate.
"""

from patrolgeo.routing.euler import TurnPenalty
from patrolgeo.routing.postman import MODES, postman_route
from patrolgeo.routing.route import SPEEDS_KMH, Route, Traversal
from patrolgeo.routing.steps import COMPASS, TURNS, Step, compass_code, route_steps
from patrolgeo.routing.verify import RouteCheck, Violation, check_all, verify_route

__all__ = [
    "COMPASS",
    "MODES",
    "SPEEDS_KMH",
    "TURNS",
    "Route",
    "RouteCheck",
    "Step",
    "Traversal",
    "TurnPenalty",
    "Violation",
    "check_all",
    "compass_code",
    "postman_route",
    "route_steps",
    "verify_route",
]
