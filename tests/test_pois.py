"""Points of interest and bus routes read from the OSM file."""

from __future__ import annotations

import pytest
from shapely.geometry import box

from osm_builders import write_osm
from patrolgeo import pois, roads
from patrolgeo.errors import OSMFileError


def test_poi_kind_rules():
    assert pois.poi_kind({"amenity": "restaurant"}) == "restaurant"
    assert pois.poi_kind({"shop": "bakery"}) == "shop"
    assert pois.poi_kind({"shop": "supermarket"}) == "market"
    assert pois.poi_kind({"amenity": "school"}) == "school"
    assert pois.poi_kind({"highway": "bus_stop"}) == "bus_stop"
    assert pois.poi_kind({"highway": "residential"}) is None


def test_helsinki_context(helsinki_pbf):
    found, bus_ways = pois.read_context(helsinki_pbf)
    counts = found["kind"].value_counts()
    assert counts["restaurant"] > 100 and counts["shop"] > 100
    assert found.crs.to_epsg() == 4326
    assert found.geometry.within(box(*roads.file_bounds(helsinki_pbf))).all()
    assert found[["osm_type", "osm_id"]].drop_duplicates().shape[0] == len(found)
    # bus routes name some of the streets of the walk network
    seg = roads.segments_from_graph(roads.load_graph(helsinki_pbf, mode="drive"))
    assert seg["osm_way_id"].isin(list(bus_ways)).sum() > 20


def test_missing_file(tmp_path):
    with pytest.raises(OSMFileError, match="not found"):
        pois.read_context(tmp_path / "x.osm")


def _evidence_osm(tmp_path):
    """A street, a retail area, a station mapped as a multipolygon relation, a shop node."""
    nodes = {1: (30.0, 120.0), 2: (30.0, 120.002),
             # landuse=retail square north of the street
             10: (30.0002, 120.0005), 11: (30.0002, 120.0010), 12: (30.0006, 120.0010),
             13: (30.0006, 120.0005),
             # station outline, split in two ways joined by a multipolygon relation
             20: (30.001, 120.000), 21: (30.001, 120.001), 22: (30.0015, 120.001),
             23: (30.0015, 120.000),
             30: (30.0001, 120.0015)}
    ways = {
        100: ([1, 2], {"highway": "residential", "name": "测试路", "sidewalk": "left",
                       "oneway": "yes", "surface": "asphalt"}),
        200: ([10, 11, 12, 13, 10], {"landuse": "retail"}),
        300: ([20, 21, 22], {}),
        301: ([22, 23, 20], {}),
    }
    relations = {900: ([("way", 300, "outer"), ("way", 301, "outer")],
                       {"type": "multipolygon", "railway": "station", "name": "测试站"}),
                 901: ([("way", 100, "")], {"type": "route", "route": "bus", "ref": "K1"})}
    return write_osm(tmp_path / "evidence.osm", nodes, ways, node_tags={30: {"shop": "bakery"}},
                     relations=relations)


def test_read_evidence_areas_relations_and_road_tags(tmp_path):
    path = _evidence_osm(tmp_path)
    found = pois.read_evidence(path)
    # the shop node and the station relation are POIs; the retail land is only an area
    assert set(zip(found.pois["osm_type"], found.pois["osm_id"], found.pois["kind"],
                   strict=True)) == {("node", 30, "shop"), ("relation", 900, "station")}
    areas = found.areas.set_index(["osm_type", "osm_id"])
    assert areas.loc[("way", 200), "kind"] == "shop"
    assert areas.loc[("way", 200), "tag"] == "landuse=retail"
    assert areas.loc[("relation", 900), "tag"] == "railway=station"
    # outlines are polygons with the corners given above
    retail = areas.loc[("way", 200), "geometry"]
    assert retail.geom_type in {"Polygon", "MultiPolygon"}
    assert retail.bounds == pytest.approx((120.0005, 30.0002, 120.0010, 30.0006))
    station = areas.loc[("relation", 900), "geometry"]
    assert station.bounds == pytest.approx((120.000, 30.001, 120.001, 30.0015))
    # the POI of a relation sits at its outline's centroid
    point = found.pois.set_index(["osm_type", "osm_id"]).loc[("relation", 900), "geometry"]
    assert point.x == pytest.approx(120.0005) and point.y == pytest.approx(30.00125)
    assert found.road_tags[100] == {"highway": "residential", "sidewalk": "left",
                                    "oneway": "yes"}
    assert found.bus_ways == {100: {"K1"}}
    # read_context keeps its points-only answer
    points, bus = pois.read_context(path)
    assert list(points["osm_id"]) == list(found.pois["osm_id"])
    assert bus == found.bus_ways


def test_tag_names_the_rule_that_matched():
    # a platform tagged both ways is a bus stop because of public_transport=platform
    row = pois._row("node", 1, {"railway": "platform", "public_transport": "platform"}, None)
    assert row["kind"] == "bus_stop" and row["tag"] == "public_transport=platform"
    assert pois.area_kind({"building": "retail"}) == "shop"
    assert pois.area_kind({"landuse": "commercial"}) == "commercial"
    assert pois.area_kind({"building": "yes"}) is None
