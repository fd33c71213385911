"""Grading by section (路段): roads cut where their evidence changes, public venues only."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyproj
import pytest
import shapely

from osm_builders import write_osm
from patrolgeo import pipeline, plans, pois
from patrolgeo.outputs import plans as plan_files
from patrolgeo.plans._sections import MIN_SECTION_M, cut_runs

LAT0, LON0 = 30.0, 120.0
#: degrees of longitude per 100 m at 30° N
DLON_100M = 100 / (111_320 * np.cos(np.radians(LAT0)))
DLAT_M = 1 / 110_574


def _long_street(tmp_path, name, tags, *, km=2.0, extra_nodes=None, node_tags=None,
                 extra_ways=None, relations=None):
    """A straight east-west street of ``km`` with a side street every 100 m."""
    n = round(km * 10)
    nodes = {1000 + k: (LAT0, LON0 + k * DLON_100M) for k in range(n + 1)}
    ways = {100: ([1000 + k for k in range(n + 1)], {**tags, "name": name})}
    for k in range(1, n):
        nodes[3000 + k] = (LAT0 + 80 * DLAT_M, LON0 + k * DLON_100M)
        ways[200 + k] = ([1000 + k, 3000 + k], {"highway": "residential",
                                               "name": f"横{k}路"})
    nodes.update(extra_nodes or {})
    ways.update(extra_ways or {})
    path = write_osm(tmp_path / f"{name}.osm", nodes, ways, node_tags=node_tags or {},
                     relations=relations or {})
    result = pipeline.load_roads(path)
    return path, result.segments, pois.read_evidence(path)


def _check_partition(plan, segments):
    """Sections tile every road: each segment once, in order, lengths from geometry."""
    seg = plan.segments
    assert len(seg) == len(segments) and seg["segment_id"].is_unique
    assert set(seg["segment_id"]) == set(segments["segment_id"])
    table = plan.sections
    assert table["section_id"].is_unique
    assert set(table["section_id"]) == set(seg["section_id"])
    # geodesic metres of each segment, from its geometry in WGS-84
    geod = pyproj.Geod(ellps="WGS84")
    geom_len = np.array([geod.geometry_length(g) for g in seg.geometry.to_crs(4326)])
    for road_id, part in seg.assign(geom_len=geom_len).groupby("road_id"):
        rows = table[table["road_id"] == road_id]
        assert list(rows["section_no"]) == list(range(1, len(rows) + 1))
        assert list(rows["section_id"]) == [f"{road_id}#{k}" for k in rows["section_no"]]
        # lengths add up to the road's length measured on the geometry
        by_section = part.groupby("section_id")["geom_len"].sum()
        assert by_section.sum() == pytest.approx(part["geom_len"].sum())
        # (osmnx measures great circles on a sphere: within 0.5 % of the ellipsoid)
        assert rows["length_m"].sum() == pytest.approx(part["geom_len"].sum(), rel=5e-3)
        assert np.allclose(rows.set_index("section_id")["length_m"].reindex(by_section.index),
                           by_section, rtol=5e-3)
        assert rows["length_m"].sum() == pytest.approx(part["length_m"].sum())
        # contiguous: along the road the section numbers never go back
        ordered = part.sort_values("chain_from_m")
        mid = (ordered["chain_from_m"] + ordered["chain_to_m"]) / 2
        numbers = ordered.assign(mid=mid).sort_values("mid")["section_no"].to_numpy()
        assert (np.diff(numbers) >= 0).all(), road_id
        # each section but the only one is planner-sized
        if len(rows) > 1:
            assert (rows["length_m"] >= MIN_SECTION_M - 1e-6).all(), road_id


def _single_chain_connected(part):
    """Whether the segments of a section form one connected chain (shared end points)."""
    ends = [tuple(np.round(c, 3)) for g in part.geometry for c in
            (shapely.get_coordinates(g)[0], shapely.get_coordinates(g)[-1])]
    counts = pd.Series(ends).value_counts()
    return (counts == 1).sum() == 2 and (counts <= 2).all()


def test_shops_on_one_half_give_two_sections(tmp_path):
    # 1 km residential street; shops every 20 m on both sides along its first 500 m only
    shops, tags = {}, {}
    for k in range(25):
        for side in (-1, 1):
            pid = 5000 + 2 * k + (side > 0)
            shops[pid] = (LAT0 + side * 12 * DLAT_M, LON0 + (k * 20 + 10) / 100 * DLON_100M)
            tags[pid] = {"shop": "clothes", "name": f"店{pid}"}
    _, seg, evidence = _long_street(tmp_path, "商业路", {"highway": "residential"}, km=1.0,
                                    extra_nodes=shops, node_tags=tags)
    plan = plans.plan_roads(seg, evidence)
    _check_partition(plan, seg)
    rows = plan.sections[plan.sections["road_id"] == "商业路"]
    assert len(rows) == 2
    first, second = rows.iloc[0], rows.iloc[1]
    assert first["grade"] == 1 and "commercial_street" in first["rules"].split(";")
    assert second["grade"] == 4
    # the cut lies at the end of the shops, within one 100 m block, and names its crossing
    assert 400 <= first["to_m"] <= 600
    assert first["section_to"].startswith("横") and first["section_from"] == ""
    # the frontage of each section recomputed from the shop nodes, every metre
    main = plan.segments[plan.segments["road_id"] == "商业路"]
    shop_pts = evidence.pois.to_crs(seg.crs).geometry.values
    for _, row in rows.iterrows():
        line = shapely.union_all(main.loc[main["section_id"] == row["section_id"]]
                                 .geometry.values)
        samples = shapely.line_interpolate_point(line, np.arange(0.5, line.length, 1.0))
        near = shapely.STRtree(shop_pts).query_nearest(samples, return_distance=True)[1]
        assert row["frontage"] == pytest.approx(np.mean(near <= 25.0), abs=0.03)
        assert _single_chain_connected(main.loc[main["section_id"] == row["section_id"]])
    # the segments carry their section's grade
    graded = main["section_id"].map(rows.set_index("section_id")["grade"])
    assert (main["grade"] == graded).all()


def test_station_by_an_arterial_raises_only_its_section(tmp_path):
    # a station 2 m north of a 3 km secondary road, 1450 m from its west end
    station = {9000: (LAT0 + 2 * DLAT_M, LON0 + 14.5 * DLON_100M)}
    _, seg, evidence = _long_street(
        tmp_path, "干道", {"highway": "secondary"}, km=3.0, extra_nodes=station,
        node_tags={9000: {"railway": "station", "name": "测试站"}})
    plan = plans.plan_roads(seg, evidence)
    _check_partition(plan, seg)
    rows = plan.sections[plan.sections["road_id"] == "干道"].set_index("section_id")
    main = plan.segments[plan.segments["road_id"] == "干道"]
    assert main["length_m"].sum() == pytest.approx(3000, rel=0.01)
    top = rows[rows["grade"] == 1]
    assert len(top) == 1  # one 一级 section, the rest 二级 (arterial)
    assert set(rows.loc[rows["grade"] != 1, "grade"]) == {2}
    assert MIN_SECTION_M <= top["length_m"].iloc[0] <= 2 * MIN_SECTION_M
    (reason,) = [r for r in top["reasons"].iloc[0] if r.rule_id == "station_approach"]
    assert reason.evidence["near"][0] == pytest.approx(2.0, abs=0.5)
    # every segment within the radius is in that section, recomputed from geometry
    point = shapely.Point(*evidence.pois.to_crs(seg.crs).geometry.iloc[0].coords[0])
    near = main.geometry.distance(point) <= 100.0
    assert near.any() and (main.loc[near, "section_id"] == top.index[0]).all()
    assert (main.loc[main["section_id"] == top.index[0]].geometry.distance(point)
            <= MIN_SECTION_M + 100).all()
    words = plan_files.plan_table(plan).set_index("section_id")
    assert "测试站" in words.at[top.index[0], "reasons"]
    assert words.at[top.index[0], "section_label"].startswith("第")


def _box(first_id, lat, lon, half_m):
    d_lat, d_lon = half_m * DLAT_M, half_m / 100 * DLON_100M
    corners = [(lat - d_lat, lon - d_lon), (lat - d_lat, lon + d_lon),
               (lat + d_lat, lon + d_lon), (lat + d_lat, lon - d_lon)]
    nodes = {first_id + i: c for i, c in enumerate(corners)}
    return nodes, [first_id, first_id + 1, first_id + 2, first_id + 3, first_id]


@pytest.mark.parametrize(("school", "leisure", "grade_one"), [
    (True, "stadium", False),   # a campus sports ground is the campus's, not a venue
    (False, "stadium", True),   # a public stadium makes an approach
    (False, "pitch", False),    # a pitch is never a major venue
])
def test_sports_ground_on_a_campus_does_not_raise_its_road(tmp_path, school, leisure,
                                                           grade_one):
    # a 300 m residential street; 30 m north of it a 60 m sports ground
    lat = LAT0 + 60 * DLAT_M
    nodes, ground = _box(7000, lat, LON0 + 1.5 * DLON_100M, 30)
    ways = {500: (ground, {"leisure": leisure, "name": "体育场"})}
    if school:
        more, campus = _box(7100, lat, LON0 + 1.5 * DLON_100M, 50)
        nodes.update(more)
        ways[501] = (campus, {"amenity": "school", "name": "第一中学"})
    _, seg, evidence = _long_street(tmp_path, "校前路", {"highway": "residential"}, km=0.3,
                                       extra_nodes=nodes, extra_ways=ways)
    plan = plans.plan_roads(seg, evidence)
    row = plan.sections.set_index("section_id").loc["校前路#1"]
    assert (row["grade"] == 1) == grade_one
    assert ("station_approach" in row["rules"].split(";")) == grade_one
    if leisure == "stadium":
        stadium = evidence.areas[evidence.areas["osm_id"] == 500]
        assert list(stadium["public"]) == [not school]
    if school:
        assert list(evidence.compounds["osm_id"]) == [501]
        assert evidence.compounds["kind"].iloc[0] == "campus"
        # the campus itself stays a public school (it draws pedestrians at its gate)
        assert evidence.areas.set_index("osm_id").at[501, "public"]


def test_rules_file_example_four_sweeps(tmp_path):
    # the example of plan_rules.toml's header: one line, one number
    text = plans.default_rules_path().read_text(encoding="utf-8")
    assert "#     [grades.1]\n#     sweeps_per_day = 4\n" in text
    path = tmp_path / "four.toml"
    path.write_text("[grades.1]\nsweeps_per_day = 4\n", encoding="utf-8")
    rules = plans.load_rules(path)
    default = plans.load_rules()
    g1 = rules.grades[1]
    assert g1.sweeps_per_day == (4, 4) and g1.sweep_windows == default.grades[1].sweep_windows
    slots = g1.sweep_slots()
    assert sum(n for _, n in slots) == 4
    assert slots[0] == (g1.sweep_windows[0], 2)  # the extra sweep before the morning peak
    # a plan made with it: 4 sweeps, costed at 4, in the windows shown with their counts
    station = {9000: (LAT0 + 2 * DLAT_M, LON0 + 1.5 * DLON_100M)}
    _, seg, evidence = _long_street(tmp_path, "站前路", {"highway": "residential"}, km=0.3,
                                    extra_nodes=station,
                                    node_tags={9000: {"railway": "station", "name": "站"}})
    four = plans.plan_roads(seg, evidence, rules=rules).sections.set_index("section_id")
    three = plans.plan_roads(seg, evidence).sections.set_index("section_id")
    assert four.at["站前路#1", "grade"] == 1
    assert four.at["站前路#1", "sweeps_per_day"] == "4"
    assert four.at["站前路#1", "sweep_windows"] == "04:30-07:00×2 11:00-13:00 19:00-21:00"
    assert four.at["站前路#1", "mech_sweep_h_day"] == pytest.approx(
        three.at["站前路#1", "mech_sweep_h_day"] * 4 / 3)


def test_cut_runs_evens_out_short_runs():
    length = np.full(20, 50.0)
    # one 50 m run of 一级 in a 1 km 二级 road grows to 200 m around where it was
    grades = np.full(20, 2)
    grades[10] = 1
    sections = cut_runs(grades, length)
    top = np.flatnonzero(sections == sections[10])
    assert length[top].sum() == 200 and 10 in top
    assert len(set(sections)) == 3
    # short gaps in a 一级 run join it; a road shorter than a section is one section
    grades = np.array([1] * 6 + [3] + [1] * 6 + [4] * 7)
    sections = cut_runs(grades, length)
    assert list(sections) == [0] * 13 + [1] * 7
    assert list(cut_runs(np.array([1, 4, 2]), np.array([30.0, 40.0, 50.0]))) == [0, 0, 0]


def test_overrides_name_a_road_or_one_section(tmp_path):
    station = {9000: (LAT0 + 2 * DLAT_M, LON0 + 14.5 * DLON_100M)}
    _, seg, evidence = _long_street(
        tmp_path, "干道", {"highway": "secondary"}, km=3.0, extra_nodes=station,
        node_tags={9000: {"railway": "station", "name": "测试站"}})
    base = plans.plan_roads(seg, evidence).sections.set_index("section_id")
    last = base[base["road_id"] == "干道"].index[-1]
    csv = tmp_path / "o.csv"
    csv.write_text(f"road_id,grade,reason\n干道,3,整路\n{last},1,路段\n", encoding="utf-8")
    plan = plans.plan_roads(seg, evidence, overrides=plans.read_overrides(csv))
    table = plan.sections.set_index("section_id")
    rows = table[table["road_id"] == "干道"]
    assert table.at[last, "grade"] == 1 and table.at[last, "overridden"]
    assert set(rows.drop(index=last)["grade"]) == {3}
    seg_grade = plan.segments.set_index("segment_id")["grade"]
    on_last = plan.segments.loc[plan.segments["section_id"] == last, "segment_id"]
    assert (seg_grade[on_last] == 1).all()


# --------------------------------------------------------------------------- real data


def _report(name, plan):
    table = plan_files.plan_table(plan, "zh")
    seg = plan.segments
    share = seg.groupby("grade")["length_m"].sum() / seg["length_m"].sum()
    one = table[table["grade"] == 1]
    print(f"\n{name}: 一级 {share.get(1, 0):.1%} of {seg['length_m'].sum() / 1000:.1f} km; "
          f"shares {share.round(3).to_dict()}; {len(one)} 一级 sections of {len(table)} "
          f"({table['road_id'].nunique()} roads)")
    with pd.option_context("display.max_colwidth", 160, "display.width", 250,
                           "display.max_rows", 1000):
        print(one[["section_id", "section_label", "length_m", "reasons"]]
              .round({"length_m": 0}).to_string(index=False))
    return share


def test_guixi_sections(guixi_osm, guixi_segments):
    plan = plans.plan_roads(guixi_segments, pois.read_evidence(guixi_osm))
    _check_partition(plan, guixi_segments)
    share = _report("Guixi walk", plan)
    assert share.get(1, 0.0) < 0.2
    # no 一级 section owes its grade to a venue inside a compound
    evidence = pois.read_evidence(guixi_osm)
    private = set(evidence.pois.loc[~evidence.pois["public"], "name"].dropna())
    for reasons in plan.sections.loc[plan.sections["grade"] == 1, "reasons"]:
        for r in reasons:
            if r.rule_id == "station_approach":
                assert r.evidence["near"][1].split(" (")[0] not in private


def test_helsinki_sections(helsinki_pbf, helsinki_walk_segments):
    seg = helsinki_walk_segments
    plan = plans.plan_roads(seg, pois.read_evidence(helsinki_pbf))
    _check_partition(plan, seg)
    share = _report("Helsinki walk", plan)
    # the extract is the commercial centre (Kluuvi, Kamppi, the Esplanadi), its raw walk
    # network with sidewalk ways as roads of their own (XX人行道) graded on their own
    # frontage; under half of it is 一级 (57 % before sections and public venues)
    assert share.get(1, 0.0) < 0.5
    # long roads are cut where they change: some road has sections of two grades
    grades = plan.sections.groupby("road_id")["grade"].nunique()
    assert (grades > 1).any()
