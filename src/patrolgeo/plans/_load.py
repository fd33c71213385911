"""Loading the grading rules: the shipped defaults with a user's file laid over them."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from patrolgeo.plans._rules import (
    GRADES,
    HIGHWAY_CLASSES,
    GradePlan,
    PatrolStep,
    Rule,
    Rules,
    Window,
    default_rules_path,
    did_you_mean,
    hhmm,
)
from patrolgeo.plans._toml import (
    _Checker,
    check_count_range,
    check_grade,
    check_time,
    check_windows,
)
from patrolgeo.pois import AREA_KINDS
from patrolgeo.tomlfiles import merge, read_toml

_EVIDENCE_KEYS = {"frontage_m", "frontage_kinds", "sample_step_m", "frontage_min_length_m",
                  "draw_m",
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
#: the rules file format this code reads
RULES_VERSION = 1


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
        The validated rules.

    Raises
    ------
    ConfigError
        For a missing or malformed file, an unknown key, a value of the wrong type or
        out of range, a machine window inside the traffic peaks, …, naming the file,
        line and key.

    Examples
    --------
    >>> load_rules().default_grade
    4
    """
    default_file = default_rules_path()
    base, base_pos = read_toml(default_file)
    files = [(default_file, base_pos)]
    user = None
    if path is not None:
        path = Path(path)
        user, user_pos = read_toml(path)
        files.append((path, user_pos))
        data = merge(base, user)
    else:
        data = base
    return _validate(_Checker(data, user, files))


def _validate(c: _Checker) -> Rules:
    """Check every section of the merged rules and build :class:`Rules`."""
    c.table((), _TOP_KEYS)
    if c.value(("version",)) != RULES_VERSION:
        raise c.fail(("version",), f"unsupported rules version {c.value(('version',))!r}; use 1")
    evidence = _validate_evidence(c)
    c.table(("grading",), {"default_grade", "default_zh", "default_en"})
    default_grade = check_grade(c, ("grading", "default_grade"))
    rules = _validate_rules(c)
    widths = _validate_widths(c)
    methods = _validate_methods(c)
    c.table(("schedule",), {"machine_blackout"})
    blackout = check_windows(c, ("schedule", "machine_blackout"))
    ladder = _validate_patrol(c)
    issues = _validate_issues(c)
    grades_table = c.table(("grades",), {str(g) for g in GRADES})
    codes = [s.code for s in ladder]
    grades = {}
    for g in GRADES:
        if str(g) not in grades_table:
            raise c.fail(("grades",), f"missing [grades.{g}]")
        grades[g] = _validate_grade(c, g, blackout, codes)
    return Rules(
        sources=tuple(str(f) for f, _ in c.files),
        evidence=evidence, rules=rules, default_grade=default_grade,
        default_zh=c.text(("grading", "default_zh")), default_en=c.text(("grading", "default_en")),
        widths=widths, methods=methods, machine_blackout=blackout, patrol=ladder,
        issues=issues, grades=grades,
    )


def _validate_evidence(c: _Checker) -> dict[str, Any]:
    c.table(("evidence",), _EVIDENCE_KEYS)
    evidence = {
        "frontage_m": c.number(("evidence", "frontage_m"), low=0, strict_low=True),
        "frontage_kinds": c.strings(("evidence", "frontage_kinds"), AREA_KINDS, "kind"),
        "sample_step_m": c.number(("evidence", "sample_step_m"), low=0.5),
        "frontage_min_length_m": c.number(("evidence", "frontage_min_length_m"), low=0),
        "draw_m": c.number(("evidence", "draw_m"), low=0, strict_low=True),
        "draw_min_length_m": c.number(("evidence", "draw_min_length_m"), low=1),
    }
    weights = c.table(("evidence", "draw_weights"), set(AREA_KINDS))
    evidence["draw_weights"] = {
        kind: c.number(("evidence", "draw_weights", kind), low=0) for kind in weights
    }
    return evidence


def _validate_rules(c: _Checker) -> tuple[Rule, ...]:
    rule_list = c.value(("rules",))
    if not isinstance(rule_list, list) or not rule_list:
        raise c.fail(("rules",), "must be a non-empty list of [[rules]] tables")
    seen: dict[str, int] = {}
    return tuple(_validate_rule(c, i, seen) for i in range(len(rule_list)))


def _validate_widths(c: _Checker) -> dict[str, Any]:
    c.table(("widths",), _WIDTH_KEYS)
    classes_table = c.table(("widths", "classes"), None)
    classes = {}
    for name in classes_table:
        p = ("widths", "classes", name)
        if name not in HIGHWAY_CLASSES:
            raise c.fail(p, f"unknown highway class {name!r}"
                            f"{did_you_mean(name, HIGHWAY_CLASSES)}")
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
    return {
        "lane_width_m": c.number(("widths", "lane_width_m"), low=0, strict_low=True),
        "dual_carriageway_classes": c.strings(("widths", "dual_carriageway_classes"),
                                              HIGHWAY_CLASSES, "highway class"),
        "fallback_class": fallback,
        "tagged_sidewalk_m": c.number(("widths", "tagged_sidewalk_m"), low=0),
        "separate_sidewalk_m": c.number(("widths", "separate_sidewalk_m"), low=0),
        "classes": classes,
    }


def _validate_methods(c: _Checker) -> dict[str, Any]:
    c.table(("methods",), _METHOD_KEYS)
    m = ("methods",)
    return {
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


def _validate_patrol(c: _Checker) -> tuple[PatrolStep, ...]:
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
    return tuple(ladder)


def _validate_issues(c: _Checker) -> dict[str, Any]:
    c.table(("issues",), {"raise_per_km", "min_length_m"})
    raises = c.value(("issues", "raise_per_km"))
    if not isinstance(raises, list):
        raise c.fail(("issues", "raise_per_km"), "must be a list of thresholds")
    thresholds = [c.check_number(("issues", "raise_per_km"), v, low=0, strict_low=True)
                  for v in raises]
    if thresholds != sorted(thresholds):
        raise c.fail(("issues", "raise_per_km"), "thresholds must increase")
    return {"raise_per_km": thresholds,
            "min_length_m": c.number(("issues", "min_length_m"), low=1)}


def _validate_near(c: _Checker, q: tuple[Any, ...]) -> list[str]:
    selectors = c.strings(q)
    for s in selectors:
        if "=" in s:
            k, _, v = s.partition("=")
            if not k or not v:
                raise c.fail(q, f"bad selector {s!r}; use a kind or key=value")
        elif s not in AREA_KINDS:
            raise c.fail(q, f"unknown kind {s!r}; use one of {', '.join(AREA_KINDS)}"
                            " or a tag key=value")
    return selectors


def _validate_condition(c: _Checker, key: str, q: tuple[Any, ...]) -> Any:
    if key == "highway":
        return c.strings(q, HIGHWAY_CLASSES, "highway class")
    if key == "near":
        return _validate_near(c, q)
    if key in ("min_frontage", "min_bus_share"):
        return c.number(q, low=0, high=1)
    if key in ("min_frontage_count",):
        return c.number(q, low=0, integer=True)
    return c.number(q, low=0)


def _validate_rule(c: _Checker, i: int, seen: dict[str, int]) -> Rule:
    p = ("rules", i)
    raw = c.table(p, _RULE_KEYS | set(_CONDITION_KEYS))
    rule_id = c.text((*p, "id"))
    if not re.fullmatch(r"[A-Za-z0-9_\-]+", rule_id):
        raise c.fail((*p, "id"), f"rule id {rule_id!r}: use letters, digits, _ and -")
    if rule_id in seen:
        raise c.fail((*p, "id"), f"rule id {rule_id!r} is used twice")
    seen[rule_id] = i
    grade = check_grade(c, (*p, "grade"))
    conditions = {key: _validate_condition(c, key, (*p, key))
                  for key in _CONDITION_KEYS if key in raw}
    if ("near" in conditions) != ("within_m" in conditions):
        raise c.fail(p, "near and within_m go together")
    if not conditions:
        raise c.fail(p, f"rule {rule_id!r} has no condition (set [grading].default_grade "
                        "to grade every road)")
    return Rule(id=rule_id, grade=grade,
                zh=c.text((*p, "zh")) if "zh" in raw else rule_id,
                en=c.text((*p, "en")) if "en" in raw else rule_id,
                conditions=conditions)


def _check_machine_windows(c: _Checker, p: tuple[Any, ...], key: str,
                           windows: tuple[Window, ...], blackout: tuple[Window, ...]) -> None:
    for w in windows:
        for b in blackout:
            if w.overlaps(b):
                raise c.fail((*p, key), f"machine window {w} falls in the peak {b} "
                                        "(错时作业: no machine work in the peaks)")


def _validate_grade(c: _Checker, g: int, blackout: tuple[Window, ...],
                    codes: list[str]) -> GradePlan:
    p = ("grades", str(g))
    raw = c.table(p, _GRADE_KEYS)
    sweeps = check_count_range(c, (*p, "sweeps_per_day"))
    sweep_windows = check_windows(c, (*p, "sweep_windows"))
    if sweeps[1] > 0 and not sweep_windows:
        raise c.fail((*p, "sweep_windows"), "sweeping needs at least one window")
    washes = check_count_range(c, (*p, "washes_per_week"))
    wash_windows = check_windows(c, (*p, "wash_windows"))
    if washes[1] > 0 and not wash_windows:
        raise c.fail((*p, "wash_windows"), "washing needs at least one window")
    _check_machine_windows(c, p, "sweep_windows", sweep_windows, blackout)
    _check_machine_windows(c, p, "wash_windows", wash_windows, blackout)
    first_by = check_time(c, (*p, "first_sweep_by")) if "first_sweep_by" in raw else None
    if first_by is not None and sweeps[1] > 0 and sweep_windows[0].end > first_by:
        raise c.fail((*p, "sweep_windows"),
                     f"the first sweep window {sweep_windows[0]} ends after "
                     f"first_sweep_by {hhmm(first_by)}")
    chief = c.text((*p, "chief_patrol"))
    if chief not in codes:
        raise c.fail((*p, "chief_patrol"),
                     f"unknown patrol frequency {chief!r}; use one of {', '.join(codes)}")
    return GradePlan(
        sweeps_per_day=sweeps, sweep_windows=sweep_windows, first_sweep_by=first_by,
        washes_per_week=washes, wash_windows=wash_windows,
        patrol_windows=check_windows(c, (*p, "patrol_windows")),
        patrol_beat_m=c.number((*p, "patrol_beat_m"), low=0, strict_low=True),
        chief_patrol=chief,
        chief_min_per_km=c.number((*p, "chief_min_per_km"), low=0),
    )
