"""Points of interest and bus routes read from the OSM file."""

from __future__ import annotations

import pytest
from shapely.geometry import box

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
