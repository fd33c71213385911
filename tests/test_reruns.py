"""Two runs of the same verb write the same bytes, every format included."""

from __future__ import annotations

import hashlib
import json
import sqlite3

import geopandas as gpd
import shapely
from typer.testing import CliRunner

from patrolgeo.cli import app
from patrolgeo.outputs.files import gpkg_timestamp, write_geojson, write_gpkg

runner = CliRunner()


def _digests(folder):
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_two_demo_runs_are_byte_identical(tmp_path):
    runs = []
    for name in ("a", "b"):
        out = tmp_path / name
        result = runner.invoke(app, ["demo", "--out", str(out)])
        assert result.exit_code == 0, result.output
        runs.append(_digests(out))
    assert runs[0].keys() == runs[1].keys()
    assert any(k.endswith(".gpkg") for k in runs[0]) and any(
        k.endswith(".geojson") for k in runs[0])
    differ = sorted(k for k in runs[0] if runs[0][k] != runs[1][k])
    assert differ == []


def test_layer_names_and_stamps_are_the_final_ones(tmp_path, monkeypatch):
    frame = gpd.GeoDataFrame({"a": [1]}, geometry=[shapely.Point(117.2, 28.3)], crs=4326)
    geojson = write_geojson(frame, tmp_path / "segments.geojson")
    assert json.loads(geojson.read_text(encoding="utf-8"))["name"] == "segments"
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    gpkg = write_gpkg(frame, tmp_path / "s.gpkg", layer="roads")
    with sqlite3.connect(gpkg) as db:
        rows = db.execute("select table_name, last_change from gpkg_contents").fetchall()
    assert rows == [("roads", "2023-11-14T22:13:20.000Z")] == [("roads", gpkg_timestamp())]
