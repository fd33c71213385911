"""The rules' value types: grades, time windows, rules, grade plans, the patrol ladder."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, cast

from patrolgeo.labels import labels
from patrolgeo.roads import HIGHWAY_RANK

GRADES = (1, 2, 3, 4)
"""The cleaning grades 一级 … 四级 as codes; words come from ``labels.label("grade", g)``."""

HIGHWAY_CLASSES = frozenset(HIGHWAY_RANK)
"""Highway classes a rule or a width table may name."""

#: a time window is kept in minutes after midnight; one past midnight wraps at this
MINUTES_PER_DAY = 1440


def default_rules_path() -> Path:
    """Return the path of the default rules file shipped with patrolgeo.

    Returns
    -------
    pathlib.Path
        ``patrolgeo/data/plan_rules.toml`` inside the installed package.
    """
    return Path(str(resources.files("patrolgeo") / "data" / "plan_rules.toml"))


@dataclass(frozen=True)
class Window:
    """A daily time window in minutes after midnight; ``end < start`` runs past midnight.

    Parameters
    ----------
    start, end
        Minutes after midnight (0 … 1439).

    Examples
    --------
    >>> str(Window(22 * 60, 5 * 60)), Window(22 * 60, 5 * 60).minutes
    ('22:00-05:00', 420)
    """

    start: int
    end: int

    @property
    def minutes(self) -> int:
        """Length of the window in minutes."""
        return (self.end - self.start) % MINUTES_PER_DAY

    def spans(self) -> list[tuple[int, int]]:
        """Return the window as half-open intervals within one day."""
        if self.end > self.start:
            return [(self.start, self.end)]
        return [(self.start, MINUTES_PER_DAY), (0, self.end)]

    def overlaps(self, other: Window) -> bool:
        """Whether the two windows share a minute."""
        return any(a < d and c < b for a, b in self.spans() for c, d in other.spans())

    def __str__(self) -> str:
        return f"{hhmm(self.start)}-{hhmm(self.end)}"


def hhmm(minutes: int) -> str:
    """Minutes after midnight as ``"HH:MM"``.

    Examples
    --------
    >>> hhmm(390)
    '06:30'
    """
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


@dataclass(frozen=True)
class Rule:
    """One grading rule: every condition must hold for it to fire.

    ``zh`` and ``en`` are the rule's own words from the rules file; writers pick one.
    """

    id: str
    grade: int
    zh: str
    en: str
    conditions: Mapping[str, Any]


@dataclass(frozen=True)
class GradePlan:
    """What a grade asks of every road of that grade."""

    sweeps_per_day: tuple[int, int]
    sweep_windows: tuple[Window, ...]
    first_sweep_by: int | None
    washes_per_week: tuple[int, int]
    wash_windows: tuple[Window, ...]
    patrol_windows: tuple[Window, ...]
    patrol_beat_m: float
    chief_patrol: str
    chief_min_per_km: float

    @property
    def patrol_hours(self) -> float:
        """Hours of patrol cleaning a day (the patrol windows added up)."""
        return sum(w.minutes for w in self.patrol_windows) / 60.0

    def sweep_slots(self) -> tuple[tuple[Window, int], ...]:
        """The sweep windows and how many sweeps each holds, at the most sweeps a day.

        Each sweep has its own window, in order; with more sweeps than windows the
        windows take them in turn from the first (4 sweeps in 3 windows: two in the
        first, before the morning peak). Windows left without a sweep are left out.

        Examples
        --------
        >>> w = (Window(270, 420), Window(660, 780), Window(1140, 1260))
        >>> plan = GradePlan((4, 4), w, 420, (0, 0), (), (), 500.0, "daily", 30.0)
        >>> [(str(win), n) for win, n in plan.sweep_slots()]
        [('04:30-07:00', 2), ('11:00-13:00', 1), ('19:00-21:00', 1)]
        """
        n = len(self.sweep_windows)
        if not n:
            return ()
        counts = [self.sweeps_per_day[1] // n + (k < self.sweeps_per_day[1] % n)
                  for k in range(n)]
        return tuple((w, c) for w, c in zip(self.sweep_windows, counts, strict=True) if c)

    @property
    def sweeps_mean(self) -> float:
        """Sweeps a day, costed at the middle of the range."""
        return sum(self.sweeps_per_day) / 2.0

    @property
    def washes_mean(self) -> float:
        """Washes a week, costed at the middle of the range."""
        return sum(self.washes_per_week) / 2.0


@dataclass(frozen=True)
class PatrolStep:
    """One rung of the road chief's patrol-frequency ladder (``zh``/``en``: its words)."""

    code: str
    per_week: float
    zh: str
    en: str


@dataclass(frozen=True)
class Rules:
    """Validated grading rules and plan parameters (see ``plan_rules.toml``)."""

    sources: tuple[str, ...]
    evidence: Mapping[str, Any]
    rules: tuple[Rule, ...]
    default_grade: int
    default_zh: str
    default_en: str
    widths: Mapping[str, Any]
    methods: Mapping[str, Any]
    machine_blackout: tuple[Window, ...]
    patrol: tuple[PatrolStep, ...]
    issues: Mapping[str, Any]
    grades: Mapping[int, GradePlan]

    def patrol_index(self, code: str) -> int:
        """Position of a patrol code on the ladder (0 = least often)."""
        return [p.code for p in self.patrol].index(code)

    def patrol_step(self, code: str) -> PatrolStep:
        """Return the ladder rung of a patrol code."""
        return self.patrol[self.patrol_index(code)]

    def rule(self, rule_id: str) -> Rule:
        """Return the rule with this id."""
        return next(r for r in self.rules if r.id == rule_id)


# --------------------------------------------------------------------------- parsing values


def parse_time(value: Any) -> int | None:
    """Parse ``"HH:MM"`` (``00:00`` … ``24:00``) into minutes after midnight.

    Returns
    -------
    int or None
        ``None`` for anything that is not such a time.

    Examples
    --------
    >>> parse_time("07:30"), parse_time("25:00")
    (450, None)
    """
    if not isinstance(value, str):
        return None
    m = re.fullmatch(r"\s*(\d{1,2}):(\d{2})\s*", value)
    if not m:
        return None
    hours, minutes = int(m[1]), int(m[2])
    if minutes > 59 or hours > 24 or (hours == 24 and minutes):
        return None
    return hours * 60 + minutes


def parse_window(value: str) -> Window | None:
    """Parse ``"HH:MM-HH:MM"``; a window may run past midnight but not be empty.

    Returns
    -------
    Window or None
        ``None`` for a malformed or empty window.
    """
    parts = re.split(r"\s*[-–~]\s*", value.strip())
    if len(parts) != 2:
        return None
    start, end = parse_time(parts[0]), parse_time(parts[1])
    if start is None or end is None:
        return None
    start, end = start % MINUTES_PER_DAY, end % MINUTES_PER_DAY
    if start == end:
        return None
    return Window(start, end)


# the grade table's codes are the grade ints 1-4
_GRADE_TEXT: dict[str, int] = {
    **{v: cast(int, k) for k, v in labels("grade", "zh").items()},
    **{v.lower(): cast(int, k) for k, v in labels("grade", "en").items()}}
_CN_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4}


def parse_grade(value: Any) -> int | None:
    """Read a grade: ``1`` … ``4``, ``"一级"`` … ``"四级"``, ``"Grade 2"``, ``"3级"``.

    Returns
    -------
    int or None
        The grade, or ``None`` for anything else.

    Examples
    --------
    >>> parse_grade("二级"), parse_grade("Grade 3"), parse_grade(5)
    (2, 3, None)
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return int(value) if value in GRADES else None
    if not isinstance(value, str):
        return None
    text = value.strip().lower()
    if text in _GRADE_TEXT:
        return _GRADE_TEXT[text]
    m = re.fullmatch(r"(?:grade\s*)?([1-4一二三四])\s*级?", text)
    if not m:
        return None
    return _CN_DIGITS.get(m[1]) or int(m[1])


def did_you_mean(name: str, choices: Iterable[str]) -> str:
    """``" (did you mean 'x'?)"`` for the closest of ``choices``, or ``""``.

    Examples
    --------
    >>> did_you_mean("gade", ["grade", "reason"])
    " (did you mean 'grade'?)"
    """
    hint = difflib.get_close_matches(name, sorted(choices), n=1)
    return f" (did you mean {hint[0]!r}?)" if hint else ""
