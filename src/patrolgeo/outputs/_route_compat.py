"""Transition only: the route writers in the process-wide language of ``patrolgeo.i18n``.

``patrolgeo.pipeline`` (``write_territories``, ``draw_maps``) still calls the route
writers without a language; this module binds them to :func:`patrolgeo.i18n.get_lang`
until those callers pass ``lang=`` to :mod:`patrolgeo.outputs.route`. Delete it with
``patrolgeo.i18n``.
"""

from __future__ import annotations

from patrolgeo.i18n import get_lang
from patrolgeo.outputs import route as _route
from patrolgeo.routing.route import Route


def route_gpx(route: Route, name: str | None = None) -> str:
    """:func:`patrolgeo.outputs.route.route_gpx` in the current language."""
    return _route.route_gpx(route, name, lang=get_lang())


def turn_by_turn(route: Route) -> list[str]:
    """:func:`patrolgeo.outputs.route.turn_by_turn` in the current language."""
    return _route.turn_by_turn(route, lang=get_lang())
