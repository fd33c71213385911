"""Road grades and per-road cleaning plans (一路一策): rules, evidence, plans, outputs."""

from __future__ import annotations

import math
import zipfile

import geopandas as gpd
import numpy as np
import openpyxl
import osmium
import pandas as pd
import pytest
import shapely
from shapely.geometry import LineString, Point, box
from typer.testing import CliRunner

from osm_builders import write_osm
from patrolgeo import pipeline, plans, pois, roads
from patrolgeo.cli import app
from patrolgeo.errors import ConfigError, InputRowError, SegmentsError
from patrolgeo.labels import label
from patrolgeo.outputs import plans as plan_files
from patrolgeo.plans._load import _CONDITION_KEYS
from patrolgeo.tomlfiles import tomllib

RULES_TEXT = plans.default_rules_path().read_text(encoding="utf-8")


DEFAULTS = tomllib.loads(RULES_TEXT)

# --------------------------------------------------------------------------- a hand-built town

LAT0, LON0 = 30.0, 120.0
STEP = 0.002  # degrees of latitude between the parallel streets: about 222 m


def _town(tmp_path):
    """Seven parallel streets, about 290 m each, with exactly the evidence each grade needs,
    joined at their west ends by a plain residential street.

    Returns the OSM path and ``{street name: expected grade}``.
    """
    streets = [  # name, tags, expected grade
        ("商业街", {"highway": "residential"}, 1),        # shops all along both sides
        ("小巷", {"highway": "residential"}, 4),           # nothing around
        ("干道", {"highway": "secondary"}, 2),             # arterial class
        ("郊区路", {"highway": "tertiary"}, 3),            # peri-urban main road
        ("站前街", {"highway": "residential"}, 1),         # 89 m from a railway station
        ("公交街", {"highway": "residential"}, 2),         # on a bus route
        ("混合街", {"highway": "residential"}, 3),         # a school and a greengrocer
    ]
    nodes, ways, node_tags = {}, {}, {}
    for i, (name, tags, _) in enumerate(streets):
        lat = LAT0 + i * STEP
        a, b, c = 1000 + 3 * i, 1001 + 3 * i, 1002 + 3 * i
        nodes[a], nodes[b], nodes[c] = (lat, LON0), (lat, LON0 + 0.0015), (lat, LON0 + 0.003)
        ways[100 + i] = ([a, b, c], {**tags, "name": name})
    # the joining street passes two shops at 10 m: far too few for any rule
    ways[199] = ([1000 + 3 * i for i in range(len(streets))],
                 {"highway": "residential", "name": "连接路"})
    streets.append(("连接路", {}, 4))
    poi_id = 5000
    # shops every 0.0002° (about 19 m) on both sides of 商业街, 11 m off the centreline
    for k in range(16):
        for side in (-1, 1):
            nodes[poi_id] = (LAT0 + side * 0.0001, LON0 + 0.0001 + k * 0.0002)
            node_tags[poi_id] = {"shop": "clothes", "name": f"店{poi_id}"}
            poi_id += 1
    nodes[6000] = (LAT0 + 4 * STEP + 0.0008, LON0 + 0.0015)  # 89 m north of 站前街
    node_tags[6000] = {"railway": "station", "name": "测试站"}
    nodes[6001] = (LAT0 + 6 * STEP + 0.0002, LON0 + 0.001)  # school 22 m from 混合街
    node_tags[6001] = {"amenity": "school", "name": "测试小学"}
    nodes[6002] = (LAT0 + 6 * STEP - 0.0003, LON0 + 0.002)  # greengrocer 33 m from 混合街
    node_tags[6002] = {"shop": "greengrocer", "name": "菜店"}
    relations = {9000: ([("way", 105, "")], {"type": "route", "route": "bus", "ref": "3路"})}
    path = write_osm(tmp_path / "town.osm", nodes, ways, node_tags=node_tags,
                     relations=relations)
    return path, {name: grade for name, _, grade in streets}


@pytest.fixture(scope="module")
def town(tmp_path_factory):
    path, expected = _town(tmp_path_factory.mktemp("town"))
    result = pipeline.load_roads(path)
    evidence = pois.read_evidence(path)
    return path, expected, result, evidence


@pytest.fixture(scope="module")
def town_plan(town):
    _, _, result, evidence = town
    return plans.plan_roads(result.segments, evidence)


def test_hand_built_roads_get_the_grades_of_the_rules(town, town_plan):
    _, expected, _, _ = town
    sections = town_plan.sections
    # 连接路 (1.3 km) is cut: the stretch by 商业街's corner has six of its shops within
    # 50 m (27 per km ≥ 25: 三级), the rest nothing around
    joining = sections[sections["road_id"] == "连接路"]
    assert list(joining["grade"]) == [3, 4] and list(joining["rules"]) == ["mixed_draw",
                                                                           "default"]
    assert joining["section_from"].iloc[0] == "商业街"
    one = sections[sections["road_id"] != "连接路"]
    assert one["road_id"].is_unique  # every other street is one section
    got = one.set_index("road_id")["grade"].to_dict()
    assert got == {k: v for k, v in expected.items() if k != "连接路"}
    table = one.set_index("road_id")
    assert table.at["商业街", "rules"].split(";")[0] == "commercial_street"
    assert table.at["站前街", "rules"] == "station_approach"
    words = plan_files.plan_table(town_plan).set_index("road_id")
    assert "测试站" in words.at["站前街", "reasons"]
    (station,) = table.at["站前街", "reasons"]  # the reason as codes: rule, grade, evidence
    assert (station.code, station.grade, station.rule_id) == ("rule", 1, "station_approach")
    assert station.evidence["near"][1].startswith("测试站")
    assert set(table.at["公交街", "rules"].split(";")) == {"bus_route"}
    assert "3路" in words.at["公交街", "reasons"]
    assert table.at["郊区路", "rules"] == "peri_urban_main"
    assert table.at["混合街", "rules"] == "mixed_draw"
    assert table.at["小巷", "rules"] == "default"
    # every road carries a reason that names its grade
    for row in words.itertuples():
        assert row.reasons.startswith(label("grade", row.grade, "zh"))
        assert row.grade_label == label("grade", row.grade, "zh")
    # segments carry their section's grade
    seg = town_plan.segments
    assert (seg["grade"] == seg["section_id"].map(sections.set_index("section_id")["grade"])
            ).all()


def test_evidence_recomputed_by_brute_force(town, town_plan):
    _, _, result, evidence = town
    seg = result.segments
    shops = evidence.pois[evidence.pois["kind"] == "shop"].to_crs(seg.crs)
    table = town_plan.roads.set_index("road_id")
    for road_id in ("商业街", "小巷"):
        line = shapely.union_all(seg.loc[seg["road_id"] == road_id].geometry.values)
        # frontage: every metre of the street against every shop, no index
        samples = [line.interpolate(d) for d in np.arange(0.5, line.length, 1.0)]
        near = [min((p.distance(s) for s in shops.geometry), default=math.inf) <= 25.0
                for p in samples]
        assert table.at[road_id, "frontage"] == pytest.approx(np.mean(near), abs=0.02)
        count = sum(line.distance(s) <= 25.0 for s in shops.geometry)
        assert table.at[road_id, "frontage_count"] == count
    assert table.at["商业街", "frontage_count"] == 32
    # draw of 混合街: a school (5) and a market (4) within 50 m, over max(length, 200 m)
    length_km = table.at["混合街", "length_m"] / 1000
    assert table.at["混合街", "draw"] == pytest.approx((5 + 4) / length_km)


def test_covered_lengths_match_geometry():
    # a 200 m road along the x axis; a shop 15 m off its middle covers 2*sqrt(25²-15²) m
    road = gpd.GeoDataFrame({"length_m": [200.0]},
                            geometry=[LineString([(0, 0), (200, 0)])], crs=32651)
    shop = gpd.GeoDataFrame(geometry=[Point(100, 15)], crs=32651)
    got = plans.covered_lengths(road, shop, distance_m=25, step_m=1.0)[0]
    assert got == pytest.approx(2 * math.sqrt(25**2 - 15**2), abs=1.0)
    # a retail block 10 m beside x = 50 … 150 covers 100 m plus sqrt(25²-10²) each end
    block = gpd.GeoDataFrame(geometry=[box(50, 10, 150, 40)], crs=32651)
    got = plans.covered_lengths(road, block, distance_m=25, step_m=0.5)[0]
    assert got == pytest.approx(100 + 2 * math.sqrt(25**2 - 10**2), abs=0.5)
    # a shop farther than the reach covers nothing; results scale to length_m
    far = gpd.GeoDataFrame(geometry=[Point(100, 30)], crs=32651)
    assert plans.covered_lengths(road, far, distance_m=25, step_m=1.0)[0] == 0
    scaled = road.assign(length_m=400.0)
    got = plans.covered_lengths(scaled, block, distance_m=25, step_m=0.5)[0]
    assert got == pytest.approx(2 * (100 + 2 * math.sqrt(25**2 - 10**2)), abs=1.0)


def test_plan_numbers_follow_the_rules(town, town_plan):
    table = town_plan.roads.set_index("road_id")
    widths = DEFAULTS["widths"]["classes"]
    methods = DEFAULTS["methods"]
    for road_id, hw in (("干道", "secondary"), ("小巷", "residential")):
        spec = widths[hw]
        length = table.at[road_id, "length_m"]
        assert table.at[road_id, "area_m2"] == pytest.approx(
            length * (spec["carriageway_m"] + spec["sides"] * spec["sidewalk_m"]))
    # 小巷 (四级): 1-2 sweeps costed at 1.5, machine on the 6 m carriageway in 2 passes,
    # sidewalks by hand, 8 h of patrol cleaning per 2 km, no washing
    g4 = DEFAULTS["grades"]["4"]
    length = table.at["小巷", "length_m"]
    km = length / 1000
    sweeps = sum(g4["sweeps_per_day"]) / 2
    mech = sweeps * math.ceil(6.0 / methods["sweeper_path_m"]) * km / methods["sweeper_speed_kmh"]
    manual = sweeps * length * 3.0 / methods["manual_m2_per_hour"]
    patrol = 8.0 * length / g4["patrol_beat_m"]
    assert table.at["小巷", "crew_hours_week"] == pytest.approx(7 * (mech + manual + patrol))
    assert table.at["小巷", "washes_per_week"] == "0"
    assert table.at["小巷", "sweeps_per_day"] == "1–2"
    # 干道 (二级): 2 sweeps, washing 2-3 a week, 14 h of patrol cleaning
    assert table.at["干道", "patrol_cleaning_h"] == 14
    assert table.at["干道", "washes_per_week"] == "2–3"
    assert table.at["干道", "methods"] == (
        "mechanical_sweeping;washing;manual_sweeping;patrol_cleaning")
    assert table.at["商业街", "sweeps_per_day"] == "3"
    assert table.at["商业街", "patrol_cleaning_h"] == 16
    assert table.at["商业街", "washes_per_week"] == "3–5"
    # chief patrols: daily on 一级, every other day on 二级, weekly on 四级
    assert table.at["商业街", "chief_patrol"] == "daily"
    assert table.at["干道", "chief_patrol"] == "every_other_day"
    assert table.at["小巷", "chief_patrol"] == "weekly"


def test_time_windows_keep_machines_off_the_peaks(town_plan):
    peaks = [(7 * 60, 9 * 60), (16 * 60, 18 * 60)]

    def minutes(text):
        h, m = text.split(":")
        return int(h) * 60 + int(m)

    for row in town_plan.roads.itertuples():
        for window in f"{row.sweep_windows} {row.wash_windows}".split():
            start, end = (minutes(t) for t in window.split("-"))
            spans = [(start, end)] if end > start else [(start, 1440), (0, end)]
            for a, b in spans:
                for p, q in peaks:
                    assert b <= p or a >= q, (row.road_id, window)
        if row.grade in (1, 2):
            first_end = minutes(row.sweep_windows.split()[0].split("-")[1])
            assert first_end <= 7 * 60 and row.first_sweep_by == "07:00"


def test_workloads_add_up(town_plan):
    seg, table = town_plan.segments, town_plan.sections.set_index("section_id")
    by_road = seg.groupby("section_id")["workload"].sum()
    assert np.allclose(by_road.reindex(table.index), table["workload_min_week"])
    crew = seg.groupby("section_id")["crew_hours_week"].sum()
    assert np.allclose(crew.reindex(table.index), table["crew_hours_week"])
    mix = town_plan.grade_mix()
    assert mix.loc["total", "workload_h_week"] * 60 == pytest.approx(seg["workload"].sum())
    assert mix.loc["total", "crew_hours_week"] == pytest.approx(seg["crew_hours_week"].sum())
    assert mix.loc["total", "km"] * 1000 == pytest.approx(seg["length_m"].sum())
    assert mix.loc[[1, 2, 3, 4], "sections"].sum() == len(table)
    assert mix.loc["total", "roads"] == table["road_id"].nunique()
    # each segment's workload is its patrols a week × km × the grade's minutes per km
    per_week = {p["code"]: p["per_week"] for p in DEFAULTS["patrol"]}
    for row in seg.itertuples():
        grade = DEFAULTS["grades"][str(row.grade)]
        expected = per_week[grade["chief_patrol"]] * row.length_m / 1000 * \
            grade["chief_min_per_km"]
        assert row.workload == pytest.approx(expected)


def test_overrides_win(town, tmp_path):
    _, _, result, evidence = town
    csv = tmp_path / "overrides.csv"
    csv.write_text("road_id,grade,chief_patrol,carriageway_m,sidewalk_m,reason\n"
                   "小巷,一级,,,,学校门口\n"
                   "商业街,4,,,,\n"
                   "干道,,twice_daily,20,0,\n", encoding="utf-8-sig")
    rules = plans.load_rules()
    plan = plans.plan_roads(result.segments, evidence, rules=rules,
                            overrides=plans.read_overrides(csv, rules))
    table = plan.roads.set_index("road_id")
    assert table.at["小巷", "grade"] == 1 and table.at["小巷", "rule_grade"] == 4
    assert table.at["商业街", "grade"] == 4 and table.at["商业街", "rule_grade"] == 1
    assert table.at["小巷", "rules"] == "override" and table.at["小巷", "overridden"]
    words = plan_files.plan_table(plan).set_index("road_id")
    assert "overrides.csv" in words.at["小巷", "reasons"]
    assert "学校门口" in words.at["小巷", "reasons"]
    note = table.at["小巷", "reasons"][0]
    assert (note.code, note.grade, note.rule_grade, note.line) == ("override", 1, 4, 2)
    # a grade override changes the whole plan: 16 h patrol cleaning, daily chief patrols
    assert table.at["小巷", "patrol_cleaning_h"] == 16
    assert table.at["小巷", "chief_patrol"] == "daily"
    assert (plan.segments.loc[plan.segments["road_id"] == "小巷", "grade"] == 1).all()
    # the other fields: patrol frequency and widths
    assert table.at["干道", "grade"] == 2 and table.at["干道", "chief_patrol"] == "twice_daily"
    assert table.at["干道", "area_m2"] == pytest.approx(table.at["干道", "length_m"] * 20)


def test_issue_load_raises_patrols(town):
    _, _, result, evidence = town
    seg = result.segments
    lane = seg.loc[seg["road_id"] == "小巷"]
    km = lane["length_m"].sum() / 1000
    thresholds = DEFAULTS["issues"]["raise_per_km"]
    # per segment: the lane's load reaches the second threshold, 干道 the first
    load = pd.Series({lane["segment_id"].iloc[0]: thresholds[1] * km + 0.1})
    main = seg.loc[seg["road_id"] == "干道"]
    load[main["segment_id"].iloc[0]] = thresholds[0] * main["length_m"].sum() / 1000 + 0.1
    plan = plans.plan_roads(seg, evidence, issue_load=load)
    table = plan.roads.set_index("road_id")
    assert table.at["小巷", "patrol_raised_by"] == 2
    assert table.at["小巷", "chief_patrol"] == "every_other_day"  # weekly + 2 steps
    assert table.at["干道", "patrol_raised_by"] == 1
    assert table.at["干道", "chief_patrol"] == "daily"  # every other day + 1
    assert table.at["商业街", "patrol_raised_by"] == 0
    assert table.at["商业街", "issue_load"] == 0
    # raised patrols raise the workload in proportion
    base = plans.plan_roads(seg, evidence).roads.set_index("road_id")
    assert table.at["小巷", "workload_min_week"] == pytest.approx(
        3.5 * base.at["小巷", "workload_min_week"])
    # per road works the same; the top of the ladder is a ceiling
    per_road = pd.Series({"商业街": 1e6})
    table = plans.plan_roads(seg, evidence, issue_load=per_road).roads.set_index("road_id")
    assert table.at["商业街", "chief_patrol"] == "twice_daily"
    assert table.at["商业街", "patrol_raised_by"] == 2


@pytest.mark.parametrize(
    ("load", "expected"),
    [
        (pd.Series({"no-such-segment": 1.0}), "neither segments nor roads"),
        (pd.Series({"小巷": -1.0}), "≥ 0"),
        (pd.Series({"小巷": "many"}), "not a number"),
        (pd.Series({"小巷": math.inf}), "finite"),
        ({"小巷": 1.0}, "Series"),
    ],
)
def test_bad_issue_load(town, load, expected):
    _, _, result, evidence = town
    with pytest.raises(InputRowError, match=expected) as info:
        plans.plan_roads(result.segments, evidence, issue_load=load)
    assert info.value.field == "issue_load"


def test_rules_file_laid_over_defaults(tmp_path, town):
    _, _, result, evidence = town
    path = tmp_path / "rules.toml"
    path.write_text("[grades.4]\nchief_patrol = \"twice_weekly\"\n\n"
                    "[evidence]\nfrontage_m = 5.0\n", encoding="utf-8")
    rules = plans.load_rules(path)
    assert rules.grades[4].chief_patrol == "twice_weekly"
    assert rules.grades[1].sweeps_per_day == (3, 3)  # untouched defaults stay
    plan = plans.plan_roads(result.segments, evidence, rules=rules)
    table = plan.roads.set_index("road_id")
    assert table.at["小巷", "chief_patrol"] == "twice_weekly"
    # shops 11 m off the centreline are out of a 5 m reach: no longer a commercial street,
    # but still a busy one
    assert table.at["商业街", "frontage"] == 0 and table.at["商业街", "grade"] == 3
    assert table.at["商业街", "rules"] == "mixed_draw"
    # a replaced [[rules]] list replaces all rules
    path.write_text('[[rules]]\nid = "all_residential"\ngrade = "二级"\n'
                    'highway = ["residential"]\n', encoding="utf-8")
    table = plans.plan_roads(result.segments, evidence,
                             rules=plans.load_rules(path)).roads.set_index("road_id")
    assert table.at["商业街", "grade"] == 2 and table.at["干道", "grade"] == 4


# --------------------------------------------------------------------------- bad rules


def _line_of(text: str, needle: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), 1) if needle in line)


BAD_RULES = [
    # (file text, field, message part, the text on the line the error must name)
    ("[grades.1]\nsweep_per_day = 3\n", "grades.1.sweep_per_day", "did you mean",
     "sweep_per_day"),
    ("[methods]\nsweeper_speed_kmh = -5\n", "methods.sweeper_speed_kmh", "> 0",
     "sweeper_speed_kmh"),
    ("[methods]\nsweeper_speed_kmh = \"fast\"\n", "methods.sweeper_speed_kmh",
     "must be a number", "sweeper_speed_kmh"),
    ("[evidence]\nfrontage_m = 25.0\n\n[grades.2]\nwash_windows = [\"06:00-08:00\"]\n",
     "grades.2.wash_windows", "peak", "wash_windows"),
    ("[grades.1]\nsweep_windows = [\"09:00-11:00\", \"11:00-13:00\", \"19:00-21:00\"]\n",
     "grades.1.sweep_windows", "first_sweep_by", "sweep_windows"),
    ("[grades.1]\nsweep_windows = []\n", "grades.1.sweep_windows", "at least one window",
     "sweep_windows"),
    ("[grades.3]\nsweep_windows = [\"5:00 to 7:00\", \"13:00-15:30\"]\n",
     "grades.3.sweep_windows", "bad time window", "sweep_windows"),
    ("[grades.3]\nchief_patrol = \"hourly\"\n", "grades.3.chief_patrol",
     "unknown patrol frequency", "chief_patrol"),
    ("[grades.3]\nsweeps_per_day = [2, 1]\n", "grades.3.sweeps_per_day", "backwards",
     "sweeps_per_day"),
    ("[grades.5]\nsweeps_per_day = 1\n", "grades.5", "unknown key", "[grades.5]"),
    ('[[rules]]\nid = "a"\ngrade = 1\nhighway = ["primary"]\n\n'
     '[[rules]]\nid = "b"\ngrade = "五级"\nhighway = ["secondary"]\n',
     "rules[2].grade", "unknown grade", 'grade = "五级"'),
    ('[[rules]]\nid = "a"\ngrade = 1\nhighway = ["primry"]\n', "rules[1].highway",
     "did you mean 'primary'", "highway"),
    ('[[rules]]\nid = "a"\ngrade = 1\nmin_frontage = 70\n', "rules[1].min_frontage", "≤ 1",
     "min_frontage"),
    ('[[rules]]\nid = "a"\ngrade = 1\nnear = ["railway=station"]\n', "rules[1]",
     "go together", "[[rules]]"),
    ('[[rules]]\nid = "a"\ngrade = 1\nnear = ["spaceport"]\nwithin_m = 10\n', "rules[1].near",
     "unknown kind", "near"),
    ('[[rules]]\nid = "a"\ngrade = 1\n', "rules[1]", "no condition", "[[rules]]"),
    ('[[rules]]\nid = "a"\ngrade = 1\nhighway = ["primary"]\n\n'
     '[[rules]]\nid = "a"  # again\ngrade = 2\nhighway = ["secondary"]\n', "rules[2].id",
     "twice", "# again"),
    ("[widths.classes]\nresidential = { carriageway_m = 0, sidewalk_m = 1.5, sides = 2 }\n",
     "widths.classes.residential.carriageway_m", "> 0", "residential"),
    ("[issues]\nraise_per_km = [10, 2]\n", "issues.raise_per_km", "increase", "raise_per_km"),
    ("[schedule]\nmachine_blackout = [\"7:00-25:00\"]\n", "schedule.machine_blackout",
     "bad time window", "machine_blackout"),
    ("version = 2\n", "version", "unsupported", "version"),
    ("[evidence]\nfrontage_kinds = [\"shops\"]\n", "evidence.frontage_kinds",
     "did you mean 'shop'", "frontage_kinds"),
]


@pytest.mark.parametrize(("text", "field", "message", "line_text"), BAD_RULES)
def test_bad_rules_name_file_line_and_field(tmp_path, text, field, message, line_text):
    path = tmp_path / "my_rules.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        plans.load_rules(path)
    err = info.value
    assert err.file == str(path), err
    assert err.field == field, err
    assert message in err.message, err
    assert err.row == _line_of(text, line_text), err
    assert str(path) in err.one_line() and field in err.one_line()


def test_rules_syntax_error_and_missing_file(tmp_path):
    path = tmp_path / "broken.toml"
    path.write_text("[grades.1]\nsweeps_per_day = = 3\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="not valid TOML") as info:
        plans.load_rules(path)
    assert info.value.row == 2 and info.value.file == str(path)
    with pytest.raises(ConfigError, match="not found"):
        plans.load_rules(tmp_path / "none.toml")


def test_default_rules_are_valid_and_documented():
    rules = plans.load_rules()
    assert [r.grade for r in rules.rules] == sorted(r.grade for r in rules.rules)
    assert rules.grades[1].sweeps_per_day == (3, 3)
    assert rules.grades[1].patrol_hours == 16
    assert rules.grades[2].patrol_hours == 14
    assert rules.grades[3].patrol_hours == 12
    assert rules.grades[1].washes_per_week == (3, 5)
    assert rules.grades[4].sweeps_per_day == (1, 2)
    assert [str(w) for w in rules.machine_blackout] == ["07:00-09:00", "16:00-18:00"]
    # every condition key a rule may use is explained in the shipped file
    for key in _CONDITION_KEYS:
        assert key in RULES_TEXT


# --------------------------------------------------------------------------- bad overrides

BAD_OVERRIDES = [
    ("road_id,grade\n小巷,五级\n", 2, "grade", "unknown grade"),
    ("road_id,grade\n小巷,1\n\n干道,0\n", 4, "grade", "unknown grade"),
    ("road_id,carriageway_m\n小巷,wide\n", 2, "carriageway_m", "not a number"),
    ("road_id,sidewalk_m\n小巷,-2\n", 2, "sidewalk_m", "not a number"),
    ("road_id,carriageway_m\n小巷,nan\n", 2, "carriageway_m", "not a number"),
    ("road_id,chief_patrol\n小巷,hourly\n", 2, "chief_patrol", "unknown patrol"),
    ("road_id,grade,colour\n小巷,1,red\n", 1, "colour", "unknown column"),
    ("road_id,gade\n小巷,1\n", 1, "gade", "did you mean 'grade'"),
    ("road,grade\n小巷,1\n", 1, "road", "unknown column"),
    ("grade\n1\n", 1, "road_id", "missing column"),
    ("road_id,grade\n小巷,1\n小巷,2\n", 3, "road_id", "already overridden on line 2"),
    ("road_id,grade\n,1\n", 2, "road_id", "blank"),
    ("road_id,grade,reason\n小巷,,\n", 2, None, "overrides nothing"),
    ("road_id,grade\n小巷,1,extra\n", 2, None, "fields"),
    ("", 1, None, "empty file"),
]


@pytest.mark.parametrize(("text", "row", "field", "message"), BAD_OVERRIDES)
def test_bad_override_rows(tmp_path, text, row, field, message):
    path = tmp_path / "overrides.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputRowError) as info:
        plans.read_overrides(path)
    err = info.value
    assert (err.file, err.row, err.field) == (str(path), row, field), err
    assert message in err.message, err


def test_overrides_saved_by_excel_in_gbk(tmp_path):
    path = tmp_path / "overrides.csv"
    path.write_bytes("road_id,grade,reason\n小巷,二级,菜市场门口\n".encode("gbk"))
    (row,) = plans.read_overrides(path)
    assert (row.road_id, row.grade, row.reason, row.line) == ("小巷", 2, "菜市场门口", 2)


def test_plan_without_evidence_and_in_degrees(town):
    _, _, result, _ = town
    plan = plans.plan_roads(result.segments)  # classes only: no shops, stations or buses
    got = plan.roads.set_index("road_id")["grade"]
    assert got["干道"] == 2 and got["郊区路"] == 3
    assert got["商业街"] == 4 and got["站前街"] == 4 and got["公交街"] == 4
    with pytest.raises(SegmentsError, match="projected") as info:
        plans.plan_roads(result.segments.to_crs(4326))
    assert info.value.field == "crs"
    # the segments contract is checked on entry: a missing column, a repeated id
    with pytest.raises(SegmentsError, match="road_id") as info:
        plans.plan_roads(result.segments.drop(columns="road_id"))
    assert info.value.field == "road_id"
    twice = pd.concat([result.segments, result.segments.iloc[:1]])
    with pytest.raises(SegmentsError, match="twice"):
        plans.plan_roads(twice)


def test_override_of_unknown_road(town, tmp_path):
    _, _, result, evidence = town
    path = tmp_path / "overrides.csv"
    path.write_text("road_id,grade\n小巷,2\n商業街,1\n", encoding="utf-8")
    with pytest.raises(InputRowError, match="unknown road '商業街'") as info:
        plans.plan_roads(result.segments, evidence, overrides=plans.read_overrides(path))
    assert (info.value.row, info.value.field) == (3, "road_id")
    assert "did you mean '商业街'" in info.value.message


# --------------------------------------------------------------------------- outputs


def test_outputs_are_complete_and_byte_identical(town, town_plan, tmp_path):
    for out in (tmp_path / "a", tmp_path / "b"):
        pipeline.write_plans(town_plan, out, pipeline.RunOutputs(), lang="zh")
    names = ["plans.csv", "plans.xlsx", "plans.html", "segments_plan.csv"]
    for name in names:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name
    out = tmp_path / "a"
    assert not [p for p in out.iterdir() if p.name.startswith(".")]
    raw = (out / "plans.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    table = pd.read_csv(out / "plans.csv", encoding="utf-8-sig")
    assert list(table["road_id"]) == sorted(town_plan.roads["road_id"])
    assert table["workload_min_week"].sum() == pytest.approx(
        town_plan.segments["workload"].sum(), abs=0.05 * len(table))
    segs = pd.read_csv(out / "segments_plan.csv", encoding="utf-8-sig")
    assert segs["segment_id"].is_unique and len(segs) == len(town_plan.segments)
    assert segs["geometry_wkt"].str.startswith("LINESTRING (120").all()  # WGS-84
    book = openpyxl.load_workbook(out / "plans.xlsx")
    assert book.sheetnames == ["汇总", "一级", "二级", "三级", "四级"]
    assert book["一级"].max_row == 1 + (town_plan.roads["grade"] == 1).sum()
    summary = [[c.value for c in row] for row in book["汇总"].iter_rows()]
    assert summary[0][0] == "保洁等级"
    assert any("OpenStreetMap" in str(row[0]) for row in summary)
    with zipfile.ZipFile(out / "plans.xlsx") as archive:
        assert {i.date_time for i in archive.infolist()} == {(2000, 1, 1, 0, 0, 0)}
    html = (out / "plans.html").read_text(encoding="utf-8")
    assert "OpenStreetMap contributors" in html and "<script" not in html
    for road_id in town_plan.roads["road_id"]:
        assert road_id in html
    assert html.count('<section class="road"') == len(town_plan.roads)


def test_english_outputs(town_plan):
    html = plan_files.plan_book_html(town_plan, lang="en")
    sheets = plan_files.plan_sheets(town_plan, "en")
    assert "Grade mix" in html and "Grade 1" in html
    assert list(sheets) == ["Summary", "Grade 1", "Grade 2", "Grade 3", "Grade 4"]
    # the same codes in two languages: words differ, numbers do not
    en = plan_files.plan_csv_table(town_plan, "en").set_index("road_id")
    zh = plan_files.plan_csv_table(town_plan, "zh").set_index("road_id")
    assert en.at["站前街", "reasons"].startswith("Grade 1: ")
    assert " m from 测试站" in en.at["站前街", "reasons"]
    assert zh.at["站前街", "reasons"].startswith("一级：")
    assert en.at["干道", "methods_label"] == (
        "mechanical sweeping, washing, manual sweeping, patrol cleaning")
    words = ["section_label", "grade_label", "reasons", "methods_label", "chief_patrol_label"]
    assert en.drop(columns=words).equals(zh.drop(columns=words))


# --------------------------------------------------------------------------- CLI

runner = CliRunner()


def test_plan_command(town, tmp_path):
    path = town[0]
    out = tmp_path / "out"
    overrides = tmp_path / "o.csv"
    overrides.write_text("road_id,grade\n小巷,2\n", encoding="utf-8")
    result = runner.invoke(app, ["plan", "--osm", str(path), "--overrides", str(overrides),
                                 "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "一级：2 条道路" in result.stdout and "二级：3 条道路" in result.stdout
    for name in ("plans.csv", "plans.xlsx", "plans.html", "segments_plan.csv"):
        assert str(out / name) in result.stdout


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        (["--rules", "{rules}"], "bad.toml:2: grades.1.sweeps_per_day: must be a number"),
        (["--overrides", "{overrides}"], "o.csv:2: grade: unknown grade"),
        (["--overrides", "{unknown}"], "u.csv:2: road_id: unknown road"),
        (["--rules", "{missing}"], "none.toml: rules file not found"),
    ],
)
def test_plan_command_bad_input(town, tmp_path, extra, expected):
    path = town[0]
    files = {"rules": tmp_path / "bad.toml", "overrides": tmp_path / "o.csv",
             "unknown": tmp_path / "u.csv", "missing": tmp_path / "none.toml"}
    files["rules"].write_text("[grades.1]\nsweeps_per_day = \"three\"\n", encoding="utf-8")
    files["overrides"].write_text("road_id,grade\n小巷,零级\n", encoding="utf-8")
    files["unknown"].write_text("road_id,grade\n没有这条路,1\n", encoding="utf-8")
    out = tmp_path / "out"
    args = [a.format(**files) for a in extra]
    result = runner.invoke(app, ["plan", "--osm", str(path), *args, "--out", str(out),
                                 "--lang", "en"])
    assert result.exit_code == 2
    lines = [ln for ln in result.stderr.splitlines() if ln.startswith("error:")]
    assert len(lines) == 1 and expected in lines[0], result.stderr
    assert not out.exists()


def test_plan_command_needs_an_osm_file(tmp_path):
    result = runner.invoke(app, ["plan", "--out", str(tmp_path / "o"), "--lang", "en"])
    assert result.exit_code == 2 and "--osm" in result.stderr
    graphml = tmp_path / "g.graphml"
    graphml.write_text("<graphml/>")
    result = runner.invoke(app, ["plan", "--osm", str(graphml), "--out", str(tmp_path / "o"),
                                 "--lang", "en"])
    assert result.exit_code == 2


# --------------------------------------------------------------------------- real data


def _stations(path):
    """railway=station nodes and multipolygon outlines, read straight from the file."""
    points, members, outlines = [], {}, []
    for rel in osmium.FileProcessor(str(path), osmium.osm.RELATION):
        if rel.tags.get("railway") == "station" and rel.tags.get("type") == "multipolygon":
            members[rel.id] = [m.ref for m in rel.members if m.type == "w"]
    wanted = {w for refs in members.values() for w in refs}
    lines = {}
    for obj in osmium.FileProcessor(str(path)).with_locations():
        if obj.is_node() and obj.tags.get("railway") == "station":
            points.append(Point(obj.location.lon, obj.location.lat))
        elif obj.is_way() and obj.id in wanted:
            lines[obj.id] = LineString([(n.lon, n.lat) for n in obj.nodes])
    for refs in members.values():
        outlines.extend(shapely.polygonize([lines[r] for r in refs if r in lines]).geoms)
    return gpd.GeoSeries(points + outlines, crs=4326)


@pytest.fixture(scope="module")
def guixi_plan(guixi_osm, guixi_segments):
    return plans.plan_roads(guixi_segments, pois.read_evidence(guixi_osm))


def test_guixi_grades(guixi_osm, guixi_segments, guixi_plan):
    seg = guixi_segments
    table = guixi_plan.roads.set_index("road_id")
    # the station approach: every road within 100 m of the station node is 一级
    stations = _stations(guixi_osm).to_crs(seg.crs)
    assert len(stations) >= 2  # the 贵溪 node and the 贵溪站 station area
    station = shapely.union_all(stations.values)
    dist = seg.geometry.distance(station).groupby(seg["road_id"]).min()
    near = dist[dist <= 100].index
    assert list(near) == ["北大街"]  # the street in front of the station
    for road_id in near:
        assert table.at[road_id, "grade"] == 1
        assert "station_approach" in table.at[road_id, "rules"].split(";")
    # residential lanes with no point of interest within 50 m and no bus: 四级
    evidence = pois.read_evidence(guixi_osm)
    every_poi = shapely.union_all(evidence.pois.to_crs(seg.crs).geometry.values)
    lanes = []
    for road_id, part in seg.groupby("road_id"):
        main = part.groupby("highway")["length_m"].sum().idxmax()
        if main == "residential" and part.geometry.distance(every_poi).min() > 100:
            lanes.append(road_id)
    assert len(lanes) >= 10
    for road_id in lanes:
        assert table.at[road_id, "grade"] == 4, road_id
        assert table.at[road_id, "rules"] == "default"
    # arterials are at least 二级
    for _, row in table.iterrows():
        if row["highway"] in {"primary", "secondary", "trunk"}:
            assert row["grade"] <= 2
    # everything adds up
    assert np.isclose(guixi_plan.segments["workload"].sum(),
                      guixi_plan.roads["workload_min_week"].sum())
    assert guixi_plan.roads["length_m"].sum() == pytest.approx(seg["length_m"].sum())


def test_guixi_override_of_the_commercial_core(guixi_segments, guixi_osm, tmp_path):
    # The Guixi extract maps no shop at all (no shop=*, no retail or commercial land), so
    # its old-town streets cannot be 一级 from OSM evidence; the bureau says so here.
    path = tmp_path / "guixi_overrides.csv"
    path.write_text("road_id,grade,reason\n南大街,一级,老城商业街\n", encoding="utf-8-sig")
    rules = plans.load_rules()
    plan = plans.plan_roads(guixi_segments, pois.read_evidence(guixi_osm), rules=rules,
                            overrides=plans.read_overrides(path, rules))
    row = plan_files.plan_table(plan).set_index("road_id").loc["南大街"]
    assert row["grade"] == 1 and row["rule_grade"] == 4 and "老城商业街" in row["reasons"]


def _shop_points(path, bounds):
    found = []
    for obj in osmium.FileProcessor(str(path), osmium.osm.NODE):
        if "shop" in obj.tags or obj.tags.get("amenity") in {"restaurant", "cafe",
                                                             "fast_food", "bar", "pub"}:
            p = Point(obj.location.lon, obj.location.lat)
            if box(*bounds).contains(p):
                found.append(p)
    return gpd.GeoSeries(found, crs=4326)


def test_helsinki_shopping_street_is_grade_one(helsinki_pbf, helsinki_walk_segments):
    seg = helsinki_walk_segments
    plan = plans.plan_roads(seg, pois.read_evidence(helsinki_pbf))
    table = plan.roads.set_index("road_id")
    # Aleksanterinkatu is Helsinki's main shopping street
    assert table.at["Aleksanterinkatu", "grade"] == 1
    assert "commercial_street" in table.at["Aleksanterinkatu", "rules"].split(";")
    # its frontage recomputed from shop and restaurant nodes read straight from the file
    shops = _shop_points(helsinki_pbf, roads.file_bounds(helsinki_pbf)).to_crs(seg.crs)
    line = shapely.union_all(seg.loc[seg["road_id"] == "Aleksanterinkatu"].geometry.values)
    tree = shapely.STRtree(shops.values)
    samples = shapely.line_interpolate_point(line, np.arange(0.5, line.length, 1.0))
    nearest = tree.query_nearest(samples, return_distance=True)[1]
    share = float(np.mean(nearest <= 25.0))
    assert share >= 0.7
    assert table.at["Aleksanterinkatu", "frontage"] >= 0.7
    # the evidence matches the brute force within the sampling step
    assert table.at["Aleksanterinkatu", "frontage"] == pytest.approx(share, abs=0.05)
    # the grade mix adds up, and each grade holds some of the network
    mix = plan.grade_mix()
    assert mix.loc["total", "km"] * 1000 == pytest.approx(seg["length_m"].sum())
    assert (mix.loc[[1, 2, 3, 4], "roads"] > 0).all()


def test_segment_widths_from_tags():
    geoms = [LineString([(0, 0), (100, 0)]),     # 1 residential, sidewalks mapped apart
             LineString([(0, 8), (100, 8)]),     # 2 its sidewalk way, 8 m north
             LineString([(0, 100), (100, 100)]),  # 3 residential, nothing special
             LineString([(0, 200), (100, 200)]),  # 4 unclassified with sidewalk=both
             LineString([(0, 300), (100, 300)]),  # 5 one-way primary: half a dual carriageway
             LineString([(0, 400), (100, 400)]),  # 6 secondary with width=10 and lanes=4
             LineString([(0, 500), (100, 500)]),  # 7 tertiary with lanes=3
             LineString([(50, 100), (50, 200)])]  # 8 a crossing way
    seg = gpd.GeoDataFrame({
        "highway": ["residential", "footway", "residential", "unclassified", "primary",
                    "secondary", "tertiary", "footway"],
        "width_m": [None, None, None, None, None, 10.0, None, None],
        "lanes": [None, None, None, None, None, 4.0, 3.0, None],
        "osm_way_id": [1, 2, 3, 4, 5, 6, 7, 8], "oneway": [False] * 8,
        "length_m": [100.0] * 8}, geometry=geoms, crs=32651)
    tags = {2: {"highway": "footway", "footway": "sidewalk"},
            4: {"highway": "unclassified", "sidewalk": "both"},
            5: {"highway": "primary", "oneway": "yes"},
            8: {"highway": "footway", "footway": "crossing"}}
    w = plans.segment_widths(seg, plans.load_rules(), tags)
    classes = DEFAULTS["widths"]["classes"]
    assert list(w["separate_sidewalks"]) == [True, False, False, False, False, False, False,
                                             False]
    assert w.at[0, "sidewalk_m"] == 0  # its sidewalk way carries that area
    assert w.at[2, "sidewalk_m"] == 2 * classes["residential"]["sidewalk_m"]
    assert w.at[3, "sidewalk_m"] == 2 * DEFAULTS["widths"]["tagged_sidewalk_m"]
    assert w.at[4, "carriageway_m"] == classes["primary"]["carriageway_m"] / 2
    assert w.at[4, "sidewalk_m"] == classes["primary"]["sidewalk_m"]  # the outer side only
    assert w.at[5, "carriageway_m"] == 10 and w.at[5, "width_source"] == "width"
    assert w.at[6, "carriageway_m"] == 3 * DEFAULTS["widths"]["lane_width_m"]
    assert list(w["street_part"]) == [False, True, False, False, False, False, False, True]
    assert not w.at[1, "machine"] and w.at[2, "machine"]


def test_sidewalk_ways_are_looked_after_with_their_street(tmp_path):
    nodes = {1: (30.0, 120.0), 2: (30.0, 120.002), 3: (30.00007, 120.0), 4: (30.00007, 120.002)}
    ways = {10: ([1, 2], {"highway": "residential", "name": "主街"}),
            11: ([3, 4], {"highway": "footway", "footway": "sidewalk"}),
            12: ([1, 3], {"highway": "footway", "footway": "crossing"})}
    path = write_osm(tmp_path / "sidewalks.osm", nodes, ways)
    # the raw walk network keeps sidewalk ways (the city network folds them away)
    seg = pipeline.load_roads(path, network=pipeline.NetworkOptions("walk")).segments
    plan = plans.plan_roads(seg, pois.read_evidence(path))
    table = plan.roads.set_index("road_id")
    # the sidewalk's road, whatever its name from context (主街人行道)
    walk = table.loc[seg.loc[seg["osm_way_id"] == 11, "road_id"].iloc[0]]
    assert walk["street_part"] and walk["workload_min_week"] == 0
    assert walk["patrol_clean_h_day"] == 0 and "patrol_cleaning" not in walk["methods"]
    assert walk["area_m2"] == pytest.approx(walk["length_m"] * 2.5)  # footway default
    street = table.loc["主街"]
    assert not street["street_part"] and street["workload_min_week"] > 0
    assert street["sidewalk_m"] == 0  # mapped apart, 8 m away
    html = plan_files.plan_book_html(plan)
    assert "随所属道路巡回保洁、巡查" in html
