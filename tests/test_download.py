"""The osmnx download path, fed a recorded Overpass response instead of the network."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import osmnx as ox
import pytest
import requests

from patrolgeo import roads
from patrolgeo.errors import DownloadError

RECORDING = Path(__file__).with_name("data") / "overpass_helsinki_walk.json"
BBOX = (24.9380, 60.1665, 24.9450, 60.1700)  # the area the recording was made for


@pytest.fixture
def offline_overpass(monkeypatch, tmp_path):
    """Answer Overpass POSTs with the recording; fail any other network use."""
    calls: list[dict] = []

    def fake_post(url, data=None, **kwargs):
        calls.append({"url": url, "data": dict(data or {})})
        response = requests.Response()
        response.status_code = 200
        response.url = url
        response._content = RECORDING.read_bytes()
        return response

    def no_network(*args, **kwargs):
        raise AssertionError("the test tried to reach the network")

    monkeypatch.setattr(requests, "post", fake_post)
    monkeypatch.setattr(requests, "get", no_network)
    monkeypatch.setattr(socket, "getaddrinfo", no_network)
    monkeypatch.setattr(ox._http, "_config_dns", lambda url: None)
    monkeypatch.setattr(ox.settings, "overpass_rate_limit", False)
    monkeypatch.setattr(ox.settings, "use_cache", False)
    return calls


def test_download_bbox_matches_file_and_is_cached(offline_overpass, tmp_path, helsinki_pbf):
    cache = tmp_path / "roads"
    G = roads.load_graph(bbox=BBOX, mode="walk", cache_dir=cache)
    # osmnx asked Overpass for the walk network inside the bbox
    assert len(offline_overpass) == 1
    query = offline_overpass[0]["data"]["data"]
    assert '["highway"]' in query and '"foot"!~"no"' in query and "poly:" in query
    downloaded = roads.segments_from_graph(G)
    # a re-download gives the ids of the same area read from a file
    from_file = roads.segments_from_graph(roads.load_graph(helsinki_pbf, mode="walk", bbox=BBOX))
    assert len(downloaded) > 20
    assert list(downloaded["segment_id"]) == list(from_file["segment_id"])
    # the finished graph was cached as GraphML and is read back without the network
    cached = list(cache.glob("bbox-walk-*.graphml"))
    assert len(cached) == 1
    again = roads.load_graph(bbox=BBOX, mode="walk", cache_dir=cache)
    assert len(offline_overpass) == 1
    assert list(roads.segments_from_graph(again)["segment_id"]) == list(downloaded["segment_id"])


def test_graphml_file_is_an_input(offline_overpass, tmp_path):
    G = roads.load_graph(bbox=BBOX, mode="walk", cache_dir=tmp_path)
    path = next(tmp_path.glob("*.graphml"))
    loaded = roads.load_graph(path)
    assert list(roads.segments_from_graph(loaded)["segment_id"]) == list(
        roads.segments_from_graph(G)["segment_id"])


def test_download_failure_is_one_clear_error(monkeypatch, tmp_path):
    def refuse(*args, **kwargs):
        raise requests.ConnectionError("network unreachable")

    monkeypatch.setattr(requests, "post", refuse)
    monkeypatch.setattr(ox._http, "_config_dns", lambda url: None)
    monkeypatch.setattr(ox.settings, "overpass_rate_limit", False)
    monkeypatch.setattr(ox.settings, "use_cache", False)
    with pytest.raises(DownloadError, match="download failed"):
        roads.load_graph(bbox=BBOX, mode="walk", cache_dir=tmp_path)
    assert not list(tmp_path.glob("*.graphml"))


def test_recording_is_overpass_json():
    data = json.loads(RECORDING.read_text(encoding="utf-8"))
    kinds = {e["type"] for e in data["elements"]}
    assert kinds == {"node", "way"}
