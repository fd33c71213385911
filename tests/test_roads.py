"""Loading OSM files into road graphs, stable segments and roads."""

from __future__ import annotations

import bz2

import numpy as np
import osmnx as ox
import pytest
from shapely.geometry import box

from conftest import shared_file
from osm_builders import grid_osm, write_osm
from patrolgeo import roads
from patrolgeo.errors import AreaError, EmptyNetworkError, OSMFileError


def _check_segments(G, seg):
    # every segment once, ids unique and sorted
    assert seg["segment_id"].is_unique
    assert list(seg["segment_id"]) == sorted(seg["segment_id"])
    # total segment length equals the undirected edge length of the graph
    assert seg["length_m"].sum() == pytest.approx(roads.undirected_length(G), rel=1e-9)
    # each geometry's length in metres matches length_m within 1%
    ratio = seg.geometry.length / seg["length_m"]
    assert ((ratio - 1).abs() < 0.01).all(), ratio.describe()
    # every directed graph edge is covered by exactly one segment
    assert seg.crs.is_projected
    assert seg["road_id"].notna().all() and seg["road_name"].notna().all()
    # the id names the way and its two end nodes
    parts = seg["segment_id"].str.split("-", expand=True)
    assert (parts[0].astype(int) == seg["osm_way_id"]).all()
    a = np.minimum(seg["u"], seg["v"])
    b = np.maximum(seg["u"], seg["v"])
    assert (parts[1].astype(int) == a).all() and (parts[2].astype(int) == b).all()


def test_helsinki_walk_segments(helsinki_walk, helsinki_walk_segments):
    assert helsinki_walk.graph["crs"].is_projected
    assert len(helsinki_walk_segments) > 1000
    _check_segments(helsinki_walk, helsinki_walk_segments)
    # walk mode: every street can be walked both ways
    assert not helsinki_walk_segments["oneway"].any()


def test_helsinki_drive_respects_oneway(helsinki_drive):
    seg = roads.segments_from_graph(helsinki_drive)
    _check_segments(helsinki_drive, seg)
    assert seg["oneway"].sum() > 50
    # a one-way segment has exactly one directed edge in the graph, a two-way one has two
    for row in seg.head(200).itertuples():
        n_fwd = helsinki_drive.number_of_edges(row.u, row.v)
        n_back = helsinki_drive.number_of_edges(row.v, row.u)
        assert (n_back == 0 or row.u == row.v or n_fwd + n_back > 1) or row.oneway
    assert set(seg["highway"]) <= set(roads.HIGHWAY_RANK)
    assert "footway" not in set(seg["highway"])


def test_segment_ids_stable_across_loads(helsinki_pbf, helsinki_walk_segments):
    again = roads.segments_from_graph(roads.load_graph(helsinki_pbf, mode="walk"))
    assert list(again["segment_id"]) == list(helsinki_walk_segments["segment_id"])
    assert np.allclose(again["length_m"], helsinki_walk_segments["length_m"])


def test_ids_do_not_depend_on_row_order(helsinki_walk, helsinki_walk_segments):
    shuffled = helsinki_walk.copy()
    edges = list(shuffled.edges(keys=True, data=True))
    shuffled.remove_edges_from([(u, v, k) for u, v, k, _ in edges])
    rng = np.random.default_rng(1)
    for i in rng.permutation(len(edges)):
        u, v, k, d = edges[i]
        shuffled.add_edge(u, v, key=k, **d)
    again = roads.segments_from_graph(shuffled)
    assert list(again["segment_id"]) == list(helsinki_walk_segments["segment_id"])


def test_clip_to_file_bounds(helsinki_pbf, helsinki_walk):
    west, south, east, north = roads.file_bounds(helsinki_pbf)
    nodes = ox.graph_to_gdfs(helsinki_walk, edges=False).to_crs(4326)
    assert nodes.geometry.x.between(west, east).all()
    assert nodes.geometry.y.between(south, north).all()


def test_bbox_clip(helsinki_pbf, helsinki_walk_segments):
    bbox = (24.9380, 60.1665, 24.9450, 60.1700)
    G = roads.load_graph(helsinki_pbf, mode="walk", bbox=bbox)
    seg = roads.segments_from_graph(G)
    assert 20 < len(seg) < len(helsinki_walk_segments) / 3
    nodes = ox.graph_to_gdfs(G, edges=False).to_crs(4326)
    assert nodes.geometry.within(box(*bbox).buffer(1e-9)).all()


def test_xml_and_pbf_give_identical_segments():
    xml = shared_file("osm/osmnx_tests/aguascalientes.osm.bz2")
    pbf = shared_file("osm/osmnx_tests/aguascalientes.osm.pbf")
    for mode in ("walk", "drive"):
        a = roads.segments_from_graph(roads.load_graph(xml, mode=mode))
        b = roads.segments_from_graph(roads.load_graph(pbf, mode=mode))
        assert len(a) > 100
        assert list(a["segment_id"]) == list(b["segment_id"])
        assert np.allclose(a["length_m"], b["length_m"])
        assert list(a["road_id"]) == list(b["road_id"])


@pytest.mark.parametrize("name", ["West-Oakland.osm.bz2", "planet_10.068,48.135_10.071,48.137.osm"])
def test_osmnx_test_extracts_load(name):
    G = roads.load_graph(shared_file(f"osm/osmnx_tests/{name}"), mode="walk")
    _check_segments(G, roads.segments_from_graph(G))


def test_guixi_loads_with_chinese_names(guixi_walk, guixi_segments):
    _check_segments(guixi_walk, guixi_segments)
    names = set(guixi_segments["road_name"])
    assert {"信州路", "建设路"} <= names
    assert any(n.startswith(roads.UNNAMED_PREFIX + "-") for n in names)
    # the website export runs past its bounds: the graph is clipped to them
    west, south, east, north = roads.file_bounds(guixi_walk.graph["source"])
    nodes = ox.graph_to_gdfs(guixi_walk, edges=False).to_crs(4326)
    assert nodes.geometry.x.between(west, east).all()
    assert nodes.geometry.y.between(south, north).all()


def test_guixi_drive(guixi_osm):
    G = roads.load_graph(guixi_osm, mode="drive")
    _check_segments(G, roads.segments_from_graph(G))


def test_name_precedence_and_unnamed_label(tmp_path):
    nodes = {1: (30.0, 120.0), 2: (30.0, 120.001), 3: (30.0, 120.002), 4: (30.0, 120.003)}
    ways = {
        11: ([1, 2], {"highway": "residential", "name": "Main St", "name:zh": "中山路"}),
        12: ([2, 3], {"highway": "residential", "ref": "S201"}),
        13: ([3, 4], {"highway": "residential"}),
    }
    path = write_osm(tmp_path / "names.osm", nodes, ways)
    seg = roads.segments_from_graph(roads.load_graph(path, mode="walk"))
    by_way = seg.set_index("osm_way_id")
    assert by_way.loc[11, "road_name"] == "中山路" and by_way.loc[11, "name_source"] == "name:zh"
    assert by_way.loc[12, "road_name"] == "S201" and by_way.loc[12, "name_source"] == "ref"
    # an unnamed way touching one named road is named from it (fallbacks: test_names.py)
    assert (by_way.loc[13, "road_name"] == "近S201无名路"
            and by_way.loc[13, "name_source"] == "context:near")
    assert by_way.loc[11, "segment_id"] == "11-1-2"


def test_far_apart_pieces_of_one_name_are_separate_roads(tmp_path):
    # two pieces of 南大街 ~1 km apart, joined by an unnamed street; a dual carriageway
    # of 北大街 whose pieces run 20 m apart stays one road
    nodes = {1: (30.0, 120.0), 2: (30.0, 120.002), 3: (30.0, 120.012), 4: (30.0, 120.014),
             5: (30.0002, 120.0), 6: (30.0002, 120.002), 7: (30.0004, 120.0), 8: (30.0004, 120.002)}
    ways = {
        1: ([1, 2], {"highway": "residential", "name": "南大街"}),
        2: ([2, 3], {"highway": "residential"}),
        3: ([3, 4], {"highway": "residential", "name": "南大街"}),
        4: ([5, 6], {"highway": "primary", "name": "北大街", "oneway": "yes"}),
        5: ([8, 7], {"highway": "primary", "name": "北大街", "oneway": "yes"}),
        6: ([1, 5, 7], {"highway": "unclassified"}),
        7: ([2, 6, 8], {"highway": "unclassified"}),
    }
    path = write_osm(tmp_path / "pieces.osm", nodes, ways)
    seg = roads.segments_from_graph(roads.load_graph(path, mode="drive"))
    road_of = dict(zip(seg["osm_way_id"], seg["road_id"], strict=True))
    assert {road_of[1], road_of[3]} == {"南大街", "南大街-2"}
    assert road_of[1] == "南大街"  # the piece holding the least segment id keeps the name
    assert road_of[4] == road_of[5] == "北大街"
    roads_gdf = roads.roads_from_segments(seg)
    assert set(roads_gdf["road_id"]) >= {"南大街", "南大街-2", "北大街"}
    assert roads_gdf["length_m"].sum() == pytest.approx(seg["length_m"].sum())


def test_lanes_width_and_oneway_tags(tmp_path):
    nodes = {1: (30.0, 120.0), 2: (30.0, 120.001), 3: (30.001, 120.001)}
    ways = {
        1: ([1, 2], {"highway": "secondary", "lanes": "4", "width": "18 m", "oneway": "yes"}),
        2: ([2, 3], {"highway": "tertiary", "lanes": "2;3"}),
        3: ([3, 1], {"highway": "tertiary"}),
    }
    path = write_osm(tmp_path / "tags.osm", nodes, ways)
    drive = roads.segments_from_graph(roads.load_graph(path, mode="drive")).set_index("osm_way_id")
    assert drive.loc[1, "lanes"] == 4 and drive.loc[1, "width_m"] == 18.0
    assert drive.loc[1, "oneway"] and not drive.loc[2, "oneway"]
    assert drive.loc[2, "lanes"] == 3
    walk = roads.segments_from_graph(roads.load_graph(path, mode="walk"))
    assert not walk["oneway"].any()


def test_grid_segments(tmp_path):
    path = grid_osm(tmp_path / "grid.osm", n=4)
    G = roads.load_graph(path, mode="walk")
    seg = roads.segments_from_graph(G)
    assert len(seg) == 2 * 4 * 3  # 4 rows + 4 columns of 3 blocks each
    _check_segments(G, seg)


# ----------------------------------------------------------------------- bad input


def test_missing_file(tmp_path):
    with pytest.raises(OSMFileError, match="not found") as info:
        roads.load_graph(tmp_path / "nope.osm")
    assert str(tmp_path / "nope.osm") in info.value.one_line()


def test_unknown_extension(tmp_path):
    path = tmp_path / "roads.shp"
    path.write_text("x")
    with pytest.raises(OSMFileError, match="unknown file type"):
        roads.load_graph(path)


def test_corrupt_xml(tmp_path):
    path = tmp_path / "broken.osm"
    path.write_text('<?xml version="1.0"?><osm version="0.6"><node id="1" lat="3')
    with pytest.raises(OSMFileError, match=r"broken\.osm"):
        roads.load_graph(path)


def test_corrupt_bz2(tmp_path):
    path = tmp_path / "broken.osm.bz2"
    path.write_bytes(bz2.compress(b'<osm version="0.6"><way id="1"><nd ref=')[:-20])
    with pytest.raises(OSMFileError):
        roads.load_graph(path)


def test_corrupt_pbf(tmp_path, helsinki_pbf):
    path = tmp_path / "broken.osm.pbf"
    path.write_bytes(helsinki_pbf.read_bytes()[:50_000])
    with pytest.raises(OSMFileError, match=r"broken\.osm\.pbf"):
        roads.load_graph(path)
    garbage = tmp_path / "garbage.osm.pbf"
    garbage.write_bytes(b"\x00\x01not a pbf at all" * 100)
    with pytest.raises(OSMFileError):
        roads.load_graph(garbage)


def test_area_without_roads(tmp_path):
    nodes = {1: (30.0, 120.0), 2: (30.0, 120.001), 3: (30.001, 120.001)}
    ways = {1: ([1, 2, 3, 1], {"building": "yes"})}
    with pytest.raises(EmptyNetworkError, match="no walk roads"):
        roads.load_graph(write_osm(tmp_path / "buildings.osm", nodes, ways))


def test_mode_with_no_roads(tmp_path):
    nodes = {1: (30.0, 120.0), 2: (30.0, 120.001)}
    ways = {1: ([1, 2], {"highway": "footway"})}
    with pytest.raises(EmptyNetworkError, match="no drive roads"):
        roads.load_graph(write_osm(tmp_path / "foot.osm", nodes, ways), mode="drive")


def test_bbox_outside_data(helsinki_pbf):
    with pytest.raises(AreaError, match="outside the data bounds"):
        roads.load_graph(helsinki_pbf, bbox=(117.19, 28.28, 117.25, 28.32))


def test_bbox_inside_bounds_but_without_roads(tmp_path):
    nodes = {1: (30.0, 120.0), 2: (30.0, 120.001)}
    ways = {1: ([1, 2], {"highway": "residential"})}
    path = write_osm(tmp_path / "small.osm", nodes, ways, bounds=(119.9, 29.9, 120.1, 30.1))
    with pytest.raises(AreaError, match="no road"):
        roads.load_graph(path, bbox=(120.05, 30.05, 120.06, 30.06))


def test_bad_bbox_text():
    with pytest.raises(AreaError, match="four numbers"):
        roads.parse_bbox("1,2,3")
    with pytest.raises(AreaError, match="west<east"):
        roads.parse_bbox("10,5,9,6")


def test_unknown_mode(helsinki_pbf):
    with pytest.raises(AreaError, match="unknown mode"):
        roads.load_graph(helsinki_pbf, mode="boat")
