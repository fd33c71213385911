"""A route as steps: follow one road, then turn; manoeuvre and compass codes, no words.

The writers of :mod:`patrolgeo.outputs.route` turn the codes into sentences
(``沿信州路向东行驶 320 米，右转进入南大街`` / ``Head east on 信州路 for 320 m, then turn
right onto 南大街``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import shapely

from patrolgeo.routing.route import Route

TURNS = ("straight", "slight_left", "slight_right", "left", "right", "uturn", "arrive",
         "leave_area", "end_piece")
"""Manoeuvre codes of :attr:`Step.turn` (``leave_area``: drive on out of the area onto a
boundary link; ``end_piece``: the piece is done, a transfer leg follows)."""

KINDS = ("street", "outside", "transfer")
"""What a step runs on (:attr:`Step.kind`): streets of the area; a boundary link (the
route leaves the area to turn round, on real roads); a straight transfer leg to the
next piece of a network no street joins."""

COMPASS = ("north", "northeast", "east", "southeast", "south", "southwest", "west",
           "northwest")
"""Compass direction codes, clockwise from north in steps of 45 degrees."""

PROBE_M = 12.0
"""Metres from a line's end over which its direction is measured (past kinks at nodes)."""

STRAIGHT_DEG = 20.0
"""Turns smaller than this many degrees go straight on."""

SLIGHT_DEG = 45.0
"""Turns smaller than this (and not straight) are slight turns."""

UTURN_DEG = 150.0
"""Turns of this many degrees or more are U-turns."""


@dataclass
class Step:
    """One instruction: follow ``road`` for ``length_m``, then turn (``turn``) onto the next."""

    road: str
    length_m: float
    heading_deg: float  # compass bearing at the start of the step, clockwise from north
    turn: str           # a code of TURNS
    next_road: str | None
    deadhead: bool      # the whole step is travel only
    cum_m: float        # distance from the start at the end of the step
    first_traversal: int
    last_traversal: int
    kind: str = "street"  # a code of KINDS

    @property
    def compass(self) -> str:
        """The compass code (of :data:`COMPASS`) of :attr:`heading_deg`."""
        return compass_code(self.heading_deg)


def compass_code(heading_deg: float) -> str:
    """Return the compass direction code of a bearing in degrees clockwise from north.

    Examples
    --------
    >>> compass_code(80.0)
    'east'
    """
    return COMPASS[int(((heading_deg + 22.5) % 360) // 45)]


def _bearing(dx: float, dy: float) -> float:
    return (90.0 - math.degrees(math.atan2(dy, dx))) % 360.0


def _end_vectors(lines: np.ndarray, probe_m: float = PROBE_M) -> tuple[np.ndarray, np.ndarray]:
    """Direction vectors at the start and at the end of each (oriented) line."""
    lengths = shapely.length(lines)
    probe = np.minimum(probe_m, lengths / 2)
    start = shapely.get_coordinates(shapely.get_point(lines, 0))
    end = shapely.get_coordinates(shapely.get_point(lines, -1))
    near_start = shapely.get_coordinates(shapely.line_interpolate_point(lines, probe))
    near_end = shapely.get_coordinates(shapely.line_interpolate_point(lines, lengths - probe))
    return near_start - start, end - near_end


def _turn(arrive: np.ndarray, leave: np.ndarray, same_street: bool) -> str:
    delta = math.degrees(math.atan2(arrive[0] * leave[1] - arrive[1] * leave[0],
                                    arrive[0] * leave[0] + arrive[1] * leave[1]))
    size = abs(delta)
    if same_street or size >= UTURN_DEG:
        return "uturn"
    if size < STRAIGHT_DEG:
        return "straight"
    if size < SLIGHT_DEG:
        return "slight_left" if delta > 0 else "slight_right"
    return "left" if delta > 0 else "right"


#: The manoeuvre before a step that leaves the streets of the area.
_NEXT_KIND_TURN = {"outside": "leave_area", "transfer": "end_piece"}


def route_steps(route: Route) -> list[Step]:
    """Group the traversals into steps along one road and the turns between them.

    Parameters
    ----------
    route
        A computed route.

    Returns
    -------
    list of Step
        One step per stretch along one road (a U-turn starts a new one); the last
        step's ``turn`` is ``"arrive"``.
    """
    if not route.traversals:
        return []
    lines = route.geometries()
    start_vec, end_vec = _end_vectors(lines)
    steps: list[Step] = []
    i = 0
    trav = route.traversals
    while i < len(trav):
        j = i
        road, kind = trav[i].road_name, trav[i].kind
        # a step follows one road; a U-turn on it starts a new step; so does leaving
        # the area or a transfer leg
        while (j + 1 < len(trav) and trav[j + 1].road_name == road
               and trav[j + 1].kind == kind and kind != "transfer"
               and trav[j + 1].segment_id != trav[j].segment_id):
            j += 1
        length = float(sum(t.length_m for t in trav[i:j + 1]))
        dead = all(t.deadhead for t in trav[i:j + 1])
        heading = _bearing(*start_vec[i])
        if j + 1 < len(trav):
            turn = _NEXT_KIND_TURN.get(trav[j + 1].kind) or _turn(
                end_vec[j], start_vec[j + 1], trav[j + 1].segment_id == trav[j].segment_id)
            next_road = trav[j + 1].road_name
        else:
            turn, next_road = "arrive", None
        steps.append(Step(road or "", length, heading, turn, next_road, dead, trav[j].cum_m,
                          i, j, kind))
        i = j + 1
    return steps
