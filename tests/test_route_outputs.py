"""Route outputs (GPX, GeoJSON, turn-by-turn) and the ``patrolgeo route`` verb."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from patrolgeo.cli import app
from patrolgeo.outputs.route import distance_text, route_gpx, turn_by_turn
from patrolgeo.routing import COMPASS, TURNS, compass_code, postman_route, verify_route
from patrolgeo.routing.steps import route_steps
from routing_builders import make_network

runner = CliRunner()


def _cross():
    """A + shaped junction of two named streets, each a two-way street of two pieces."""
    coords = {"c": (0, 0), "e": (300, 0), "w": (-200, 0), "n": (0, 250), "s": (0, -150)}
    edges = [("w", "c", None), ("c", "e", None), ("s", "c", None), ("c", "n", None)]
    names = ["信州路", "信州路", "南大街", "南大街"]
    return make_network(edges, coords, names=names)


def test_turn_by_turn_names_roads_turns_and_directions():
    G, seg = _cross()
    route = postman_route(G, seg, start="w")
    steps = route_steps(route)
    # the route heads east on 信州路 first, keeps each road together, and comes back
    assert steps[0].road == "信州路" and 45 <= steps[0].heading_deg <= 135
    assert sum(s.length_m for s in steps) == pytest.approx(route.total_length_m)
    assert steps[-1].turn == "arrive"
    text = turn_by_turn(route, lang="zh")
    assert text[1].startswith("1. 沿信州路向东行驶")
    assert any("南大街" in line and ("左转" in line or "右转" in line) for line in text)
    assert "OpenStreetMap" in text[-1]
    text = turn_by_turn(route, lang="en")
    assert text[1].startswith("1. Head east on 信州路 for")
    assert "then arrive back at the start | " in text[-2]
    # each step line ends with the distance and time from the start at its end
    total = distance_text(route.total_length_m, "en")
    assert text[-2].endswith(f"| {total} so far, {route.duration_s / 60:.0f} min")


def test_left_and_right_follow_the_geometry():
    coords = {"a": (0, 0), "b": (100, 0), "left": (100, 100), "right": (100, -100)}
    edges = [("a", "b", None), ("b", "left", None), ("b", "right", None)]
    G, seg = make_network(edges, coords, names=["东路", "北路", "南路"])
    # heading east then turning north is a left turn; south is a right turn
    route = postman_route(G, seg, ["s000", "s001"], start="a", closed=False)
    steps = route_steps(route)
    assert steps[0].road == "东路" and steps[0].turn == "left"
    route = postman_route(G, seg, ["s000", "s002"], start="a", closed=False)
    assert route_steps(route)[0].turn == "right"


def test_gpx_is_a_valid_track_in_degrees(helsinki_walk, helsinki_walk_segments):
    ids = helsinki_walk_segments["segment_id"].iloc[:80]
    route = postman_route(helsinki_walk, helsinki_walk_segments, ids)
    root = ET.fromstring(route_gpx(route).split("?>", 1)[1])
    ns = {"g": "http://www.topografix.com/GPX/1/1"}
    points = root.findall(".//g:trkpt", ns)
    lat = np.array([float(p.get("lat")) for p in points])
    lon = np.array([float(p.get("lon")) for p in points])
    assert len(points) > len(route.traversals)
    assert np.all((lat > 60.1) & (lat < 60.2) & (lon > 24.8) & (lon < 25.1))
    assert "OpenStreetMap contributors" in route_gpx(route)
    # a closed route: the track returns to where it started
    assert abs(lat[0] - lat[-1]) < 1e-6 and abs(lon[0] - lon[-1]) < 1e-6


def test_route_verb_writes_checked_outputs(tmp_path, helsinki_pbf):
    out = tmp_path / "r"
    result = runner.invoke(app, ["route", "--osm", str(helsinki_pbf), "--mode", "drive",
                                 "--bbox", "24.935,60.164,24.945,60.170",
                                 "--start", "60.1675,24.9427", "--out", str(out),
                                 "--lang", "en"])
    assert result.exit_code == 0, result.output
    assert "checked" in result.stdout
    for name in ("route.geojson", "route.gpx", "route_steps.txt", "route.csv", "route.html"):
        assert (out / name).exists(), name
    table = gpd.read_file(out / "route.geojson")
    assert table.crs.to_epsg() == 4326 and table["seq"].tolist() == list(range(1, len(table) + 1))
    csv = (out / "route.csv").read_bytes()
    assert csv.startswith(b"\xef\xbb\xbf")
    steps = (out / "route_steps.txt").read_text(encoding="utf-8")
    assert "Head" in steps
    assert not [p for p in out.iterdir() if p.name.startswith(".")]


def test_route_verb_serves_the_listed_segments(tmp_path, helsinki_pbf):
    from patrolgeo import roads

    G = roads.load_graph(helsinki_pbf, mode="walk", bbox=(24.935, 60.164, 24.945, 60.170))
    seg = roads.segments_from_graph(G)
    chosen = seg["segment_id"].iloc[::7].tolist()
    csv = tmp_path / "need.csv"
    pd.DataFrame({"segment_id": chosen, "note": "x"}).to_csv(csv, index=False,
                                                              encoding="utf-8-sig")
    out = tmp_path / "r"
    result = runner.invoke(app, ["route", "--osm", str(helsinki_pbf), "--segments", str(csv),
                                 "--bbox", "24.935,60.164,24.945,60.170", "--network", "walk",
                                 "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "校验通过" in result.stdout
    table = gpd.read_file(out / "route.geojson")
    served = set(table.loc[~table["deadhead"], "segment_id"])
    assert served == set(chosen)
    # the written route passes the checker as a node sequence too
    nodes = [int(table["u"].iloc[0]), *table["v"].astype(int)]
    assert verify_route(G, chosen, nodes, segments=seg).ok


def test_route_verb_unknown_mode(tmp_path, helsinki_pbf):
    result = runner.invoke(app, ["route", "--osm", str(helsinki_pbf), "--mode", "boat",
                                 "--out", str(tmp_path / "o"), "--lang", "en"])
    assert result.exit_code == 2 and "unknown mode" in result.stderr


@pytest.mark.parametrize(
    ("setup", "args", "expected"),
    [
        (None, ["--start", "91,24.9"], "--start"),
        (None, ["--start", "abc"], "--start"),
        (None, ["--start", "28.30,117.22"], "start"),
        ("segment_id\nnope-1-2\n", ["--segments", "{csv}"], "need.csv:2: segment_id"),
        ("name\nx\n", ["--segments", "{csv}"], "segment_id"),
        (None, ["--segments", "{tmp}/missing.csv"], "missing.csv: file not found"),
    ],
)
def test_route_verb_bad_input(tmp_path, helsinki_pbf, setup, args, expected):
    csv = tmp_path / "need.csv"
    if setup is not None:
        csv.write_text(setup, encoding="utf-8")
    args = [a.format(csv=csv, tmp=tmp_path) for a in args]
    out = tmp_path / "out"
    result = runner.invoke(app, ["route", "--osm", str(helsinki_pbf), "--mode", "drive",
                                 "--bbox", "24.935,60.164,24.945,60.170", *args,
                                 "--out", str(out), "--lang", "en"])
    assert result.exit_code == 2, result.output
    lines = [ln for ln in result.stderr.splitlines() if ln.startswith("error:")]
    assert len(lines) == 1 and expected in lines[0], result.stderr
    assert not out.exists()


def test_same_input_same_route(helsinki_walk, helsinki_walk_segments):
    ids = helsinki_walk_segments["segment_id"].iloc[100:400]
    first = postman_route(helsinki_walk, helsinki_walk_segments, ids, start=(60.168, 24.94))
    # row order of the segments table must not matter either
    shuffled = helsinki_walk_segments.sample(frac=1.0, random_state=3)
    second = postman_route(helsinki_walk, shuffled, list(ids)[::-1], start=(60.168, 24.94))
    assert first.edges() == second.edges()
    assert route_gpx(first) == route_gpx(second)
    assert turn_by_turn(first) == turn_by_turn(second)


def test_steps_are_codes_and_writers_render_them_per_language():
    G, seg = _cross()
    route = postman_route(G, seg, start="w")
    steps = route_steps(route)
    assert all(s.turn in TURNS and s.compass in COMPASS for s in steps)
    assert steps[0].compass == "east" and compass_code(359.0) == "north"
    assert turn_by_turn(route) == turn_by_turn(route, lang="zh")
    assert "<name>Patrol route</name>" in route_gpx(route, lang="en")
    assert "<name>巡查路线</name>" in route_gpx(route)


def test_two_languages_at_once_do_not_mix():
    # what a service serving Chinese and English requests at the same time needs: the
    # language is a parameter of the call, so threads rendering zh and en never interleave
    from concurrent.futures import ThreadPoolExecutor

    from patrolgeo.errors import InputRowError
    from patrolgeo.labels import Text

    G, seg = _cross()
    route = postman_route(G, seg, start="w")
    expected = {lang: (turn_by_turn(route, lang), route_gpx(route, lang=lang))
                for lang in ("zh", "en")}
    error = InputRowError(Text("文件不存在", "file not found"), file="a.csv")

    def render(lang):
        return (turn_by_turn(route, lang), route_gpx(route, lang=lang)), error.one_line(lang)

    langs = ["zh", "en"] * 16
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(render, langs))
    for lang, (texts, line) in zip(langs, results, strict=True):
        assert texts == expected[lang]
        assert line == ("a.csv: file not found" if lang == "en" else "a.csv: 文件不存在")
    assert expected["zh"][0] != expected["en"][0]
