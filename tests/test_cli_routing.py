"""The ``carp`` and ``shifts`` verbs: results, outputs and bad input."""

from __future__ import annotations

import json

import pandas as pd
from typer.testing import CliRunner

from conftest import shared_file
from patrolgeo.cli import app

runner = CliRunner()


def test_carp_verb_prints_cost_gap_and_writes_routes(tmp_path):
    path = shared_file("carp/gdb/gdb1.dat")
    out = tmp_path / "gdb1.txt"
    result = runner.invoke(app, ["carp", str(path), "--seconds", "20", "--iterations", "400",
                                 "--out", str(out), "--lang", "en"])
    assert result.exit_code == 0, result.output
    assert "cost: 316" in result.stdout
    assert "best known: 316" in result.stdout  # read from bks.csv beside the folder
    assert "gap: 0.00 %" in result.stdout
    routes = out.read_text().splitlines()
    assert routes[0].startswith("# gdb1: cost 316")
    assert all(line.startswith("route ") for line in routes[1:])


def test_carp_verb_bad_file_one_line_exit_2_no_output(tmp_path):
    bad = tmp_path / "bad.dat"
    bad.write_text("NOMBRE : x\nVERTICES : 3\nCAPACIDAD : 2\nLISTA_ARISTAS_REQ :\n"
                   "( 1, 2) coste 1 demanda one\n")
    out = tmp_path / "routes.txt"
    result = runner.invoke(app, ["carp", str(bad), "--out", str(out)])
    assert result.exit_code == 2
    lines = [ln for ln in result.stderr.splitlines() if ln.startswith("错误")]
    assert len(lines) == 1 and f"{bad}:5" in lines[0] and "demanda" in lines[0]
    assert not out.exists()


def test_shifts_verb_writes_routes_with_a_school_gate(tmp_path, helsinki_pbf):
    out = tmp_path / "s"
    result = runner.invoke(app, [
        "shifts", "--osm", str(helsinki_pbf), "--radius", "70", "--crews", "2",
        "--shift-hours", "3", "--school-gate", "24.9390,60.1690", "--iterations", "30",
        "--depot", "24.9384,60.1688", "--out", str(out), "--lang", "en"])
    assert result.exit_code == 0, result.output
    routes = pd.read_csv(out / "shifts_routes.csv", encoding="utf-8-sig")
    assert (out / "shifts_routes.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    assert len(routes) >= 1 and (routes["duration_min"] <= 180).all()
    stops = pd.read_csv(out / "shifts_stops.csv", encoding="utf-8-sig")
    assert sorted(stops["start"]) == ["07:10", "16:30"]
    geo = json.loads((out / "shifts_routes.geojson").read_text(encoding="utf-8"))
    lon, lat = geo["features"][0]["geometry"]["coordinates"][0]
    assert 24.9 < lon < 25.0 and 60.1 < lat < 60.2
    assert "OpenStreetMap" in geo["description"]


def test_shifts_verb_impossible_shift_names_segment_and_field(tmp_path, helsinki_pbf):
    out = tmp_path / "s"
    result = runner.invoke(app, [
        "shifts", "--osm", str(helsinki_pbf), "--radius", "70", "--shift-hours", "0.01",
        "--depot", "24.9384,60.1688", "--out", str(out)])
    assert result.exit_code == 2
    assert "shift_s" in result.stderr and "segment" in result.stderr
    assert not out.exists()


def test_shifts_verb_bad_depot(tmp_path, helsinki_pbf):
    out = tmp_path / "s"
    result = runner.invoke(app, ["shifts", "--osm", str(helsinki_pbf), "--depot", "x,y",
                                 "--out", str(out)])
    assert result.exit_code == 2 and "--depot" in result.stderr
    assert not out.exists()
