"""Grading: which rules fire on each section (or road), the grade they set, and why."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from patrolgeo.plans._load import load_rules
from patrolgeo.plans._overrides import Override, check_override_roads
from patrolgeo.plans._rules import Rule, Rules

#: a share read back from floats may fall a hair short of the threshold it equals
SHARE_TOLERANCE = 1e-12


@dataclass(frozen=True)
class Reason:
    """Why a road has a grade, as codes and measured values; writers put it into words.

    Attributes
    ----------
    code
        ``"rule"`` (a rule fired), ``"default"`` (none fired: the default grade) or
        ``"override"`` (a row of an overrides CSV set the grade).
    grade
        The grade this reason gives.
    rule_id
        The rule that fired (``"rule"`` only).
    evidence
        What the road measured, per condition key of the rule (``"rule"`` only):
        ``highway`` (class), ``min_frontage`` (share), ``min_frontage_count``,
        ``min_draw`` (per km), ``near`` (metres, feature label), ``min_bus_share``
        (route refs, share), ``min_lanes``, ``min_width_m``, ``length`` (metres).
    file, line, note, rule_grade
        The overrides file name, its line, the row's ``reason`` and the grade the rules
        had given (``"override"`` only).
    """

    code: str
    grade: int
    rule_id: str | None = None
    evidence: Mapping[str, Any] = field(default_factory=dict)
    file: str = ""
    line: int = 0
    note: str = ""
    rule_grade: int = 0


def _condition_mask(rule: Rule, ev: pd.DataFrame) -> pd.Series:
    """Roads on which every condition of ``rule`` holds."""
    mask = pd.Series(True, index=ev.index)
    c = rule.conditions
    if "highway" in c:
        mask &= ev["highway"].isin(c["highway"])
    if "min_frontage" in c:
        mask &= ev["frontage"] >= c["min_frontage"] - SHARE_TOLERANCE
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
    road_length = ev["road_length_m"] if "road_length_m" in ev else ev["length_m"]
    if "min_length_m" in c:
        mask &= road_length >= c["min_length_m"]
    if "max_length_m" in c:
        mask &= road_length <= c["max_length_m"]
    return mask


def local_grades(local: pd.DataFrame, rules: Rules) -> pd.Series:
    """The best grade of the rules that hold on each row (the default where none does).

    Parameters
    ----------
    local
        Evidence per row, as :func:`road_evidence` measures it (here: per segment, with
        the frontage and draw of the stretch around it).
    rules
        The grading rules.

    Returns
    -------
    pandas.Series
        Grade per row of ``local``.
    """
    best = pd.Series(rules.default_grade, index=local.index, dtype=int)
    for rule in rules.rules:
        fired = _condition_mask(rule, local).to_numpy(dtype=bool)
        best[fired] = np.minimum(best[fired], rule.grade)
    return best


#: condition key -> the evidence columns a reason reports for it
_EVIDENCE_COLUMNS = {
    "highway": "highway", "min_frontage": "frontage", "min_frontage_count": "frontage_count",
    "min_draw": "draw", "min_lanes": "lanes", "min_width_m": "width_m",
}


def _evidence(rule: Rule, row: Mapping[str, Any]) -> dict[str, Any]:
    """Collect the measured values behind each condition of ``rule`` on one road."""
    c = rule.conditions
    out: dict[str, Any] = {key: row[col] for key, col in _EVIDENCE_COLUMNS.items() if key in c}
    if "near" in c:
        out["near"] = (row[f"near_{rule.id}_m"], row[f"near_{rule.id}_name"])
    if "min_bus_share" in c:
        out["min_bus_share"] = (row["bus_routes"], row["bus_share"])
    if "min_length_m" in c or "max_length_m" in c:
        out["length"] = row.get("road_length_m", row["length_m"])
    return out


def _rule_grades(road_table: pd.DataFrame, rules: Rules) -> dict[Any, dict[str, Any]]:
    """Per road: the grade of the rules, the ids that set it and every reason."""
    fired: dict[str, list[tuple[int, int, Rule]]] = {r: [] for r in road_table.index}
    for order, rule in enumerate(rules.rules):
        for road_id in road_table.index[_condition_mask(rule, road_table)]:
            fired[road_id].append((rule.grade, order, rule))
    records = road_table.to_dict("index")
    rows = {}
    for road_id, hits in fired.items():
        hits.sort(key=lambda h: (h[0], h[1]))
        if hits:
            grade = hits[0][0]
            ids = [r.id for g, _, r in hits if g == grade]
            reasons = tuple(Reason("rule", g, r.id, _evidence(r, records[road_id]))
                            for g, _, r in hits)
        else:
            grade = rules.default_grade
            ids = ["default"]
            reasons = (Reason("default", grade),)
        rows[road_id] = {"key": road_id, "grade": grade, "rule_grade": grade,
                         "rules": ";".join(ids), "reasons": reasons, "overridden": False}
    return rows


def grade_roads(
    road_table: pd.DataFrame,
    rules: Rules | None = None,
    overrides: list[Override] | None = None,
) -> pd.DataFrame:
    """Grade every road by the rules; overrides win.

    Parameters
    ----------
    road_table
        Evidence per road from :func:`road_evidence`, or per section (index
        ``section_id``, with a ``road_id`` column and ``road_length_m``).
    rules
        Grading rules; the defaults if ``None``.
    overrides
        Rows of :func:`read_overrides`; their grades replace the rules' grades. A row
        may name a road (all its sections) or one section; a section's row wins.

    Returns
    -------
    pandas.DataFrame
        Indexed like ``road_table``: ``grade`` (1-4), ``rule_grade`` (what the rules
        said), ``rules`` (ids of the rules that set the grade, ``;``-separated, or
        ``default`` / ``override``), ``reasons`` (a tuple of :class:`Reason`: the
        override if any, then every rule that fired, best grade first) and
        ``overridden``.

    Raises
    ------
    InputRowError
        An override names an unknown road or section.
    """
    rules = rules or load_rules()
    rows = _rule_grades(road_table, rules)
    roads = (road_table["road_id"] if "road_id" in road_table
             else pd.Series(road_table.index, index=road_table.index))
    known = pd.Index([*rows, *roads.unique()]).unique()
    # a section's own row wins over its road's row
    chosen = {}
    for o in overrides or []:
        check_override_roads([o], known)
        if o.grade is None:
            continue
        for key in ([o.road_id] if o.road_id in rows and roads.get(o.road_id) != o.road_id
                    else roads.index[roads == o.road_id]):
            if key not in chosen or key == o.road_id:
                chosen[key] = o
    for key, o in chosen.items():
        row = rows[key]
        assert o.grade is not None
        note = Reason("override", o.grade, file=Path(o.file).name, line=o.line,
                      note=o.reason, rule_grade=row["rule_grade"])
        row.update(grade=o.grade, rules="override", reasons=(note, *row["reasons"]),
                   overridden=True)
    graded = pd.DataFrame(list(rows.values())).set_index("key")
    graded.index.name = road_table.index.name
    graded["grade"] = graded["grade"].astype(int)
    graded["rule_grade"] = graded["rule_grade"].astype(int)
    return graded
