"""Road cleaning grades and per-road cleaning plans (道路分级分类保洁, 一路一策).

Every road (the ``road_id`` groups of :func:`patrolgeo.roads.segments_from_graph`) gets a
grade 一级 … 四级 from configurable rules over OSM evidence, a plan (methods,
frequencies, time windows, cleaned area, crew-hours, the road chief's patrols), and
every segment a ``workload`` in minutes per week that road-chief territories are
balanced on.

The rules live in a TOML file; the defaults ship as ``patrolgeo/data/plan_rules.toml``
and document every key. A user's file is laid over the defaults. A CSV of per-road
overrides always wins over the rules.

Evidence, measured per road:

* ``frontage``: the share of the road's length that has a shop, restaurant, market or
  commercial area within ``frontage_m`` metres on either side, measured at points every
  ``sample_step_m`` metres along every segment (one vectorised STRtree query);
* ``frontage_count``: distinct frontage features within ``frontage_m`` of the road;
* ``draw``: the weighted count of POIs within ``draw_m`` metres, per km of road;
* distance to the nearest feature of each ``near`` selector of the rules;
* ``bus_share``: the share of length on ways of bus route relations;
* the main highway class, and the length-weighted median of ``lanes`` and ``width``.
"""

from __future__ import annotations

import csv
import difflib
import html
import io
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from patrolgeo import ATTRIBUTION
from patrolgeo.errors import ConfigError, InputRowError
from patrolgeo.i18n import get_lang, tr
from patrolgeo.pois import AREA_KINDS, OSMEvidence
from patrolgeo.roads import HIGHWAY_RANK

try:  # Python 3.11+
    import tomllib
except ModuleNotFoundError:  # pragma: no cover - Python 3.10
    import tomli as tomllib  # type: ignore[no-redef]

GRADES = (1, 2, 3, 4)
GRADE_ZH = {1: "一级", 2: "二级", 3: "三级", 4: "四级"}
GRADE_EN = {1: "Grade 1", 2: "Grade 2", 3: "Grade 3", 4: "Grade 4"}

REASON_SEPARATOR = {"zh": "；", "en": "; "}
"""How the reasons of one road are joined, per language."""

METHODS = ("mechanical_sweeping", "washing", "manual_sweeping", "patrol_cleaning")
"""Cleaning methods, in the order plans list them."""

HIGHWAY_CLASSES = frozenset(HIGHWAY_RANK)
_HIGHWAY_ORDER = {h: i for i, h in enumerate(HIGHWAY_RANK)}


def grade_label(grade: int) -> str:
    """Return the user-facing name of a grade: ``一级`` … ``四级`` (``Grade 1`` …)."""
    return tr(GRADE_ZH[grade], GRADE_EN[grade])


def method_label(method: str) -> str:
    """Return the user-facing name of a cleaning method."""
    names = {
        "mechanical_sweeping": ("机械清扫", "mechanical sweeping"),
        "washing": ("冲洗", "washing"),
        "manual_sweeping": ("人工普扫", "manual sweeping"),
        "patrol_cleaning": ("巡回保洁", "patrol cleaning"),
    }
    return tr(*names[method])


def default_rules_path() -> Path:
    """Return the path of the default rules file shipped with patrolgeo."""
    return Path(str(resources.files("patrolgeo") / "data" / "plan_rules.toml"))


# =========================================================================== rules


@dataclass(frozen=True)
class Window:
    """A daily time window in minutes after midnight; ``end < start`` runs past midnight."""

    start: int
    end: int

    @property
    def minutes(self) -> int:
        return (self.end - self.start) % 1440

    def spans(self) -> list[tuple[int, int]]:
        """The window as half-open intervals within one day."""
        if self.end > self.start:
            return [(self.start, self.end)]
        return [(self.start, 1440), (0, self.end)]

    def overlaps(self, other: Window) -> bool:
        return any(a < d and c < b for a, b in self.spans() for c, d in other.spans())

    def __str__(self) -> str:
        return f"{_hhmm(self.start)}-{_hhmm(self.end)}"


def _hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


@dataclass(frozen=True)
class Rule:
    """One grading rule: every condition must hold for it to fire."""

    id: str
    grade: int
    zh: str
    en: str
    conditions: Mapping[str, Any]

    @property
    def label(self) -> str:
        return tr(self.zh, self.en)


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
        return sum(w.minutes for w in self.patrol_windows) / 60.0

    @property
    def sweeps_mean(self) -> float:
        return sum(self.sweeps_per_day) / 2.0

    @property
    def washes_mean(self) -> float:
        return sum(self.washes_per_week) / 2.0


@dataclass(frozen=True)
class PatrolStep:
    """One rung of the road chief's patrol-frequency ladder."""

    code: str
    per_week: float
    zh: str
    en: str

    @property
    def label(self) -> str:
        return tr(self.zh, self.en)


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
        return [p.code for p in self.patrol].index(code)


# --------------------------------------------------------------------------- TOML positions


def _scan_toml_lines(text: str) -> dict[tuple[Any, ...], int]:
    """Map key paths of a TOML text to their 1-based line numbers.

    tomllib gives no positions, but an error should name its line; this follows the
    usual layout (tables, arrays of tables, ``key = value`` lines, inline tables, arrays
    over several lines) and is only used to locate errors.
    """
    positions: dict[tuple[Any, ...], int] = {}
    counters: dict[tuple[Any, ...], int] = {}
    table: tuple[Any, ...] = ()
    depth = 0
    for lineno, raw in enumerate(text.splitlines(), start=1):
        line, depth_after = _strip_toml_line(raw, depth)
        starts_inside = depth > 0
        depth = depth_after
        if starts_inside or not line:
            continue
        if m := re.fullmatch(r"\[\[\s*(.+?)\s*\]\]", line):
            key = tuple(_split_key(m[1]))
            counters[key] = counters.get(key, -1) + 1
            table = (*key, counters[key])
            positions.setdefault(table, lineno)
            depth = 0
        elif m := re.fullmatch(r"\[\s*([^\[\]]+?)\s*\]", line):
            table = tuple(_split_key(m[1]))
            positions.setdefault(table, lineno)
            depth = 0
        elif m := re.match(r"([A-Za-z0-9_\-\"'. ]+?)\s*=\s*(.*)", line):
            path = (*table, *_split_key(m[1]))
            positions.setdefault(path, lineno)
            if m[2].startswith("{"):
                for inner in re.findall(r"([A-Za-z0-9_\-]+)\s*=", m[2]):
                    positions.setdefault((*path, inner), lineno)
    return positions


def _strip_toml_line(line: str, depth: int) -> tuple[str, int]:
    """Drop a comment and return the line with the bracket depth after it."""
    out = []
    quote = None
    for ch in line:
        if quote:
            if ch == quote:
                quote = None
        elif ch in "\"'":
            quote = ch
        elif ch == "#":
            break
        elif ch in "[{":
            depth += 1
        elif ch in "]}":
            depth -= 1
        out.append(ch)
    text = "".join(out).strip()
    # a table header's brackets are not an open array
    if re.fullmatch(r"\[\[?[^=]*\]\]?", text):
        return text, 0
    return text, max(depth, 0)


def _split_key(key: str) -> list[str]:
    return [part.strip().strip("\"'") for part in key.split(".")]


def _path_text(path: tuple[Any, ...]) -> str:
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part + 1}]"
        else:
            out += ("." if out else "") + str(part)
    return out


# --------------------------------------------------------------------------- loading


def _merge(base: dict[str, Any], over: Mapping[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in over.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = _merge(dict(merged[key]), value)
        else:
            merged[key] = value
    return merged


def _has_path(data: Any, path: tuple[Any, ...]) -> bool:
    for part in path:
        if isinstance(part, int):
            if not isinstance(data, list) or part >= len(data):
                return False
            data = data[part]
        elif isinstance(data, Mapping) and part in data:
            data = data[part]
        else:
            return False
    return True


_EVIDENCE_KEYS = {"frontage_m", "frontage_kinds", "sample_step_m", "draw_m",
                  "draw_min_length_m", "draw_weights"}
_RULE_KEYS = {"id", "grade", "zh", "en"}
_CONDITION_KEYS = ("highway", "min_frontage", "min_frontage_count", "min_draw", "near",
                   "within_m", "min_bus_share", "min_lanes", "min_width_m", "min_length_m",
                   "max_length_m")
_WIDTH_KEYS = {"lane_width_m", "dual_carriageway_classes", "fallback_class",
               "tagged_sidewalk_m", "separate_sidewalk_m", "classes"}
_CLASS_WIDTH_KEYS = {"carriageway_m", "sidewalk_m", "sides"}
_METHOD_KEYS = {"machine_classes", "machine_min_width_m", "street_part_footways",
                "sweeper_speed_kmh", "sweeper_path_m", "sweeper_crew", "washer_speed_kmh",
                "washer_path_m", "washer_crew", "manual_m2_per_hour"}
_GRADE_KEYS = {"sweeps_per_day", "sweep_windows", "first_sweep_by", "washes_per_week",
               "wash_windows", "patrol_windows", "patrol_beat_m", "chief_patrol",
               "chief_min_per_km"}
_TOP_KEYS = {"version", "evidence", "grading", "rules", "widths", "methods", "schedule",
             "patrol", "issues", "grades"}


class _Checker:
    """Validates the merged rules, naming the file and line each bad value came from."""

    def __init__(self, data: dict[str, Any], user: dict[str, Any] | None,
                 files: list[tuple[Path, dict[tuple[Any, ...], int]]]) -> None:
        self.data = data
        self.user = user
        self.files = files  # (default file, positions), then the user's file if any

    def fail(self, path: tuple[Any, ...], message: str) -> ConfigError:
        default_file, default_pos = self.files[0]
        file, positions = default_file, default_pos
        if self.user is not None and len(self.files) > 1:
            # the innermost prefix of the path that the user's file sets came from it
            for n in range(len(path), 0, -1):
                if _has_path(self.user, path[:n]):
                    file, positions = self.files[1]
                    break
        line = None
        for n in range(len(path), 0, -1):
            if path[:n] in positions:
                line = positions[path[:n]]
                break
        return ConfigError(message, file=file, row=line, field=_path_text(path))

    def get(self, path: tuple[Any, ...]) -> Any:
        data: Any = self.data
        for part in path:
            data = data[part]
        return data

    def table(self, path: tuple[Any, ...], allowed: set[str] | None = None) -> dict[str, Any]:
        try:
            value = self.get(path)
        except (KeyError, IndexError, TypeError):
            raise self.fail(path, "missing table") from None
        if not isinstance(value, Mapping):
            raise self.fail(path, f"must be a table, not {_type_name(value)}")
        if allowed is not None:
            for key in value:
                if key not in allowed:
                    hint = difflib.get_close_matches(key, sorted(allowed), n=1)
                    extra = f" (did you mean {hint[0]!r}?)" if hint else ""
                    raise self.fail((*path, key), f"unknown key {key!r}{extra}")
        return dict(value)

    def value(self, path: tuple[Any, ...]) -> Any:
        try:
            return self.get(path)
        except (KeyError, IndexError, TypeError):
            raise self.fail(path, "missing value") from None

    def number(self, path: tuple[Any, ...], *, low: float | None = None,
               high: float | None = None, strict_low: bool = False,
               integer: bool = False) -> float:
        value = self.value(path)
        return self.check_number(path, value, low=low, high=high, strict_low=strict_low,
                                 integer=integer)

    def check_number(self, path: tuple[Any, ...], value: Any, *, low: float | None = None,
                     high: float | None = None, strict_low: bool = False,
                     integer: bool = False) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.fail(path, f"must be a number, not {_type_name(value)} {value!r}")
        if not math.isfinite(value):
            raise self.fail(path, f"must be a finite number, not {value!r}")
        if integer and value != int(value):
            raise self.fail(path, f"must be a whole number, not {value!r}")
        if low is not None and (value <= low if strict_low else value < low):
            raise self.fail(path, f"must be {'>' if strict_low else '≥'} {low:g}, not {value!r}")
        if high is not None and value > high:
            raise self.fail(path, f"must be ≤ {high:g}, not {value!r}")
        return int(value) if integer else float(value)

    def text(self, path: tuple[Any, ...]) -> str:
        value = self.value(path)
        if not isinstance(value, str) or not value.strip():
            raise self.fail(path, f"must be a non-empty string, not {value!r}")
        return value

    def strings(self, path: tuple[Any, ...], allowed: Iterable[str] | None = None,
                what: str = "value") -> list[str]:
        value = self.value(path)
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self.fail(path, f"must be a list of strings, not {value!r}")
        if allowed is not None:
            known = set(allowed)
            for v in value:
                if v not in known:
                    hint = difflib.get_close_matches(v, sorted(known), n=1)
                    extra = f" (did you mean {hint[0]!r}?)" if hint else ""
                    raise self.fail(path, f"unknown {what} {v!r}{extra}")
        return list(value)

    def grade(self, path: tuple[Any, ...]) -> int:
        value = self.value(path)
        grade = parse_grade(value)
        if grade is None:
            raise self.fail(path, f"unknown grade {value!r}; use 1-4 or 一级 … 四级")
        return grade

    def count_range(self, path: tuple[Any, ...]) -> tuple[int, int]:
        value = self.value(path)
        if isinstance(value, list):
            if len(value) != 2:
                raise self.fail(path, f"a range must be [low, high], not {value!r}")
            low = self.check_number(path, value[0], low=0, integer=True)
            high = self.check_number(path, value[1], low=0, integer=True)
            if low > high:
                raise self.fail(path, f"range {value!r} runs backwards")
            return int(low), int(high)
        n = int(self.check_number(path, value, low=0, integer=True))
        return n, n

    def time(self, path: tuple[Any, ...], value: Any | None = None) -> int:
        value = self.value(path) if value is None else value
        minutes = parse_time(value)
        if minutes is None:
            raise self.fail(path, f"bad time {value!r}; use HH:MM")
        return minutes

    def windows(self, path: tuple[Any, ...]) -> tuple[Window, ...]:
        value = self.value(path)
        if not isinstance(value, list):
            raise self.fail(path, f"must be a list of \"HH:MM-HH:MM\" windows, not {value!r}")
        out = []
        for item in value:
            window = parse_window(item) if isinstance(item, str) else None
            if window is None:
                raise self.fail(path, f"bad time window {item!r}; use \"HH:MM-HH:MM\"")
            out.append(window)
        return tuple(out)


def _type_name(value: Any) -> str:
    return {bool: "boolean", str: "string", list: "list", dict: "table", int: "number",
            float: "number"}.get(type(value), type(value).__name__)


def parse_time(value: Any) -> int | None:
    """Parse ``"HH:MM"`` (``00:00`` … ``24:00``) into minutes after midnight."""
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
    """Parse ``"HH:MM-HH:MM"``; a window may run past midnight but not be empty."""
    parts = re.split(r"\s*[-–~]\s*", value.strip())
    if len(parts) != 2:
        return None
    start, end = parse_time(parts[0]), parse_time(parts[1])
    if start is None or end is None:
        return None
    start, end = start % 1440, end % 1440
    if start == end:
        return None
    return Window(start, end)


_GRADE_TEXT = {**{v: k for k, v in GRADE_ZH.items()},
               **{v.lower(): k for k, v in GRADE_EN.items()}}
_CN_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4}


def parse_grade(value: Any) -> int | None:
    """Read a grade: ``1`` … ``4``, ``"一级"`` … ``"四级"``, ``"Grade 2"``, ``"3级"``."""
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


def _read_toml(path: Path) -> tuple[dict[str, Any], dict[tuple[Any, ...], int]]:
    if not path.exists():
        raise ConfigError("rules file not found", file=path)
    if not path.is_file():
        raise ConfigError("rules path is not a file", file=path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ConfigError(f"not UTF-8 text: {exc.reason}", file=path) from exc
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        m = re.search(r"\(at line (\d+), column \d+\)", message)
        line = int(m[1]) if m else None
        detail = re.sub(r"\s*\(at line.*", "", message)
        raise ConfigError(f"not valid TOML: {detail}", file=path, row=line) from exc
    return data, _scan_toml_lines(text)


def load_rules(path: str | Path | None = None) -> Rules:
    """Load the grading rules: the shipped defaults, with ``path`` laid over them.

    Parameters
    ----------
    path
        A TOML rules file (see the shipped ``plan_rules.toml`` for every key). Tables
        merge key by key with the defaults; any other value, including the whole
        ``[[rules]]`` list, replaces the default.

    Returns
    -------
    Rules

    Raises
    ------
    ConfigError
        For a missing or malformed file, an unknown key, a value of the wrong type or
        out of range, a machine window inside the traffic peaks, …, naming the file,
        line and key.
    """
    default_file = default_rules_path()
    base, base_pos = _read_toml(default_file)
    files = [(default_file, base_pos)]
    user = None
    if path is not None:
        path = Path(path)
        user, user_pos = _read_toml(path)
        files.append((path, user_pos))
        data = _merge(base, user)
    else:
        data = base
    return _validate(_Checker(data, user, files))


def _validate(c: _Checker) -> Rules:
    c.table((), _TOP_KEYS)
    if c.value(("version",)) != 1:
        raise c.fail(("version",), f"unsupported rules version {c.value(('version',))!r}; use 1")

    c.table(("evidence",), _EVIDENCE_KEYS)
    evidence = {
        "frontage_m": c.number(("evidence", "frontage_m"), low=0, strict_low=True),
        "frontage_kinds": c.strings(("evidence", "frontage_kinds"), AREA_KINDS, "kind"),
        "sample_step_m": c.number(("evidence", "sample_step_m"), low=0.5),
        "draw_m": c.number(("evidence", "draw_m"), low=0, strict_low=True),
        "draw_min_length_m": c.number(("evidence", "draw_min_length_m"), low=1),
    }
    weights = c.table(("evidence", "draw_weights"), set(AREA_KINDS))
    evidence["draw_weights"] = {
        kind: c.number(("evidence", "draw_weights", kind), low=0) for kind in weights
    }

    c.table(("grading",), {"default_grade", "default_zh", "default_en"})
    default_grade = c.grade(("grading", "default_grade"))

    rule_list = c.value(("rules",))
    if not isinstance(rule_list, list) or not rule_list:
        raise c.fail(("rules",), "must be a non-empty list of [[rules]] tables")
    rules = []
    seen: dict[str, int] = {}
    for i in range(len(rule_list)):
        rules.append(_validate_rule(c, i, seen))

    c.table(("widths",), _WIDTH_KEYS)
    classes_table = c.table(("widths", "classes"), None)
    classes = {}
    for name in classes_table:
        p = ("widths", "classes", name)
        if name not in HIGHWAY_CLASSES:
            hint = difflib.get_close_matches(name, sorted(HIGHWAY_CLASSES), n=1)
            extra = f" (did you mean {hint[0]!r}?)" if hint else ""
            raise c.fail(p, f"unknown highway class {name!r}{extra}")
        c.table(p, _CLASS_WIDTH_KEYS)
        classes[name] = {
            "carriageway_m": c.number((*p, "carriageway_m"), low=0, strict_low=True),
            "sidewalk_m": c.number((*p, "sidewalk_m"), low=0),
            "sides": int(c.number((*p, "sides"), low=0, high=2, integer=True)),
        }
    fallback = c.text(("widths", "fallback_class"))
    if fallback not in classes:
        raise c.fail(("widths", "fallback_class"),
                     f"{fallback!r} has no entry in [widths.classes]")
    widths = {
        "lane_width_m": c.number(("widths", "lane_width_m"), low=0, strict_low=True),
        "dual_carriageway_classes": c.strings(("widths", "dual_carriageway_classes"),
                                              HIGHWAY_CLASSES, "highway class"),
        "fallback_class": fallback,
        "tagged_sidewalk_m": c.number(("widths", "tagged_sidewalk_m"), low=0),
        "separate_sidewalk_m": c.number(("widths", "separate_sidewalk_m"), low=0),
        "classes": classes,
    }

    c.table(("methods",), _METHOD_KEYS)
    m = ("methods",)
    methods = {
        "machine_classes": c.strings((*m, "machine_classes"), HIGHWAY_CLASSES, "highway class"),
        "machine_min_width_m": c.number((*m, "machine_min_width_m"), low=0),
        "street_part_footways": c.strings((*m, "street_part_footways")),
        "sweeper_speed_kmh": c.number((*m, "sweeper_speed_kmh"), low=0, strict_low=True),
        "sweeper_path_m": c.number((*m, "sweeper_path_m"), low=0, strict_low=True),
        "sweeper_crew": c.number((*m, "sweeper_crew"), low=1, integer=True),
        "washer_speed_kmh": c.number((*m, "washer_speed_kmh"), low=0, strict_low=True),
        "washer_path_m": c.number((*m, "washer_path_m"), low=0, strict_low=True),
        "washer_crew": c.number((*m, "washer_crew"), low=1, integer=True),
        "manual_m2_per_hour": c.number((*m, "manual_m2_per_hour"), low=0, strict_low=True),
    }

    c.table(("schedule",), {"machine_blackout"})
    blackout = c.windows(("schedule", "machine_blackout"))

    ladder_raw = c.value(("patrol",))
    if not isinstance(ladder_raw, list) or not ladder_raw:
        raise c.fail(("patrol",), "must be a non-empty list of [[patrol]] tables")
    ladder: list[PatrolStep] = []
    for i in range(len(ladder_raw)):
        p = ("patrol", i)
        c.table(p, {"code", "per_week", "zh", "en"})
        step = PatrolStep(
            code=c.text((*p, "code")),
            per_week=c.number((*p, "per_week"), low=0, strict_low=True),
            zh=c.text((*p, "zh")), en=c.text((*p, "en")),
        )
        if any(s.code == step.code for s in ladder):
            raise c.fail((*p, "code"), f"patrol code {step.code!r} appears twice")
        if ladder and step.per_week <= ladder[-1].per_week:
            raise c.fail((*p, "per_week"), "patrol steps must run from least to most often")
        ladder.append(step)
    codes = [s.code for s in ladder]

    c.table(("issues",), {"raise_per_km", "min_length_m"})
    raises = c.value(("issues", "raise_per_km"))
    if not isinstance(raises, list):
        raise c.fail(("issues", "raise_per_km"), "must be a list of thresholds")
    thresholds = [c.check_number(("issues", "raise_per_km"), v, low=0, strict_low=True)
                  for v in raises]
    if thresholds != sorted(thresholds):
        raise c.fail(("issues", "raise_per_km"), "thresholds must increase")
    issues = {"raise_per_km": thresholds,
              "min_length_m": c.number(("issues", "min_length_m"), low=1)}

    grades_table = c.table(("grades",), {str(g) for g in GRADES})
    grades = {}
    for g in GRADES:
        if str(g) not in grades_table:
            raise c.fail(("grades",), f"missing [grades.{g}]")
        grades[g] = _validate_grade(c, g, blackout, codes)

    return Rules(
        sources=tuple(str(f) for f, _ in c.files),
        evidence=evidence, rules=tuple(rules), default_grade=default_grade,
        default_zh=c.text(("grading", "default_zh")), default_en=c.text(("grading", "default_en")),
        widths=widths, methods=methods, machine_blackout=blackout, patrol=tuple(ladder),
        issues=issues, grades=grades,
    )


def _validate_rule(c: _Checker, i: int, seen: dict[str, int]) -> Rule:
    p = ("rules", i)
    raw = c.table(p, _RULE_KEYS | set(_CONDITION_KEYS))
    rule_id = c.text((*p, "id"))
    if not re.fullmatch(r"[A-Za-z0-9_\-]+", rule_id):
        raise c.fail((*p, "id"), f"rule id {rule_id!r}: use letters, digits, _ and -")
    if rule_id in seen:
        raise c.fail((*p, "id"), f"rule id {rule_id!r} is used twice")
    seen[rule_id] = i
    grade = c.grade((*p, "grade"))
    conditions: dict[str, Any] = {}
    for key in _CONDITION_KEYS:
        if key not in raw:
            continue
        q = (*p, key)
        if key == "highway":
            conditions[key] = c.strings(q, HIGHWAY_CLASSES, "highway class")
        elif key == "near":
            selectors = c.strings(q)
            for s in selectors:
                if "=" in s:
                    k, _, v = s.partition("=")
                    if not k or not v:
                        raise c.fail(q, f"bad selector {s!r}; use a kind or key=value")
                elif s not in AREA_KINDS:
                    raise c.fail(q, f"unknown kind {s!r}; use one of {', '.join(AREA_KINDS)}"
                                    " or a tag key=value")
            conditions[key] = selectors
        elif key in ("min_frontage", "min_bus_share"):
            conditions[key] = c.number(q, low=0, high=1)
        elif key in ("min_frontage_count",):
            conditions[key] = c.number(q, low=0, integer=True)
        else:
            conditions[key] = c.number(q, low=0)
    if ("near" in conditions) != ("within_m" in conditions):
        raise c.fail(p, "near and within_m go together")
    if not conditions:
        raise c.fail(p, f"rule {rule_id!r} has no condition (set [grading].default_grade "
                        "to grade every road)")
    return Rule(id=rule_id, grade=grade,
                zh=c.text((*p, "zh")) if "zh" in raw else rule_id,
                en=c.text((*p, "en")) if "en" in raw else rule_id,
                conditions=conditions)


def _validate_grade(c: _Checker, g: int, blackout: tuple[Window, ...],
                    codes: list[str]) -> GradePlan:
    p = ("grades", str(g))
    raw = c.table(p, _GRADE_KEYS)
    sweeps = c.count_range((*p, "sweeps_per_day"))
    sweep_windows = c.windows((*p, "sweep_windows"))
    if len(sweep_windows) < sweeps[1]:
        raise c.fail((*p, "sweep_windows"),
                     f"{sweeps[1]} sweeps a day need {sweeps[1]} windows, "
                     f"not {len(sweep_windows)}")
    washes = c.count_range((*p, "washes_per_week"))
    wash_windows = c.windows((*p, "wash_windows"))
    if washes[1] > 0 and not wash_windows:
        raise c.fail((*p, "wash_windows"), "washing needs at least one window")
    for key, windows in (("sweep_windows", sweep_windows), ("wash_windows", wash_windows)):
        for w in windows:
            for b in blackout:
                if w.overlaps(b):
                    raise c.fail((*p, key), f"machine window {w} falls in the peak {b} "
                                            "(错时作业: no machine work in the peaks)")
    first_by = c.time((*p, "first_sweep_by")) if "first_sweep_by" in raw else None
    if first_by is not None and sweeps[1] > 0 and sweep_windows[0].end > first_by:
        raise c.fail((*p, "sweep_windows"),
                     f"the first sweep window {sweep_windows[0]} ends after "
                     f"first_sweep_by {_hhmm(first_by)}")
    chief = c.text((*p, "chief_patrol"))
    if chief not in codes:
        raise c.fail((*p, "chief_patrol"),
                     f"unknown patrol frequency {chief!r}; use one of {', '.join(codes)}")
    return GradePlan(
        sweeps_per_day=sweeps, sweep_windows=sweep_windows, first_sweep_by=first_by,
        washes_per_week=washes, wash_windows=wash_windows,
        patrol_windows=c.windows((*p, "patrol_windows")),
        patrol_beat_m=c.number((*p, "patrol_beat_m"), low=0, strict_low=True),
        chief_patrol=chief,
        chief_min_per_km=c.number((*p, "chief_min_per_km"), low=0),
    )


# =========================================================================== overrides


@dataclass(frozen=True)
class Override:
    """One row of a per-road overrides CSV; blank fields override nothing."""

    road_id: str
    file: str
    line: int
    grade: int | None = None
    chief_patrol: str | None = None
    carriageway_m: float | None = None
    sidewalk_m: float | None = None
    reason: str = ""


OVERRIDE_COLUMNS = ("road_id", "grade", "chief_patrol", "carriageway_m", "sidewalk_m",
                    "reason", "road_name")
"""Columns an overrides CSV may have; ``road_id`` is required, ``road_name`` is ignored."""


def read_overrides(path: str | Path, rules: Rules | None = None) -> list[Override]:
    """Read a per-road overrides CSV (UTF-8, with or without BOM).

    The file may be UTF-8 (with or without BOM) or GBK/GB 18030, as Excel saves it.
    Columns: ``road_id`` (required), and any of ``grade`` (1-4 or 一级 … 四级),
    ``chief_patrol`` (a patrol code of the rules, e.g. ``daily``), ``carriageway_m`` and
    ``sidewalk_m`` (metres; sidewalk is both sides together), ``reason`` (free text);
    ``road_name`` may be present and is ignored. Whether each ``road_id`` exists is
    checked by :func:`plan_roads`.

    Raises
    ------
    InputRowError
        Naming the file, line and column of the first bad value.
    """
    path = Path(path)
    rules = rules or load_rules()
    codes = [s.code for s in rules.patrol]
    if not path.exists():
        raise InputRowError("overrides file not found", file=path)
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Excel on a Chinese Windows saves "CSV" in GBK; GB 18030 reads that too
        try:
            text = raw.decode("gb18030")
        except UnicodeDecodeError as exc:
            raise InputRowError("not UTF-8 or GB 18030 text", file=path) from exc
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        raise InputRowError("empty file: needs a header with road_id", file=path,
                            row=1) from None
    header = [h.strip() for h in header]
    for name in header:
        if name not in OVERRIDE_COLUMNS:
            hint = difflib.get_close_matches(name, OVERRIDE_COLUMNS, n=1)
            extra = f" (did you mean {hint[0]!r}?)" if hint else ""
            raise InputRowError(f"unknown column {name!r}{extra}", file=path, row=1,
                                field=name or "(blank)")
    if len(set(header)) != len(header):
        raise InputRowError("a column appears twice", file=path, row=1)
    if "road_id" not in header:
        raise InputRowError("missing column road_id", file=path, row=1, field="road_id")
    out: list[Override] = []
    first_line: dict[str, int] = {}
    for values in reader:
        line = reader.line_num
        if not any(v.strip() for v in values):
            continue
        if len(values) != len(header):
            raise InputRowError(f"{len(values)} fields where the header has {len(header)}",
                                file=path, row=line)
        row = {k: v.strip() for k, v in zip(header, values, strict=True)}
        road_id = row["road_id"]
        if not road_id:
            raise InputRowError("road_id is blank", file=path, row=line, field="road_id")
        if road_id in first_line:
            raise InputRowError(f"road {road_id!r} is already overridden on line "
                                f"{first_line[road_id]}", file=path, row=line,
                                field="road_id")
        first_line[road_id] = line
        kwargs: dict[str, Any] = {}
        if row.get("grade"):
            grade = parse_grade(row["grade"])
            if grade is None:
                raise InputRowError(f"unknown grade {row['grade']!r}; use 1-4 or 一级 … 四级",
                                    file=path, row=line, field="grade")
            kwargs["grade"] = grade
        if row.get("chief_patrol"):
            if row["chief_patrol"] not in codes:
                raise InputRowError(f"unknown patrol frequency {row['chief_patrol']!r}; "
                                    f"use one of {', '.join(codes)}", file=path, row=line,
                                    field="chief_patrol")
            kwargs["chief_patrol"] = row["chief_patrol"]
        for name, positive in (("carriageway_m", True), ("sidewalk_m", False)):
            if row.get(name):
                try:
                    number = float(row[name])
                except ValueError:
                    number = math.nan
                if not math.isfinite(number) or number < 0 or (positive and number == 0):
                    need = "a number > 0" if positive else "a number ≥ 0"
                    raise InputRowError(f"{row[name]!r} is not {need} (metres)", file=path,
                                        row=line, field=name)
                kwargs[name] = number
        if not kwargs:
            raise InputRowError("the row overrides nothing (grade, chief_patrol, "
                                "carriageway_m or sidewalk_m)", file=path, row=line)
        out.append(Override(road_id=road_id, file=str(path), line=line,
                            reason=row.get("reason", ""), **kwargs))
    return out


def _check_override_roads(overrides: list[Override], road_ids: pd.Index) -> None:
    known = set(road_ids)
    for o in overrides:
        if o.road_id not in known:
            hint = difflib.get_close_matches(o.road_id, sorted(known), n=1)
            extra = f" (did you mean {hint[0]!r}?)" if hint else ""
            raise InputRowError(f"unknown road {o.road_id!r}{extra}", file=o.file,
                                row=o.line, field="road_id")


# =========================================================================== evidence


def _features(evidence: OSMEvidence | None, crs: Any) -> gpd.GeoDataFrame:
    """POI points and tagged areas as one table; an area replaces its POI centroid."""
    columns = ["osm_type", "osm_id", "kind", "name", "tag", "geometry"]
    if evidence is None:
        return gpd.GeoDataFrame(columns=columns, geometry="geometry", crs=crs)
    areas = evidence.areas[columns] if len(evidence.areas) else evidence.areas.iloc[0:0]
    pois = evidence.pois[columns]
    if len(areas):
        key = pd.MultiIndex.from_frame(areas[["osm_type", "osm_id"]])
        pois = pois[~pd.MultiIndex.from_frame(pois[["osm_type", "osm_id"]]).isin(key)]
    parts = [p for p in (areas, pois) if len(p)]
    if not parts:
        return gpd.GeoDataFrame(columns=columns, geometry="geometry", crs=crs)
    both = pd.concat(parts, ignore_index=True)
    both = gpd.GeoDataFrame(both, geometry="geometry", crs=evidence.pois.crs or "EPSG:4326")
    both = both.to_crs(crs)
    return both.sort_values(["osm_type", "osm_id", "kind"]).reset_index(drop=True)


def _pairs_within(geoms: np.ndarray, features: gpd.GeoDataFrame, distance: float
                  ) -> tuple[np.ndarray, np.ndarray]:
    """Index pairs (geometry, feature) no farther apart than ``distance``."""
    if len(features) == 0 or len(geoms) == 0:
        return np.empty(0, dtype=int), np.empty(0, dtype=int)
    tree = shapely.STRtree(features.geometry.values)
    left, right = tree.query(geoms, predicate="dwithin", distance=distance)
    return left, right


def covered_lengths(segments: gpd.GeoDataFrame, features: gpd.GeoDataFrame, *,
                    distance_m: float, step_m: float) -> np.ndarray:
    """Metres of each segment that have a feature within ``distance_m`` on either side.

    Each segment is cut into equal pieces no longer than ``step_m``; a piece counts as
    covered when a feature lies within ``distance_m`` of its midpoint. One STRtree
    query answers all pieces. With shops as features this is the shop frontage.

    Parameters
    ----------
    segments
        Segments in a projected CRS, with ``length_m``.
    features
        Points, lines or polygons in the same CRS.
    distance_m, step_m
        Reach of a feature, and the sampling step.

    Returns
    -------
    numpy.ndarray
        Covered length per segment, in the units of ``length_m``.
    """
    geoms = segments.geometry.values
    geom_len = shapely.length(geoms)
    if len(features) == 0 or len(segments) == 0:
        return np.zeros(len(segments))
    pieces = np.maximum(1, np.ceil(geom_len / step_m)).astype(int)
    owner = np.repeat(np.arange(len(segments)), pieces)
    starts = np.cumsum(pieces) - pieces
    k = np.arange(len(owner)) - np.repeat(starts, pieces)
    piece_len = geom_len[owner] / pieces[owner]
    points = shapely.line_interpolate_point(geoms[owner], (k + 0.5) * piece_len)
    hit, _ = _pairs_within(points, features, distance_m)
    covered = np.zeros(len(owner), dtype=bool)
    covered[hit] = True
    fronted = np.bincount(owner[covered], weights=piece_len[covered], minlength=len(segments))
    share = np.divide(fronted, geom_len, out=np.zeros(len(segments)), where=geom_len > 0)
    return share * segments["length_m"].to_numpy(dtype=float)


def _weighted_median(road: pd.Series, value: pd.Series, weight: pd.Series) -> pd.Series:
    frame = pd.DataFrame({"road": road, "value": value, "w": weight}).dropna()
    if frame.empty:
        return pd.Series(dtype=float)
    frame = frame.sort_values(["road", "value"], kind="stable")
    frame["cum"] = frame.groupby("road")["w"].cumsum()
    frame["half"] = frame.groupby("road")["w"].transform("sum") / 2
    return frame[frame["cum"] >= frame["half"]].groupby("road")["value"].first()


def _matches(features: gpd.GeoDataFrame, selectors: list[str]) -> np.ndarray:
    mask = np.zeros(len(features), dtype=bool)
    for s in selectors:
        mask |= (features["tag"] == s).to_numpy() if "=" in s else \
            (features["kind"] == s).to_numpy()
    return mask


def road_evidence(
    segments: gpd.GeoDataFrame,
    evidence: OSMEvidence | None = None,
    rules: Rules | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Measure the grading evidence of every road.

    Parameters
    ----------
    segments
        Segments from :func:`patrolgeo.roads.segments_from_graph` (projected CRS).
    evidence
        What the OSM file says around the roads (:func:`patrolgeo.pois.read_evidence`);
        ``None`` grades on the road tags alone.
    rules
        Grading rules; the defaults if ``None``.

    Returns
    -------
    roads
        One row per road (index ``road_id``, sorted): ``road_name, highway, length_m,
        n_segments, lanes, width_m, frontage, frontage_m, frontage_count, draw,
        bus_share, bus_routes`` and, per rule with ``near``, ``near_<rule>_m`` and
        ``near_<rule>_name``.
    per_segment
        ``frontage_m`` and ``on_bus_route`` per segment, aligned with ``segments``.
    """
    rules = rules or load_rules()
    ev = rules.evidence
    seg = segments.reset_index(drop=True)
    length = seg["length_m"].astype(float)
    road = seg["road_id"]
    features = _features(evidence, seg.crs)
    geoms = seg.geometry.values

    out = pd.DataFrame(index=pd.Index(sorted(road.unique()), name="road_id"))
    out["road_name"] = seg.groupby("road_id")["road_name"].first()
    out["length_m"] = length.groupby(road).sum()
    out["n_segments"] = road.value_counts()
    # the class carrying most length; ties go to the more important class, as in roads
    by_class = seg.groupby(["road_id", "highway"])["length_m"].sum().reset_index()
    by_class["rank"] = by_class["highway"].map(_HIGHWAY_ORDER).fillna(len(_HIGHWAY_ORDER))
    longest = by_class.groupby("road_id")["length_m"].transform("max")
    out["highway"] = (by_class[by_class["length_m"] == longest]
                      .sort_values(["road_id", "rank", "highway"])
                      .groupby("road_id")["highway"].first())
    out["lanes"] = _weighted_median(road, seg["lanes"], length)
    out["width_m"] = _weighted_median(road, seg["width_m"], length)

    frontage = features[features["kind"].isin(ev["frontage_kinds"])]
    seg_front = covered_lengths(seg, frontage, distance_m=ev["frontage_m"],
                                step_m=ev["sample_step_m"])
    out["frontage_m"] = pd.Series(seg_front).groupby(road).sum()
    out["frontage"] = (out["frontage_m"] / out["length_m"].where(out["length_m"] > 0)).fillna(0)
    left, right = _pairs_within(geoms, frontage, ev["frontage_m"])
    count = pd.DataFrame({"road": road.to_numpy()[left], "f": right}).drop_duplicates()
    out["frontage_count"] = count.groupby("road").size().reindex(out.index).fillna(0).astype(int)

    weights = features["kind"].map(ev["draw_weights"]).fillna(0.0).to_numpy()
    drawing = features[weights > 0]
    left, right = _pairs_within(geoms, drawing, ev["draw_m"])
    pairs = pd.DataFrame({"road": road.to_numpy()[left],
                          "w": weights[weights > 0][right], "f": right}).drop_duplicates(
        ["road", "f"])
    draw = pairs.groupby("road")["w"].sum().reindex(out.index).fillna(0.0)
    out["draw"] = draw / (np.maximum(out["length_m"], ev["draw_min_length_m"]) / 1000.0)

    bus_ways = evidence.bus_ways if evidence is not None else {}
    on_bus = seg["osm_way_id"].isin(list(bus_ways)).to_numpy()
    out["bus_share"] = (length.where(on_bus, 0.0).groupby(road).sum() / out["length_m"]
                        ).fillna(0.0)
    refs = {}
    for road_id, way in zip(road[on_bus], seg["osm_way_id"][on_bus], strict=True):
        refs.setdefault(road_id, set()).update(bus_ways.get(int(way), ()))
    out["bus_routes"] = [" ".join(sorted(refs.get(r, ()), key=_natural)) for r in out.index]

    for rule in rules.rules:
        if "near" not in rule.conditions:
            continue
        chosen = features[_matches(features, rule.conditions["near"])].reset_index(drop=True)
        left, right = _pairs_within(geoms, chosen, rule.conditions["within_m"])
        dist = shapely.distance(geoms[left], chosen.geometry.values[right]) if len(left) else []
        labels = _feature_labels(chosen)
        near = pd.DataFrame({"road": road.to_numpy()[left], "d": dist, "name": labels[right]})
        near = near.sort_values(["road", "d", "name"], kind="stable").groupby("road").first()
        out[f"near_{rule.id}_m"] = near["d"].reindex(out.index)
        out[f"near_{rule.id}_name"] = near["name"].reindex(out.index)
    per_segment = pd.DataFrame({"frontage_m": seg_front, "on_bus_route": on_bus},
                               index=segments.index)
    return out, per_segment


def _feature_labels(features: gpd.GeoDataFrame) -> np.ndarray:
    """``"name (tag)"`` of each feature, or the tag alone when it has no name."""
    return np.array([f"{name} ({tag})" if isinstance(name, str) and name else str(tag)
                     for name, tag in zip(features["name"], features["tag"], strict=True)],
                    dtype=object)


def _natural(text: str) -> tuple[Any, ...]:
    return tuple(int(p) if p.isdigit() else p for p in re.split(r"(\d+)", text))


# =========================================================================== grading


def _condition_mask(rule: Rule, ev: pd.DataFrame) -> pd.Series:
    mask = pd.Series(True, index=ev.index)
    c = rule.conditions
    if "highway" in c:
        mask &= ev["highway"].isin(c["highway"])
    if "min_frontage" in c:
        mask &= ev["frontage"] >= c["min_frontage"] - 1e-12
    if "min_frontage_count" in c:
        mask &= ev["frontage_count"] >= c["min_frontage_count"]
    if "min_draw" in c:
        mask &= ev["draw"] >= c["min_draw"]
    if "near" in c:
        mask &= ev[f"near_{rule.id}_m"].notna()
    if "min_bus_share" in c:
        mask &= (ev["bus_share"] >= c["min_bus_share"]) & (ev["bus_share"] > 0)
    if "min_lanes" in c:
        mask &= ev["lanes"].fillna(-1) >= c["min_lanes"]
    if "min_width_m" in c:
        mask &= ev["width_m"].fillna(-1) >= c["min_width_m"]
    if "min_length_m" in c:
        mask &= ev["length_m"] >= c["min_length_m"]
    if "max_length_m" in c:
        mask &= ev["length_m"] <= c["max_length_m"]
    return mask


def _why(rule: Rule, row: Mapping[str, Any]) -> str:
    c = rule.conditions
    parts = []
    if "highway" in c:
        parts.append(tr(f"道路类别 {row['highway']}", f"class {row['highway']}"))
    if "min_frontage" in c:
        parts.append(tr(f"临街商铺覆盖 {row['frontage']:.0%} ≥ {c['min_frontage']:.0%}",
                        f"shop frontage {row['frontage']:.0%} ≥ {c['min_frontage']:.0%}"))
    if "min_frontage_count" in c:
        parts.append(tr(f"沿街商业点 {row['frontage_count']} 处",
                        f"{row['frontage_count']} frontage features"))
    if "min_draw" in c:
        parts.append(tr(f"人流吸引 {row['draw']:.0f}/公里 ≥ {c['min_draw']:g}",
                        f"pedestrian draw {row['draw']:.0f}/km ≥ {c['min_draw']:g}"))
    if "near" in c:
        d, name = row[f"near_{rule.id}_m"], row[f"near_{rule.id}_name"]
        parts.append(tr(f"距{name} {d:.0f} 米 ≤ {c['within_m']:g} 米",
                        f"{d:.0f} m from {name} ≤ {c['within_m']:g} m"))
    if "min_bus_share" in c:
        routes = row["bus_routes"] or "?"
        parts.append(tr(f"公交 {routes} 途经 {row['bus_share']:.0%} 路段",
                        f"bus {routes} on {row['bus_share']:.0%} of its length"))
    if "min_lanes" in c:
        parts.append(tr(f"车道 {row['lanes']:g} 条", f"{row['lanes']:g} lanes"))
    if "min_width_m" in c:
        parts.append(tr(f"路宽 {row['width_m']:g} 米", f"width {row['width_m']:g} m"))
    if "min_length_m" in c or "max_length_m" in c:
        parts.append(tr(f"长 {row['length_m']:.0f} 米", f"{row['length_m']:.0f} m long"))
    return tr(f"{rule.zh}（{'，'.join(parts)}）", f"{rule.en} ({', '.join(parts)})")


def grade_roads(
    road_table: pd.DataFrame,
    rules: Rules | None = None,
    overrides: list[Override] | None = None,
) -> pd.DataFrame:
    """Grade every road by the rules; overrides win.

    Parameters
    ----------
    road_table
        Evidence per road from :func:`road_evidence`.
    rules
        Grading rules; the defaults if ``None``.
    overrides
        Rows of :func:`read_overrides`; their grades replace the rules' grades.

    Returns
    -------
    pandas.DataFrame
        Indexed like ``road_table``: ``grade`` (1-4), ``rule_grade`` (what the rules
        said), ``rules`` (ids of the rules that set the grade, ``;``-separated, or
        ``default`` / ``override``), ``reasons`` (every rule that fired, best grade
        first, with its evidence; ``；``-separated) and ``overridden``.
    """
    rules = rules or load_rules()
    fired: dict[str, list[tuple[int, int, Rule]]] = {r: [] for r in road_table.index}
    for order, rule in enumerate(rules.rules):
        for road_id in road_table.index[_condition_mask(rule, road_table)]:
            fired[road_id].append((rule.grade, order, rule))
    records = road_table.to_dict("index")
    rows = []
    for road_id, hits in fired.items():
        hits.sort(key=lambda h: (h[0], h[1]))
        row = records[road_id]
        if hits:
            grade = hits[0][0]
            ids = [r.id for g, _, r in hits if g == grade]
            reasons = [tr(f"{grade_label(g)}：{_why(r, row)}", f"{grade_label(g)}: {_why(r, row)}")
                       for g, _, r in hits]
        else:
            grade = rules.default_grade
            ids = ["default"]
            reasons = [tr(f"{grade_label(grade)}：{rules.default_zh}",
                          f"{grade_label(grade)}: {rules.default_en}")]
        rows.append({"road_id": road_id, "grade": grade, "rule_grade": grade,
                     "rules": ";".join(ids), "reasons": reasons, "overridden": False})
    graded = pd.DataFrame(rows).set_index("road_id")
    for o in overrides or []:
        if o.road_id not in graded.index:
            _check_override_roads([o], graded.index)
        if o.grade is None:
            continue
        note = tr(f"人工指定 {grade_label(o.grade)}（{Path(o.file).name} 第 {o.line} 行"
                  f"{'：' + o.reason if o.reason else ''}），规则原定 "
                  f"{grade_label(graded.at[o.road_id, 'rule_grade'])}",
                  f"set to {grade_label(o.grade)} (by {Path(o.file).name} line {o.line}"
                  f"{': ' + o.reason if o.reason else ''}), the rules said "
                  f"{grade_label(graded.at[o.road_id, 'rule_grade'])}")
        graded.at[o.road_id, "grade"] = o.grade
        graded.at[o.road_id, "rules"] = "override"
        graded.at[o.road_id, "reasons"] = [note, *graded.at[o.road_id, "reasons"]]
        graded.at[o.road_id, "overridden"] = True
    graded["reasons"] = graded["reasons"].map(REASON_SEPARATOR.get(get_lang(), "; ").join)
    graded["grade"] = graded["grade"].astype(int)
    graded["rule_grade"] = graded["rule_grade"].astype(int)
    return graded


# =========================================================================== plans


@dataclass
class PlanResult:
    """Per-road plans and per-segment grades and workloads.

    Attributes
    ----------
    segments
        The input segments plus ``grade``, ``grade_label``, ``carriageway_m``,
        ``sidewalk_m`` (both sides), ``area_m2`` (wall to wall), ``machine``
        (sweepers can work it), ``crew_hours_week`` and ``workload`` (the road chief's
        minutes per week on the segment; what territories balance).
    roads
        The plan table, one row per road sorted by ``road_id`` (see :func:`plan_roads`).
    rules
        The rules used.
    issue_data
        Whether an issue load was given (patrols may have been raised).
    """

    segments: gpd.GeoDataFrame
    roads: pd.DataFrame
    rules: Rules
    issue_data: bool = False

    def grade_mix(self) -> pd.DataFrame:
        """Totals per grade: roads, km, area, crew-hours per day and week, workload."""
        return grade_mix(self.roads)


def _sides_from_tags(tags: Mapping[str, str]) -> int | None:
    value = tags.get("sidewalk")
    if value is not None:
        return {"both": 2, "yes": 2, "left": 1, "right": 1, "no": 0, "none": 0,
                "separate": 0}.get(value)
    both = tags.get("sidewalk:both")
    if both is not None:
        return 2 if both == "yes" else 0
    sides = [tags.get("sidewalk:left"), tags.get("sidewalk:right")]
    if any(s is not None for s in sides):
        return sum(s == "yes" for s in sides)
    return None


def _is_oneway(tags: Mapping[str, str]) -> bool:
    return tags.get("oneway") in {"yes", "1", "true", "-1"} or tags.get("junction") in {
        "roundabout", "circular"}


def _street_parts(segments: gpd.GeoDataFrame, rules: Rules,
                  road_tags: Mapping[int, Mapping[str, str]]) -> np.ndarray:
    kinds = set(rules.methods["street_part_footways"])
    return np.array([
        way is not None and not pd.isna(way)
        and road_tags.get(int(way), {}).get("footway") in kinds
        for way in segments["osm_way_id"]
    ], dtype=bool)


def segment_widths(
    segments: gpd.GeoDataFrame,
    rules: Rules,
    road_tags: Mapping[int, Mapping[str, str]] | None = None,
) -> pd.DataFrame:
    """Carriageway and sidewalk widths of each segment, and whether machines can work it.

    Carriageway: the ``width`` tag, else ``lanes`` × lane width, else the class default
    (half of it on a one-way piece of a dual carriageway). Sidewalks: the ``sidewalk``
    tags, else the class default sides (one on a dual-carriageway half), times the
    class sidewalk width; none where the sidewalks are mapped as ways of their own
    (``footway=sidewalk`` within ``separate_sidewalk_m`` along half the street), since
    those ways carry the sidewalk area themselves.

    Parameters
    ----------
    segments
        Segments (projected CRS).
    rules
        The rules (``[widths]`` and ``[methods]``).
    road_tags
        ``{way id: tags}`` from :func:`patrolgeo.pois.read_evidence`; without them,
        class defaults and the segments' ``oneway`` flag are used.

    Returns
    -------
    pandas.DataFrame
        ``carriageway_m, sidewalk_m`` (both sides), ``width_source``
        (``width``/``lanes``/``class``), ``separate_sidewalks``, ``street_part`` (a
        sidewalk or crossing way of a street) and ``machine``, indexed like ``segments``.
    """
    w = rules.widths
    classes = w["classes"]
    road_tags = road_tags or {}
    street_part = _street_parts(segments, rules, road_tags)
    sidewalk_ways = segments[np.array([
        way is not None and not pd.isna(way)
        and road_tags.get(int(way), {}).get("footway") == "sidewalk"
        for way in segments["osm_way_id"]], dtype=bool)]
    streets = ~segments["highway"].isin(["footway", "path", "steps", "cycleway", "corridor",
                                         "bridleway", "track"]).to_numpy()
    separate = np.zeros(len(segments), dtype=bool)
    if len(sidewalk_ways) and streets.any():
        near = covered_lengths(segments[streets], sidewalk_ways,
                               distance_m=w["separate_sidewalk_m"], step_m=10.0)
        length = segments["length_m"].to_numpy(dtype=float)[streets]
        separate[streets] = near >= 0.5 * length
    rows = []
    for hw, width, lanes, way, oneway_flag, apart in zip(
        segments["highway"], segments["width_m"], segments["lanes"], segments["osm_way_id"],
        segments["oneway"], separate, strict=True,
    ):
        spec = classes.get(hw, classes[w["fallback_class"]])
        tags = road_tags.get(int(way), {}) if way is not None and not pd.isna(way) else {}
        oneway = _is_oneway(tags) if tags else bool(oneway_flag)
        half = oneway and hw in w["dual_carriageway_classes"]
        if width is not None and not pd.isna(width) and width > 0:
            carriageway, source = float(width), "width"
        elif lanes is not None and not pd.isna(lanes) and lanes > 0:
            carriageway, source = float(lanes) * w["lane_width_m"], "lanes"
        else:
            carriageway = spec["carriageway_m"] * (0.5 if half else 1.0)
            source = "class"
        sides = _sides_from_tags(tags) if tags else None
        if sides is not None:
            side_width = spec["sidewalk_m"] or w["tagged_sidewalk_m"]
        elif apart:
            sides, side_width = 0, 0.0
        else:
            sides = min(spec["sides"], 1) if half else spec["sides"]
            side_width = spec["sidewalk_m"]
        rows.append((carriageway, sides * side_width, source))
    out = pd.DataFrame(rows, columns=["carriageway_m", "sidewalk_m", "width_source"],
                       index=segments.index)
    out["separate_sidewalks"] = separate
    out["street_part"] = street_part
    out["machine"] = segments["highway"].isin(rules.methods["machine_classes"]) & (
        out["carriageway_m"] >= rules.methods["machine_min_width_m"])
    return out


def _issue_by_road(issue_load: pd.Series | None, segments: gpd.GeoDataFrame,
                   road_ids: pd.Index) -> pd.Series | None:
    if issue_load is None:
        return None
    if not isinstance(issue_load, pd.Series):
        raise InputRowError("issue_load must be a pandas Series", field="issue_load")
    values = pd.to_numeric(issue_load, errors="coerce")
    bad = values.isna() & issue_load.notna()
    if bad.any():
        key = issue_load.index[bad.to_numpy()][0]
        raise InputRowError(f"issue load {issue_load[key]!r} of {key!r} is not a number",
                            field="issue_load")
    values = values.fillna(0.0)
    if (values < 0).any() or not np.isfinite(values).all():
        key = values.index[((values < 0) | ~np.isfinite(values)).to_numpy()][0]
        raise InputRowError(f"issue load of {key!r} must be a finite number ≥ 0, "
                            f"not {values[key]!r}", field="issue_load")
    if not values.index.is_unique:
        raise InputRowError("issue_load has the same id twice", field="issue_load")
    seg_ids = pd.Index(segments["segment_id"])
    if values.index.isin(seg_ids).all():
        per_seg = values.reindex(seg_ids).fillna(0.0).to_numpy()
        return pd.Series(per_seg).groupby(segments["road_id"].to_numpy()).sum().reindex(
            road_ids).fillna(0.0)
    if values.index.isin(road_ids).all():
        return values.reindex(road_ids).fillna(0.0)
    unknown = [k for k in values.index if k not in set(seg_ids) and k not in set(road_ids)]
    raise InputRowError(f"issue_load names {len(unknown)} ids that are neither segments nor "
                        f"roads, e.g. {unknown[0]!r}", field="issue_load")


def _range_text(lo: float, hi: float) -> str:
    return f"{lo:g}" if lo == hi else f"{lo:g}–{hi:g}"


def _windows_text(windows: Iterable[Window]) -> str:
    return " ".join(str(w) for w in windows)


def plan_roads(
    segments: gpd.GeoDataFrame,
    evidence: OSMEvidence | None = None,
    *,
    rules: Rules | None = None,
    overrides: list[Override] | None = None,
    issue_load: pd.Series | None = None,
) -> PlanResult:
    """Grade every road and write its cleaning plan (一路一策).

    Parameters
    ----------
    segments
        Segments from :func:`patrolgeo.roads.segments_from_graph` (projected CRS).
    evidence
        POIs, areas, bus routes and road tags of the same OSM file
        (:func:`patrolgeo.pois.read_evidence`); ``None`` grades by road tags alone.
    rules
        From :func:`load_rules`; the shipped defaults if ``None``.
    overrides
        From :func:`read_overrides`; they win over the rules.
    issue_load
        Optional issue load per ``segment_id`` or per ``road_id`` (non-negative numbers,
        e.g. reports over a period); roads whose load per km reaches the
        ``[issues].raise_per_km`` thresholds get their chief's patrols raised a step
        per threshold.

    Returns
    -------
    PlanResult
        The plan table has, per road: ``road_id, road_name, grade, grade_label, rules,
        reasons, overridden, rule_grade, highway, street_part, length_m, n_segments,
        carriageway_m, sidewalk_m, area_m2, frontage, frontage_count, draw, bus_share,
        bus_routes, methods, methods_label, sweeps_per_day, sweep_windows,
        first_sweep_by, washes_per_week, wash_windows, patrol_cleaning_h,
        patrol_windows, machine_blackout, mech_sweep_h_day, manual_sweep_h_day,
        patrol_clean_h_day, wash_h_week, crew_hours_day, crew_hours_week, issue_load,
        patrol_raised_by, chief_patrol, chief_patrol_label, chief_patrols_week,
        workload_min_week``. ``street_part`` marks a road made only of sidewalk or
        crossing ways: it is swept, but patrol cleaning and the chief's patrols are
        counted on its street. Crew-hours per day are the average
        day (a week's work / 7). Ranges (``1–2`` sweeps) are costed at their middle.
    """
    rules = rules or load_rules()
    if len(segments) == 0:
        raise InputRowError("no segments to plan", field="segments")
    if segments.crs is None or not segments.crs.is_projected:
        raise InputRowError("segments must be in a projected CRS in metres, as "
                            "roads.segments_from_graph gives them", field="crs")
    seg = segments.copy()
    table, per_seg = road_evidence(seg, evidence, rules)
    if overrides:
        _check_override_roads(overrides, table.index)
    graded = grade_roads(table, rules, overrides)
    by_road = {o.road_id: o for o in overrides or []}

    widths = segment_widths(seg, rules, evidence.road_tags if evidence is not None else None)
    for o in by_road.values():
        on_road = (seg["road_id"] == o.road_id).to_numpy()
        if o.carriageway_m is not None:
            widths.loc[on_road, "carriageway_m"] = o.carriageway_m
            widths.loc[on_road, "width_source"] = "override"
        if o.sidewalk_m is not None:
            widths.loc[on_road, "sidewalk_m"] = o.sidewalk_m
    widths["machine"] = seg["highway"].isin(rules.methods["machine_classes"]) & (
        widths["carriageway_m"] >= rules.methods["machine_min_width_m"])

    grade = seg["road_id"].map(graded["grade"]).astype(int)
    length = seg["length_m"].astype(float)
    km = length / 1000.0
    m = rules.methods
    plan_of = {g: rules.grades[g] for g in GRADES}
    sweeps = grade.map(lambda g: plan_of[g].sweeps_mean)
    washes = grade.map(lambda g: plan_of[g].washes_mean)
    patrol_h = grade.map(lambda g: plan_of[g].patrol_hours)
    beat = grade.map(lambda g: plan_of[g].patrol_beat_m)
    machine = widths["machine"].to_numpy()
    carriage = widths["carriageway_m"]
    sidewalk = widths["sidewalk_m"]
    sweep_passes = np.ceil(carriage / m["sweeper_path_m"])
    wash_passes = np.ceil(carriage / m["washer_path_m"])
    mech = np.where(machine, sweeps * sweep_passes * km / m["sweeper_speed_kmh"]
                    * m["sweeper_crew"], 0.0)
    manual_area = length * (sidewalk + np.where(machine, 0.0, carriage))
    manual = sweeps * manual_area / m["manual_m2_per_hour"]
    wash = np.where(machine, washes * wash_passes * km / m["washer_speed_kmh"]
                    * m["washer_crew"], 0.0)
    # a sidewalk or crossing way is cleaned and patrolled with its street
    street_part = widths["street_part"].to_numpy()
    patrol_clean = np.where(street_part, 0.0, patrol_h * length / beat)

    seg["grade"] = grade.to_numpy()
    seg["grade_label"] = [grade_label(g) for g in grade]
    seg["carriageway_m"] = carriage.to_numpy()
    seg["sidewalk_m"] = sidewalk.to_numpy()
    seg["area_m2"] = (length * (carriage + sidewalk)).to_numpy()
    seg["machine"] = machine
    seg["street_part"] = street_part
    seg["mech_sweep_h_day"] = np.asarray(mech, dtype=float)
    seg["manual_sweep_h_day"] = np.asarray(manual, dtype=float)
    seg["patrol_clean_h_day"] = np.asarray(patrol_clean, dtype=float)
    seg["wash_h_week"] = np.asarray(wash, dtype=float)
    seg["crew_hours_week"] = 7 * (seg["mech_sweep_h_day"] + seg["manual_sweep_h_day"]
                                  + seg["patrol_clean_h_day"]) + seg["wash_h_week"]

    # the road chief's patrols: by grade or override, raised on issue hotspots
    base = pd.Series([by_road[r].chief_patrol if r in by_road and by_road[r].chief_patrol
                      else plan_of[g].chief_patrol for r, g in graded["grade"].items()],
                     index=graded.index)
    issues = _issue_by_road(issue_load, seg, table.index)
    steps = pd.Series(0, index=table.index)
    if issues is not None:
        per_km = issues / (np.maximum(table["length_m"], rules.issues["min_length_m"]) / 1000)
        for threshold in rules.issues["raise_per_km"]:
            steps += (per_km >= threshold).astype(int)
    top = len(rules.patrol) - 1
    level = pd.Series([min(rules.patrol_index(code) + int(steps[r]), top)
                       for r, code in base.items()], index=base.index)
    per_week = level.map(lambda i: rules.patrol[i].per_week)
    min_per_km = graded["grade"].map(lambda g: plan_of[g].chief_min_per_km)
    seg["chief_patrols_week"] = seg["road_id"].map(per_week).to_numpy()
    seg["workload"] = np.where(street_part, 0.0, (seg["chief_patrols_week"] * km
                               * seg["road_id"].map(min_per_km)).to_numpy(dtype=float))

    # the plan table
    sums = seg.groupby("road_id")[["area_m2", "mech_sweep_h_day", "manual_sweep_h_day",
                                   "patrol_clean_h_day", "wash_h_week", "crew_hours_week",
                                   "workload"]].sum()
    out = table[["road_name", "highway", "length_m", "n_segments"]].copy()
    out = out.join(graded[["grade", "rules", "reasons", "overridden", "rule_grade"]])
    out["grade_label"] = out["grade"].map(grade_label)
    weighted = pd.DataFrame({"road": seg["road_id"], "c": carriage * length,
                             "s": sidewalk * length, "L": length}).groupby("road").sum()
    out["carriageway_m"] = weighted["c"] / weighted["L"].where(weighted["L"] > 0)
    out["sidewalk_m"] = weighted["s"] / weighted["L"].where(weighted["L"] > 0)
    out = out.join(sums)
    out = out.join(table[["frontage", "frontage_count", "draw", "bus_share", "bus_routes"]])
    any_machine = pd.Series(machine).groupby(seg["road_id"].to_numpy()).any()
    any_manual = pd.Series(manual_area.to_numpy() > 0).groupby(seg["road_id"].to_numpy()).any()
    # a road made only of sidewalk or crossing ways is looked after with its street
    out["street_part"] = pd.Series(street_part).groupby(seg["road_id"].to_numpy()).all()
    method_codes, method_text = [], []
    for road_id, g in out["grade"].items():
        p = plan_of[g]
        codes = []
        if p.sweeps_per_day[1] > 0 and any_machine[road_id]:
            codes.append("mechanical_sweeping")
        if p.washes_per_week[1] > 0 and any_machine[road_id]:
            codes.append("washing")
        if p.sweeps_per_day[1] > 0 and any_manual[road_id]:
            codes.append("manual_sweeping")
        if p.patrol_hours > 0 and not out.at[road_id, "street_part"]:
            codes.append("patrol_cleaning")
        method_codes.append(";".join(codes))
        method_text.append(tr("、", ", ").join(method_label(c) for c in codes))
    out["methods"] = method_codes
    out["methods_label"] = method_text
    out["sweeps_per_day"] = out["grade"].map(lambda g: _range_text(*plan_of[g].sweeps_per_day))
    out["sweep_windows"] = [
        _windows_text(plan_of[g].sweep_windows[: plan_of[g].sweeps_per_day[1]])
        for g in out["grade"]]
    out["first_sweep_by"] = out["grade"].map(
        lambda g: _hhmm(plan_of[g].first_sweep_by) if plan_of[g].first_sweep_by is not None
        else "")
    out["washes_per_week"] = [
        _range_text(*plan_of[g].washes_per_week) if "washing" in codes.split(";") else "0"
        for g, codes in zip(out["grade"], out["methods"], strict=True)]
    out["wash_windows"] = [
        _windows_text(plan_of[g].wash_windows) if "washing" in codes.split(";") else ""
        for g, codes in zip(out["grade"], out["methods"], strict=True)]
    out["patrol_cleaning_h"] = out["grade"].map(lambda g: plan_of[g].patrol_hours)
    out["patrol_windows"] = out["grade"].map(lambda g: _windows_text(plan_of[g].patrol_windows))
    out["machine_blackout"] = _windows_text(rules.machine_blackout)
    out["crew_hours_day"] = out["crew_hours_week"] / 7.0
    out["issue_load"] = issues if issues is not None else np.nan
    out["patrol_raised_by"] = steps
    out["chief_patrol"] = level.map(lambda i: rules.patrol[i].code)
    out["chief_patrol_label"] = level.map(lambda i: rules.patrol[i].label)
    out["chief_patrols_week"] = per_week
    out = out.rename(columns={"workload": "workload_min_week"})
    out = out.reset_index()
    columns = [
        "road_id", "road_name", "grade", "grade_label", "rules", "reasons", "overridden",
        "rule_grade", "highway", "street_part", "length_m", "n_segments", "carriageway_m",
        "sidewalk_m",
        "area_m2", "frontage", "frontage_count", "draw", "bus_share", "bus_routes",
        "methods", "methods_label", "sweeps_per_day", "sweep_windows", "first_sweep_by",
        "washes_per_week", "wash_windows", "patrol_cleaning_h", "patrol_windows",
        "machine_blackout", "mech_sweep_h_day", "manual_sweep_h_day", "patrol_clean_h_day",
        "wash_h_week", "crew_hours_day", "crew_hours_week", "issue_load", "patrol_raised_by",
        "chief_patrol", "chief_patrol_label", "chief_patrols_week", "workload_min_week",
    ]
    drop = ["mech_sweep_h_day", "manual_sweep_h_day", "patrol_clean_h_day", "wash_h_week"]
    seg = seg.drop(columns=drop)
    seg["frontage_m"] = per_seg["frontage_m"].to_numpy()
    return PlanResult(segments=seg, roads=out[columns], rules=rules,
                      issue_data=issues is not None)


def grade_mix(plan_table: pd.DataFrame) -> pd.DataFrame:
    """Totals per grade of a plan table, and a total row.

    Returns
    -------
    pandas.DataFrame
        Index ``grade`` (1-4, then ``"total"``): ``roads, km, share_km, area_m2,
        crew_hours_day, crew_hours_week, workload_h_week``.
    """
    g = plan_table.groupby("grade")
    mix = pd.DataFrame({
        "roads": g.size(),
        "km": g["length_m"].sum() / 1000.0,
        "area_m2": g["area_m2"].sum(),
        "crew_hours_day": g["crew_hours_day"].sum(),
        "crew_hours_week": g["crew_hours_week"].sum(),
        "workload_h_week": g["workload_min_week"].sum() / 60.0,
    }).reindex(list(GRADES)).fillna(0.0)
    mix["roads"] = mix["roads"].astype(int)
    total = mix.sum()
    total["roads"] = int(total["roads"])
    mix.loc["total"] = total
    mix.insert(2, "share_km", mix["km"] / total["km"] if total["km"] else 0.0)
    mix.index.name = "grade"
    return mix


# =========================================================================== outputs


def _round_table(table: pd.DataFrame) -> pd.DataFrame:
    out = table.copy()
    for col, digits in (("length_m", 1), ("carriageway_m", 2), ("sidewalk_m", 2),
                        ("area_m2", 0), ("frontage", 3), ("draw", 1), ("bus_share", 3),
                        ("mech_sweep_h_day", 3), ("manual_sweep_h_day", 3),
                        ("patrol_clean_h_day", 3), ("wash_h_week", 3), ("crew_hours_day", 3),
                        ("crew_hours_week", 2), ("issue_load", 3), ("chief_patrols_week", 2),
                        ("workload_min_week", 1)):
        if col in out:
            out[col] = out[col].astype(float).round(digits)
    return out


def plan_csv_table(result: PlanResult) -> pd.DataFrame:
    """The plan table as written to CSV: machine-readable columns, rounded numbers."""
    return _round_table(result.roads)


def segment_csv_table(result: PlanResult) -> gpd.GeoDataFrame:
    """Per-segment grades and workloads as written to CSV (with WKT geometry)."""
    seg = result.segments
    columns = ["segment_id", "road_id", "road_name", "highway", "length_m", "grade",
               "grade_label", "carriageway_m", "sidewalk_m", "area_m2", "machine",
               "frontage_m", "crew_hours_week", "chief_patrols_week", "workload", "geometry"]
    out = seg[columns].copy()
    for col, digits in (("length_m", 2), ("carriageway_m", 2), ("sidewalk_m", 2),
                        ("area_m2", 1), ("frontage_m", 1), ("crew_hours_week", 3),
                        ("chief_patrols_week", 2), ("workload", 2)):
        out[col] = out[col].astype(float).round(digits)
    return out


def _headers() -> dict[str, str]:
    pairs = {
        "road_id": ("道路编号", "road id"), "road_name": ("道路名称", "road name"),
        "grade": ("等级", "grade"), "grade_label": ("保洁等级", "cleaning grade"),
        "rules": ("依据规则", "rules"), "reasons": ("定级理由", "reasons"),
        "overridden": ("人工指定", "overridden"), "rule_grade": ("规则等级", "rule grade"),
        "street_part": ("人行道/过街", "sidewalk or crossing"),
        "highway": ("道路类别", "class"), "length_m": ("长度(米)", "length (m)"),
        "n_segments": ("路段数", "segments"), "carriageway_m": ("车行道宽(米)", "carriageway (m)"),
        "sidewalk_m": ("人行道宽(米,两侧)", "sidewalks (m, both)"),
        "area_m2": ("保洁面积(平方米)", "area (m²)"), "frontage": ("临街商铺覆盖率", "frontage"),
        "frontage_count": ("沿街商业点", "frontage features"),
        "draw": ("人流吸引(每公里)", "draw (per km)"), "bus_share": ("公交覆盖率", "bus share"),
        "bus_routes": ("公交线路", "bus routes"), "methods": ("作业方式代码", "method codes"),
        "methods_label": ("作业方式", "methods"),
        "sweeps_per_day": ("普扫(次/日)", "sweeps/day"),
        "sweep_windows": ("清扫时段", "sweep windows"),
        "first_sweep_by": ("首遍完成时间", "first sweep by"),
        "washes_per_week": ("冲洗(次/周)", "washes/week"),
        "wash_windows": ("冲洗时段", "wash windows"),
        "patrol_cleaning_h": ("巡回保洁(小时/日)", "patrol cleaning (h/day)"),
        "patrol_windows": ("巡回保洁时段", "patrol cleaning windows"),
        "machine_blackout": ("禁止机械作业时段", "no machines"),
        "mech_sweep_h_day": ("机扫(人·时/日)", "mech. sweeping (crew-h/day)"),
        "manual_sweep_h_day": ("人工普扫(人·时/日)", "manual sweeping (crew-h/day)"),
        "patrol_clean_h_day": ("巡回保洁(人·时/日)", "patrol cleaning (crew-h/day)"),
        "wash_h_week": ("冲洗(人·时/周)", "washing (crew-h/week)"),
        "crew_hours_day": ("人工(人·时/日)", "crew-h/day"),
        "crew_hours_week": ("人工(人·时/周)", "crew-h/week"),
        "issue_load": ("问题量", "issue load"),
        "patrol_raised_by": ("巡查上调级数", "patrol raised by"),
        "chief_patrol": ("巡查频次代码", "patrol code"),
        "chief_patrol_label": ("路长巡查频次", "chief patrols"),
        "chief_patrols_week": ("巡查(次/周)", "patrols/week"),
        "workload_min_week": ("路长工作量(分钟/周)", "chief workload (min/week)"),
        "roads": ("道路数", "roads"), "km": ("公里", "km"), "share_km": ("里程占比", "share of km"),
        "workload_h_week": ("路长工作量(小时/周)", "chief workload (h/week)"),
    }
    return {k: tr(*v) for k, v in pairs.items()}


def plan_sheets(result: PlanResult) -> dict[str, pd.DataFrame]:
    """Sheets of the plan workbook: a summary, then one sheet per grade.

    Headers are in the current language; the summary ends with the rules files used
    and the OpenStreetMap attribution.
    """
    headers = _headers()
    mix = grade_mix(result.roads).reset_index()
    mix["grade"] = [grade_label(g) if g in GRADES else tr("合计", "total") for g in mix["grade"]]
    for col, digits in (("km", 2), ("share_km", 3), ("area_m2", 0), ("crew_hours_day", 1),
                        ("crew_hours_week", 1), ("workload_h_week", 1)):
        mix[col] = mix[col].astype(float).round(digits)
    mix = mix.rename(columns={**headers, "grade": tr("保洁等级", "grade")})
    notes = pd.DataFrame({mix.columns[0]: [
        "", tr("规则文件：", "rules: ") + " + ".join(Path(s).name for s in result.rules.sources),
        tr("作业量按范围中值计算；人·时/日为一周工作量的日均值。",
           "Ranges are costed at their middle; crew-hours a day are a week's work / 7."),
        ATTRIBUTION,
    ]})
    summary = pd.concat([mix, notes], ignore_index=True)
    sheets = {tr("汇总", "Summary"): summary}
    table = _round_table(result.roads).drop(columns=["methods", "chief_patrol", "rule_grade"])
    for g in GRADES:
        part = table[table["grade"] == g].rename(columns=headers)
        sheets[grade_label(g)] = part.reset_index(drop=True)
    return sheets


_CSS = """
body{font:14px/1.5 -apple-system,"PingFang SC","Microsoft YaHei",sans-serif;margin:0;
color:#222;background:#f6f6f4}
main{max-width:960px;margin:0 auto;padding:12px}
h1{font-size:22px;margin:8px 0} h2{font-size:18px;margin:24px 0 8px;
border-bottom:2px solid #ccc} h3{font-size:16px;margin:0 0 6px}
table{border-collapse:collapse;margin:6px 0;background:#fff}
td,th{border:1px solid #ddd;padding:3px 8px;text-align:left;vertical-align:top}
th{background:#eee;font-weight:600} td.n{text-align:right}
section.road{background:#fff;border:1px solid #ddd;border-radius:6px;padding:10px 12px;
margin:10px 0}
section.road table{width:100%} section.road th{width:9em}
.g{display:inline-block;padding:0 8px;border-radius:10px;color:#fff;font-size:13px;
margin-left:6px;vertical-align:middle}
.g1{background:#c62828}.g2{background:#ef6c00}.g3{background:#2e7d32}.g4{background:#1565c0}
nav a{margin-right:10px;white-space:nowrap} ul.why{margin:0;padding-left:18px}
.scroll{overflow-x:auto} .scroll td,.scroll th{white-space:nowrap}
footer{color:#666;font-size:12px;margin:24px 0}
"""


def _fmt(value: float, digits: int = 1) -> str:
    return f"{value:,.{digits}f}"


def plan_book_html(result: PlanResult, *, title: str | None = None) -> str:
    """Render the plan book: a summary by grade, then one plan section per road.

    Plain HTML with inline CSS (no scripts, no network), readable on a phone; each road
    has an anchor ``#road-<n>`` in ``road_id`` order.
    """
    esc = html.escape
    title = title or tr("道路保洁一路一策", "Road cleaning plans")
    table = result.roads
    mix = grade_mix(table)
    lines = [
        "<!DOCTYPE html>", f'<html lang="{tr("zh-CN", "en")}"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{esc(title)}</title><style>{_CSS}</style></head><body><main>",
        f"<h1>{esc(title)}</h1>",
        f"<p>{tr('道路', 'Roads')} {len(table)} · {_fmt(table['length_m'].sum() / 1000, 2)} "
        f"{tr('公里', 'km')} · {tr('规则', 'rules')}: "
        f"{esc(' + '.join(Path(s).name for s in result.rules.sources))}</p>",
        f"<h2>{tr('等级构成', 'Grade mix')}</h2><div class=\"scroll\"><table><tr>"
        f"<th>{tr('等级', 'Grade')}</th><th>{tr('道路数', 'Roads')}</th>"
        f"<th>{tr('公里', 'km')}</th><th>{tr('里程占比', 'Share')}</th>"
        f"<th>{tr('保洁面积(平方米)', 'Area (m²)')}</th>"
        f"<th>{tr('人·时/日', 'Crew-h/day')}</th><th>{tr('人·时/周', 'Crew-h/week')}</th>"
        f"<th>{tr('路长工作量(小时/周)', 'Chief workload (h/week)')}</th></tr>",
    ]
    for g, row in mix.iterrows():
        label = grade_label(g) if g in GRADES else tr("合计", "Total")
        link = f'<a href="#grade-{g}">{esc(label)}</a>' if g in GRADES else esc(label)
        lines.append(
            f"<tr><td>{link}</td><td class=n>{int(row['roads'])}</td>"
            f"<td class=n>{_fmt(row['km'], 2)}</td><td class=n>{row['share_km']:.0%}</td>"
            f"<td class=n>{_fmt(row['area_m2'], 0)}</td>"
            f"<td class=n>{_fmt(row['crew_hours_day'])}</td>"
            f"<td class=n>{_fmt(row['crew_hours_week'])}</td>"
            f"<td class=n>{_fmt(row['workload_h_week'])}</td></tr>")
    lines.append("</table></div>")
    peaks = esc(", ".join(str(w) for w in result.rules.machine_blackout))
    lines.append(tr(f"<p>错时作业：{peaks} 禁止机械作业。</p>",
                    f"<p>Staggered work (错时作业): no machine work {peaks}.</p>"))
    anchor = {r: n for n, r in enumerate(table["road_id"], start=1)}
    for g in GRADES:
        part = table[table["grade"] == g]
        count = tr(f"{len(part)} 条道路", f"{len(part)} road{'' if len(part) == 1 else 's'}")
        lines.append(f'<h2 id="grade-{g}">{esc(grade_label(g))} · {count}</h2>')
        if len(part):
            lines.append("<nav>" + " ".join(
                f'<a href="#road-{anchor[r]}">{esc(str(n))}</a>'
                for r, n in zip(part["road_id"], part["road_name"], strict=True)) + "</nav>")
        for row in part.itertuples(index=False):
            lines.append(_road_section(row, anchor[row.road_id], result.rules))
    lines.append(f"<footer>{esc(ATTRIBUTION)} · patrolgeo</footer></main></body></html>")
    return "\n".join(lines) + "\n"


def _road_section(row: Any, n: int, rules: Rules) -> str:
    esc = html.escape
    plan = rules.grades[row.grade]
    sep = REASON_SEPARATOR.get(get_lang(), "; ")
    reasons = "".join(f"<li>{esc(r)}</li>" for r in row.reasons.split(sep))
    cells: list[tuple[str, str]] = []
    cells.append((tr("定级理由", "Why this grade"), f'<ul class="why">{reasons}</ul>'))
    cells.append((tr("道路", "Road"), esc(
        tr(f"{row.highway}，长 {row.length_m:,.0f} 米，{row.n_segments} 段；车行道约 "
           f"{row.carriageway_m:.1f} 米，人行道约 {row.sidewalk_m:.1f} 米（两侧）",
           f"{row.highway}, {row.length_m:,.0f} m in {row.n_segments} segments; carriageway "
           f"about {row.carriageway_m:.1f} m, sidewalks about {row.sidewalk_m:.1f} m (both)"))))
    cells.append((tr("保洁面积", "Area cleaned"),
                  esc(tr(f"{row.area_m2:,.0f} 平方米（红线到红线）",
                         f"{row.area_m2:,.0f} m² (wall to wall)"))))
    cells.append((tr("作业方式", "Methods"), esc(row.methods_label or "—")))
    methods = row.methods.split(";") if row.methods else []
    if "mechanical_sweeping" in methods or "manual_sweeping" in methods:
        first = (tr(f"，首遍 {row.first_sweep_by} 前完成", f"; first sweep done by "
                    f"{row.first_sweep_by}") if row.first_sweep_by else "")
        cells.append((tr("普扫", "Sweeping"), esc(
            tr(f"每日 {row.sweeps_per_day} 遍，时段 {row.sweep_windows}{first}",
               f"{row.sweeps_per_day} a day in {row.sweep_windows}{first}"))))
    if "washing" in methods:
        cells.append((tr("冲洗", "Washing"), esc(
            tr(f"每周 {row.washes_per_week} 次，时段 {row.wash_windows}",
               f"{row.washes_per_week} a week in {row.wash_windows}"))))
    if "patrol_cleaning" in methods:
        cells.append((tr("巡回保洁", "Patrol cleaning"), esc(
            tr(f"每日 {row.patrol_cleaning_h:g} 小时（{row.patrol_windows}），"
               f"每 {plan.patrol_beat_m:g} 米 1 人",
               f"{row.patrol_cleaning_h:g} h a day ({row.patrol_windows}), one cleaner per "
               f"{plan.patrol_beat_m:g} m"))))
    if "mechanical_sweeping" in methods or "washing" in methods:
        cells.append((tr("错时作业", "Off-peak machines"), esc(
            tr(f"{row.machine_blackout} 禁止机械作业", f"no machines {row.machine_blackout}"))))
    cells.append((tr("人工", "Crew-hours"), esc(
        tr(f"{row.crew_hours_day:,.1f} 人·时/日，{row.crew_hours_week:,.1f} 人·时/周"
           f"（机扫 {row.mech_sweep_h_day:.1f}、人工普扫 {row.manual_sweep_h_day:.1f}、"
           f"巡回保洁 {row.patrol_clean_h_day:.1f} 人·时/日；冲洗 {row.wash_h_week:.1f} 人·时/周）",
           f"{row.crew_hours_day:,.1f} a day, {row.crew_hours_week:,.1f} a week "
           f"(sweepers {row.mech_sweep_h_day:.1f}, manual {row.manual_sweep_h_day:.1f}, patrol "
           f"cleaning {row.patrol_clean_h_day:.1f} a day; washing {row.wash_h_week:.1f} a week)"))))
    if row.street_part:
        cells.append((tr("路长巡查", "Road chief"), esc(tr(
            "人行道或过街通道：随所属道路巡回保洁、巡查",
            "a sidewalk or crossing: patrol cleaning and patrols come with its street"))))
        return _section(row, n, cells)
    raised = ""
    if row.patrol_raised_by:
        raised = tr(f"（问题热点，上调 {row.patrol_raised_by} 级）",
                    f" (issue hotspot: raised {row.patrol_raised_by} step"
                    f"{'s' if row.patrol_raised_by > 1 else ''})")
    cells.append((tr("路长巡查", "Road chief"), esc(
        tr(f"{row.chief_patrol_label}{raised}，约 {row.workload_min_week:,.0f} 分钟/周",
           f"{row.chief_patrol_label}{raised}, about {row.workload_min_week:,.0f} min a week"))))
    return _section(row, n, cells)


def _section(row: Any, n: int, cells: list[tuple[str, str]]) -> str:
    esc = html.escape
    body = "".join(f"<tr><th>{esc(k)}</th><td>{v}</td></tr>" for k, v in cells)
    name = esc(str(row.road_name))
    rid = "" if row.road_name == row.road_id else f" <small>{esc(str(row.road_id))}</small>"
    return (f'<section class="road" id="road-{n}"><h3>{name}{rid}<span class="g g{row.grade}">'
            f"{esc(row.grade_label)}</span></h3><table>{body}</table></section>")

