"""Maps: content, basemaps and datum, offline bundling, size, and a real browser."""

from __future__ import annotations

import itertools
import json
import re
import sys

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


def test_offline_map_has_no_external_reference(guixi_segments):
    html = maps.render_map(maps.segments_map(guixi_segments, offline=True), offline=True)
    assert not re.search(r'<script[^>]*\ssrc="https?://', html)
    assert not re.search(r'<link[^>]*\shref="https?://', html)
    assert "tile.openstreetmap.org" not in html
    assert "OpenStreetMap" in html and "L.map(" in html


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


def test_online_map_draws_overlays_without_network(helsinki_walk_segments, tmp_path):
    path = maps.save_map(maps.segments_map(helsinki_walk_segments), tmp_path / "hel.html")
    with open_offline(path, allow_tiles=True) as (page, report):
        leaflet = page.evaluate("typeof L") != "undefined"
        counts = page.evaluate(COUNT_LAYERS_JS) if leaflet else None
    # an online map needs its CDN scripts: blocked here, so Leaflet is absent; this is
    # exactly why --offline exists
    assert counts is None
    assert any("leaflet" in url for url in report.blocked)


def test_unknown_basemap(guixi_segments):
    with pytest.raises(ConfigError, match="unknown basemap"):
        maps.segments_map(guixi_segments, basemap="baidu")


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
    page = maps.index_page([("Maps", "a.html")], "Run", "en")
    assert page.startswith('<!doctype html><html lang="en">')
