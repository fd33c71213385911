"""A printable route sheet: one A4 HTML page per route, readable with no network.

The page (``lang="zh-CN"`` by default) holds the route's totals (km and time at the
mode's speed), its start point, an overview map drawn as inline SVG from the route's
own geometry (no tiles, no script), the numbered steps (the numbers of the turn list,
the map and the GPX: :func:`patrolgeo.outputs.route.step_records`) and, for a road
chief, the roads in charge with their plan grades where a plan table is given. Print
CSS (``@page { size: A4 }``) keeps the table rows whole across pages.
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING, Any

import numpy as np
import shapely

from patrolgeo import ATTRIBUTION
from patrolgeo.labels import DEFAULT_LANG, check_lang, label, label_or_code
from patrolgeo.outputs.route import distance_text, step_records, way_label
from patrolgeo.routing.route import Route
from patrolgeo.routing.steps import route_steps

if TYPE_CHECKING:
    import geopandas as gpd
    import pandas as pd

__all__ = ["route_sheet"]

#: The overview map's drawing box, in SVG user units (its width; the height follows the
#: route's shape, at most :data:`SVG_MAX_HEIGHT`): about the printable width of A4.
SVG_WIDTH = 1000.0
SVG_MAX_HEIGHT = 760.0
#: Blank margin around the route in the overview, user units.
SVG_MARGIN = 24.0
#: Scale bar lengths to choose from, metres (the longest under a quarter of the width).
SCALE_BARS_M = (50, 100, 200, 500, 1000, 2000, 5000, 10000, 20000)

_CSS = """
@page { size: A4; margin: 12mm 12mm 14mm 12mm; }
body { font: 10.5pt/1.45 "Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC",
  "Microsoft YaHei", sans-serif; color: #111; margin: 0 auto; max-width: 190mm; }
h1 { font-size: 16pt; margin: 0 0 4pt; }
h2 { font-size: 12pt; margin: 10pt 0 4pt; border-bottom: 1px solid #999; }
dl.pg-facts { display: grid; grid-template-columns: max-content 1fr; gap: 1pt 10pt; margin: 0; }
dl.pg-facts dt { font-weight: bold; }
dl.pg-facts dd { margin: 0; }
svg.pg-overview { width: 100%; height: auto; border: 1px solid #ccc; }
table { border-collapse: collapse; width: 100%; }
th, td { border-bottom: 1px solid #ddd; padding: 2pt 4pt; text-align: left; vertical-align: top; }
td.pg-num, th.pg-num { text-align: right; white-space: nowrap; }
tr { break-inside: avoid; page-break-inside: avoid; }
thead { display: table-header-group; }
.pg-note { color: #555; font-size: 9pt; }
footer { margin-top: 8pt; font-size: 8.5pt; color: #555; }
@media print { a { color: inherit; text-decoration: none; } }
"""


def _words(code: str, lang: str, **values: object) -> str:
    return label("route_sheet", code, lang).format(**values)


def _duration(seconds: float, lang: str) -> str:
    minutes = round(seconds / 60)
    return _words("duration", lang, hours=minutes // 60, minutes=minutes % 60)


class _Frame:
    """Projected metres -> SVG user units (y down), keeping the aspect ratio."""

    def __init__(self, bounds: tuple[float, float, float, float]) -> None:
        x0, y0, x1, y1 = bounds
        span_x, span_y = max(x1 - x0, 1.0), max(y1 - y0, 1.0)
        inner = SVG_WIDTH - 2 * SVG_MARGIN
        self.scale = min(inner / span_x, (SVG_MAX_HEIGHT - 2 * SVG_MARGIN) / span_y)
        self.x0, self.y1 = x0, y1
        self.height = span_y * self.scale + 2 * SVG_MARGIN
        self.dx = (SVG_WIDTH - span_x * self.scale) / 2

    def xy(self, coords: np.ndarray) -> np.ndarray:
        return np.column_stack([self.dx + (coords[:, 0] - self.x0) * self.scale,
                                SVG_MARGIN + (self.y1 - coords[:, 1]) * self.scale])

    def path(self, line: Any) -> str:
        pts = self.xy(shapely.get_coordinates(line))
        return "M" + " L".join(f"{x:.1f},{y:.1f}" for x, y in pts)


def _scale_bar(frame: _Frame, lang: str) -> str:
    fits = [m for m in SCALE_BARS_M if m * frame.scale <= SVG_WIDTH / 4] or [SCALE_BARS_M[0]]
    metres = fits[-1]
    width = metres * frame.scale
    y = frame.height - 10
    return (f'<g class="pg-scale"><line x1="12" y1="{y:.1f}" x2="{12 + width:.1f}" '
            f'y2="{y:.1f}" stroke="#000" stroke-width="3"/>'
            f'<text x="12" y="{y - 5:.1f}" font-size="14">{distance_text(metres, lang)}</text>'
            f'</g><text x="{SVG_WIDTH - 20:.0f}" y="28" font-size="18" text-anchor="middle">'
            f'{_words("north", lang)}</text><path d="M{SVG_WIDTH - 20:.0f},34 l-6,14 h12 z"/>')


def overview_svg(route: Route, territory: gpd.GeoDataFrame | None = None,
                 lang: str = DEFAULT_LANG) -> str:
    """The route (and the territory under it) as an inline SVG map with step numbers.

    Parameters
    ----------
    route
        A computed route (projected CRS).
    territory
        The segments in charge, drawn wide and grey under the route (same CRS).
    lang
        Language of the scale bar and the north mark.

    Returns
    -------
    str
        An ``<svg>`` element.
    """
    lines = route.geometries()
    records = route.to_geodataframe() if len(lines) else None
    frames = [shapely.total_bounds(lines)]
    if territory is not None and len(territory):
        frames.append(territory.total_bounds)
    box = np.array(frames, dtype=float)
    frame = _Frame((box[:, 0].min(), box[:, 1].min(), box[:, 2].max(), box[:, 3].max()))
    parts = [f'<svg class="pg-overview" xmlns="http://www.w3.org/2000/svg" '
             f'viewBox="0 0 {SVG_WIDTH:.0f} {frame.height:.0f}" role="img">',
             '<rect width="100%" height="100%" fill="#fafafa"/>']
    if territory is not None and len(territory):
        d = " ".join(frame.path(g) for g in territory.geometry)
        parts.append(f'<path d="{d}" fill="none" stroke="#c9c9c9" stroke-width="7" '
                     'stroke-linecap="round"/>')
    if records is not None:
        dead = records["deadhead"].to_numpy(bool)
        for mask, style in ((dead, 'stroke="#777" stroke-dasharray="6 5"'),
                            (~dead, 'stroke="#d7301f"')):
            if mask.any():
                d = " ".join(frame.path(g) for g in lines[mask])
                parts.append(f'<path d="{d}" fill="none" {style} stroke-width="2.2" '
                             'stroke-linejoin="round"/>')
    parts.append(_step_marks(route, frame))
    parts.append(_scale_bar(frame, lang))
    parts.append("</svg>")
    return "".join(parts)


def _step_marks(route: Route, frame: _Frame) -> str:
    steps = route_steps(route)
    if not steps:
        return ""
    xy = frame.xy(np.array([[s.x, s.y] for s in steps]))
    marks = [f'<g class="pg-step" data-step="{s.n}"><circle cx="{x:.1f}" cy="{y:.1f}" r="6" '
             f'fill="#fff" stroke="#333"/><text x="{x:.1f}" y="{y + 3:.1f}" font-size="8" '
             f'text-anchor="middle">{s.n}</text></g>'
             for s, (x, y) in zip(steps, xy, strict=True)]
    x, y = xy[0]
    marks.append(f'<circle class="pg-start" cx="{x:.1f}" cy="{y:.1f}" r="9" fill="none" '
                 'stroke="#1a9641" stroke-width="4"/>')
    return "".join(marks)


def _roads_table(territory: gpd.GeoDataFrame | None, plans: pd.DataFrame | None,
                 lang: str) -> str:
    """The roads in charge: name, km, and from ``plans`` the grade, methods, patrols."""
    if territory is None or not len(territory):
        return ""
    key = "road_id" if "road_id" in territory else "road_name"
    km = territory.groupby(key, sort=False)["length_m"].sum() / 1000
    names = territory.groupby(key, sort=False)["road_name"].first() \
        if "road_name" in territory else km.index.to_series()
    plan_cols = [("grade_label", "grade"), ("methods_label", "methods"),
                 ("chief_patrol_label", "patrol")]
    have = []
    by_road: dict[str, pd.DataFrame] = {}
    if plans is not None and key in plans:
        if "grade_label" not in plans and "grade" in plans:
            # the plan stage's own table (codes): the grade words of the plans writer
            plans = plans.assign(grade_label=[label_or_code("grade", g, lang)
                                              for g in plans["grade"]])
        have = [(c, w) for c, w in plan_cols if c in plans]
        by_road = {str(k): g for k, g in plans.groupby(key, sort=False)}
    head = "".join(f"<th>{_words(w, lang)}</th>" for _, w in have)
    rows = []
    for road, length in km.sort_values(ascending=False).items():
        plan = by_road.get(str(road))
        cells = "".join(
            "<td>" + html.escape("、".join(dict.fromkeys(
                str(v) for v in plan[c].dropna()))) + "</td>" if plan is not None
            else "<td></td>" for c, _ in have)
        rows.append(f"<tr><td>{html.escape(str(names.get(road, road)))}</td>"
                    f'<td class="pg-num">{length:.2f}</td>{cells}</tr>')
    note = "" if plans is not None else f'<p class="pg-note">{_words("no_plan", lang)}</p>'
    return (f"<h2>{_words('roads', lang)}</h2>{note}<table class=\"pg-roads\"><thead><tr>"
            f"<th>{_words('road', lang)}</th><th class=\"pg-num\">{_words('km', lang)}</th>"
            f"{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>")


def _steps_table(records: list[dict[str, Any]], lang: str) -> str:
    rows = "".join(
        f'<tr data-step="{r["n"]}"><td class="pg-num">{r["n"]}</td>'
        f"<td>{html.escape(r['text'])}</td>"
        f'<td class="pg-num">{distance_text(r["distance_m"], lang)}</td>'
        f'<td class="pg-num">{distance_text(r["cumulative_m"], lang)}</td>'
        f'<td class="pg-num">{_words("minutes", lang, m=r["time_s"] / 60)}</td></tr>'
        for r in records)
    head = "".join(f'<th{" class=pg-num" if w != "instruction" else ""}>{_words(w, lang)}</th>'
                   for w in ("n", "instruction", "distance", "cumulative", "at_time"))
    return (f"<h2>{_words('steps', lang)}</h2><table class=\"pg-steps\"><thead><tr>{head}"
            f"</tr></thead><tbody>{rows}</tbody></table>")


def route_sheet(route: Route, *, chief: str | None = None,
                territory: gpd.GeoDataFrame | None = None,
                plans: pd.DataFrame | None = None, lang: str = DEFAULT_LANG) -> str:
    """The printable A4 route sheet of a route, as one self-contained HTML page.

    Parameters
    ----------
    route
        A computed route.
    chief
        The road chief's id (in the title), if the route is a chief's.
    territory
        The chief's segments (``road_id`` or ``road_name``, ``length_m``, geometry in the
        route's CRS): drawn under the route and listed as the roads in charge.
    plans
        A plan table (``plans.csv``: ``road_id`` and ``grade`` / ``grade_label``,
        ``methods_label``, ``chief_patrol_label``, one row per section) for the grades
        of the roads in charge; without it the list says no plan was given.
    lang
        ``"zh"`` (default) or ``"en"``.

    Returns
    -------
    str
        The HTML document.
    """
    check_lang(lang)
    records = step_records(route, lang)
    title = _words("chief_title", lang, chief=chief) if chief else _words("title", lang)
    km = route.total_length_m / 1000
    start = ""
    if records:
        first = route_steps(route)[0]
        start = _words("start_at", lang, road=way_label(first.way, lang),
                       lat=records[0]["lat"], lon=records[0]["lon"])
    facts = [
        (_words("total", lang), _words("summary_line", lang, km=km, steps=len(records))),
        (_words("time", lang), _duration(route.duration_s, lang)
         + _words("speed", lang, kmh=route.speed_mps * 3.6)),
        (_words("start", lang), start),
    ]
    dl = "".join(f"<dt>{html.escape(k)}</dt><dd>{html.escape(v)}</dd>" for k, v in facts)
    html_lang = "zh-CN" if lang == "zh" else "en"
    credit = label("route_text", "attribution", lang).format(attribution=ATTRIBUTION)
    return (
        f'<!DOCTYPE html>\n<html lang="{html_lang}"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width,initial-scale=1">'
        f"<title>{html.escape(title)}</title><style>{_CSS}</style></head><body>"
        f"<h1>{html.escape(title)}</h1>"
        f'<dl class="pg-facts" data-total-km="{km:.3f}">{dl}</dl>'
        f"<h2>{_words('overview', lang)}</h2>{overview_svg(route, territory, lang)}"
        f'<p class="pg-note">{_words("legend", lang)}</p>'
        f"{_steps_table(records, lang)}{_roads_table(territory, plans, lang)}"
        f"<footer>{html.escape(credit)}</footer></body></html>\n"
    )
