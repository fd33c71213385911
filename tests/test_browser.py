"""The packaged demo in a real browser: phone and desktop, no network, Chinese glyphs, steps.

`patrolgeo demo` runs once into a temporary folder (the quick start, from a fresh clone);
every HTML page it writes is opened once per viewport in one Chromium with every request
but file:// blocked, and what the tests need is read from the page in that visit. Each
visit leaves a screenshot under tests/artifacts (or ``$PATROLGEO_ARTIFACTS``).
``$PATROLGEO_DEMO_ARGS`` adds options to the demo run (``--offline``, ``--lang en``) to
tell a default that breaks a page from the page itself.
"""

from __future__ import annotations

import json
import math
import os
import re
import shlex
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from browser import (
    COUNT_LAYERS_JS,
    DESKTOP,
    VIEWPORTS,
    PageReport,
    artifacts_dir,
    chromium,
    fontconfig_without_cjk,
    missing_glyphs,
    offline_page,
    offline_pages,
)
from patrolgeo.cli import app

# A road of the demo district that a chief walks and the turn list names (信州路, Guixi's
# main street); the label tests look for it on the map itself.
ROAD = "信州路"
# The phone target: the map keeps at least this share of a 390x844 screen.
MIN_MAP_SHARE = 0.60
# ... and at least this share of the map's line vertices on that screen are not under a
# panel or control: a closed legend or bottom sheet hides a corner, not the route.
MIN_OVERLAY_UNCOVERED = 0.75
# Two panels (controls, banners, lists) overlap when they share a box wider and taller than
# this (CSS px): a strip thinner than a line of 12 px text is a border or shadow touching.
MAX_OVERLAP = 8
# A page is a map page when its map spans at least half the desktop screen; a printable
# sheet's overview map or an index thumbnail does not, and the phone rules are not for it.
MAP_PAGE_BOX = 0.5
# Grid of sample points for the map's share of the screen (columns x rows): 2 % steps.
SHARE_GRID = (20, 50)
# GPX route points and PATROLGEO_STEPS must name the same places: within a metre or two.
STEP_POSITION_M = 2.0
# A Chinese page has more Chinese characters than a stray name in an English one.
MIN_HAN = 10
# Pages loading at once (each its own context and renderer): two pages, both viewports.
PARALLEL_PAGES = 4
GPX = {"g": "http://www.topografix.com/GPX/1/1"}

# What one visit reads from the page: language, legends, map share of the screen (points
# of a grid whose topmost element is the map and not a control or a panel over it), and
# the step hooks of the contract (window.PATROLGEO_STEPS, <ol id="pg-steps">, step options).
VISIT_JS = """
([cols, rows, OVERLAP]) => {
  const out = {lang: document.documentElement.lang, leaflet: typeof L !== 'undefined'};
  out.legends = [...document.querySelectorAll('.pg-legend')].map(el => ({
    tag: el.tagName.toLowerCase(), open: el.tagName === 'DETAILS' ? el.open : null}));
  out.painted = document.querySelectorAll(
    '.leaflet-overlay-pane path, .leaflet-overlay-pane canvas, .leaflet-marker-pane > *').length;
  const frame = document.querySelector('.folium-map, .leaflet-container');
  out.map_box = null;  // share of the screen the map's own element spans
  if (frame) {
    const r = frame.getBoundingClientRect();
    const w = Math.max(0, Math.min(r.right, innerWidth) - Math.max(r.left, 0));
    const h = Math.max(0, Math.min(r.bottom, innerHeight) - Math.max(r.top, 0));
    out.map_box = w * h / (innerWidth * innerHeight);
  }
  // panels over the map: Leaflet controls and fixed or body-level boxes outside the map
  const shown = el => { const r = el.getBoundingClientRect(); const st = getComputedStyle(el);
    return r.width > 0 && r.height > 0 && st.visibility !== 'hidden' && st.display !== 'none'; };
  const panels = [...document.querySelectorAll('.leaflet-control, body *')].filter(el => {
    if (!shown(el) || (frame && (el.contains(frame) || frame.contains(el))
                       && !el.matches('.leaflet-control'))) return false;
    const pos = getComputedStyle(el).position;
    return el.matches('.leaflet-control') || pos === 'fixed'
      || (pos === 'absolute' && el.parentElement === document.body);
  }).filter((el, _, all) => !all.some(o => o !== el && o.contains(el)));
  const name = el => el.className && typeof el.className === 'string'
    ? el.className.split(' ')[0] : el.tagName.toLowerCase();
  out.overlaps = [];
  for (let i = 0; i < panels.length; i++) for (let j = i + 1; j < panels.length; j++) {
    const a = panels[i].getBoundingClientRect(), b = panels[j].getBoundingClientRect();
    const w = Math.min(a.right, b.right) - Math.max(a.left, b.left);
    const h = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
    if (w > OVERLAP && h > OVERLAP) {
      out.overlaps.push([name(panels[i]), name(panels[j]), `${Math.round(w)}x${Math.round(h)}`]);
    }
  }
  out.expanded_layer_lists = document.querySelectorAll('.leaflet-control-layers-expanded').length;
  const map = document.querySelector('.leaflet-container');
  out.map_share = null;
  if (map) {
    let hits = 0;
    for (let i = 0; i < cols; i++) for (let j = 0; j < rows; j++) {
      const el = document.elementFromPoint((i + 0.5) * innerWidth / cols,
                                           (j + 0.5) * innerHeight / rows);
      if (el && map.contains(el) && !el.closest('.leaflet-control')) hits += 1;
    }
    out.map_share = hits / (cols * rows);
  }
  out.overlay = null;  // vertices of the map's lines on screen, and how many nothing covers
  if (map && typeof L !== 'undefined') {
    const box = map.getBoundingClientRect();
    const topmost = (x, y) => {
      const el = document.elementFromPoint(x, y);
      return el !== null && map.contains(el) && !el.closest('.leaflet-control');
    };
    let onScreen = 0, uncovered = 0;
    for (const k of Object.keys(window)) {
      if (!k.startsWith('map_') || !(window[k] instanceof L.Map)) continue;
      const m = window[k];
      m.eachLayer(l => {
        if (!(l instanceof L.Polyline)) return;
        for (const at of l.getLatLngs().flat(3)) {
          const p = m.latLngToContainerPoint(at);
          const x = box.left + p.x, y = box.top + p.y;
          if (x < 0 || y < 0 || x >= innerWidth || y >= innerHeight) continue;
          onScreen += 1;
          if (topmost(x, y)) uncovered += 1;
        }
      });
    }
    out.overlay = {on_screen: onScreen, uncovered};
  }
  out.steps = window.PATROLGEO_STEPS === undefined ? null
    : window.PATROLGEO_STEPS.map(s => ({n: s.n, lat: s.lat, lon: s.lon, distance_m: s.distance_m}));
  const list = document.getElementById('pg-steps');
  out.list = list === null ? null
    : [...list.querySelectorAll(':scope > li')].map(li => li.dataset.step ?? null);
  out.markers = []; out.lines = [];
  if (out.leaflet) {
    for (const k of Object.keys(window)) {
      if (!k.startsWith('map_') || !(window[k] instanceof L.Map)) continue;
      window[k].eachLayer(l => {
        const n = l.options ? l.options.step : undefined;
        if (n === undefined) return;
        if (l instanceof L.Polyline) out.lines.push(n);
        else if (l instanceof L.CircleMarker || l instanceof L.Marker) out.markers.push(n);
      });
    }
  }
  return out;
}
"""

# Open the map's own label for a road: fire a click and a hover on the first feature
# whose properties name it (popups and tooltips bound to a GeoJSON layer open for it).
OPEN_ROAD_LABEL_JS = """
(road) => {
  for (const k of Object.keys(window)) {
    if (!k.startsWith('map_') || !(window[k] instanceof L.Map)) continue;
    let found = null;
    window[k].eachLayer(l => {
      if (found === null && l.feature && JSON.stringify(l.feature.properties).includes(road)
          && l.getCenter) found = l;
    });
    if (found !== null) {
      const at = found.getCenter();
      found.fire('click', {latlng: at}, true);  // true: on to the layer the label is bound to
      found.fire('mouseover', {latlng: at}, true);
      return true;
    }
  }
  return false;
}
"""
# The page's text as a reader gets it, closed panels included, scripts and styles left out.
PAGE_TEXT_JS = """
() => {
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  let text = '';
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const parent = node.parentElement;
    if (parent && !['SCRIPT', 'STYLE', 'NOSCRIPT'].includes(parent.tagName)) text += node.data;
  }
  return text;
}
"""
LABEL_SELECTOR = ".leaflet-popup-content, .leaflet-tooltip"


@dataclass
class Visit:
    page: str  # path relative to the demo folder
    viewport: str
    report: PageReport
    info: dict[str, Any]
    counts: dict[str, int] | None
    han: int  # Chinese characters in the page's text
    missing: dict[str, list[str]]
    screenshot: Path


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("browser") / "demo"
    extra = shlex.split(os.environ.get("PATROLGEO_DEMO_ARGS", ""))
    result = CliRunner().invoke(app, ["demo", "--out", str(out), *extra])
    assert result.exit_code == 0, result.output
    return out


@pytest.fixture(scope="module")
def pages(demo) -> list[str]:
    found = sorted(p.relative_to(demo).as_posix() for p in demo.rglob("*.html"))
    assert "index.html" in found and any(Path(p).name.startswith("chief_") for p in found)
    return found


@pytest.fixture(scope="module")
def browser():
    with chromium() as b:
        yield b


def _read(demo: Path, page_name: str, viewport: str, page, report: PageReport) -> Visit:
    shot = artifacts_dir() / viewport / (page_name.replace("/", "__").removesuffix(".html")
                                         + ".jpg")
    shot.parent.mkdir(parents=True, exist_ok=True)
    info = page.evaluate(VISIT_JS, [*SHARE_GRID, MAX_OVERLAP])
    counts = page.evaluate(COUNT_LAYERS_JS) if info["leaflet"] else None
    han = sum(1 for ch in page.evaluate(PAGE_TEXT_JS) if "\u4e00" <= ch <= "\u9fff")
    missing = missing_glyphs(page) if han else {}
    # JPEG: a 1170x2532 phone shot encodes in half the time of a PNG, and reads the same
    page.screenshot(path=str(shot), type="jpeg", quality=80)
    return Visit(page_name, viewport, report, info, counts, han, missing, shot)


@pytest.fixture(scope="module")
def visits(browser, demo, pages) -> dict[tuple[str, str], Visit]:
    wanted = [(p, v) for p in pages for v in VIEWPORTS]
    found = {}
    for i in range(0, len(wanted), PARALLEL_PAGES):
        batch = wanted[i:i + PARALLEL_PAGES]
        with offline_pages(browser, [(demo / p, VIEWPORTS[v]) for p, v in batch],
                           allow_tiles=True) as opened:
            for (p, v), (page, report) in zip(batch, opened, strict=True):
                found[p, v] = _read(demo, p, v, page, report)
    return found


def _is_map(demo: Path, page: str) -> bool:
    """A page that draws a Leaflet map, told from its source (even when Leaflet fails)."""
    return "L.map(" in (demo / page).read_text(encoding="utf-8")


def _map_pages(visits, demo: Path, viewport: str) -> list[Visit]:
    """Visits of the pages that are a map (not a sheet or index with a small map in it)."""
    return [v for v in _by_viewport(visits, viewport) if _is_map(demo, v.page)
            and (visits[v.page, "desktop"].info["map_box"] or 0) >= MAP_PAGE_BOX]


def _by_viewport(visits, viewport):
    return [v for (_, vp), v in visits.items() if vp == viewport]


def _errors(report: PageReport) -> str:
    hosts = sorted({re.sub(r"^(\w+://[^/]+).*", r"\1", u) for u in report.blocked_assets})
    return (f"page errors {report.page_errors[:3]}; {len(report.console_errors)} console "
            f"errors {report.console_errors[:2]}; {len(report.blocked_assets)} scripts/styles/"
            f"fonts asked from {hosts}")


# ---- every page, both viewports ---------------------------------------------------------

@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_pages_open_with_no_network_and_no_errors(visits, viewport):
    bad = {v.page: _errors(v.report) for v in _by_viewport(visits, viewport)
           if v.report.console_errors or v.report.page_errors or v.report.blocked_assets}
    assert bad == {}


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_maps_draw_their_overlays_with_no_network(visits, demo, viewport):
    maps = [v for v in _by_viewport(visits, viewport) if _is_map(demo, v.page)]
    assert len(maps) >= 3  # segments, territories, chiefs at least
    bad = {}
    for v in maps:
        c = v.counts
        overlays = 0 if c is None else c["polylines"] + c["circles"] + c["markers"]
        if c is None or c["maps"] < 1 or overlays == 0 or v.info["painted"] == 0:
            bad[v.page] = {"leaflet": v.info["leaflet"], "layers": c,
                           "painted": v.info["painted"]}
    assert bad == {}


def test_pages_declare_their_language(visits):
    # the language picks the Chinese glyph forms (zh-CN, not a Japanese fallback)
    langs = {v.page: v.info["lang"] for v in _by_viewport(visits, "desktop")}
    assert {p: lang for p, lang in langs.items() if lang not in ("zh-CN", "en")} == {}


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_chinese_text_renders_with_real_glyphs(visits, viewport):
    boxes = {v.page: v.missing for v in _by_viewport(visits, viewport) if v.missing}
    assert boxes == {}, "Chinese characters render as boxes"


def test_pages_are_in_chinese_by_default(visits):
    if "en" in os.environ.get("PATROLGEO_DEMO_ARGS", ""):
        pytest.skip("the demo runs in English here ($PATROLGEO_DEMO_ARGS)")
    # and so the glyph check above had Chinese to look at on every page
    assert [v.page for v in visits.values() if v.han < MIN_HAN] == []


def test_screenshots_kept_as_artefacts(visits, browser, tmp_path):
    blank = tmp_path / "blank.html"
    blank.write_text('<!DOCTYPE html><html lang="zh-CN"><body></body></html>', encoding="utf-8")
    empty = {}
    for viewport, options in VIEWPORTS.items():
        with offline_page(browser, blank, options) as (page, _):
            empty[viewport] = len(page.screenshot(type="jpeg", quality=80))
    for v in visits.values():
        # an empty page of that screen compresses to a few kilobytes; a drawn map does not
        assert v.screenshot.stat().st_size > 3 * empty[v.viewport], (v.screenshot, empty)


# ---- phone layout -----------------------------------------------------------------------

def test_phone_map_keeps_most_of_the_screen(visits, demo):
    shares = {v.page: v.info["map_share"] for v in _map_pages(visits, demo, "phone")}
    assert len(shares) >= 3
    small = {p: s for p, s in shares.items() if s is None or s < MIN_MAP_SHARE}
    assert small == {}, f"map share of a 390x844 screen below {MIN_MAP_SHARE:.0%}"


def test_phone_panels_leave_the_overlays_visible(visits, demo):
    # a panel over the route is the complaint: the lines must show on the phone
    seen = {v.page: v.info["overlay"] for v in _map_pages(visits, demo, "phone")}
    assert len(seen) >= 3
    hidden = {p: o for p, o in seen.items() if o is None or o["on_screen"] == 0
              or o["uncovered"] < MIN_OVERLAY_UNCOVERED * o["on_screen"]}
    assert hidden == {}, f"under {MIN_OVERLAY_UNCOVERED:.0%} of the lines on screen show"


def test_phone_layer_lists_are_collapsed(visits, demo):
    # Leaflet's own layer list, open on a phone, covers the map (the hotspot map's today)
    assert {v.page: v.info["expanded_layer_lists"] for v in _map_pages(visits, demo, "phone")
            if v.info["expanded_layer_lists"]} == {}


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_panels_do_not_overlap(visits, viewport):
    # a banner under the layer list, a panel over the zoom buttons: both unreadable
    assert {v.page: v.info["overlaps"] for v in _by_viewport(visits, viewport)
            if v.info["overlaps"]} == {}


def test_phone_legends_are_closed(visits):
    legends = {v.page: v.info["legends"] for v in _by_viewport(visits, "phone")}
    if not any(legends.values()):
        pytest.skip("no .pg-legend in any demo page yet (the maps helper adds them)")
    bad = {p: ls for p, ls in legends.items()
           if any(item["tag"] != "details" or item["open"] for item in ls)}
    assert bad == {}, "legends must be <details>, closed on a narrow screen"


# ---- labels on the map ------------------------------------------------------------------

def test_road_names_on_the_map_render_with_real_glyphs(browser, demo, pages):
    chief = next((p for p in pages if Path(p).name.startswith("chief_")
                  and ROAD in (demo / p).read_text(encoding="utf-8")), None)
    assert chief is not None, f"no chief map names {ROAD}"
    with offline_page(browser, demo / chief, DESKTOP, allow_tiles=True) as (page, _):
        assert page.evaluate("typeof L") != "undefined", f"{chief}: Leaflet did not load"
        assert page.evaluate(OPEN_ROAD_LABEL_JS, ROAD), f"{chief}: no feature names {ROAD}"
        page.wait_for_selector(LABEL_SELECTOR, timeout=2_000)
        labels = page.locator(LABEL_SELECTOR).all_inner_texts()
        assert any(ROAD in text for text in labels), labels
        assert missing_glyphs(page, ROAD, selector=LABEL_SELECTOR) == {}
        assert missing_glyphs(page) == {}  # the open label, the panel, the legend
        page.screenshot(path=str(artifacts_dir() / "desktop" / "road_label.png"))


def _boxes(missing: dict[str, list[str]]) -> set[str]:
    return {ch for chars in missing.values() for ch in chars}


def test_tofu_check_fails_without_a_cjk_font(tmp_path, browser, demo, pages):
    # Chromium restricted by fontconfig to one font with no Chinese glyphs, as on a CI
    # machine without fonts-noto-cjk: the check must report boxes, for plain text and for
    # the demo's own labels, and still see real glyphs for Latin letters.
    page_file = tmp_path / "page.html"
    page_file.write_text(f'<!DOCTYPE html><html lang="zh-CN"><body><p id="zh">{ROAD} 路长</p>'
                         '<p id="en">Road chief</p></body></html>', encoding="utf-8")
    chief = next(p for p in pages if Path(p).name.startswith("chief_"))
    with chromium(env=fontconfig_without_cjk(tmp_path), beside=browser) as bare:
        with offline_page(bare, page_file, DESKTOP) as (page, _):
            assert _boxes(missing_glyphs(page)) == set(ROAD + "路长")
            assert _boxes(missing_glyphs(page, ROAD, selector="#zh")) == set(ROAD)
            assert missing_glyphs(page, "Road", selector="#en", only_han=False) == {}
            page.screenshot(path=str(artifacts_dir() / "tofu_without_cjk_font.png"))
        with offline_page(bare, demo / chief, DESKTOP, allow_tiles=True) as (page, _):
            han = {ch for ch in page.evaluate(PAGE_TEXT_JS) if "\u4e00" <= ch <= "\u9fff"}
            assert han, f"{chief} has no Chinese text"
            assert han <= _boxes(missing_glyphs(page))


def test_tofu_check_sees_glyphs_with_the_cjk_font(tmp_path, browser):
    # the same page with the machine's fonts: no boxes, while a code point no font has is one
    page_file = tmp_path / "page.html"
    page_file.write_text(f'<!DOCTYPE html><html lang="zh-CN"><body><p id="zh">{ROAD}</p>'
                         '<p id="pua">\ue001</p></body></html>', encoding="utf-8")
    with offline_page(browser, page_file, DESKTOP) as (page, _):
        assert missing_glyphs(page, ROAD, selector="#zh") == {}
        assert _boxes(missing_glyphs(page, "\ue001", selector="#pua", only_han=False)) == {
            "\ue001"}


# ---- step numbers: map = list = GPX -----------------------------------------------------

def _gpx_route_numbers(gpx: Path) -> list[tuple[int | None, float, float]]:
    root = ET.parse(gpx).getroot()
    points = []
    for pt in root.findall("g:rte/g:rtept", GPX):
        name = pt.findtext("g:name", default="", namespaces=GPX)
        m = re.match(r"\s*(\d+)\.", name)
        points.append((int(m.group(1)) if m else None, float(pt.get("lat", "nan")),
                       float(pt.get("lon", "nan"))))
    return points


def _metres(lat1, lon1, lat2, lon2) -> float:
    k = 6_371_000 * math.pi / 180
    return math.hypot((lat2 - lat1) * k, (lon2 - lon1) * k * math.cos(math.radians(lat1)))


def _step_disagreements(info: dict[str, Any], gpx: Path) -> list[str]:
    """What disagrees between a page's steps, its list, its map layers and its GPX."""
    numbers = [s["n"] for s in info["steps"]]
    problems = []
    if numbers != list(range(1, len(numbers) + 1)):
        problems.append(f"PATROLGEO_STEPS numbers are not 1..N: {numbers[:20]}")
    items = info["list"]
    if items is None or [int(x) if x and x.isdigit() else x for x in items] != numbers:
        problems.append(f"<ol id=pg-steps> items {None if items is None else items[:20]} "
                        f"!= steps {numbers[:20]}")
    lines, markers = set(info["lines"]), set(info["markers"])
    walked = {s["n"] for s in info["steps"] if (s.get("distance_m") or 0) > 0}
    # every piece and marker belongs to a step; every step that covers ground has a piece
    if not lines or not lines | markers <= set(numbers) or not walked <= lines:
        problems.append(f"map step options: lines {sorted(lines)[:20]}, markers "
                        f"{sorted(markers)[:20]}, steps 1..{len(numbers)}")
    route = _gpx_route_numbers(gpx) if gpx.exists() else None
    if route is None or [n for n, _, _ in route] != numbers:
        problems.append(f"GPX {gpx.name} <rtept> numbers "
                        f"{None if route is None else [n for n, _, _ in route][:20]}")
    elif any(_metres(s["lat"], s["lon"], lat, lon) > STEP_POSITION_M
             for s, (_, lat, lon) in zip(info["steps"], route, strict=True)):
        problems.append(f"GPX {gpx.name} route points are not at the steps")
    return problems


def test_step_numbers_agree_on_map_list_and_gpx(visits, demo):
    chiefs = [v for v in _by_viewport(visits, "desktop") if Path(v.page).name.startswith("chief_")
              and (demo / v.page).with_suffix(".gpx").exists()]
    assert chiefs
    with_steps = [v for v in chiefs if v.info["steps"] is not None]
    if not with_steps:
        pytest.skip("no chief map defines window.PATROLGEO_STEPS yet (the steps helper adds it)")
    bad = {v.page: (["window.PATROLGEO_STEPS undefined"] if v.info["steps"] is None
                    else _step_disagreements(v.info, (demo / v.page).with_suffix(".gpx")))
           for v in chiefs}
    assert {p: probs for p, probs in bad.items() if probs} == {}


def test_step_list_has_the_same_numbers_on_the_phone(visits):
    # the bottom sheet on the phone is the same list, not a shortened copy
    pairs = [(visits[p, "desktop"], v) for (p, vp), v in visits.items() if vp == "phone"]
    if not any(d.info["list"] is not None for d, _ in pairs):
        pytest.skip("no <ol id=pg-steps> in any demo page yet (the steps helper adds it)")
    assert {d.page: (d.info["list"], p.info["list"]) for d, p in pairs
            if d.info["list"] != p.info["list"] or d.info["steps"] != p.info["steps"]} == {}


# The step check itself, on a small page built to the contract: it passes when the hooks
# agree and names each disagreement (the list, the map, the GPX numbers and places).
STEP_CASES = {
    "agree": ({}, None),
    "list": ({"items": [1, 3, 2]}, "<ol id=pg-steps>"),
    "map": ({"markers": [1, 2, 4]}, "map step options"),
    "lines": ({"lines": [1, 2]}, "map step options"),
    "gpx": ({"gpx": [1, 2, 2]}, "<rtept> numbers"),
    "place": ({"shift_m": 50.0}, "route points are not at the steps"),
}


def _contract_page(folder: Path, *, items=(1, 2, 3), markers=(1, 2, 3), lines=(1, 2, 3),
                   gpx=(1, 2, 3), shift_m=0.0) -> Path:
    import folium

    from patrolgeo.outputs import maps

    steps: list[dict[str, Any]] = [
        {"n": n, "text": f"第{n}步", "distance_m": 100.0, "cumulative_m": 100.0 * n,
         "time_s": 80.0 * n, "lat": 28.30 + 0.001 * n, "lon": 117.20} for n in (1, 2, 3)]
    fmap = folium.Map(location=[28.302, 117.20], zoom_start=16, tiles=None)
    name = fmap.get_name()
    at = {s["n"]: [s["lat"], s["lon"]] for s in steps}
    js = [f"window.PATROLGEO_STEPS = {json.dumps(steps)};"]
    js += [f"L.circleMarker({at.get(n, at[3])}, {{step: {n}}}).addTo({name});" for n in markers]
    js += [f"L.polyline([{at[n]}, [{at[n][0] + 0.001}, {at[n][1]}]], {{step: {n}}}).addTo({name});"
           for n in lines]
    figure: Any = fmap.get_root()  # a branca Figure, typed as an Element
    # after folium's own script has made the map
    figure.script.add_child(folium.Element(
        "window.addEventListener('load', () => {" + "\n".join(js) + "});"))
    figure.html.add_child(folium.Element(
        '<ol id="pg-steps">' + "".join(f'<li data-step="{n}">{n}</li>' for n in items) + "</ol>"))
    page = maps.save_map(fmap, folder / "chief_T.html", offline=True)
    shift = shift_m / 111_000
    points = "".join(f'<rtept lat="{s["lat"] + shift}" lon="{s["lon"]}"><name>{n}. {s["text"]}'
                     "</name></rtept>" for s, n in zip(steps, gpx, strict=True))
    (folder / "chief_T.gpx").write_text(
        f'<?xml version="1.0"?><gpx version="1.1" xmlns="{GPX["g"]}"><rte>{points}</rte>'
        "<trk><trkseg/></trk></gpx>", encoding="utf-8")
    return page


@pytest.mark.parametrize("case", list(STEP_CASES))
def test_step_check_names_each_disagreement(tmp_path, browser, case):
    change, expected = STEP_CASES[case]
    page_file = _contract_page(tmp_path, **change)
    with offline_page(browser, page_file, DESKTOP) as (page, report):
        info = page.evaluate(VISIT_JS, [*SHARE_GRID, MAX_OVERLAP])
    assert report.page_errors == [] and info["steps"] is not None
    problems = _step_disagreements(info, page_file.with_suffix(".gpx"))
    if expected is None:
        assert problems == []
    else:
        assert len(problems) == 1 and expected in problems[0], problems
