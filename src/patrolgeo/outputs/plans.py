"""Writers of the plans stage: plan table CSV, workbook sheets, HTML plan book, segment CSV.

The plans stage (:mod:`patrolgeo.plans`) returns codes: grades ``1`` … ``4``, method
codes, patrol codes and :class:`~patrolgeo.plans.Reason` values. Every word of a plan
file (grade names, methods, reasons, headers, the plan book's text) is written here, in
the ``lang`` of the call.

Examples
--------
>>> from patrolgeo.outputs.plans import grade_label
>>> grade_label(2), grade_label(2, "en")
('二级', 'Grade 2')
"""

from __future__ import annotations

import html
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd

from patrolgeo import ATTRIBUTION
from patrolgeo.labels import check_lang, label, labels, pick
from patrolgeo.plans import GRADES, PlanResult, Reason, Rule, Rules, grade_mix

REASON_SEPARATOR = {"zh": "；", "en": "; "}
"""How the reasons of one road are joined, per language."""

#: (column, decimals) of the plan table as written
_PLAN_DIGITS = (("from_m", 0), ("to_m", 0), ("road_length_m", 1),
                ("length_m", 1), ("carriageway_m", 2), ("sidewalk_m", 2), ("area_m2", 0),
                ("frontage", 3), ("draw", 1), ("bus_share", 3), ("mech_sweep_h_day", 3),
                ("manual_sweep_h_day", 3), ("patrol_clean_h_day", 3), ("wash_h_week", 3),
                ("crew_hours_day", 3), ("crew_hours_week", 2), ("issue_load", 3),
                ("chief_patrols_week", 2), ("workload_min_week", 1))
#: (column, decimals) of the per-segment table as written
_SEGMENT_DIGITS = (("length_m", 2), ("carriageway_m", 2), ("sidewalk_m", 2), ("area_m2", 1),
                   ("frontage_m", 1), ("crew_hours_week", 3), ("chief_patrols_week", 2),
                   ("workload", 2))
#: (column, decimals) of the grade-mix sheet
_MIX_DIGITS = (("km", 2), ("share_km", 3), ("area_m2", 0), ("crew_hours_day", 1),
               ("crew_hours_week", 1), ("workload_h_week", 1))
SEGMENT_COLUMNS = ("segment_id", "road_id", "road_name", "section_id", "highway",
                   "length_m", "grade",
                   "grade_label", "carriageway_m", "sidewalk_m", "area_m2", "machine",
                   "frontage_m", "crew_hours_week", "chief_patrols_week", "workload",
                   "geometry")
"""Columns of the per-segment CSV, in order."""


def _words(lang: str) -> Callable[[str, str], str]:
    """``t(zh, en)`` picking the words of ``lang``."""
    check_lang(lang)
    return lambda zh, en: pick(zh, en, lang)


def grade_label(grade: int, lang: str = "zh") -> str:
    """Return the name of a grade: ``一级`` … ``四级`` (``Grade 1`` … in English).

    Parameters
    ----------
    grade
        1 … 4.
    lang
        ``"zh"`` or ``"en"``.

    Returns
    -------
    str
        The grade's name.
    """
    return label("grade", grade, lang)


def method_label(method: str, lang: str = "zh") -> str:
    """Return the name of a cleaning method code (see :func:`patrolgeo.plans.method_codes`).

    Examples
    --------
    >>> method_label("washing"), method_label("washing", "en")
    ('冲洗', 'washing')
    """
    return label("method", method, lang)


def methods_text(codes: str, lang: str = "zh") -> str:
    """Return the names of ``;``-separated method codes, joined as a list in ``lang``.

    Examples
    --------
    >>> methods_text("washing;patrol_cleaning", "en")
    'washing, patrol cleaning'
    """
    names = (method_label(c, lang) for c in (codes.split(";") if codes else []))
    return pick("、", ", ", lang).join(names)


def patrol_label(rules: Rules, code: str, lang: str = "zh") -> str:
    """Return the rules' name of a road chief's patrol code (e.g. ``daily``)."""
    step = rules.patrol_step(code)
    return pick(step.zh, step.en, lang)


# --------------------------------------------------------------------------- reasons


def _why(rule: Rule, ev: dict[str, Any], lang: str) -> str:
    """Put a fired rule and the evidence of each of its conditions, in words."""
    t = _words(lang)
    c = rule.conditions
    parts = []
    if "highway" in ev:
        parts.append(t(f"道路类别 {ev['highway']}", f"class {ev['highway']}"))
    if "min_frontage" in ev:
        share = ev["min_frontage"]
        parts.append(t(f"临街商铺覆盖 {share:.0%} ≥ {c['min_frontage']:.0%}",
                       f"shop frontage {share:.0%} ≥ {c['min_frontage']:.0%}"))
    if "min_frontage_count" in ev:
        n = ev["min_frontage_count"]
        parts.append(t(f"沿街商业点 {n} 处", f"{n} frontage features"))
    if "min_draw" in ev:
        draw = ev["min_draw"]
        parts.append(t(f"人流吸引 {draw:.0f}/公里 ≥ {c['min_draw']:g}",
                       f"pedestrian draw {draw:.0f}/km ≥ {c['min_draw']:g}"))
    if "near" in ev:
        d, name = ev["near"]
        parts.append(t(f"距{name} {d:.0f} 米 ≤ {c['within_m']:g} 米",
                       f"{d:.0f} m from {name} ≤ {c['within_m']:g} m"))
    if "min_bus_share" in ev:
        routes, share = ev["min_bus_share"]
        routes = routes or "?"
        parts.append(t(f"公交 {routes} 途经 {share:.0%} 路段",
                       f"bus {routes} on {share:.0%} of its length"))
    if "min_lanes" in ev:
        parts.append(t(f"车道 {ev['min_lanes']:g} 条", f"{ev['min_lanes']:g} lanes"))
    if "min_width_m" in ev:
        parts.append(t(f"路宽 {ev['min_width_m']:g} 米", f"width {ev['min_width_m']:g} m"))
    if "length" in ev:
        parts.append(t(f"长 {ev['length']:.0f} 米", f"{ev['length']:.0f} m long"))
    return t(f"{rule.zh}（{'，'.join(parts)}）", f"{rule.en} ({', '.join(parts)})")


def reason_text(reason: Reason, rules: Rules, lang: str = "zh") -> str:
    """One reason for a road's grade, in words.

    Parameters
    ----------
    reason
        From the ``reasons`` of :attr:`patrolgeo.plans.PlanResult.roads`.
    rules
        The rules the plan was made with (their rules' and grades' words).
    lang
        ``"zh"`` or ``"en"``.

    Returns
    -------
    str
        E.g. ``一级：车站、大型场馆周边道路（距贵溪站 64 米 ≤ 100 米）``.
    """
    t = _words(lang)
    grade = grade_label(reason.grade, lang)
    if reason.code == "override":
        note, was = reason.note, grade_label(reason.rule_grade, lang)
        return t(f"人工指定 {grade}（{reason.file} 第 {reason.line} 行"
                 f"{'：' + note if note else ''}），规则原定 {was}",
                 f"set to {grade} (by {reason.file} line {reason.line}"
                 f"{': ' + note if note else ''}), the rules said {was}")
    if reason.code == "default":
        return t(f"{grade}：{rules.default_zh}", f"{grade}: {rules.default_en}")
    why = _why(rules.rule(reason.rule_id or ""), dict(reason.evidence), lang)
    return t(f"{grade}：{why}", f"{grade}: {why}")


def reasons_text(reasons: Iterable[Reason], rules: Rules, lang: str = "zh") -> str:
    """Every reason of a road, joined by :data:`REASON_SEPARATOR` of ``lang``."""
    return REASON_SEPARATOR[check_lang(lang)].join(reason_text(r, rules, lang)
                                                   for r in reasons)


# --------------------------------------------------------------------------- sections


def chainage_text(metres: float) -> str:
    """A chainage (桩号) as ``K<km>+<m>``: ``K1+250`` is 1250 m from the road's start.

    Examples
    --------
    >>> chainage_text(1250.4), chainage_text(0)
    ('K1+250', 'K0+000')
    """
    m = round(metres)
    return f"K{m // 1000}+{m % 1000:03d}"


def section_text(no: int, start: str, end: str, from_m: float, to_m: float,
                 lang: str = "zh") -> str:
    """Name a section: its number, the cross streets at its ends and its chainage.

    Examples
    --------
    >>> section_text(2, "信州路", "", 350, 820)
    '第2段：信州路—终点（K0+350–K0+820）'
    >>> section_text(2, "信州路", "建设路", 350, 820, "en")
    'section 2: 信州路 to 建设路 (K0+350–K0+820)'
    >>> section_text(1, "", "", 0, 461)
    '第1段（K0+000–K0+461）'
    """
    t = _words(lang)
    span = f"{chainage_text(from_m)}–{chainage_text(to_m)}"
    if not start and not end:
        return t(f"第{no}段（{span}）", f"section {no} ({span})")
    return t(f"第{no}段：{start or '起点'}—{end or '终点'}（{span}）",
             f"section {no}: {start or 'start'} to {end or 'end'} ({span})")


# --------------------------------------------------------------------------- tables


def plan_table(result: PlanResult, lang: str = "zh") -> pd.DataFrame:
    """Return the plan table with its words: grade, method and patrol names, and the reasons.

    Parameters
    ----------
    result
        From :func:`patrolgeo.plans.plan_roads`.
    lang
        ``"zh"`` or ``"en"``.

    Returns
    -------
    pandas.DataFrame
        :attr:`PlanResult.sections` with ``section_label`` (:func:`section_text`)
        after ``section_to``, ``grade_label`` after ``grade``, ``reasons`` in words,
        ``methods_label`` after ``methods`` and ``chief_patrol_label`` after
        ``chief_patrol``.
    """
    rules = result.rules
    out = result.sections.copy()
    out["reasons"] = [reasons_text(r, rules, lang) for r in out["reasons"]]
    out.insert(out.columns.get_loc("section_to") + 1, "section_label",
               [section_text(*row, lang=lang) for row in zip(
                   out["section_no"], out["section_from"], out["section_to"], out["from_m"],
                   out["to_m"], strict=True)])
    out.insert(out.columns.get_loc("grade") + 1, "grade_label",
               [grade_label(g, lang) for g in out["grade"]])
    out.insert(out.columns.get_loc("methods") + 1, "methods_label",
               [methods_text(m, lang) for m in out["methods"]])
    out.insert(out.columns.get_loc("chief_patrol") + 1, "chief_patrol_label",
               [patrol_label(rules, c, lang) for c in out["chief_patrol"]])
    return out


def _round_table(table: pd.DataFrame) -> pd.DataFrame:
    out = table.copy()
    for col, digits in _PLAN_DIGITS:
        if col in out:
            out[col] = out[col].astype(float).round(digits)
    return out


def plan_csv_table(result: PlanResult, lang: str = "zh") -> pd.DataFrame:
    """Return the plan table as written to CSV: machine-readable columns, rounded numbers.

    Parameters
    ----------
    result
        From :func:`patrolgeo.plans.plan_roads`.
    lang
        Language of the label and reason columns.

    Returns
    -------
    pandas.DataFrame
        :func:`plan_table`, rounded.
    """
    return _round_table(plan_table(result, lang))


def segment_csv_table(result: PlanResult, lang: str = "zh") -> gpd.GeoDataFrame:
    """Per-segment grades and workloads as written to CSV (with WKT geometry).

    Parameters
    ----------
    result
        From :func:`patrolgeo.plans.plan_roads`.
    lang
        Language of ``grade_label``.

    Returns
    -------
    geopandas.GeoDataFrame
        The columns of :data:`SEGMENT_COLUMNS`, rounded.
    """
    seg = result.segments.assign(grade_label=[grade_label(g, lang)
                                              for g in result.segments["grade"]])
    if "section_id" not in seg:  # a plan made before sections
        seg["section_id"] = seg["road_id"]
    out = seg[list(SEGMENT_COLUMNS)].copy()
    for col, digits in _SEGMENT_DIGITS:
        out[col] = out[col].astype(float).round(digits)
    return out


def _headers(lang: str) -> dict[str, str]:
    return {str(k): v for k, v in labels("plan_column", lang).items()}


def plan_sheets(result: PlanResult, lang: str = "zh") -> dict[str, pd.DataFrame]:
    """Sheets of the plan workbook: a summary, then one sheet per grade.

    Headers are in ``lang``; the summary ends with the rules files used and the
    OpenStreetMap attribution.

    Parameters
    ----------
    result
        From :func:`patrolgeo.plans.plan_roads`.
    lang
        ``"zh"`` or ``"en"``.

    Returns
    -------
    dict
        Sheet name -> table, in workbook order.
    """
    t = _words(lang)
    headers = _headers(lang)
    mix = grade_mix(result.sections).reset_index()
    mix["grade"] = [grade_label(g, lang) if g in GRADES else t("合计", "total")
                    for g in mix["grade"]]
    for col, digits in _MIX_DIGITS:
        mix[col] = mix[col].astype(float).round(digits)
    mix = mix.rename(columns={**headers, "grade": t("保洁等级", "grade")})
    notes = pd.DataFrame({mix.columns[0]: [
        "", t("规则文件：", "rules: ") + " + ".join(Path(s).name for s in result.rules.sources),
        t("作业量按范围中值计算；人·时/日为一周工作量的日均值。",
          "Ranges are costed at their middle; crew-hours a day are a week's work / 7."),
        ATTRIBUTION,
    ]})
    summary = pd.concat([mix, notes], ignore_index=True)
    sheets = {t("汇总", "Summary"): summary}
    table = plan_csv_table(result, lang).drop(columns=["methods", "chief_patrol",
                                                       "rule_grade"])
    for g in GRADES:
        part = table[table["grade"] == g].rename(columns=headers)
        sheets[grade_label(g, lang)] = part.reset_index(drop=True)
    return sheets


# --------------------------------------------------------------------------- plan book

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


def _book_head(table: pd.DataFrame, result: PlanResult, title: str, lang: str) -> list[str]:
    """Render the page head, the title, the totals line and the grade-mix table."""
    esc = html.escape
    t = _words(lang)
    lines = [
        "<!DOCTYPE html>", f'<html lang="{t("zh-CN", "en")}"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{esc(title)}</title><style>{_CSS}</style></head><body><main>",
        f"<h1>{esc(title)}</h1>",
        f"<p>{t('道路', 'Roads')} {table['road_id'].nunique()} · "
        f"{t('路段', 'sections')} {len(table)} · {_fmt(table['length_m'].sum() / 1000, 2)} "
        f"{t('公里', 'km')} · {t('规则', 'rules')}: "
        f"{esc(' + '.join(Path(s).name for s in result.rules.sources))}</p>",
        f"<h2>{t('等级构成', 'Grade mix')}</h2><div class=\"scroll\"><table><tr>"
        f"<th>{t('等级', 'Grade')}</th><th>{t('道路数', 'Roads')}</th>"
        f"<th>{t('路段数', 'Sections')}</th>"
        f"<th>{t('公里', 'km')}</th><th>{t('里程占比', 'Share')}</th>"
        f"<th>{t('保洁面积(平方米)', 'Area (m²)')}</th>"
        f"<th>{t('人·时/日', 'Crew-h/day')}</th><th>{t('人·时/周', 'Crew-h/week')}</th>"
        f"<th>{t('路长工作量(小时/周)', 'Chief workload (h/week)')}</th></tr>",
    ]
    for g, row in grade_mix(table).iterrows():
        name = grade_label(g, lang) if g in GRADES else t("合计", "Total")
        link = f'<a href="#grade-{g}">{esc(name)}</a>' if g in GRADES else esc(name)
        lines.append(
            f"<tr><td>{link}</td><td class=n>{int(row['roads'])}</td>"
            f"<td class=n>{int(row['sections'])}</td>"
            f"<td class=n>{_fmt(row['km'], 2)}</td><td class=n>{row['share_km']:.0%}</td>"
            f"<td class=n>{_fmt(row['area_m2'], 0)}</td>"
            f"<td class=n>{_fmt(row['crew_hours_day'])}</td>"
            f"<td class=n>{_fmt(row['crew_hours_week'])}</td>"
            f"<td class=n>{_fmt(row['workload_h_week'])}</td></tr>")
    lines.append("</table></div>")
    peaks = esc(", ".join(str(w) for w in result.rules.machine_blackout))
    lines.append(t(f"<p>错时作业：{peaks} 禁止机械作业。</p>",
                   f"<p>Staggered work (错时作业): no machine work {peaks}.</p>"))
    return lines


def plan_book_html(result: PlanResult, *, title: str | None = None, lang: str = "zh") -> str:
    """Render the plan book: a summary by grade, then one plan per road section (路段).

    Plain HTML with inline CSS (no scripts, no network), readable on a phone; each
    section has an anchor ``#road-<n>`` in plan-table order (roads by ``road_id``, then
    along the road).

    Parameters
    ----------
    result
        From :func:`patrolgeo.plans.plan_roads`.
    title
        The page title; ``道路保洁一路一策`` (``Road cleaning plans``) if ``None``.
    lang
        ``"zh"`` or ``"en"``.

    Returns
    -------
    str
        The HTML page.
    """
    esc = html.escape
    t = _words(lang)
    title = title or t("道路保洁一路一策", "Road cleaning plans")
    table = plan_table(result, lang)
    lines = _book_head(table, result, title, lang)
    anchor = {r: n for n, r in enumerate(table["section_id"], start=1)}
    several = set(table.loc[table["road_id"].duplicated(), "road_id"])
    for g in GRADES:
        part = table[table["grade"] == g]
        roads_n = part["road_id"].nunique()
        count = t(f"{len(part)} 个路段（{roads_n} 条道路）",
                  f"{len(part)} section{'' if len(part) == 1 else 's'} of {roads_n} "
                  f"road{'' if roads_n == 1 else 's'}")
        lines.append(f'<h2 id="grade-{g}">{esc(grade_label(g, lang))} · {count}</h2>')
        if len(part):
            lines.append("<nav>" + " ".join(
                f'<a href="#road-{anchor[sid]}">{esc(str(n))}'
                f'{esc(f" #{no}") if r in several else ""}</a>'
                for sid, r, n, no in zip(part["section_id"], part["road_id"], part["road_name"],
                                         part["section_no"], strict=True)) + "</nav>")
        for row in part.itertuples(index=False):
            lines.append(_road_section(row, anchor[row.section_id], result.rules, lang))
    lines.append(f"<footer>{esc(ATTRIBUTION)} · patrolgeo</footer></main></body></html>")
    return "\n".join(lines) + "\n"


def _cleaning_cells(row: Any, rules: Rules, lang: str) -> list[tuple[str, str]]:
    """Render the rows of a road's section that say how it is cleaned."""
    esc = html.escape
    t = _words(lang)
    plan = rules.grades[row.grade]
    cells = [(t("作业方式", "Methods"), esc(row.methods_label or "—"))]
    methods = row.methods.split(";") if row.methods else []
    if "mechanical_sweeping" in methods or "manual_sweeping" in methods:
        first = (t(f"，首遍 {row.first_sweep_by} 前完成", f"; first sweep done by "
                   f"{row.first_sweep_by}") if row.first_sweep_by else "")
        cells.append((t("普扫", "Sweeping"), esc(
            t(f"每日 {row.sweeps_per_day} 遍，时段 {row.sweep_windows}{first}",
              f"{row.sweeps_per_day} a day in {row.sweep_windows}{first}"))))
    if "washing" in methods:
        cells.append((t("冲洗", "Washing"), esc(
            t(f"每周 {row.washes_per_week} 次，时段 {row.wash_windows}",
              f"{row.washes_per_week} a week in {row.wash_windows}"))))
    if "patrol_cleaning" in methods:
        cells.append((t("巡回保洁", "Patrol cleaning"), esc(
            t(f"每日 {row.patrol_cleaning_h:g} 小时（{row.patrol_windows}），"
              f"每 {plan.patrol_beat_m:g} 米 1 人",
              f"{row.patrol_cleaning_h:g} h a day ({row.patrol_windows}), one cleaner per "
              f"{plan.patrol_beat_m:g} m"))))
    if "mechanical_sweeping" in methods or "washing" in methods:
        cells.append((t("错时作业", "Off-peak machines"), esc(
            t(f"{row.machine_blackout} 禁止机械作业", f"no machines {row.machine_blackout}"))))
    cells.append((t("人工", "Crew-hours"), esc(
        t(f"{row.crew_hours_day:,.1f} 人·时/日，{row.crew_hours_week:,.1f} 人·时/周"
          f"（机扫 {row.mech_sweep_h_day:.1f}、人工普扫 {row.manual_sweep_h_day:.1f}、"
          f"巡回保洁 {row.patrol_clean_h_day:.1f} 人·时/日；冲洗 {row.wash_h_week:.1f} 人·时/周）",
          f"{row.crew_hours_day:,.1f} a day, {row.crew_hours_week:,.1f} a week "
          f"(sweepers {row.mech_sweep_h_day:.1f}, manual {row.manual_sweep_h_day:.1f}, patrol "
          f"cleaning {row.patrol_clean_h_day:.1f} a day; washing {row.wash_h_week:.1f} a week)"))))
    return cells


def _chief_cell(row: Any, lang: str) -> tuple[str, str]:
    """Render the road chief's row of a road's section."""
    esc = html.escape
    t = _words(lang)
    if row.street_part:
        return (t("路长巡查", "Road chief"), esc(t(
            "人行道或过街通道：随所属道路巡回保洁、巡查",
            "a sidewalk or crossing: patrol cleaning and patrols come with its street")))
    raised = ""
    if row.patrol_raised_by:
        raised = t(f"（问题热点，上调 {row.patrol_raised_by} 级）",
                   f" (issue hotspot: raised {row.patrol_raised_by} step"
                   f"{'s' if row.patrol_raised_by > 1 else ''})")
    return (t("路长巡查", "Road chief"), esc(
        t(f"{row.chief_patrol_label}{raised}，约 {row.workload_min_week:,.0f} 分钟/周",
          f"{row.chief_patrol_label}{raised}, about {row.workload_min_week:,.0f} min a week")))


def _road_section(row: Any, n: int, rules: Rules, lang: str) -> str:
    esc = html.escape
    t = _words(lang)
    sep = REASON_SEPARATOR[lang]
    reasons = "".join(f"<li>{esc(r)}</li>" for r in row.reasons.split(sep))
    cells: list[tuple[str, str]] = []
    cells.append((t("定级理由", "Why this grade"), f'<ul class="why">{reasons}</ul>'))
    cells.append((t("路段", "Section"), esc(row.section_label)))
    cells.append((t("道路", "Road"), esc(
        t(f"{row.highway}，本段长 {row.length_m:,.0f} 米（全长 {row.road_length_m:,.0f} 米），"
          f"{row.n_segments} 个分段；车行道约 "
          f"{row.carriageway_m:.1f} 米，人行道约 {row.sidewalk_m:.1f} 米（两侧）",
          f"{row.highway}, {row.length_m:,.0f} m of {row.road_length_m:,.0f} m in "
          f"{row.n_segments} segments; carriageway "
          f"about {row.carriageway_m:.1f} m, sidewalks about {row.sidewalk_m:.1f} m (both)"))))
    cells.append((t("保洁面积", "Area cleaned"),
                  esc(t(f"{row.area_m2:,.0f} 平方米（红线到红线）",
                        f"{row.area_m2:,.0f} m² (wall to wall)"))))
    cells.extend(_cleaning_cells(row, rules, lang))
    cells.append(_chief_cell(row, lang))
    return _section(row, n, cells)


def _section(row: Any, n: int, cells: list[tuple[str, str]]) -> str:
    esc = html.escape
    body = "".join(f"<tr><th>{esc(k)}</th><td>{v}</td></tr>" for k, v in cells)
    name = esc(str(row.road_name))
    rid = f" <small>{esc(str(row.section_id))}</small>"
    return (f'<section class="road" id="road-{n}"><h3>{name}{rid}<span class="g g{row.grade}">'
            f"{esc(row.grade_label)}</span></h3><table>{body}</table></section>")
