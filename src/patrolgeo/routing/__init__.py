"""Patrol and cleaning routes over road segments.

Modules: ``postman`` (Chinese, rural, directed and mixed postman tours), ``verify``
(an independent route checker), ``export`` (GeoJSON, GPX, turn-by-turn text),
``capacitated`` (shifts, capacities, time windows with PyVRP) and ``carp`` (CARPLIB
instances).
"""

from patrolgeo.routing.euler import TurnPenalty
from patrolgeo.routing.postman import postman_route
from patrolgeo.routing.route import SPEEDS_KMH, Route, Traversal
from patrolgeo.routing.verify import RouteCheck, verify_route

__all__ = [
    "SPEEDS_KMH",
    "Route",
    "RouteCheck",
    "Traversal",
    "TurnPenalty",
    "postman_route",
    "verify_route",
]
