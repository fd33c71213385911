"""Maps: content, basemaps and datum, offline bundling, size, and a real browser."""

from __future__ import annotations

import itertools
import json
import re
import sys
from html.parser import HTMLParser

import geopandas as gpd
import numpy as np
import pandas as pd
import prcoords
import pytest
import shapely

from browser import COUNT_LAYERS_JS, open_offline
from conftest import REPO
from patrolgeo.errors import ConfigError
from patrolgeo.outputs import maps

sys.path.insert(0, str(REPO / "bench"))
from map_sizes import grid_segments


def test_gcj02_matches_an_independent_implementation(guixi_segments):
    pts = guixi_segments.to_crs(4326).geometry.representative_point()
    lon, lat = maps.wgs84_to_gcj02(pts.x.values, pts.y.values)
    for x, y, gx, gy in zip(pts.x.values[:50], pts.y.values[:50], lon[:50], lat[:50],
                            strict=True):
        ref = prcoords.wgs_gcj(prcoords.Coords(y, x))
        assert abs(ref.lat - gy) < 1e-6 and abs(ref.lon - gx) < 1e-6
    # in Jiangxi the datum shift is a few hundred metres
    shift_m = np.hypot((lon - pts.x.values) * 96_000, (lat - pts.y.values) * 111_000)
    assert shift_m.min() > 200 and shift_m.max() < 800


def test_gcj02_leaves_points_outside_china(helsinki_walk_segments):
    pts = helsinki_walk_segments.to_crs(4326).geometry.representative_point()
    lon, lat = maps.wgs84_to_gcj02(pts.x.values, pts.y.values)
    assert np.array_equal(lon, pts.x.values) and np.array_equal(lat, pts.y.values)


def test_amap_overlays_are_shifted_osm_overlays_are_not(guixi_segments, tmp_path):
    osm = maps.display_geojson(guixi_segments, ["segment_id"], basemap="osm", tolerance_m=0)
    amap = maps.display_geojson(guixi_segments, ["segment_id"], basemap="amap", tolerance_m=0)
    first_osm = np.array(osm["features"][0]["geometry"]["coordinates"][0])
    first_amap = np.array(amap["features"][0]["geometry"]["coordinates"][0])
    wgs = np.array(guixi_segments.to_crs(4326).geometry.iloc[0].coords[0])
    assert np.allclose(first_osm, wgs, atol=1e-5)
    assert not np.allclose(first_amap, wgs, atol=1e-3)
    html = maps.render_map(maps.segments_map(guixi_segments, basemap="amap"))
    assert "autonavi.com" in html
    found = re.findall(r'"attribution": "((?:[^"\\]|\\.)*)"', html)
    attributions = [json.loads(f'"{m}"') for m in found]
    assert any("OpenStreetMap</a> contributors" in a for a in attributions), attributions


def test_map_is_deterministic(guixi_segments):
    a = maps.render_map(maps.segments_map(guixi_segments))
    b = maps.render_map(maps.segments_map(guixi_segments))
    assert a == b


class _Refs(HTMLParser):
    """Every script, style sheet, font and image a page asks the network for."""

    def __init__(self):
        super().__init__()
        self.external, self.inline_scripts, self.styles = [], [], []
        self._in = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        url = a.get("src") if tag in ("script", "img", "iframe") else a.get("href")
        if tag in ("script", "img", "iframe", "link") and url and _REMOTE.match(url):
            self.external.append((tag, url))
        self._in = tag if tag in ("script", "style") else None

    def handle_data(self, data):
        if self._in == "script":
            self.inline_scripts.append(data)
        elif self._in == "style":
            self.styles.append(data)

    def handle_endtag(self, tag):
        self._in = None


_REMOTE = re.compile(r"(https?:)?//")


def _references(html):
    parser = _Refs()
    parser.feed(html)
    # style sheets may fetch through @import or url(); fonts arrive that way
    for css in parser.styles:
        parser.external += [("css", u) for u in re.findall(
            r"""(?:@import\s+|url\(\s*)["']?((?:https?:)?//[^"')\s]+)""", css)]
    return parser


def _every_kind_of_map(segments, G, **view):
    """One map of every kind, drawn with ``view`` (the defaults when empty)."""
    mid = segments.geometry.interpolate(0.5, normalized=True)
    seg = segments.assign(chief_id=np.where(mid.x < mid.x.median(), "A", "B"),
                          grade=np.arange(len(segments)) % 4 + 1, workload=1.0)
    hot, reports = _fake_hotspots(segments, n_reports=40)
    route = _out_and_back_route(G, segments)
    return {
        "segments": maps.segments_map(segments, **view),
        "grades": maps.grade_map(seg, **view),
        "territories": maps.overview_map(seg, **view),
        "hotspots": maps.hotspot_map(hot, reports, synthetic=True, **view),
        "chief": maps.chief_map(seg[seg["chief_id"] == "A"], route, chief="A",
                                instructions=["1. 第一步"], gpx="<gpx/>", **view),
    }


def test_no_page_loads_a_script_style_or_font_from_the_network(guixi_walk, guixi_segments):
    for kind, fmap in _every_kind_of_map(guixi_segments, guixi_walk).items():
        html = maps.render_map(fmap)
        refs = _references(html)
        assert refs.external == [], (kind, refs.external)
        assert "L.map(" in html and "OpenStreetMap" in html, kind
        # Leaflet itself is inline, once (its licence banner opens the file)
        assert sum("Leaflet 1.9.3, a JS library" in s for s in refs.inline_scripts) == 1, kind
        # no file is inlined twice
        big = [s for s in refs.inline_scripts if len(s) > 2_000]
        assert len(big) == len(set(big)), kind


def test_offline_draws_no_tiles_and_is_smaller(guixi_segments):
    online = maps.render_map(maps.segments_map(guixi_segments))
    offline = maps.render_map(maps.segments_map(guixi_segments, offline=True))
    assert "L.tileLayer(" in online and "autonavi.com" in online
    assert "L.tileLayer(" not in offline and "autonavi.com" not in offline
    assert len(offline) < len(online)
    assert _references(offline).external == []


def test_ten_thousand_segment_map_is_small(tmp_path):
    seg = grid_segments(71)  # 9,940 segments
    assert len(seg) > 9_900
    path = maps.save_map(maps.segments_map(seg), tmp_path / "big.html")
    size_mb = path.stat().st_size / 1e6
    assert size_mb < 10, size_mb
    offline = maps.save_map(maps.segments_map(seg, offline=True), tmp_path / "big-offline.html",
                            offline=True)
    assert offline.stat().st_size / 1e6 < 10


def test_segment_map_in_browser_offline(guixi_segments, tmp_path):
    path = maps.save_map(maps.segments_map(guixi_segments, offline=True, lang="en"),
                         tmp_path / "guixi.html", offline=True)
    with open_offline(path) as (page, report):
        counts = page.evaluate(COUNT_LAYERS_JS)
        assert counts["maps"] == 1 and counts["tiles"] == 0
        assert counts["polylines"] == len(guixi_segments)
        # switch the segment layer off and on in the layer control
        page.hover(".leaflet-control-layers")
        box = page.locator(".leaflet-control-layers-overlays input").first
        box.uncheck()
        assert page.evaluate(COUNT_LAYERS_JS)["polylines"] == 0
        box.check()
        assert page.evaluate(COUNT_LAYERS_JS)["polylines"] == len(guixi_segments)
        assert "OpenStreetMap" in page.inner_text(".leaflet-control-attribution")
        page.screenshot(path=str(tmp_path / "guixi.png"))
    assert report.console_errors == [] and report.page_errors == []
    assert report.blocked == []  # the offline file asks for nothing
    assert (tmp_path / "guixi.png").stat().st_size > 10_000


def test_map_with_tiles_draws_overlays_without_network(helsinki_walk_segments, tmp_path):
    path = maps.save_map(maps.segments_map(helsinki_walk_segments), tmp_path / "hel.html")
    with open_offline(path, allow_tiles=True) as (page, report):
        counts = page.evaluate(COUNT_LAYERS_JS)
        background = page.evaluate(
            "getComputedStyle(document.querySelector('.leaflet-container')).backgroundColor")
    # Leaflet is inline: every segment draws although no tile can load
    assert counts["tiles"] == 1 and counts["polylines"] == len(helsinki_walk_segments)
    assert report.page_errors == [] and report.console_errors == []
    assert report.blocked and all("tile.openstreetmap.org" in url for url in report.blocked)
    # the plain background the overlays draw on
    rgb = tuple(int(maps.MAP_BACKGROUND[i:i + 2], 16) for i in (1, 3, 5))
    assert background == "rgb({}, {}, {})".format(*rgb)


def test_unknown_basemap(guixi_segments):
    with pytest.raises(ConfigError, match="baidu") as err:
        maps.segments_map(guixi_segments, basemap="baidu")
    assert "unknown basemap 'baidu'" in err.value.one_line("en")
    assert "auto" in err.value.one_line("en")


@pytest.mark.parametrize("side", [3, 5])  # 9 chiefs: a colour each; 25: DSatur
def test_territory_colours_differ_between_neighbours(guixi_segments, side):
    # split Guixi into side x side territories by quantiles of segment midpoints
    mid = guixi_segments.geometry.interpolate(0.5, normalized=True)
    cuts = [i / side for i in range(1, side)]
    qx = np.digitize(mid.x, np.quantile(mid.x, cuts))
    qy = np.digitize(mid.y, np.quantile(mid.y, cuts))
    seg = guixi_segments.assign(chief_id=[f"C{a}{b}" for a, b in zip(qx, qy, strict=True)])
    colours = maps.territory_colours(seg)
    assert set(colours) == set(seg["chief_id"])
    if side == 3:
        assert len(set(colours.values())) == len(colours)
    ends = pd.concat([seg[["chief_id", "u"]].rename(columns={"u": "n"}),
                      seg[["chief_id", "v"]].rename(columns={"v": "n"})])
    checked = 0
    for _, chiefs in ends.groupby("n")["chief_id"]:
        distinct = sorted(set(chiefs))
        for i, a in enumerate(distinct):
            for b in distinct[i + 1:]:
                assert colours[a] != colours[b]
                checked += 1
    assert checked > 5


def test_overview_map_in_browser(guixi_segments, tmp_path):
    mid = guixi_segments.geometry.interpolate(0.5, normalized=True)
    seg = guixi_segments.assign(chief_id=np.where(mid.x < mid.x.median(), "A", "B"),
                                workload=guixi_segments["length_m"] / 10)
    summary = pd.DataFrame({"chief_id": ["A", "B"], "chief_name": ["张三", "李四"],
                            "km": [1.0, 2.0], "workload": [10.0, 20.0]})
    path = maps.save_map(maps.overview_map(seg, summary, offline=True), tmp_path / "o.html",
                         offline=True)
    html = path.read_text(encoding="utf-8")
    assert "张三 (A)" in html and "李四 (B)" in html
    with open_offline(path) as (page, report):
        assert page.evaluate(COUNT_LAYERS_JS)["polylines"] == len(seg)
        page.hover(".leaflet-control-layers")
        page.locator(".leaflet-control-layers-overlays input").first.uncheck()
        assert page.evaluate(COUNT_LAYERS_JS)["polylines"] == (seg["chief_id"] == "B").sum()
    assert report.console_errors == [] and report.page_errors == []


def _fake_hotspots(segments, n_reports=300, seed=3):
    """Hand-made Gi* classes and reports; the map only draws what it is given."""
    rng = np.random.default_rng(seed)
    classes = np.array(list(maps.GI_COLOURS))
    seg = segments.assign(gi_class=rng.choice(classes, len(segments)),
                          issue_count=rng.integers(0, 9, len(segments)))
    pts = segments.geometry.iloc[rng.integers(0, len(segments), n_reports)].interpolate(
        0.5, normalized=True)
    start = pd.Timestamp("2026-09-07 08:00", tz="Asia/Shanghai")
    reports = gpd.GeoDataFrame({
        "category": rng.choice(["市容环境", "街面秩序", "宣传广告"], n_reports),
        "reported_at": start + pd.to_timedelta(rng.integers(0, 5 * 7 * 24, n_reports), unit="h"),
    }, geometry=pts.values, crs=segments.crs)
    return seg, reports


def test_hotspot_map_in_browser(guixi_segments, tmp_path):
    seg, reports = _fake_hotspots(guixi_segments)
    fmap = maps.hotspot_map(seg, reports, synthetic=True, offline=True)
    path = maps.save_map(fmap, tmp_path / "hot.html", offline=True)
    times = reports["reported_at"].dt.tz_localize(None)
    week = (times - pd.to_timedelta(times.dt.weekday, unit="D")).dt.date
    per_week = week.value_counts().sort_index().tolist()
    with open_offline(path) as (page, report):
        total = "() => window.patrolgeoIssues.groups.reduce((n, g) => n + g.getLayers().length, 0)"
        assert page.evaluate(total) == len(reports)
        assert page.evaluate("window.patrolgeoIssues.weeks.length") == len(per_week)
        for i, expected in enumerate(per_week):
            page.evaluate(f"window.patrolgeoIssues.setWeek({i})")
            assert page.evaluate(total) == expected
        # the slider drives the same filter
        page.locator(".patrolgeo-week-slider input").fill("0")
        assert page.evaluate(total) == per_week[0]
        # a category layer can be switched off in the layer control
        boxes = page.locator(".leaflet-control-layers-overlays input")
        assert boxes.count() == 1 + 1 + 3  # Gi* segments, heatmap, three categories
        assert "合成" in page.inner_text(".patrolgeo-synthetic")
        page.screenshot(path=str(tmp_path / "hot.png"))
    assert report.console_errors == [] and report.page_errors == []


def _out_and_back_route(G, segments, n_edges=12):
    """A closed walk: a shortest path between two far nodes and back, as traversal rows."""
    import networkx as nx

    nodes = list(G.nodes)
    path = nx.shortest_path(G, nodes[0], nodes[len(nodes) // 2], weight="length")[: n_edges + 1]
    by_nodes = {}
    for row in segments.itertuples():
        by_nodes.setdefault(frozenset((row.u, row.v)), row)
    rows, cum = [], 0.0
    legs = list(itertools.pairwise(path))
    legs += [(b, a) for a, b in reversed(legs)]
    for i, (a, b) in enumerate(legs):
        seg = by_nodes[frozenset((a, b))]
        geom = seg.geometry if seg.u == a else shapely.reverse(seg.geometry)
        cum += seg.length_m
        rows.append({"seq": i + 1, "segment_id": seg.segment_id, "road_name": seg.road_name,
                     "deadhead": i >= len(legs) // 2, "length_m": seg.length_m, "cum_m": cum,
                     "geometry": geom})
    return gpd.GeoDataFrame(rows, geometry="geometry", crs=segments.crs)


def test_chief_map_in_browser(guixi_walk, guixi_segments, tmp_path):
    import base64

    route = _out_and_back_route(guixi_walk, guixi_segments)
    territory = guixi_segments[guixi_segments["segment_id"].isin(route["segment_id"])]
    gpx = '<?xml version="1.0"?><gpx version="1.1"><trk><name>测试</name></trk></gpx>'
    school = gpd.GeoDataFrame({"name": ["实验小学"], "kind": ["助学岗"],
                               "time_window": ["07:10–07:50"]},
                              geometry=[route.geometry.iloc[0].interpolate(0.5, normalized=True)],
                              crs=route.crs)
    steps = [f"第 {i} 步" for i in range(1, 6)]
    fmap = maps.chief_map(territory, route, chief="C1", instructions=steps, gpx=gpx,
                          points=school, offline=True, arrow_every_m=0)
    path = maps.save_map(fmap, tmp_path / "chief.html", offline=True)
    with open_offline(path) as (page, report):
        counts = page.evaluate(COUNT_LAYERS_JS)
        assert counts["polylines"] == len(territory) + len(route)
        assert counts["circles"] == 2  # one start/end marker (closed route), one school post
        assert page.evaluate("window.patrolgeoArrows.getLayers().length") == len(route)
        assert page.locator(".patrolgeo-turns li").count() == len(steps)
        href = page.get_attribute(".patrolgeo-gpx", "href")
        assert base64.b64decode(href.split(",", 1)[1]).decode("utf-8") == gpx
        page.screenshot(path=str(tmp_path / "chief.png"))
    assert report.console_errors == [] and report.page_errors == []


def test_grade_map_in_browser(guixi_segments, tmp_path):
    seg = guixi_segments.assign(grade=np.arange(len(guixi_segments)) % 4 + 1,
                                workload=1.0, crew_hours_week=2.0)
    path = maps.save_map(maps.grade_map(seg, offline=True, lang="en"), tmp_path / "g.html",
                         offline=True)
    html = path.read_text(encoding="utf-8")
    for label in ("Grade 1", "Grade 2", "Grade 3", "Grade 4"):
        assert label in html
    with open_offline(path) as (page, report):
        assert page.evaluate(COUNT_LAYERS_JS)["polylines"] == len(seg)
        colours = page.evaluate("""() => { const out = {};
            for (const k of Object.keys(window)) if (window[k] instanceof L.Map)
              window[k].eachLayer(l => { if (l instanceof L.Polyline)
                out[l.options.color] = (out[l.options.color] || 0) + 1; });
            return out; }""")
    expected = seg["grade"].map(maps.GRADE_COLOURS).value_counts().to_dict()
    assert colours == expected
    assert report.console_errors == [] and report.page_errors == []


def test_every_segment_is_drawn_even_shorter_than_a_metre(helsinki_walk_segments):
    data = maps.display_geojson(helsinki_walk_segments, ["segment_id"])
    assert len(data["features"]) == len(helsinki_walk_segments)
    assert all(f["geometry"] and f["geometry"]["coordinates"] for f in data["features"])
    assert (helsinki_walk_segments["length_m"] < 1.0).any()  # the case this guards


def test_importing_the_writers_loads_no_folium():
    import os
    import subprocess

    code = ("import sys, patrolgeo.outputs, patrolgeo.outputs.maps; "
            "print('folium' in sys.modules, 'branca' in sys.modules)")
    env = dict(os.environ, PYTHONPATH=str(REPO / "src"))
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True, env=env)
    assert done.stdout.split() == ["False", "False"]


def test_language_is_a_parameter_not_a_process_setting(guixi_segments):
    english = maps.render_map(maps.segments_map(guixi_segments, lang="en"))
    chinese = maps.render_map(maps.segments_map(guixi_segments))
    assert "Road class" in english and "道路等级" not in english
    assert "道路等级" in chinese and "Road class" not in chinese
    page = maps.index_page([], [maps.Download("Roads", "a.csv")], "Run", "en")
    assert page.startswith('<!doctype html><html lang="en">')


def _first_coordinate(html):
    """The first vertex of the first GeoJSON feature written into a page."""
    start = html.index('{"features": [')
    data, _ = json.JSONDecoder().raw_decode(html, start)
    coords = data["features"][0]["geometry"]["coordinates"]
    return np.array(coords[0] if isinstance(coords[0][0], float) else coords[0][0])


@pytest.mark.parametrize("place", ["guixi", "helsinki"])
def test_auto_basemap_is_amap_in_china_and_osm_elsewhere(place, guixi_segments,
                                                         helsinki_walk_segments):
    segments = guixi_segments if place == "guixi" else helsinki_walk_segments
    wgs = segments.to_crs(4326)
    centre = wgs.geometry.union_all().centroid
    in_china = 73.66 < centre.x < 135.05 and 3.86 < centre.y < 53.55
    assert in_china == (place == "guixi")  # the two districts this test is about
    html = maps.render_map(maps.segments_map(segments))  # basemap "auto" by default
    assert ("autonavi.com" in html) == in_china
    assert ("tile.openstreetmap.org" in html) == (not in_china)
    first = wgs.geometry.iloc[0].coords[0]
    shown = _first_coordinate(html)
    if in_china:  # converted to GCJ-02, as an independent implementation converts it
        ref = prcoords.wgs_gcj(prcoords.Coords(first[1], first[0]))
        assert np.allclose(shown, [ref.lon, ref.lat], atol=1.1e-5)
        assert not np.allclose(shown, first, atol=1e-4)  # a shift of hundreds of metres
    else:  # left in WGS-84
        assert np.allclose(shown, first, atol=1.1e-5)
    assert maps.resolve_basemap("auto", segments) == ("amap" if in_china else "osm")
    assert maps.resolve_basemap("osm", segments) == "osm"


def test_auto_converts_every_overlay_as_amap_does(guixi_segments):
    auto = maps.display_geojson(guixi_segments, ["segment_id"], basemap="auto", tolerance_m=0)
    amap = maps.display_geojson(guixi_segments, ["segment_id"], basemap="amap", tolerance_m=0)
    assert auto == amap


def test_tianditu_without_a_key_fails_with_one_line(guixi_segments, monkeypatch, tmp_path):
    from typer.testing import CliRunner

    from patrolgeo import pipeline
    from patrolgeo.cli import app

    monkeypatch.delenv("TIANDITU_KEY", raising=False)
    with pytest.raises(ConfigError) as err:
        pipeline.MapOptions("tianditu")
    line = err.value.one_line("en")
    assert "\n" not in line and "TIANDITU_KEY" in line
    with pytest.raises(ConfigError, match="TIANDITU_KEY"):
        maps.segments_map(guixi_segments, basemap="tianditu")
    pipeline.MapOptions("tianditu", offline=True)  # no tiles, no key needed
    done = CliRunner().invoke(app, ["map", "--osm", str(pipeline.demo_osm_path()), "--lang",
                                    "en", "--basemap", "tianditu", "--out", str(tmp_path / "t")])
    assert done.exit_code == 2
    assert done.stderr.strip().splitlines() == ["error: " + line], done.stderr
    assert not (tmp_path / "t").exists()  # refused before anything was written
    monkeypatch.setenv("TIANDITU_KEY", "k123")
    html = maps.render_map(maps.segments_map(guixi_segments, basemap="tianditu"))
    assert "tianditu.gov.cn" in html and "tk=k123" in html


@pytest.mark.parametrize("lang, expected", [("zh", "zh-CN"), ("en", "en")])
def test_every_page_has_its_language_and_a_phone_viewport(lang, expected, guixi_walk,
                                                          guixi_segments):
    for kind, fmap in _every_kind_of_map(guixi_segments, guixi_walk, lang=lang).items():
        html = maps.render_map(fmap)
        assert re.match(rf'<!DOCTYPE html>\s*<html lang="{expected}">', html), kind
        viewports = re.findall(r'<meta name="viewport" content="([^"]*)"', html)
        assert viewports == ["width=device-width, initial-scale=1"], (kind, viewports)


def test_legends_are_details_elements(guixi_segments):
    html = maps.render_map(maps.segments_map(guixi_segments))
    found = re.findall(r'<details class="pg-legend"[^>]*>\s*<summary>([^<]*)</summary>', html)
    assert found == ["道路等级"]


def _open_at_width(path, width):
    """Open ``path`` in Chromium at ``width`` x 844 with the network blocked."""
    from browser import CHROMIUM_FLAGS, chromium_path

    playwright = pytest.importorskip("playwright.sync_api")
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_FLAGS)
        try:
            page = browser.new_context(viewport={"width": width, "height": 844}).new_page()
            page.route("**/*", lambda r: r.continue_() if r.request.url.startswith(
                ("file:", "data:")) else r.abort())
            errors = []
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            page.goto(path.resolve().as_uri())
            page.wait_for_load_state("load")
            state = page.evaluate("""() => ({
              legends: [...document.querySelectorAll('details.pg-legend')].map(d => d.open),
              lists: [...document.querySelectorAll('.leaflet-control-layers')].map(
                c => c.classList.contains('leaflet-control-layers-expanded'))})""")
            if state["legends"]:
                page.click("details.pg-legend > summary")  # a tap opens a folded legend
                state["tapped"] = page.evaluate(
                    "document.querySelector('details.pg-legend').open")
            return state, errors
        finally:
            browser.close()


def test_legends_and_layer_lists_fold_on_a_phone(guixi_segments, tmp_path):
    seg, reports = _fake_hotspots(guixi_segments, n_reports=30)
    # the hotspot map asks for an open layer list (collapsed=False): a phone folds it too
    pages = {"segments": maps.segments_map(guixi_segments),
             "hotspots": maps.hotspot_map(seg, reports)}
    for kind, fmap in pages.items():
        path = maps.save_map(fmap, tmp_path / f"{kind}.html")
        phone, errors = _open_at_width(path, 390)
        assert errors == []
        assert phone["legends"] == [False] and phone["tapped"] is True, kind
        assert phone["lists"] == [False], kind
        desktop, _ = _open_at_width(path, 1000)
        assert desktop["legends"] == [True], kind
        # on a wide screen a layer list stays as the map asked
        assert desktop["lists"] == [kind == "hotspots"], kind
