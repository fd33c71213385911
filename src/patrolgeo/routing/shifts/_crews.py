"""Crews, point visits and clock times: what a shift plan is asked to do."""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass

#: The school hours a school-gate post (助学岗) is staffed: morning and afternoon.
SCHOOL_HOURS = (("07:10", "07:50"), ("16:30", "17:30"))


def clock(text: str | float | int) -> float:
    """Seconds since midnight of ``"HH:MM"`` or ``"HH:MM:SS"`` (numbers pass through).

    Parameters
    ----------
    text
        A clock time (hours up to 47, for shifts past midnight) or a number of seconds.

    Returns
    -------
    float
        Seconds since midnight.

    Raises
    ------
    ValueError
        On a malformed time.

    Examples
    --------
    >>> clock("07:10")
    25800.0
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
    """``"HH:MM"`` of seconds since midnight (rounded to the minute).

    Parameters
    ----------
    seconds
        Seconds since midnight.

    Returns
    -------
    str

    Examples
    --------
    >>> format_clock(25800.0)
    '07:10'
    """
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
        """Speed while serving: ``service_speed_mps``, else ``speed_mps``."""
        return self.service_speed_mps if self.service_speed_mps is not None else self.speed_mps


@dataclass(frozen=True)
class PointVisit:
    """A stop at a point: a school-gate post (助学岗), an inspection, a sorting kiosk.

    Attributes
    ----------
    visit_id
        Unique id.
    node
        The graph node where the visit happens (see
        :func:`patrolgeo.segments.nearest_node`).
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
                       hours: Sequence[tuple[str, str]] = SCHOOL_HOURS,
                       ) -> list[PointVisit]:
    """Make the visits that staff a school-gate post (助学岗) for its school hours.

    A post is staffed for the whole of each period: the chief arrives by its start and
    stays to its end, so each period is one visit starting exactly at the period's
    start with the period's length as service time.

    Parameters
    ----------
    post_id
        Id of the post; the visits are ``<post_id>-1``, ``<post_id>-2`` ...
    node
        The graph node of the post.
    hours
        ``(start, end)`` clock times of each period.

    Returns
    -------
    list of PointVisit
        One ``"school_gate"`` visit per period.

    Raises
    ------
    ValueError
        On a malformed time or a period ending before it starts.

    Examples
    --------
    >>> [v.visit_id for v in school_gate_visits("gate", 7)]
    ['gate-1', 'gate-2']
    """
    visits = []
    for n, (start, end) in enumerate(hours, start=1):
        a, b = clock(start), clock(end)
        if b <= a:
            raise ValueError(f"school hours {start}-{end} end before they start")
        visits.append(PointVisit(f"{post_id}-{n}", node, b - a, ((a, a),), "school_gate"))
    return visits
