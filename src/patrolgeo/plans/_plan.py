"""Cleaning plans per road section (一路一策): methods, frequencies, crew-hours, patrols."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd

from patrolgeo.errors import InputRowError, SegmentsError
from patrolgeo.plans._evidence import M_PER_KM, measure_segments
from patrolgeo.plans._grading import grade_roads
from patrolgeo.plans._load import load_rules
from patrolgeo.plans._overrides import Override, check_override_roads
from patrolgeo.plans._rules import GRADES, GradePlan, Rules, Window, hhmm
from patrolgeo.plans._sections import section_segments
from patrolgeo.plans._widths import machine_workable, segment_widths
from patrolgeo.pois import OSMEvidence
from patrolgeo.segments import validate_segments

PLAN_SEGMENT_COLUMNS = ("segment_id", "road_id", "road_name", "highway", "oneway",
                        "length_m", "lanes", "width_m", "osm_way_id", "geometry")
"""Columns of the segments table that :func:`plan_roads` reads."""

#: days in a week: crew-hours a day are a week's work / 7
DAYS_PER_WEEK = 7.0

PLAN_COLUMNS = (
    "section_id", "road_id", "road_name", "section_no", "section_from", "section_to",
    "from_m", "to_m", "road_length_m", "grade", "rules", "reasons", "overridden",
    "rule_grade", "highway", "street_part", "length_m", "n_segments", "carriageway_m",
    "sidewalk_m",
    "area_m2", "frontage", "frontage_count", "draw", "bus_share", "bus_routes",
    "methods", "sweeps_per_day", "sweep_windows", "first_sweep_by",
    "washes_per_week", "wash_windows", "patrol_cleaning_h", "patrol_windows",
    "machine_blackout", "mech_sweep_h_day", "manual_sweep_h_day", "patrol_clean_h_day",
    "wash_h_week", "crew_hours_day", "crew_hours_week", "issue_load", "patrol_raised_by",
    "chief_patrol", "chief_patrols_week", "workload_min_week",
)
"""Columns of :attr:`PlanResult.sections`, in order (codes and numbers, no words)."""

SECTION_SEGMENT_COLUMNS = ("section_id", "section_no", "chain_from_m", "chain_to_m",
                           "local_grade")
"""Columns :func:`plan_roads` adds to each segment about its section."""


@dataclass
class PlanResult:
    """Plans per road section, and per-segment grades and workloads.

    Attributes
    ----------
    segments
        The input segments plus their section (:data:`SECTION_SEGMENT_COLUMNS`:
        ``section_id``, ``section_no``, the chainage ``chain_from_m``/``chain_to_m``
        along the road, ``local_grade``: the grade of the evidence right there), its
        ``grade``, ``carriageway_m``, ``sidewalk_m`` (both sides), ``area_m2`` (wall to
        wall), ``machine`` (sweepers can work it), ``street_part``, ``crew_hours_week``,
        ``chief_patrols_week``, ``workload`` (the road chief's minutes per week on the
        segment; what territories balance) and ``frontage_m``.
    sections
        The plan table, one row per section (路段), roads in ``road_id`` order and each
        road's sections along it (see :func:`plan_roads`).
    rules
        The rules used.
    issue_data
        Whether an issue load was given (patrols may have been raised).
    """

    segments: gpd.GeoDataFrame
    sections: pd.DataFrame
    rules: Rules
    issue_data: bool = False

    @property
    def roads(self) -> pd.DataFrame:
        """The plan table (:attr:`sections`; the name the one-row-per-road table had)."""
        return self.sections

    def grade_mix(self) -> pd.DataFrame:
        """Totals per grade: roads, sections, km, area, crew-hours a day and week, workload."""
        return grade_mix(self.sections)


def _issue_by_section(issue_load: pd.Series | None, segments: gpd.GeoDataFrame,
                      sections: pd.DataFrame) -> pd.Series | None:
    """Issue load per section: a segment's load on its section, a road's spread by length."""
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
    road_ids = pd.Index(sections["road_id"].unique())
    if values.index.isin(seg_ids).all():
        per_seg = values.reindex(seg_ids).fillna(0.0).to_numpy()
        return pd.Series(per_seg).groupby(segments["section_id"].to_numpy()).sum().reindex(
            sections.index).fillna(0.0)
    if values.index.isin(road_ids).all():
        share = sections["length_m"] / sections["road_length_m"].where(
            sections["road_length_m"] > 0)
        return (sections["road_id"].map(values).fillna(0.0) * share.fillna(1.0)).fillna(0.0)
    unknown = [k for k in values.index if k not in set(seg_ids) and k not in set(road_ids)]
    raise InputRowError(f"issue_load names {len(unknown)} ids that are neither segments nor "
                        f"roads, e.g. {unknown[0]!r}", field="issue_load")


def range_text(lo: float, hi: float) -> str:
    return f"{lo:g}" if lo == hi else f"{lo:g}–{hi:g}"


def windows_text(windows: Iterable[Window]) -> str:
    return " ".join(str(w) for w in windows)



def slots_text(slots: Iterable[tuple[Window, int]]) -> str:
    """Windows with their sweeps: ``04:30-07:00×2 11:00-13:00`` (×n only above one)."""
    return " ".join(f"{w}×{n}" if n > 1 else str(w) for w, n in slots)


def _check_segments(segments: gpd.GeoDataFrame) -> None:
    """Check the segments contract on entry of :func:`plan_roads`."""
    if len(segments) == 0:
        raise InputRowError("no segments to plan", field="segments")
    validate_segments(segments, PLAN_SEGMENT_COLUMNS)
    if segments.crs is None:
        raise SegmentsError("segments must be in a projected CRS in metres, as "
                            "roads.segments_from_graph gives them", field="crs")


def _by_section(overrides: list[Override] | None, sections: pd.DataFrame
                ) -> dict[str, Override]:
    """The override of each section: its own row, else its road's."""
    out: dict[str, Override] = {}
    for o in overrides or []:
        if o.road_id in sections.index:
            out[o.road_id] = o
    for o in overrides or []:
        for sid in sections.index[(sections["road_id"] == o.road_id).to_numpy()]:
            out.setdefault(sid, o)
    return out


def _widths_with_overrides(seg: gpd.GeoDataFrame, widths: pd.DataFrame, rules: Rules,
                           by_section: Mapping[str, Override]) -> pd.DataFrame:
    """Segment widths, with the overrides' widths laid over them."""
    widths = widths.copy()
    for sid, o in by_section.items():
        on_road = (seg["section_id"] == sid).to_numpy()
        if o.carriageway_m is not None:
            widths.loc[on_road, "carriageway_m"] = o.carriageway_m
            widths.loc[on_road, "width_source"] = "override"
        if o.sidewalk_m is not None:
            widths.loc[on_road, "sidewalk_m"] = o.sidewalk_m
    widths["machine"] = machine_workable(seg, widths["carriageway_m"], rules)
    return widths


def _crew_hours(seg: gpd.GeoDataFrame, grade: pd.Series, widths: pd.DataFrame,
                rules: Rules) -> np.ndarray:
    """Add the cleaning figures of each segment to ``seg``; return the manual area (m²)."""
    length = seg["length_m"].astype(float)
    km = length / M_PER_KM
    m = rules.methods
    plan_of = rules.grades
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
    seg["carriageway_m"] = carriage.to_numpy()
    seg["sidewalk_m"] = sidewalk.to_numpy()
    seg["area_m2"] = (length * (carriage + sidewalk)).to_numpy()
    seg["machine"] = machine
    seg["street_part"] = street_part
    seg["mech_sweep_h_day"] = np.asarray(mech, dtype=float)
    seg["manual_sweep_h_day"] = np.asarray(manual, dtype=float)
    seg["patrol_clean_h_day"] = np.asarray(patrol_clean, dtype=float)
    seg["wash_h_week"] = np.asarray(wash, dtype=float)
    seg["crew_hours_week"] = DAYS_PER_WEEK * (
        seg["mech_sweep_h_day"] + seg["manual_sweep_h_day"] + seg["patrol_clean_h_day"]
    ) + seg["wash_h_week"]
    return manual_area.to_numpy()


@dataclass(frozen=True)
class _Patrols:
    """The road chief's patrols per road: load, steps raised, ladder level, per week."""

    issues: pd.Series | None
    steps: pd.Series
    level: pd.Series
    per_week: pd.Series


def _chief_patrols(seg: gpd.GeoDataFrame, graded: pd.DataFrame, table: pd.DataFrame,
                   by_road: Mapping[str, Override], issue_load: pd.Series | None,
                   rules: Rules) -> _Patrols:
    """Patrols by grade or override, raised on issue hotspots; adds ``workload`` to seg."""
    plan_of = rules.grades
    base = pd.Series([by_road[r].chief_patrol if r in by_road and by_road[r].chief_patrol
                      else plan_of[g].chief_patrol for r, g in graded["grade"].items()],
                     index=graded.index)
    issues = _issue_by_section(issue_load, seg, table)
    steps = pd.Series(0, index=table.index)
    if issues is not None:
        per_km = issues / (np.maximum(table["length_m"], rules.issues["min_length_m"])
                           / M_PER_KM)
        for threshold in rules.issues["raise_per_km"]:
            steps += (per_km >= threshold).astype(int)
    top = len(rules.patrol) - 1
    level = pd.Series([min(rules.patrol_index(code) + int(steps[r]), top)
                       for r, code in base.items()], index=base.index)
    per_week = level.map(lambda i: rules.patrol[i].per_week)
    min_per_km = graded["grade"].map(lambda g: plan_of[g].chief_min_per_km)
    km = seg["length_m"].astype(float) / M_PER_KM
    street_part = seg["street_part"].to_numpy()
    seg["chief_patrols_week"] = seg["section_id"].map(per_week).to_numpy()
    seg["workload"] = np.where(street_part, 0.0, (seg["chief_patrols_week"] * km
                               * seg["section_id"].map(min_per_km)).to_numpy(dtype=float))
    return _Patrols(issues, steps, level, per_week)


def method_codes(plan: GradePlan, machine: bool, manual: bool, street_part: bool
                 ) -> list[str]:
    """Return the cleaning method codes of one road.

    The codes are ``mechanical_sweeping``, ``washing``, ``manual_sweeping`` and
    ``patrol_cleaning`` (their words: the ``"method"`` labels table).

    Parameters
    ----------
    plan
        The plan of the road's grade.
    machine, manual
        Whether any segment can be machine-worked, and any has area to sweep by hand.
    street_part
        Whether the road is only sidewalk or crossing ways (cleaned with its street).

    Returns
    -------
    list of str
        In the order above.
    """
    codes = []
    if plan.sweeps_per_day[1] > 0 and machine:
        codes.append("mechanical_sweeping")
    if plan.washes_per_week[1] > 0 and machine:
        codes.append("washing")
    if plan.sweeps_per_day[1] > 0 and manual:
        codes.append("manual_sweeping")
    if plan.patrol_hours > 0 and not street_part:
        codes.append("patrol_cleaning")
    return codes


def _hhmm_or_blank(minute: int | None) -> str:
    """``HH:MM`` of a minute of the day, or ``""`` when there is none."""
    return "" if minute is None else hhmm(minute)


def _schedule_columns(out: pd.DataFrame, rules: Rules) -> None:
    """Add the methods, frequencies and time windows of each road's grade to ``out``."""
    plan_of = rules.grades
    out["sweeps_per_day"] = out["grade"].map(lambda g: range_text(*plan_of[g].sweeps_per_day))
    out["sweep_windows"] = [slots_text(plan_of[g].sweep_slots()) for g in out["grade"]]
    out["first_sweep_by"] = out["grade"].map(
        lambda g: _hhmm_or_blank(plan_of[g].first_sweep_by))
    washing = ["washing" in codes.split(";") for codes in out["methods"]]
    out["washes_per_week"] = [
        range_text(*plan_of[g].washes_per_week) if wash else "0"
        for g, wash in zip(out["grade"], washing, strict=True)]
    out["wash_windows"] = [
        windows_text(plan_of[g].wash_windows) if wash else ""
        for g, wash in zip(out["grade"], washing, strict=True)]
    out["patrol_cleaning_h"] = out["grade"].map(lambda g: plan_of[g].patrol_hours)
    out["patrol_windows"] = out["grade"].map(lambda g: windows_text(plan_of[g].patrol_windows))
    out["machine_blackout"] = windows_text(rules.machine_blackout)


def _plan_table(seg: gpd.GeoDataFrame, table: pd.DataFrame, graded: pd.DataFrame,
                manual_area: np.ndarray, patrols: _Patrols, rules: Rules) -> pd.DataFrame:
    """One row per section: evidence, grade, widths, methods, schedule, crew-hours, patrols."""
    road = seg["section_id"].to_numpy()
    sums = seg.groupby("section_id")[["area_m2", "mech_sweep_h_day", "manual_sweep_h_day",
                                      "patrol_clean_h_day", "wash_h_week", "crew_hours_week",
                                      "workload"]].sum()
    out = table[["road_id", "road_name", "section_no", "section_from", "section_to", "from_m",
                 "to_m", "road_length_m", "highway", "length_m", "n_segments"]].copy()
    out = out.join(graded[["grade", "rules", "reasons", "overridden", "rule_grade"]])
    length = seg["length_m"].astype(float)
    weighted = pd.DataFrame({"road": seg["section_id"], "c": seg["carriageway_m"] * length,
                             "s": seg["sidewalk_m"] * length, "L": length}).groupby("road").sum()
    out["carriageway_m"] = weighted["c"] / weighted["L"].where(weighted["L"] > 0)
    out["sidewalk_m"] = weighted["s"] / weighted["L"].where(weighted["L"] > 0)
    out = out.join(sums)
    out = out.join(table[["frontage", "frontage_count", "draw", "bus_share", "bus_routes"]])
    any_machine = pd.Series(seg["machine"].to_numpy()).groupby(road).any()
    any_manual = pd.Series(manual_area > 0).groupby(road).any()
    # a road made only of sidewalk or crossing ways is looked after with its street
    out["street_part"] = pd.Series(seg["street_part"].to_numpy()).groupby(road).all()
    out["methods"] = [
        ";".join(method_codes(rules.grades[g], any_machine[r], any_manual[r],
                              out.at[r, "street_part"]))
        for r, g in out["grade"].items()]
    _schedule_columns(out, rules)
    out["crew_hours_day"] = out["crew_hours_week"] / DAYS_PER_WEEK
    out["issue_load"] = patrols.issues if patrols.issues is not None else np.nan
    out["patrol_raised_by"] = patrols.steps
    out["chief_patrol"] = patrols.level.map(lambda i: rules.patrol[i].code)
    out["chief_patrols_week"] = patrols.per_week
    out = out.rename(columns={"workload": "workload_min_week"})
    return out.reset_index()[list(PLAN_COLUMNS)]


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
        The plan table has, per road, the columns of :data:`PLAN_COLUMNS`: ``road_id,
        road_name, grade, rules, reasons`` (:class:`Reason` codes), ``overridden,
        rule_grade, highway, street_part, length_m, n_segments, carriageway_m,
        sidewalk_m, area_m2, frontage, frontage_count, draw, bus_share, bus_routes,
        methods`` (``;``-separated codes of :func:`method_codes`), ``sweeps_per_day,
        sweep_windows, first_sweep_by, washes_per_week, wash_windows,
        patrol_cleaning_h, patrol_windows, machine_blackout, mech_sweep_h_day,
        manual_sweep_h_day, patrol_clean_h_day, wash_h_week, crew_hours_day,
        crew_hours_week, issue_load, patrol_raised_by, chief_patrol`` (a patrol code),
        ``chief_patrols_week, workload_min_week``. ``street_part`` marks a road made
        only of sidewalk or crossing ways: it is swept, but patrol cleaning and the
        chief's patrols are counted on its street. Crew-hours per day are the average
        day (a week's work / 7). Ranges (``1–2`` sweeps) are costed at their middle.
        Words (grade, method and patrol names, reasons) are added by the writers of
        :mod:`patrolgeo.outputs.plans`.

    Raises
    ------
    SegmentsError
        The segments lack a column, repeat an id or are not in a projected CRS.
    InputRowError
        No segments, an override of an unknown road, or a bad issue load.
    """
    rules = rules or load_rules()
    _check_segments(segments)
    seg = segments.copy()
    widths = segment_widths(seg, rules, evidence.road_tags if evidence is not None else None)
    measured = measure_segments(seg, evidence, rules,
                                street_part=widths["street_part"].to_numpy(dtype=bool))
    per_seg, table = section_segments(measured, rules)
    for col in SECTION_SEGMENT_COLUMNS:
        seg[col] = per_seg[col].to_numpy()
    if overrides:
        check_override_roads(overrides, pd.Index([*table["road_id"].unique(), *table.index]))
    graded = grade_roads(table, rules, overrides)
    by_section = _by_section(overrides, table)
    widths = _widths_with_overrides(seg, widths, rules, by_section)
    grade = seg["section_id"].map(graded["grade"]).astype(int)
    manual_area = _crew_hours(seg, grade, widths, rules)
    patrols = _chief_patrols(seg, graded, table, by_section, issue_load, rules)
    out = _plan_table(seg, table, graded, manual_area, patrols, rules)
    seg = seg.drop(columns=["mech_sweep_h_day", "manual_sweep_h_day", "patrol_clean_h_day",
                            "wash_h_week"])
    seg["frontage_m"] = measured.frontage_m
    return PlanResult(segments=seg, sections=out, rules=rules,
                      issue_data=patrols.issues is not None)


def grade_mix(plan_table: pd.DataFrame) -> pd.DataFrame:
    """Totals per grade of a plan table, and a total row.

    Parameters
    ----------
    plan_table
        :attr:`PlanResult.sections` (or a table of one row per road).

    Returns
    -------
    pandas.DataFrame
        Index ``grade`` (1-4, then ``"total"``): ``roads`` (roads with a section of
        that grade; the total counts each road once), ``sections``, ``km``,
        ``share_km``, ``area_m2``, ``crew_hours_day``, ``crew_hours_week``,
        ``workload_h_week``.
    """
    g = plan_table.groupby("grade")
    mix = pd.DataFrame({
        "roads": g["road_id"].nunique(),
        "sections": g.size(),
        "km": g["length_m"].sum() / M_PER_KM,
        "area_m2": g["area_m2"].sum(),
        "crew_hours_day": g["crew_hours_day"].sum(),
        "crew_hours_week": g["crew_hours_week"].sum(),
        "workload_h_week": g["workload_min_week"].sum() / 60.0,
    }).reindex(list(GRADES)).fillna(0.0)
    mix[["roads", "sections"]] = mix[["roads", "sections"]].astype(int)
    total = mix.sum()
    total["roads"] = int(plan_table["road_id"].nunique())
    total["sections"] = int(total["sections"])
    mix.loc["total"] = total
    mix[["roads", "sections"]] = mix[["roads", "sections"]].astype(int)
    mix.insert(3, "share_km", mix["km"] / total["km"] if total["km"] else 0.0)
    mix.index.name = "grade"
    return mix
