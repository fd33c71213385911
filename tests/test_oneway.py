"""The one-way law in drive and bike modes, checked against the raw OSM tags.

Each rule is tried on a tiny hand-built file: the directions of the graph edges the
roads stage builds are read back through the independent checker of
``tests/oneway_check.py`` (which places every edge on its way's node list). On real
districts (Guixi, Helsinki) drive and bike postman routes must make no run against a
one-way rule the checker re-derives from the file's tags.
"""

from __future__ import annotations

import csv
import itertools
import math
from pathlib import Path

import geopandas as gpd
import networkx as nx
import pytest
from shapely.geometry import LineString

from oneway_check import (
    AGAINST,
    ALONG,
    OneWayChecker,
    Run,
    allowed_directions,
    check_route,
    route_runs,
)
from osm_builders import write_osm
from patrolgeo import pipeline, roads
from patrolgeo.pipeline import RoadsResult
from patrolgeo.roads._oneway import ONEWAY_CODES, apply_oneway_law, oneway_rule
from patrolgeo.routing import postman_route

WAY = 10
STREET = {"highway": "residential"}

# a straight way 1-2-3 (west to east), and the nodes of a lopsided ring with spokes
LINE_NODES = {1: (30.0, 120.0), 2: (30.0, 120.001), 3: (30.0, 120.002)}
RING_NODES = {
    1: (30.0, 120.0), 2: (30.002, 120.001), 3: (30.0, 120.002), 4: (29.9995, 120.001),
    5: (30.0, 119.999), 6: (30.0, 120.003),
}


def _line_file(tmp_path: Path, tags: dict[str, str]) -> Path:
    return write_osm(tmp_path / "line.osm", LINE_NODES, {WAY: ([1, 2, 3], tags)})


def _ring_file(tmp_path: Path, tags: dict[str, str]) -> Path:
    """A closed way 1-2-3-4-1 (the 1-2-3 arc the longer), spokes at 1 and 3."""
    ways = {WAY: ([1, 2, 3, 4, 1], tags), 20: ([5, 1], STREET), 21: ([3, 6], STREET)}
    return write_osm(tmp_path / "ring.osm", RING_NODES, ways)


def _edge_line(G: nx.MultiDiGraph, u: int, v: int, data: dict) -> LineString:
    if "geometry" in data:
        return data["geometry"]
    return LineString([(G.nodes[n]["x"], G.nodes[n]["y"]) for n in (u, v)])


def way_directions(G: nx.MultiDiGraph, osm: Path, way_id: int) -> list[int]:
    """Directions (ALONG/AGAINST the way's node order) of the graph's edges of a way."""
    checker = OneWayChecker(osm, "drive")
    edges = [(u, v, d) for u, v, d in G.edges(data=True) if d["osmid"] == way_id]
    lines = gpd.GeoSeries([_edge_line(G, u, v, d) for u, v, d in edges],
                          crs=G.graph["crs"]).to_crs(4326)
    return sorted(checker.direction(Run(way_id, u, v, tuple(line.coords)))[0]
                  for (u, v, _), line in zip(edges, lines, strict=True))


ONE = [ALONG]
REVERSED = [AGAINST]
BOTH = sorted([ALONG, AGAINST])

# (rule, tags of the way, mode, directions of its edges in the graph)
LINE_CASES = [
    ("motorway_implied", {"highway": "motorway"}, "drive", ONE),
    ("motorway_link_implied", {"highway": "motorway_link"}, "drive", ONE),
    ("motorway_oneway_no", {"highway": "motorway", "oneway": "no"}, "drive", BOTH),
    ("oneway_yes", {**STREET, "oneway": "yes"}, "drive", ONE),
    ("oneway_true", {**STREET, "oneway": "true"}, "drive", ONE),
    ("oneway_minus_1", {**STREET, "oneway": "-1"}, "drive", REVERSED),
    ("oneway_reverse", {**STREET, "oneway": "reverse"}, "drive", REVERSED),
    ("oneway_minus_1_bike", {**STREET, "oneway": "-1"}, "bike", REVERSED),
    ("oneway_motor_vehicle_no", {**STREET, "oneway": "yes", "oneway:motor_vehicle": "no"},
     "drive", BOTH),
    ("oneway_vehicle_yes", {**STREET, "oneway:vehicle": "yes"}, "drive", ONE),
    ("oneway_bicycle_no", {**STREET, "oneway": "yes", "oneway:bicycle": "no"}, "bike", BOTH),
    ("oneway_bicycle_no_drive", {**STREET, "oneway": "yes", "oneway:bicycle": "no"}, "drive",
     ONE),
    ("oneway_bicycle_yes", {**STREET, "oneway:bicycle": "yes"}, "bike", ONE),
    ("oneway_bicycle_yes_drive", {**STREET, "oneway:bicycle": "yes"}, "drive", BOTH),
    ("oneway_bicycle_minus_1", {**STREET, "oneway:bicycle": "-1"}, "bike", REVERSED),
    ("cycleway_opposite", {**STREET, "oneway": "yes", "cycleway": "opposite"}, "bike", BOTH),
    ("cycleway_opposite_lane", {**STREET, "oneway": "yes", "cycleway": "opposite_lane"},
     "bike", BOTH),
    ("cycleway_opposite_lane_drive", {**STREET, "oneway": "yes",
                                      "cycleway": "opposite_lane"}, "drive", ONE),
    ("cycleway_left_opposite_track", {**STREET, "oneway": "-1",
                                      "cycleway:left": "opposite_track"}, "bike", BOTH),
    ("cycleway_right_oneway_minus_1", {**STREET, "oneway": "yes", "cycleway:right": "lane",
                                       "cycleway:right:oneway": "-1"}, "bike", BOTH),
    ("cycleway_lane_same_way", {**STREET, "oneway": "yes", "cycleway:right": "lane"}, "bike",
     ONE),
    ("unknown_value", {**STREET, "oneway": "recommended"}, "drive", BOTH),
    ("untagged", STREET, "drive", BOTH),
]


@pytest.mark.parametrize(("rule", "tags", "mode", "expected"), LINE_CASES,
                         ids=[c[0] for c in LINE_CASES])
def test_line_rule(tmp_path, rule, tags, mode, expected):
    osm = _line_file(tmp_path, tags)
    G = roads.load_graph(osm, mode=mode)
    assert way_directions(G, osm, WAY) == expected
    # the independent rule says the same, from the tags alone
    assert sorted(allowed_directions(tags, mode)) == expected


RING_CASES = [
    ("roundabout", {"highway": "primary", "junction": "roundabout"}, "drive", [ALONG] * 2),
    ("roundabout_bike", {**STREET, "junction": "roundabout"}, "bike", [ALONG] * 2),
    ("circular", {"highway": "primary", "junction": "circular"}, "drive", [ALONG] * 2),
    ("roundabout_minus_1", {"highway": "primary", "junction": "roundabout", "oneway": "-1"},
     "drive", [AGAINST] * 2),
    # osmnx makes every junction=roundabout one-way by itself: the law must win
    ("roundabout_oneway_no", {"highway": "primary", "junction": "roundabout",
                              "oneway": "no"}, "drive", sorted([ALONG, AGAINST] * 2)),
    ("roundabout_oneway_bicycle_no", {**STREET, "junction": "roundabout",
                                      "oneway:bicycle": "no"}, "bike",
     sorted([ALONG, AGAINST] * 2)),
    ("circular_oneway_no", {"highway": "primary", "junction": "circular", "oneway": "no"},
     "drive", sorted([ALONG, AGAINST] * 2)),
]


@pytest.mark.parametrize(("rule", "tags", "mode", "expected"), RING_CASES,
                         ids=[c[0] for c in RING_CASES])
def test_ring_rule(tmp_path, rule, tags, mode, expected):
    osm = _ring_file(tmp_path, tags)
    G = roads.load_graph(osm, mode=mode)
    assert way_directions(G, osm, WAY) == expected


def test_ring_direction_is_read_from_the_geometry(tmp_path):
    """The long 1-2-3 arc runs 1 -> 3 along the ring; its edge must be the long one."""
    osm = _ring_file(tmp_path, {"highway": "primary", "junction": "roundabout"})
    G = roads.load_graph(osm, mode="drive")
    lengths = {(u, v): d["length"] for u, v, d in G.edges(data=True) if d["osmid"] == WAY}
    assert set(lengths) == {(1, 3), (3, 1)}
    assert lengths[(1, 3)] > 2 * lengths[(3, 1)]


@pytest.mark.parametrize("tags", [c[1] for c in LINE_CASES if c[1]["highway"] == "residential"]
                         + [{**STREET, "junction": "roundabout"}], ids=lambda t: str(t))
def test_walk_ignores_every_one_way_rule(tmp_path, tags):
    osm = _line_file(tmp_path, tags)
    G = roads.load_graph(osm, mode="walk")
    assert way_directions(G, osm, WAY) == BOTH
    assert oneway_rule(tags, "walk") == "no"


@pytest.mark.parametrize("mode", ["drive", "bike"])
@pytest.mark.parametrize("value", ["reversible", "alternating"])
def test_reversible_way_is_excluded_with_its_record(tmp_path, mode, value):
    nodes = {**LINE_NODES, 4: (30.001, 120.002)}
    ways = {WAY: ([1, 2, 3], {**STREET, "oneway": value, "name": "潮汐路"}),
            11: ([3, 4], STREET)}
    osm = write_osm(tmp_path / "tidal.osm", nodes, ways)
    G = roads.load_graph(osm, mode=mode)
    assert WAY not in {d["osmid"] for _, _, d in G.edges(data=True)}
    assert 11 in {d["osmid"] for _, _, d in G.edges(data=True)}

    extract = roads.read_osm_ways(osm, lambda tags: "highway" in tags)
    records = apply_oneway_law(extract, mode)
    assert WAY not in extract.ways and 11 in extract.ways
    assert len(records) == 1
    record = records[0]
    assert set(record) == {"way_id", "name", "highway", "length_m", "reason", "detail"}
    assert (record["way_id"], record["name"], record["highway"], record["reason"]) == \
        (WAY, "潮汐路", "residential", "reversible")
    assert record["detail"] == f"oneway={value}"
    # two 0.001-degree steps east along latitude 30: recomputed on a sphere
    step = math.radians(0.001) * 6_371_008.8 * math.cos(math.radians(30.0))
    assert record["length_m"] == pytest.approx(2 * step, rel=5e-3)


def test_reversible_way_stays_for_walking_and_with_a_bicycle_exception(tmp_path):
    tags = {**STREET, "oneway": "reversible", "oneway:bicycle": "no"}
    osm = _line_file(tmp_path, tags)
    assert way_directions(roads.load_graph(osm, mode="bike"), osm, WAY) == BOTH
    assert way_directions(roads.load_graph(osm, mode="walk"), osm, WAY) == BOTH
    extract = roads.read_osm_ways(osm, lambda t: "highway" in t)
    assert apply_oneway_law(extract, "walk") == [] and WAY in extract.ways


_KEY_VALUES = {
    "highway": ["residential", "motorway", "motorway_link"],
    "junction": [None, "roundabout", "circular"],
    "oneway": [None, "yes", "-1", "no", "reversible", "bogus"],
    "oneway:bicycle": [None, "no", "yes", "-1"],
    "oneway:motor_vehicle": [None, "no", "yes"],
    "cycleway": [None, "opposite_lane", "lane"],
    "cycleway:left:oneway": [None, "-1"],
}
_CODE_DIRECTIONS = {"no": {ALONG, AGAINST}, "forward": {ALONG}, "backward": {AGAINST},
                    "reversible": set()}


def test_rule_agrees_with_the_independent_rule_on_every_combination():
    """The package's rule and the checker's, written apart, agree on 7776 tag sets."""
    keys = list(_KEY_VALUES)
    for values in itertools.product(*_KEY_VALUES.values()):
        tags = {k: v for k, v in zip(keys, values, strict=True) if v is not None}
        for mode in ("drive", "bike", "walk"):
            code = oneway_rule(tags, mode)
            assert code in ONEWAY_CODES
            assert _CODE_DIRECTIONS[code] == allowed_directions(tags, mode), (tags, mode)


# ------------------------------------------------------------------ real districts


_PLANNED: dict[tuple[str, str], tuple[RoadsResult, pipeline.RouteResult]] = {}


def _route(osm: Path, mode: str):
    """The network and the checked route of a district (computed once per module)."""
    if (str(osm), mode) not in _PLANNED:
        result = pipeline.load_roads(osm, mode=mode)
        _PLANNED[str(osm), mode] = (result, pipeline.plan_route(result, mode=mode))
    result, planned = _PLANNED[str(osm), mode]
    return result, planned.route


@pytest.fixture(scope="module", params=["guixi", "helsinki"])
def district(request):
    if request.param == "guixi":
        return request.getfixturevalue("guixi_osm")
    return request.getfixturevalue("helsinki_pbf")


@pytest.mark.parametrize("mode", ["drive", "bike"])
def test_routes_make_no_run_against_a_one_way_rule(district, mode):
    _, route = _route(district, mode)
    assert route.respect_oneway and route.traversals
    wrong = check_route(district, route)
    assert wrong == [], [(w.way_id, w.from_node, w.to_node, round(w.length_m)) for w in wrong]
    # the checker really sees the one-way streets: some runs go along one
    one_way = {wid for wid, (_, tags) in OneWayChecker(district, mode).data.ways.items()
               if len(allowed_directions(tags, mode)) == 1}
    assert any(run.way_id in one_way for run in route_runs(route))


def test_the_checker_catches_a_run_the_wrong_way(district):
    _, route = _route(district, "drive")
    checker = OneWayChecker(district, "drive")
    runs = route_runs(route)
    one_way = next(r for r in runs
                   if len(allowed_directions(checker.data.ways[r.way_id][1], "drive")) == 1)
    backwards = Run(one_way.way_id, one_way.v, one_way.u, one_way.line[::-1])
    wrong = checker.check([*runs, backwards])
    assert len(wrong) == 1
    assert (wrong[0].way_id, wrong[0].from_node, wrong[0].to_node) == \
        (one_way.way_id, one_way.v, one_way.u)
    assert wrong[0].length_m > 0


# ------------------------------------------------------------------ unreachable list


def _read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def test_unreachable_csv_lists_the_one_way_dead_end(tmp_path):
    """A one-way spur into a dead end can be driven in but not out."""
    nodes = {1: (30.0, 120.0), 2: (30.0, 120.002), 3: (30.002, 120.002), 4: (30.002, 120.0),
             5: (30.0, 120.004)}
    ways = {100: ([1, 2, 3, 4, 1], {**STREET, "name": "环路"}),
            101: ([2, 5], {**STREET, "oneway": "yes", "name": "单行支路"})}
    osm = write_osm(tmp_path / "spur.osm", nodes, ways)
    result = pipeline.load_roads(osm, mode="drive")
    planned = pipeline.plan_route(result, mode="drive")
    spur = result.segments.loc[result.segments["osm_way_id"] == 101, "segment_id"].tolist()
    assert list(planned.route.unreachable_ids) == spur
    outputs = pipeline.RunOutputs()
    pipeline.write_route(planned, tmp_path / "out", outputs, lang="en")
    rows = _read_csv(tmp_path / "out" / "unreachable.csv")
    assert list(rows[0]) == ["segment_id", "way_id", "road_name", "highway", "length_m",
                             "reason"]
    assert [(r["segment_id"], r["way_id"], r["road_name"], r["highway"], r["reason"])
            for r in rows] == [(spur[0], "101", "单行支路", "residential",
                                "one_way_unreachable")]
    assert tmp_path / "out" / "unreachable.csv" in [p for _, p in outputs.files]
    note = planned.unreachable_note("en")
    km = float(rows[0]["length_m"]) / 1000
    assert note is not None and f"1 segments ({km:.2f} km)" in note


def test_no_unreachable_csv_when_every_segment_is_served(tmp_path):
    result = pipeline.load_roads(_line_file(tmp_path, STREET), mode="drive")
    planned = pipeline.plan_route(result, mode="drive")
    pipeline.write_route(planned, tmp_path / "out", pipeline.RunOutputs())
    assert not (tmp_path / "out" / "unreachable.csv").exists()
    assert planned.unreachable_note() is None


def test_unreachable_csv_on_guixi_matches_the_route_and_the_graph(tmp_path, guixi_osm):
    result, route = _route(guixi_osm, "drive")
    planned = _PLANNED[str(guixi_osm), "drive"][1]
    pipeline.write_route(planned, tmp_path, pipeline.RunOutputs())
    rows = _read_csv(tmp_path / "unreachable.csv")
    assert sorted(r["segment_id"] for r in rows) == sorted(route.unreachable_ids)
    assert route.unreachable_ids, "Guixi's drive network has one-way dead ends"
    # independently: each listed segment has an end outside the strongly connected
    # part of the graph the route runs in
    G = result.graph
    main = next(c for c in nx.strongly_connected_components(G) if route.start_node in c)
    by_id = result.segments.set_index("segment_id")
    for row in rows:
        seg = by_id.loc[row["segment_id"]]
        assert not (seg["u"] in main and seg["v"] in main)
        assert int(row["way_id"]) == int(seg["osm_way_id"])
        assert float(row["length_m"]) == pytest.approx(float(seg["length_m"]), abs=0.01)
        assert row["reason"] in ("one_way_unreachable", "boundary_dead_end")
    # and every segment of the route's part that is not listed is driven
    driven = {t.segment_id for t in route.traversals}
    inside = by_id[by_id["u"].isin(main) & by_id["v"].isin(main)].index
    assert set(inside) <= driven


def test_postman_front_door_respects_the_law_without_the_pipeline(tmp_path):
    """Through ``routing.postman_route`` directly: a bike route on a one-way loop with a
    contraflow lane may ride both ways, a car only one."""
    osm = write_osm(tmp_path / "loop.osm", RING_NODES, {
        WAY: ([1, 2, 3, 4, 1], {**STREET, "oneway": "yes", "cycleway": "opposite_lane"}),
        20: ([5, 1], STREET), 21: ([3, 6], STREET)})
    for mode in ("drive", "bike"):
        G = roads.load_graph(osm, mode=mode)
        segments = roads.segments_from_graph(G)
        route = postman_route(G, segments, mode=mode, both_sides=True,
                              on_unreachable="skip")
        assert check_route(osm, route) == []
        dirs = {OneWayChecker(osm, mode).direction(r)[0] for r in route_runs(route)
                if r.way_id == WAY}
        assert dirs == ({ALONG} if mode == "drive" else {ALONG, AGAINST})



def test_untagged_expressway_is_driven_only_its_way(tmp_path):
    """The issue's case: a dual-carriageway motorway mapped without oneway tags.

    Two carriageways (drawn in opposite directions) joined by links at both ends to a
    local street; a drive route serving everything must never run a carriageway or a
    link against its drawn direction (no U-turn back along the expressway).
    """
    nodes = {1: (30.0, 120.0), 2: (30.0, 120.01), 3: (30.0, 120.02),
             4: (30.0003, 120.02), 5: (30.0003, 120.01), 6: (30.0003, 120.0),
             7: (30.002, 120.0), 8: (30.002, 120.02)}
    motorway = {"highway": "motorway", "ref": "G60"}
    ways = {30: ([1, 2, 3], motorway), 31: ([4, 5, 6], motorway),
            32: ([3, 8], {"highway": "motorway_link"}), 33: ([8, 4], {"highway":
                                                                      "motorway_link"}),
            34: ([6, 7], {"highway": "motorway_link"}), 35: ([7, 1], {"highway":
                                                                      "motorway_link"}),
            36: ([7, 8], {"highway": "primary"})}
    osm = write_osm(tmp_path / "expressway.osm", nodes, ways)
    # the raw drive network: the city network leaves motorways to the highway authority
    result = pipeline.load_roads(osm, mode="drive", network=pipeline.NetworkOptions("drive"))
    route = pipeline.plan_route(result, mode="drive").route
    assert route.traversals and not route.unreachable_ids
    assert check_route(osm, route) == []
    checker = OneWayChecker(osm, "drive")
    runs = [r for r in route_runs(route) if r.way_id in (30, 31)]
    assert runs and all(checker.direction(r)[0] == ALONG for r in runs)


def test_unreachable_reason_tells_one_way_from_disconnected():
    """A left-out segment joined to the route's streets is a one-way case; one on a
    piece of its own is disconnected."""
    from patrolgeo.routing import Route, Traversal

    segments = gpd.GeoDataFrame({
        "segment_id": ["a", "spur", "island"], "osm_way_id": [1, 2, 3],
        "road_name": ["甲路", "乙路", "丙路"], "highway": ["residential"] * 3,
        "length_m": [100.0, 40.0, 60.0], "u": [10, 11, 20], "v": [11, 12, 21],
    }, geometry=[LineString([(0, 0), (100, 0)]), LineString([(100, 0), (140, 0)]),
                 LineString([(500, 0), (560, 0)])], crs=32650)
    route = Route([Traversal("a", 10, 11, 0, False, 100.0), Traversal("a", 11, 10, 1, True,
                                                                         100.0)],
                  closed=True, mode="drive", unreachable_ids=("island", "spur"),
                  segments=segments)
    table = route.unreachable_table()
    assert table[["segment_id", "way_id", "reason"]].values.tolist() == [
        ["island", 3, "disconnected"], ["spur", 2, "one_way_unreachable"]]
    assert route.unreachable_length_m == pytest.approx(100.0)
    planned = pipeline.RouteResult(route, None)
    note = planned.unreachable_note("en")
    assert note is not None and "2 segments (0.10 km)" in note and "not connected" in note
