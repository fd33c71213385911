"""A route as steps a person follows: one step per manoeuvre; codes, no words.

The traversals of a route are grouped in four passes:

1. *runs*: consecutive traversals along one way (one road name; unnamed pieces of one
   class that carry on without turning) form one run; turning back along the same
   segment, leaving the area and a transfer leg end a run;
2. *out and back*: a run into a dead end followed by the same traversals back becomes
   one step (``out_and_back``: go in, turn round at the end, come back);
3. *short pieces*: a piece under :data:`SHORT_PIECE_M` between two runs of the same
   road joins them (a jog across a junction, a dead-end stub of a few metres on the
   way: counted in :attr:`Step.spurs`);
4. *tiny steps*: any step still under :data:`MIN_STEP_M` joins a neighbour (its road
   becomes the step's landmark), unless it ends in a U-turn a dead end forces.

U-turns (``uturn``) are only where the route turns back along the segment it came by;
a sharp turn onto another street is ``sharp_left`` / ``sharp_right``. Each step carries
its number, its length, the distance and time from the start at its end, where it
starts (route CRS) and a landmark (the named road crossing where it ends) where the
data has one. The writers of :mod:`patrolgeo.outputs.route` turn the codes into
sentences (``沿信州路向东行驶 320 米，右转进入南大街`` / ``Head east on 信州路 for 320 m,
then turn right onto 南大街``).
"""

from __future__ import annotations

import math
from collections.abc import Hashable
from dataclasses import dataclass, field

import numpy as np
import shapely

from patrolgeo.routing.route import KIND_OUTSIDE, KIND_STREET, KIND_TRANSFER, Route

TURNS = ("straight", "slight_left", "slight_right", "left", "right", "sharp_left",
         "sharp_right", "uturn", "arrive", "leave_area", "end_piece")
"""Manoeuvre codes of :attr:`Step.turn` (``uturn``: back along the same segment;
``leave_area``: drive on out of the area onto a boundary link; ``end_piece``: the piece
is done, a transfer leg follows)."""

KINDS = ("street", "outside", "transfer")
"""What a step runs on (:attr:`Step.kind`): streets of the area; a boundary link (the
route leaves the area to turn round, on real roads); a straight transfer leg to the
next piece of a network no street joins."""

COMPASS = ("north", "northeast", "east", "southeast", "south", "southwest", "west",
           "northwest")
"""Compass direction codes, clockwise from north in steps of 45 degrees."""

PIECES = ("named", "context", "plaza", "class")
"""How a step's way is described (:attr:`Way.piece`): an OSM name (or a name merged
from the road it serves); a context name (``信州路人行道``, ``信州路辅路``, …, the code
in :attr:`Way.source`); a pedestrian area crossed (a square); an unnamed way of a
highway class (:attr:`Way.highway`), heading towards :attr:`Step.toward`."""

PROBE_M = 12.0
"""Metres from a line's end over which its direction is measured (past kinks at nodes)."""

STRAIGHT_DEG = 20.0
"""Turns smaller than this many degrees go straight on."""

SLIGHT_DEG = 45.0
"""Turns smaller than this (and not straight) are slight turns."""

SHARP_DEG = 135.0
"""Turns of this many degrees or more onto another segment are sharp turns."""

SHORT_PIECE_M = 30.0
"""A piece shorter than this between two runs of one road is part of that road: a jog
across a junction, a crossing, a stub of a few metres (issue 13: "about 30 m")."""

MIN_STEP_M = 30.0
"""No step is shorter than this unless a dead end forces its U-turn: an instruction
for less than half a block is read after the walker has passed it (the target is no
step under 10 m; 20 m leaves room for the rounding of the text)."""

TOWARD_STEPS = 6
"""How many steps ahead an unnamed way looks for the named road it leads to."""

#: ``name_source`` values that are names (OSM tags, or the name a short piece merged
#: into); context codes start with ``context:``.
_NAME_SOURCES = frozenset({"name", "name:zh", "ref", "merged"})
#: Classes crossed rather than followed: a pedestrian area is a square (``穿过广场``).
_PLAZA_CLASSES = frozenset({"pedestrian"})
#: The manoeuvre before a step that leaves the streets of the area.
_NEXT_KIND_TURN = {KIND_OUTSIDE: "leave_area", KIND_TRANSFER: "end_piece"}


@dataclass(frozen=True)
class Way:
    """What a step runs along: a name, the code it came from, the class, its description.

    ``name`` is the segments' ``road_name`` (``""`` for boundary links and transfers);
    ``source`` its ``name_source``; ``piece`` a code of :data:`PIECES`.
    """

    name: str = ""
    source: str = ""
    highway: str = ""
    piece: str = "named"

    @property
    def described(self) -> bool:
        """Whether the way has a name or a description (not a bare ``无名路``)."""
        return self.piece != "class"


@dataclass
class Step:
    """One instruction: follow ``way`` for ``length_m``, then ``turn`` onto ``next_way``."""

    road: str
    length_m: float
    heading_deg: float  # compass bearing at the start of the step, clockwise from north
    turn: str           # a code of TURNS
    next_road: str | None
    deadhead: bool      # the whole step is travel only
    cum_m: float        # distance from the start at the end of the step
    first_traversal: int
    last_traversal: int
    kind: str = KIND_STREET  # a code of KINDS
    n: int = 0          # the step's number, 1, 2, … in route order
    time_s: float = 0.0  # time from the start at the end of the step (the mode's speed)
    way: Way = field(default_factory=Way)
    next_way: Way | None = None
    x: float = math.nan  # where the step starts, route CRS
    y: float = math.nan
    landmark: str | None = None  # a named road crossing where the step ends
    toward: str | None = None    # for an unnamed way: the named road it leads to
    out_and_back: bool = False   # into a dead end and back: the U-turn is inside the step
    forced_uturn: bool = False   # the step ends turning back at a dead end
    spurs: int = 0      # short dead-end stubs walked in and out on the way
    back_m: float = 0.0  # out and back: the metres walked back after the U-turn
    deadhead_m: float = 0.0  # the metres of the step that only travel
    via: tuple[str, ...] = ()  # named roads continued into straight on, in order

    @property
    def compass(self) -> str:
        """The compass code (of :data:`COMPASS`) of :attr:`heading_deg`."""
        return compass_code(self.heading_deg)

    @property
    def start_m(self) -> float:
        """Distance from the start where the step begins, metres."""
        return self.cum_m - self.length_m


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


def turn_angle(arrive: np.ndarray, leave: np.ndarray) -> float:
    """Signed turn in degrees from direction ``arrive`` to ``leave`` (left positive)."""
    return math.degrees(math.atan2(arrive[0] * leave[1] - arrive[1] * leave[0],
                                   arrive[0] * leave[0] + arrive[1] * leave[1]))


def _turn(delta: float, reverse: bool) -> str:
    size = abs(delta)
    if reverse:
        return "uturn"
    if size < STRAIGHT_DEG:
        return "straight"
    side = "left" if delta > 0 else "right"
    if size < SLIGHT_DEG:
        return f"slight_{side}"
    return f"sharp_{side}" if size >= SHARP_DEG else side


@dataclass
class _Net:
    """What the steps read of a route's network: per traversal and per node."""

    ways: list[Way]
    start_vec: np.ndarray
    end_vec: np.ndarray
    starts: np.ndarray       # start point of every traversal, route CRS
    dead_ends: set[Hashable]
    named_at: dict[Hashable, list[str]]  # node -> OSM-named roads touching it


def _network(route: Route) -> _Net:
    seg = route.segments
    info: dict[str, tuple[str, str]] = {}
    dead: set[Hashable] = set()
    named_at: dict[Hashable, list[str]] = {}
    if seg is not None:
        # segment-id order: the landmarks must not depend on the table's row order
        seg = seg.sort_values("segment_id", kind="stable")
        source = (seg["name_source"].fillna("").astype(str) if "name_source" in seg
                  else np.full(len(seg), ""))
        highway = seg["highway"].astype(str) if "highway" in seg else np.full(len(seg), "")
        names = seg["road_name"].fillna("").astype(str) if "road_name" in seg else \
            np.full(len(seg), "")
        info = dict(zip(seg["segment_id"].astype(str),
                        zip(np.asarray(source), np.asarray(highway), strict=True),
                        strict=True))
        ends = np.concatenate([seg["u"].to_numpy(), seg["v"].to_numpy()])
        nodes, counts = np.unique(ends, return_counts=True)
        dead = set(nodes[counts == 1].tolist())
        for u, v, name, src in zip(seg["u"], seg["v"], np.asarray(names), np.asarray(source),
                                   strict=True):
            if src in _NAME_SOURCES and name:
                for node in (u, v):
                    at = named_at.setdefault(node, [])
                    if name not in at:
                        at.append(name)
    ways = [_way(t.road_name or "", *info.get(t.segment_id, ("", "")), t.kind)
            for t in route.traversals]
    lines = route.geometries()
    start_vec, end_vec = _end_vectors(lines)
    starts = shapely.get_coordinates(shapely.get_point(lines, 0))
    return _Net(ways, start_vec, end_vec, starts, dead, named_at)


def _way(name: str, source: str, highway: str, kind: str) -> Way:
    if kind != KIND_STREET:
        return Way("", kind, "", "named")
    if highway in _PLAZA_CLASSES and source not in _NAME_SOURCES:
        piece = "plaza"
    elif source in _NAME_SOURCES:
        piece = "named"
    elif source.startswith("context:"):
        piece = "context"
    else:
        piece = "class"
    return Way(name, source, highway, piece)


def _same_way(a: Way, b: Way, delta: float) -> bool:
    """Whether a walker goes on along one way from ``a`` to ``b`` (turning ``delta``°)."""
    if a.piece == "class" and b.piece == "class":
        # unnamed ways of one class that carry on are one way to a walker, whatever the
        # OSM way ids behind them
        return a.name == b.name or (a.highway == b.highway and abs(delta) < SLIGHT_DEG)
    return a.name == b.name and a.piece == b.piece


def _same_road(a: Way, b: Way) -> bool:
    """Whether two ways are one road (one name; unnamed ways also of one class)."""
    return a.name == b.name and a.piece == b.piece and (
        a.piece != "class" or a.highway == b.highway)


def _runs(route: Route, net: _Net) -> list[Step]:
    """Pass 1: runs of consecutive traversals along one way."""
    trav = route.traversals
    steps: list[Step] = []
    i = 0
    while i < len(trav):
        j = i
        while j + 1 < len(trav):
            a, b = trav[j], trav[j + 1]
            if b.kind != a.kind or a.kind == KIND_TRANSFER or b.segment_id == a.segment_id:
                break
            delta = turn_angle(net.end_vec[j], net.start_vec[j + 1])
            if a.kind == KIND_STREET and (abs(delta) >= SHARP_DEG or not _same_way(
                    net.ways[j], net.ways[j + 1], delta)):
                break
            j += 1
        steps.append(_step(route, net, i, j))
        i = j + 1
    return steps


def _heading_change(net: _Net, arrive: int | None, j: int) -> float:
    """The turn at the end of traversal ``j``, or from the end of ``arrive`` on.

    From ``arrive``, the turns at every node up to ``j``'s end add up (so a 12 m
    crossing to the other sidewalk and back is a sharp turn to the side it crossed),
    folded into (-180°, 180°] once they pass a half turn.
    """
    if arrive is None:
        return turn_angle(net.end_vec[j], net.start_vec[j + 1])
    total = sum(turn_angle(net.end_vec[k], net.start_vec[k + 1]) for k in range(arrive, j + 1))
    return ((total + 180.0) % 360.0) - 180.0 if abs(total) > 180.0 + 1e-6 else total


def _step(route: Route, net: _Net, i: int, j: int, arrive: int | None = None,
          **extra: object) -> Step:
    """The step over traversals ``i..j`` and the manoeuvre after it.

    ``arrive``: the traversal whose end direction the turn is measured from (default
    ``j``; the step's main road when short pieces at its end were folded in).
    """
    trav = route.traversals
    own = trav[i:j + 1]
    way = max(((net.ways[k], trav[k].length_m) for k in range(i, j + 1)),
              key=lambda p: p[1])[0] if j > i else net.ways[i]
    if j + 1 < len(trav):
        nxt = trav[j + 1]
        reverse = nxt.segment_id == trav[j].segment_id and nxt.kind == KIND_STREET
        turn = _NEXT_KIND_TURN.get(nxt.kind) or _turn(_heading_change(net, arrive, j),
                                                      reverse)
        next_way: Way | None = net.ways[j + 1]
        next_road: str | None = nxt.road_name
    else:
        turn, next_way, next_road = "arrive", None, None
    node = trav[j].v
    step = Step(
        road=way.name, length_m=float(sum(t.length_m for t in own)),
        heading_deg=_bearing(*net.start_vec[i]), turn=turn, next_road=next_road,
        deadhead=all(t.deadhead for t in own), cum_m=trav[j].cum_m, first_traversal=i,
        last_traversal=j, kind=trav[i].kind, time_s=trav[j].time_s, way=way,
        next_way=next_way, x=float(net.starts[i][0]), y=float(net.starts[i][1]),
        forced_uturn=turn == "uturn" and node in net.dead_ends,
        deadhead_m=float(sum(t.length_m for t in own if t.deadhead)))
    for key, value in extra.items():
        setattr(step, key, value)
    return step


def _out_and_back(route: Route, net: _Net, steps: list[Step]) -> list[Step]:
    """Pass 2: into a dead end, round and back out is one step (no decision is made).

    A step ending in a U-turn that a dead end forces joins the step after it (which
    starts back along the same segment): ``沿…行驶 200 米至尽头掉头，返回 80 米后右转…``.
    """
    out: list[Step] = []
    i = 0
    while i < len(steps):
        a = steps[i]
        b = steps[i + 1] if i + 1 < len(steps) else None
        if b is not None and a.forced_uturn and a.kind == KIND_STREET and \
                b.kind == KIND_STREET:
            merged = _step(route, net, a.first_traversal, b.last_traversal,
                           out_and_back=True, spurs=a.spurs + b.spurs, back_m=b.length_m)
            merged.way, merged.road = a.way, a.road
            out.append(merged)
            i += 2
        else:
            out.append(a)
            i += 1
    return out


def _join(route: Route, net: _Net, steps: list[Step], lo: int, hi: int, keep: int, *,
          straight: bool = False) -> Step:
    """One step over ``steps[lo..hi]``, named after ``steps[keep]``.

    ``straight``: the later steps are roads continued into straight on (listed in
    ``via``); else the pieces other than ``keep`` are short ones passed on the way (the
    last named one becomes the landmark).
    """
    first, last, named = steps[lo], steps[hi], steps[keep]
    arrive = None if straight or keep == hi else named.last_traversal
    joined = _step(route, net, first.first_traversal, last.last_traversal, arrive)
    joined.way, joined.road = named.way, named.road
    parts = steps[lo:hi + 1]
    joined.spurs = sum(s.spurs for s in parts) + sum(
        s.out_and_back or s.forced_uturn for k, s in enumerate(parts, lo) if k != keep)
    joined.out_and_back = keep == hi and last.out_and_back
    joined.back_m = last.back_m if joined.out_and_back else 0.0
    others = [r for k, s in enumerate(parts, lo) for r in ((s.road, *s.via) if k != keep
                                                            else s.via)
              if r and r != named.road and s.way.piece == "named"]
    if straight:
        joined.via = tuple(dict.fromkeys(others))
        joined.landmark = last.landmark
    else:
        joined.via = named.via
        joined.landmark = others[-1] if others else last.landmark
    return joined


def _bridge_short_pieces(route: Route, net: _Net, steps: list[Step]) -> list[Step]:
    """Pass 3: a piece (or pieces) under SHORT_PIECE_M between two runs of one road."""
    out: list[Step] = []
    i = 0
    while i < len(steps):
        a = steps[i]
        k, short = i + 1, 0.0
        while k < len(steps) and steps[k].kind == KIND_STREET and \
                short + steps[k].length_m < SHORT_PIECE_M and \
                steps[k].way.name != a.way.name:
            short += steps[k].length_m
            k += 1
        if (a.kind == KIND_STREET and k > i + 1 and k < len(steps)
                and steps[k].kind == KIND_STREET and _same_road(steps[k].way, a.way)
                and not a.forced_uturn and a.turn != "uturn"
                and abs(turn_angle(net.end_vec[a.last_traversal],
                                   net.start_vec[steps[k].first_traversal])) < SHARP_DEG):
            # a .. steps[k] are one road with short pieces between
            steps[k] = _join(route, net, steps, i, k, i)
            i = k
            continue
        out.append(a)
        i += 1
    return out


def _tiny(step: Step) -> bool:
    """Whether a step is too short to be an instruction.

    Under MIN_STEP_M, or a dead-end stub under SHORT_PIECE_M walked in and out (seen
    from the junction).
    """
    if step.kind != KIND_STREET or step.forced_uturn:
        return False
    if step.out_and_back:
        return step.length_m - step.back_m < SHORT_PIECE_M
    return step.length_m < MIN_STEP_M


def _absorb_tiny(route: Route, net: _Net, steps: list[Step]) -> list[Step]:
    """Pass 4: a step under MIN_STEP_M joins the step before it (else the one after)."""
    out: list[Step] = []
    for step in steps:
        prev = out[-1] if out else None
        if _tiny(step) and prev is not None and prev.kind == KIND_STREET and \
                prev.turn != "uturn" and not prev.out_and_back:
            out[-1] = _join(route, net, [prev, step], 0, 1, 0)
        elif prev is not None and _tiny(prev) and step.kind == KIND_STREET and \
                prev.turn != "uturn":
            out[-1] = _join(route, net, [prev, step], 0, 1, 1)
        else:
            out.append(step)
    return out


def _continue_straight(route: Route, net: _Net, steps: list[Step]) -> list[Step]:
    """Pass 5: going straight on is no manoeuvre: the road continued into joins the step."""
    out: list[Step] = []
    for step in steps:
        prev = out[-1] if out else None
        if (prev is not None and prev.turn == "straight" and prev.kind == KIND_STREET
                and step.kind == KIND_STREET and not prev.out_and_back):
            keep = 1 if prev.way.piece == "class" and step.way.piece != "class" else 0
            out[-1] = _join(route, net, [prev, step], 0, 1, keep, straight=True)
        else:
            out.append(step)
    return out


def _finish(route: Route, net: _Net, steps: list[Step]) -> list[Step]:
    """Numbers, the next way of each step, landmarks at crossings, unnamed ways' targets."""
    trav = route.traversals
    for n, step in enumerate(steps, 1):
        step.n = n
        nxt = steps[n] if n < len(steps) else None
        step.next_way = nxt.way if nxt is not None else None
        step.next_road = nxt.road if nxt is not None else None
        if step.landmark is None and nxt is not None and step.kind == KIND_STREET:
            crossing = [r for r in net.named_at.get(trav[step.last_traversal].v, [])
                        if r not in (step.road, nxt.road)]
            step.landmark = crossing[0] if crossing else None
        if step.way.piece == "class":
            ahead = steps[n:n + TOWARD_STEPS]
            step.toward = next((s.road for s in ahead if s.way.piece == "named"), None)
    return steps


def route_steps(route: Route) -> list[Step]:
    """The route as numbered steps, one per manoeuvre.

    Parameters
    ----------
    route
        A computed route.

    Returns
    -------
    list of Step
        In route order, numbered from 1; their lengths add up to the route's traversals
        (transfer legs included); the last step's ``turn`` is ``"arrive"``.
    """
    if not route.traversals:
        return []
    net = _network(route)
    steps = _runs(route, net)
    steps = _out_and_back(route, net, steps)
    steps = _bridge_short_pieces(route, net, steps)
    steps = _absorb_tiny(route, net, steps)
    steps = _continue_straight(route, net, steps)
    return _finish(route, net, steps)
