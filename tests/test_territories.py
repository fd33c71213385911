"""Road-chief territories: coverage, connectivity, balance, pins, stability, inputs."""

from __future__ import annotations

import bz2
import itertools
import xml.etree.ElementTree as ET

import networkx as nx
import numpy as np
import pandas as pd
import pytest
import shapely
from typer.testing import CliRunner

from osm_builders import write_osm
from patrolgeo import pipeline, roads, territories
from patrolgeo.cli import app
from patrolgeo.errors import AreaError, CapacityError, InputRowError, SegmentsError
from patrolgeo.territories._assign import _stations_xy

runner = CliRunner()
SPEED_M_PER_MIN = territories.DEFAULT_PATROL_SPEED_KMH * 1000 / 60


# ----------------------------------------------------------------------- helpers


def grid_file(path, rows=12, cols=12, skip_row=None, named=True):
    """A street grid: each row and column one way, named 横<i>路 / 纵<j>路."""
    nodes = {1000 + i * cols + j: (30.0 + i * 0.001, 120.0 + j * 0.001)
             for i in range(rows) for j in range(cols)}
    ways = {}
    for i in range(rows):
        if i != skip_row:
            ways[100 + i] = ([1000 + i * cols + j for j in range(cols)],
                             {"highway": "residential", **({"name": f"横{i}路"} if named else {})})
    for j in range(cols):
        ways[300 + j] = ([1000 + i * cols + j for i in range(rows)],
                         {"highway": "residential", **({"name": f"纵{j}路"} if named else {})})
    return write_osm(path, nodes, ways)


@pytest.fixture(scope="module")
def grid(tmp_path_factory):
    path = grid_file(tmp_path_factory.mktemp("grid") / "grid.osm")
    G = roads.load_graph(path, mode="walk")
    return G, roads.segments_from_graph(G)


def check_assignment(segments, result, k, tolerance=0.05, capacities=None):
    """Check a result against the segments alone, without the module's own measures."""
    a = result.assignment
    # every segment exactly once, to one of the k chiefs
    assert a["segment_id"].is_unique
    assert set(a["segment_id"]) == set(segments["segment_id"])
    assert len(result.chiefs) == k and set(a["chief_id"]) <= set(result.chiefs)
    assert a["chief_id"].notna().all()
    chief_of = a.set_index("segment_id")["chief_id"]
    seg = segments.assign(chief=segments["segment_id"].map(chief_of))
    # each territory connected: its segments as edges of a networkx graph
    for chief, part in seg.groupby("chief"):
        H = nx.MultiGraph()
        H.add_edges_from(zip(part["u"], part["v"], strict=True))
        assert nx.is_connected(H), f"territory {chief} is not connected"
    # balance, with workload recomputed from the geometry (walking time)
    minutes = seg.geometry.length / SPEED_M_PER_MIN
    load = minutes.groupby(seg["chief"]).sum().reindex(result.chiefs, fill_value=0.0)
    caps = pd.Series({c: (capacities or {}).get(c, 1.0) for c in result.chiefs})
    share = load / (minutes.sum() * caps / caps.sum())
    # geometry length differs from osmnx's length_m by well under 0.1 %
    assert share.max() <= 1 + tolerance + 2e-3, share.to_dict()
    assert share.min() >= 1 - tolerance - 2e-3, share.to_dict()
    return chief_of


def previous_table(result):
    return territories.assignment_table(result)


# ----------------------------------------------------------------------- districting


@pytest.mark.parametrize("k", [2, 4, 8])
def test_guixi_territories(guixi_walk, guixi_segments, k):
    result = territories.assign_territories(guixi_walk, guixi_segments, k, seed=0)
    check_assignment(guixi_segments, result, k)
    assert result.stats.connected == k and result.stats.imbalance <= 0.05
    assert not result.stats.notes
    # the summary adds up to the segments
    assert result.summary["segments"].sum() == len(guixi_segments)
    assert result.summary["km"].sum() == pytest.approx(guixi_segments["length_m"].sum() / 1000)
    assert result.summary["share_of_mean"].mean() == pytest.approx(1.0)


@pytest.mark.parametrize("k", [2, 4, 8])
def test_grid_territories(grid, k):
    G, seg = grid
    result = territories.assign_territories(G, seg, k, seed=3)
    check_assignment(seg, result, k)


def test_grid_keeps_short_named_roads_whole(grid):
    G, seg = grid
    result = territories.assign_territories(G, seg, 2, seed=0)
    chief_of = check_assignment(seg, result, 2)
    # with 2 chiefs every grid street (~1.1 km of ~14 km) is short enough to stay whole
    chiefs_per_road = seg.assign(c=seg["segment_id"].map(chief_of)).groupby("road_id")["c"]
    assert chiefs_per_road.nunique().max() == 1
    assert result.stats.roads_split == 0


def test_long_roads_may_split(grid):
    G, seg = grid
    # road share 0: no road is kept whole, so the search works on single segments
    result = territories.assign_territories(G, seg, 8, road_share=0.0, seed=0)
    check_assignment(seg, result, 8)


def test_same_seed_same_output_bytes(guixi_walk, guixi_segments, tmp_path):
    files = []
    for n in range(2):
        shuffled = guixi_segments.sample(frac=1.0, random_state=n)  # row order must not matter
        result = territories.assign_territories(guixi_walk, shuffled, 4, seed=7)
        out = tmp_path / f"run{n}"
        pipeline.write_territories(result, out, pipeline.RunOutputs())
        files.append(out)
    for name in ("assignments.csv", "chiefs.csv"):
        assert (files[0] / name).read_bytes() == (files[1] / name).read_bytes()


def test_capacities_part_time_chief(guixi_walk, guixi_segments):
    caps = {"A": 1.0, "B": 1.0, "C": 0.5}
    result = territories.assign_territories(guixi_walk, guixi_segments, chiefs=list(caps),
                                            capacities=caps, seed=0)
    check_assignment(guixi_segments, result, 3, capacities=caps)
    load = result.summary.set_index("chief_id")["workload"]
    assert load["C"] / load["A"] == pytest.approx(0.5, abs=0.06)


def test_pins_respected_and_connected(guixi_walk, guixi_segments, tmp_path):
    # pins taken from another assignment are compatible with connected territories
    other = territories.assign_territories(guixi_walk, guixi_segments, 4, seed=11)
    picked = (other.assignment.sort_values("segment_id").groupby("chief_id").head(3))
    pins_csv = tmp_path / "pins.csv"
    picked[["segment_id", "chief_id"]].to_csv(pins_csv, index=False)
    pins = territories.read_pins(pins_csv)
    result = territories.assign_territories(guixi_walk, guixi_segments, 4, pins=pins, seed=0)
    chief_of = check_assignment(guixi_segments, result, 4)
    for sid, chief in zip(picked["segment_id"], picked["chief_id"], strict=True):
        assert chief_of[sid] == chief
    assert result.stats.pins_broken == 0


def test_scattered_pins_are_joined(grid):
    G, seg = grid
    # two far-apart segments pinned to one chief: its territory must join them
    by_id = seg.set_index("segment_id")
    xs = by_id.geometry.centroid.x
    west, east = xs.idxmin(), xs.idxmax()
    pins = pd.DataFrame({"segment_id": [west, east], "chief_id": ["C1", "C1"]})
    result = territories.assign_territories(G, seg, chiefs=["C1", "C2", "C3"], pins=pins,
                                            tolerance=0.1, seed=0)
    chief_of = check_assignment(seg, result, 3, tolerance=0.1)
    assert chief_of[west] == chief_of[east] == "C1"


def test_stations_anchor_their_territories(guixi_walk, guixi_segments, tmp_path):
    stations_csv = tmp_path / "stations.csv"
    stations_csv.write_text(
        "chief_id,lat,lon,capacity\n东,28.300,117.240,1\n西,28.300,117.200,1\n"
        "南,28.287,117.220,0.5\n北,28.305,117.222,1\n", encoding="utf-8")
    stations = territories.read_stations(stations_csv)
    result = territories.assign_territories(guixi_walk, guixi_segments, stations=stations,
                                            seed=0)
    caps = dict(zip(stations["chief_id"], stations["capacity"], strict=True))
    chief_of = check_assignment(guixi_segments, result, 4, capacities=caps)
    assert result.chiefs == ["东", "西", "南", "北"]
    # the segment nearest each station belongs to that station's chief
    pts = _stations_xy(stations, guixi_segments.crs)
    for chief, (x, y) in zip(stations["chief_id"], pts, strict=True):
        d = guixi_segments.geometry.distance(shapely.Point(x, y))
        assert chief_of[guixi_segments.loc[d.idxmin(), "segment_id"]] == chief


# ----------------------------------------------------------------------- re-assignment


def _without_ways(src, dst, way_ids):
    opener = bz2.open if str(src).endswith(".bz2") else open
    with opener(src, "rb") as f:
        tree = ET.parse(f)
    root = tree.getroot()
    for way in list(root.findall("way")):
        if int(way.get("id")) in way_ids:
            root.remove(way)
    tree.write(dst, encoding="utf-8", xml_declaration=True)
    return dst


def _moved_share(before_result, after_result):
    prev = before_result.assignment.set_index("segment_id")["chief_id"]
    now = after_result.assignment.set_index("segment_id")["chief_id"]
    common = prev.index.intersection(now.index)
    moved = int((prev[common] != now[common]).sum())
    assert moved == after_result.stats.moved
    return moved / len(common), len(common)


@pytest.fixture(scope="module")
def guixi_without_one_road(guixi_osm, guixi_segments, tmp_path_factory):
    # the first named road (by id) of 2 to 6 segments, removed from the OSM file
    sizes = guixi_segments[guixi_segments["name_source"] != ""].groupby("road_id").size()
    road = sorted(sizes[(sizes >= 2) & (sizes <= 6)].index)[0]
    ways = set(guixi_segments.loc[guixi_segments["road_id"] == road, "osm_way_id"])
    path = _without_ways(guixi_osm, tmp_path_factory.mktemp("guixi") / "before.osm", ways)
    G = roads.load_graph(path, mode="walk")
    return G, roads.segments_from_graph(G)


@pytest.mark.parametrize("k", [2, 4, 8])
def test_adding_a_road_moves_few_segments_guixi(guixi_without_one_road, guixi_walk,
                                                guixi_segments, k):
    G0, seg0 = guixi_without_one_road
    assert len(seg0) < len(guixi_segments)
    before = territories.assign_territories(G0, seg0, k, seed=0)
    after = territories.assign_territories(guixi_walk, guixi_segments, k,
                                           previous=previous_table(before), seed=0)
    check_assignment(guixi_segments, after, k)
    share, common = _moved_share(before, after)
    assert common > 0.9 * len(guixi_segments)
    assert share < 0.10
    assert after.stats.new == len(guixi_segments) - common


@pytest.mark.parametrize("k", [2, 4, 8])
def test_adding_a_road_moves_few_segments_grid(tmp_path, grid, k):
    G, seg = grid
    G0 = roads.load_graph(grid_file(tmp_path / "before.osm", skip_row=5), mode="walk")
    seg0 = roads.segments_from_graph(G0)
    before = territories.assign_territories(G0, seg0, k, seed=0)
    after = territories.assign_territories(G, seg, k, previous=previous_table(before), seed=0)
    check_assignment(seg, after, k)
    share, _ = _moved_share(before, after)
    assert share < 0.10


def test_rerun_on_same_network_moves_nothing(guixi_walk, guixi_segments):
    first = territories.assign_territories(guixi_walk, guixi_segments, 4, seed=0)
    again = territories.assign_territories(guixi_walk, guixi_segments,
                                           previous=previous_table(first), seed=5)
    assert again.stats.moved == 0 and again.moved.empty
    assert again.chiefs == first.chiefs


def test_one_more_chief_keeps_most_segments(guixi_walk, guixi_segments):
    first = territories.assign_territories(guixi_walk, guixi_segments, 3, seed=0)
    more = territories.assign_territories(guixi_walk, guixi_segments, 4,
                                          previous=previous_table(first), seed=0)
    check_assignment(guixi_segments, more, 4)
    assert set(first.chiefs) < set(more.chiefs)
    # the new chief needs a quarter of the work; at most that much more moves
    moved_work = more.assignment.loc[
        more.assignment["chief_id"] != more.assignment["previous_chief"], "workload"].sum()
    assert moved_work / more.assignment["workload"].sum() < 0.5
    assert len(more.moved) == more.stats.moved


def test_moved_report_lists_changes(guixi_walk, guixi_segments):
    first = territories.assign_territories(guixi_walk, guixi_segments, 3, seed=0)
    fewer = territories.assign_territories(guixi_walk, guixi_segments, 2,
                                           previous=previous_table(first), seed=0)
    check_assignment(guixi_segments, fewer, 2)
    prev = first.assignment.set_index("segment_id")["chief_id"]
    now = fewer.assignment.set_index("segment_id")["chief_id"]
    changed = sorted(prev.index[prev != now])
    assert sorted(fewer.moved["segment_id"]) == changed
    row = fewer.moved.iloc[0]
    assert prev[row["segment_id"]] == row["from_chief"]
    assert now[row["segment_id"]] == row["to_chief"]


# ----------------------------------------------------------------------- small exact check


def test_cut_close_to_brute_force_optimum(tmp_path):
    # 3 x 4 grid, 17 segments, 2 chiefs: enumerate every split
    G = roads.load_graph(grid_file(tmp_path / "small.osm", rows=3, cols=4, named=False),
                         mode="walk")
    seg = roads.segments_from_graph(G).sort_values("segment_id").reset_index(drop=True)
    n = len(seg)
    w = seg["length_m"].to_numpy()
    pairs = [(i, j) for i, j in itertools.combinations(range(n), 2)
             if {seg.u[i], seg.v[i]} & {seg.u[j], seg.v[j]}]
    nbrs = {i: [j for p in pairs if i in p for j in p if j != i] for i in range(n)}

    def connected(members):
        members = set(members)
        start = next(iter(members))
        seen, stack = {start}, [start]
        while stack:
            for j in nbrs[stack.pop()]:
                if j in members and j not in seen:
                    seen.add(j)
                    stack.append(j)
        return seen == members

    bits = np.arange(1 << (n - 1))
    sides = np.zeros((len(bits), n), dtype=np.int64)
    sides[:, 1:] = (bits[:, None] >> np.arange(n - 1)) & 1
    share = (sides * w).sum(axis=1) / (w.sum() / 2)
    best = None
    for side in sides[(share >= 0.95) & (share <= 1.05)]:
        if connected(np.flatnonzero(side == 0)) and connected(np.flatnonzero(side == 1)):
            cut = sum(side[i] != side[j] for i, j in pairs)
            best = cut if best is None else min(best, cut)
    assert best is not None
    result = territories.assign_territories(G, seg, 2, road_share=0.0, seed=0)
    check_assignment(seg, result, 2)
    assert result.stats.cut_pairs <= 1.5 * best


# ----------------------------------------------------------------------- workload


def test_workload_fallback_plans_column_and_issue_load(guixi_segments):
    base = territories.segment_workload(guixi_segments)
    expected = guixi_segments.set_index("segment_id")["length_m"] / SPEED_M_PER_MIN
    assert np.allclose(base.reindex(expected.index), expected)
    with_plans = guixi_segments.assign(workload=30.0)
    assert (territories.segment_workload(with_plans) == 30.0).all()
    first = guixi_segments["segment_id"].iloc[0]
    issues = pd.Series({first: 4.0})
    loaded = territories.segment_workload(with_plans, issue_load=issues, issue_weight=2.5)
    assert loaded[first] == pytest.approx(40.0)
    assert (loaded.drop(first) == 30.0).all()


def test_issue_load_pulls_work_apart(grid):
    G, seg = grid
    # heavy issue load on one corner: that chief's territory gets fewer segments
    corner = seg.geometry.centroid
    near = seg.loc[(corner.x - corner.x.min() < 300) & (corner.y - corner.y.min() < 300),
                   "segment_id"]
    issues = pd.Series(40.0, index=near)
    result = territories.assign_territories(G, seg, 4, issue_load=issues, road_share=0.0,
                                            seed=0)
    summary = result.summary
    assert summary["share_of_target"].max() <= 1.05
    holder = result.assignment.set_index("segment_id").loc[near, "chief_id"].mode()[0]
    assert summary.set_index("chief_id").loc[holder, "segments"] < len(seg) / 4


def test_bad_workload_and_arguments(guixi_segments):
    with pytest.raises(InputRowError, match="workload"):
        territories.segment_workload(guixi_segments.assign(workload=-1.0))
    with pytest.raises(InputRowError, match="unknown segment"):
        territories.segment_workload(guixi_segments, issue_load=pd.Series({"nope": 1.0}))
    with pytest.raises(CapacityError, match="chiefs"):
        territories.assign_territories(None, guixi_segments, len(guixi_segments) + 1)
    with pytest.raises(CapacityError, match="capacity"):
        territories.assign_territories(None, guixi_segments, chiefs=["A", "B"],
                                       capacities={"A": 0.0})


# ----------------------------------------------------------------------- routes


def test_routes_per_territory(guixi_walk, guixi_segments):
    from patrolgeo.routing import verify_route

    result = territories.assign_territories(guixi_walk, guixi_segments, 3, seed=0)
    routes = territories.territory_routes(guixi_walk, result, guixi_segments)
    assert set(routes.routes) == set(result.chiefs)
    for chief, route in routes.routes.items():
        mine = set(result.assignment.loc[result.assignment["chief_id"] == chief, "segment_id"])
        served = {t.segment_id for t in route.traversals if not t.deadhead}
        assert served == mine
        assert verify_route(guixi_walk, mine, route, segments=guixi_segments).ok
        # service is exactly the territory's street length
        km = result.assignment.loc[result.assignment["chief_id"] == chief, "length_m"].sum()
        assert route.service_length_m == pytest.approx(km, rel=1e-6)
    per = routes.per_chief.set_index("chief_id")
    assert routes.longest_route_m == pytest.approx(per["route_km"].max() * 1000)
    assert routes.total_deadhead_m == pytest.approx(per["deadhead_km"].sum() * 1000)
    assert routes.whole_area_route_m >= guixi_segments["length_m"].sum() - 1e-6
    filled = territories.with_routes(result, routes).summary
    assert filled["route_km"].notna().all()


# ----------------------------------------------------------------------- CSV inputs


@pytest.mark.parametrize(
    ("text", "row", "field"),
    [
        ("chief_id,lat\nA,28.3\n", 1, "lon"),
        ("chief_id,lat,lon\nA,28.3,117.2\nB,north,117.2\n", 3, "lat"),
        ("chief_id,lat,lon\nA,128.3,117.2\n", 2, "lat"),
        ("chief_id,lat,lon\nA,28.3,117.2\nA,28.31,117.21\n", 3, "chief_id"),
        ("chief_id,lat,lon,capacity\nA,28.3,117.2,0\n", 2, "capacity"),
        ("chief_id,lat,lon\n,28.3,117.2\n", 2, "chief_id"),
    ],
)
def test_bad_station_rows(tmp_path, text, row, field):
    path = tmp_path / "stations.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputRowError) as info:
        territories.read_stations(path)
    assert info.value.file == str(path) and info.value.row == row and info.value.field == field


def test_station_far_from_roads(guixi_segments, tmp_path):
    path = tmp_path / "stations.csv"
    path.write_text("chief_id,lat,lon\nA,28.30,117.22\nB,117.22,28.30\n", encoding="utf-8")
    # lat/lon swapped on line 3: outside the latitude range
    with pytest.raises(InputRowError, match="latitude"):
        territories.read_stations(path)
    path.write_text("chief_id,lat,lon\nA,28.30,117.22\nB,28.60,117.22\n", encoding="utf-8")
    with pytest.raises(AreaError) as info:
        territories.assign_territories(None, guixi_segments,
                                       stations=territories.read_stations(path))
    assert info.value.row == 3 and "B" in info.value.message


def test_bad_pin_rows(guixi_segments, tmp_path):
    path = tmp_path / "pins.csv"
    good = guixi_segments["segment_id"].iloc[0]
    path.write_text(f"segment_id,chief_id\n{good},C01\n{good},C02\n", encoding="utf-8")
    with pytest.raises(InputRowError) as info:
        territories.read_pins(path)
    assert info.value.row == 3 and info.value.field == "chief_id"
    path.write_text(f"segment_id,chief_id\n{good},C01\n1-2-3,C02\n", encoding="utf-8")
    with pytest.raises(InputRowError) as info:
        territories.assign_territories(None, guixi_segments, 2,
                                       pins=territories.read_pins(path))
    assert (info.value.row, info.value.field) == (3, "segment_id")
    path.write_text(f"segment_id,chief_id\n{good},C09\n", encoding="utf-8")
    with pytest.raises(InputRowError, match="unknown chief") as info:
        territories.assign_territories(None, guixi_segments, 2,
                                       pins=territories.read_pins(path))
    assert (info.value.row, info.value.field) == (2, "chief_id")


def test_bad_previous_rows(tmp_path):
    path = tmp_path / "prev.csv"
    path.write_text("segment_id,chief_id\n1-2-3,C01\n1-2-3,C02\n", encoding="utf-8")
    with pytest.raises(InputRowError) as info:
        territories.read_assignment(path)
    assert (info.value.row, info.value.field) == (3, "segment_id")
    path.write_text("segment,chief\n1-2-3,C01\n", encoding="utf-8")
    with pytest.raises(InputRowError, match="missing column"):
        territories.read_assignment(path)


def test_gb18030_input_files_are_accepted(guixi_segments, tmp_path):
    """Chinese Excel saves CSV as GB18030: stations, pins and assignments must read."""
    stations = tmp_path / "stations.csv"
    stations.write_bytes("chief_id,lat,lon,capacity\n东,28.300,117.215,1\n西,28.296,117.205,0.5\n"
                         .encode("gb18030"))
    table = territories.read_stations(stations)
    assert table["chief_id"].tolist() == ["东", "西"]
    assert table["capacity"].tolist() == [1.0, 0.5] and table["row"].tolist() == [2, 3]
    ids = guixi_segments["segment_id"].tolist()
    pins = tmp_path / "pins.csv"
    pins.write_bytes(f"segment_id,chief_id\n{ids[0]},东\n{ids[1]},西\n".encode("gb18030"))
    assert territories.read_pins(pins)["chief_id"].tolist() == ["东", "西"]
    previous = tmp_path / "assignments.csv"
    previous.write_bytes(f"segment_id,road_name,chief_id,workload\n{ids[0]},中山路,东,1.5\n"
                         .encode("gb18030"))
    assert territories.read_assignment(previous)[["segment_id", "chief_id"]].values.tolist() \
        == [[ids[0], "东"]]


def test_segments_contract_raises_segments_error(guixi_segments):
    for call in (lambda seg: territories.assign_territories(None, seg, 2),
                 lambda seg: territories.evaluate(seg, pd.Series(dtype=object))):
        with pytest.raises(SegmentsError, match="segments have no column 'u'"):
            call(guixi_segments.drop(columns="u"))
        doubled = pd.concat([guixi_segments, guixi_segments.iloc[:1]])
        with pytest.raises(SegmentsError, match="occurs twice"):
            call(doubled)
        with pytest.raises(SegmentsError, match="projected CRS"):
            call(guixi_segments.to_crs("EPSG:4326"))


def test_chief_ids_same_as_before_and_linear():
    def quadratic(k, existing=()):  # the former implementation
        ids = list(dict.fromkeys(existing))[:k]
        width = max(2, len(str(k + len(existing))))
        n = 1
        while len(ids) < k:
            cand = f"C{n:0{width}d}"
            if cand not in ids:
                ids.append(cand)
            n += 1
        return ids

    for k, existing in [(1, ()), (3, ("C02",)), (5, ("B", "C01", "B", "C03")),
                        (2, ("X", "Y", "Z")), (120, ("C007", "C100")), (99, ())]:
        assert territories.chief_ids(k, existing) == quadratic(k, existing)
    ids = territories.chief_ids(200_000, ["C000001"])  # quadratic would take minutes
    assert len(set(ids)) == 200_000 and ids[:2] == ["C000001", "C000002"]
    with pytest.raises(CapacityError, match="at least 1"):
        territories.chief_ids(0)


def test_notes_are_codes_with_words_in_both_languages(guixi_walk, guixi_segments):
    stranger = pd.DataFrame({"segment_id": ["1-2-3", "4-5-6"], "chief_id": ["A", "B"]})
    result = territories.assign_territories(guixi_walk, guixi_segments, previous=stranger)
    assert [n.code for n in result.stats.notes] == [territories.PREVIOUS_DISJOINT]
    note = result.stats.notes[0]
    assert territories.note_text(note, "en") == (
        "the previous assignment shares no segment with this network; partitioned afresh")
    assert territories.note_text(note, "zh") == "上次分配与当前路网无共同分段，重新划分"
    band = territories.TerritoryNote(territories.OUT_OF_BAND,
                                     {"tolerance": 0.05, "max": 1.0712, "min": 0.9})
    assert territories.note_text(band, "en") == (
        "workloads could not all be brought within ±5% of target (max 1.071, min 0.900)")
    assert territories.note_text(band) == "未能把工作量控制在 ±5% 内（最大 1.071，最小 0.900）"
    cut = territories.TerritoryNote(territories.DISCONNECTED, {"count": 2})
    assert territories.note_text(cut, "zh") == "2 个片区不连通（固定分配所致）"


def test_search_params_defaults_give_the_same_result(guixi_walk, guixi_segments):
    params = territories.SearchParams()
    with pytest.raises(AttributeError):
        params.balance_candidates = 1  # frozen
    default = territories.assign_territories(guixi_walk, guixi_segments, 3, seed=0)
    given = territories.assign_territories(guixi_walk, guixi_segments, 3, seed=0,
                                           params=params)
    assert default.assignment["chief_id"].tolist() == given.assignment["chief_id"].tolist()


def test_write_territories_labels_in_the_callers_language(guixi_walk, guixi_segments,
                                                          tmp_path):
    result = territories.assign_territories(guixi_walk, guixi_segments, 2, seed=0)
    labels = {}
    for lang in ("zh", "en"):
        outputs = pipeline.RunOutputs()
        pipeline.write_territories(result, tmp_path / lang, outputs, lang=lang)
        labels[lang] = [label for label, _ in outputs.files]
    assert labels["en"][:2] == ["Assignments CSV", "Chief summary CSV"]
    assert labels["zh"][:2] == ["分配表 CSV", "路长汇总 CSV"]
    assert (tmp_path / "zh" / "assignments.csv").read_bytes() == \
        (tmp_path / "en" / "assignments.csv").read_bytes()


# ----------------------------------------------------------------------- CLI


def test_cli_assign_writes_outputs_and_reassigns(guixi_osm, tmp_path):
    out = tmp_path / "a"
    result = runner.invoke(app, ["assign", "--osm", str(guixi_osm), "--chiefs", "3",
                                 "--out", str(out), "--lang", "en"])
    assert result.exit_code == 0, result.output
    table = pd.read_csv(out / "assignments.csv", encoding="utf-8-sig")
    assert list(table.columns) == ["segment_id", "road_name", "chief_id", "workload"]
    assert (out / "assignments.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    chiefs = pd.read_csv(out / "chiefs.csv", encoding="utf-8-sig")
    assert len(chiefs) == 3 and chiefs["segments"].sum() == len(table)
    import geopandas as gpd

    gpkg = gpd.read_file(out / "territories.gpkg")
    assert gpkg.crs.to_epsg() == 4326 and len(gpkg) == len(table)
    assert "max/mean" in result.stdout
    # a rerun from the previous assignment keeps everything
    out2 = tmp_path / "b"
    again = runner.invoke(app, ["assign", "--osm", str(guixi_osm), "--previous",
                                str(out / "assignments.csv"), "--out", str(out2), "--lang", "en"])
    assert again.exit_code == 0, again.output
    assert "0 moved" in again.stdout
    assert (out2 / "moved.csv").exists()
    assert pd.read_csv(out2 / "assignments.csv", encoding="utf-8-sig").equals(table)


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--chiefs", "2", "--stations", "{bad_stations}"], "stations.csv:3: lat"),
        (["--chiefs", "2", "--pins", "{bad_pins}"], "pins.csv:2: segment_id"),
        (["--stations", "{missing}"], "file not found"),
        ([], "--chiefs"),
    ],
)
def test_cli_bad_input_one_line_no_output(guixi_osm, tmp_path, args, expected):
    (tmp_path / "stations.csv").write_text("chief_id,lat,lon\nA,28.3,117.2\nB,x,117.2\n")
    (tmp_path / "pins.csv").write_text("segment_id,chief_id\nno-such-segment,C01\n")
    args = [a.format(bad_stations=tmp_path / "stations.csv", bad_pins=tmp_path / "pins.csv",
                     missing=tmp_path / "none.csv") for a in args]
    out = tmp_path / "out"
    result = runner.invoke(app, ["assign", "--osm", str(guixi_osm), *args, "--out", str(out),
                                 "--lang", "en"])
    assert result.exit_code == 2, result.output
    lines = [ln for ln in result.stderr.splitlines() if ln.startswith("error:")]
    assert len(lines) == 1 and expected in lines[0], result.stderr
    assert not out.exists()
