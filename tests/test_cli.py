"""The command-line interface: demo, roads, and bad input handling."""

from __future__ import annotations

import re

import geopandas as gpd
import pandas as pd
import pytest
from typer.testing import CliRunner

from patrolgeo.cli import app

runner = CliRunner()


def test_demo_writes_every_output(tmp_path):
    out = tmp_path / "demo"
    result = runner.invoke(app, ["demo", "--out", str(out), "--lang", "en"])
    assert result.exit_code == 0, result.output
    for name in ("segments.gpkg", "segments.geojson", "segments.csv", "roads.csv",
                 "segments.html", "plans.csv", "plans.xlsx", "plans.html", "grades.html",
                 "segments_plan.csv", "index.html", "synthetic_reports.csv", "rejects.csv",
                 "issues_snapped.csv", "issues_snapped.gpkg", "hotspots.gpkg",
                 "issue_load.csv", "hotspots.html"):
        assert (out / name).exists(), name
        assert str(out / name) in result.stdout
    seg = gpd.read_file(out / "segments.gpkg")
    assert seg.crs.to_epsg() == 4326
    assert seg["segment_id"].is_unique and len(seg) > 300
    csv = (out / "segments.csv").read_bytes()
    assert csv.startswith(b"\xef\xbb\xbf")  # BOM for Excel
    table = pd.read_csv(out / "segments.csv", encoding="utf-8-sig")
    assert list(table["segment_id"]) == list(seg["segment_id"])
    html = (out / "segments.html").read_text(encoding="utf-8")
    assert re.search(r"OpenStreetMap(</a>|\\u003c/a\\u003e) contributors", html)
    assert "Road class" in html
    hot = gpd.read_file(out / "hotspots.gpkg")
    assert list(hot["segment_id"]) == list(seg["segment_id"]) and hot["synthetic"].all()
    assert len(pd.read_csv(out / "rejects.csv", encoding="utf-8-sig")) > 0
    # no temporary files are left behind: the one hidden file is the run's manifest
    assert [p.name for p in out.iterdir() if p.name.startswith(".")] == [".patrolgeo-run.json"]
    assert not [p for p in out.parent.iterdir() if p.name.startswith(".")]


def test_roads_command_chinese_by_default(tmp_path, helsinki_pbf):
    out = tmp_path / "r"
    result = runner.invoke(app, ["roads", "--osm", str(helsinki_pbf), "--mode", "drive",
                                 "--bbox", "24.935,60.164,24.945,60.170", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "个分段" in result.stdout
    html = (out / "segments.html").read_text(encoding="utf-8")
    assert "道路等级" in html


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--osm", "missing.osm"], "missing.osm: file not found"),
        (["--osm", "{bad}"], "unknown file type"),
        (["--osm", "{helsinki}", "--bbox", "117.19,28.28,117.25,28.32"], "outside the data"),
        (["--osm", "{helsinki}", "--bbox", "1,2"], "bbox"),
        (["--osm", "{helsinki}", "--mode", "boat"], "unknown mode"),
        ([], "--osm"),
        (["--osm", "{helsinki}", "--basemap", "baidu"], "unknown basemap"),
    ],
)
def test_bad_input_one_line_nonzero_no_output(tmp_path, helsinki_pbf, args, expected):
    bad = tmp_path / "roads.txt"
    bad.write_text("not osm")
    args = [a.format(bad=bad, helsinki=helsinki_pbf) for a in args]
    out = tmp_path / "out"
    result = runner.invoke(app, ["roads", *args, "--out", str(out), "--lang", "en"])
    assert result.exit_code == 2
    lines = [ln for ln in result.stderr.splitlines() if ln.startswith("error:")]
    assert len(lines) == 1 and expected in lines[0], result.stderr
    assert not out.exists()


def test_offline_amap_demo_on_helsinki(tmp_path, helsinki_pbf):
    out = tmp_path / "h"
    result = runner.invoke(app, ["demo", "--osm", str(helsinki_pbf), "--out", str(out),
                                 "--offline", "--basemap", "amap"])
    assert result.exit_code == 0, result.output
    html = (out / "segments.html").read_text(encoding="utf-8")
    assert "autonavi" not in html  # offline: no tiles
    assert not re.search(r'<script[^>]*\ssrc="https?://', html)


def test_corrupt_file_via_cli(tmp_path, helsinki_pbf):
    broken = tmp_path / "cut.osm.pbf"
    broken.write_bytes(helsinki_pbf.read_bytes()[:40_000])
    out = tmp_path / "out"
    result = runner.invoke(app, ["demo", "--osm", str(broken), "--out", str(out)])
    assert result.exit_code == 2
    assert "错误" in result.stderr and "cut.osm.pbf" in result.stderr
    assert not out.exists()


def test_cli_run_gives_the_language_and_renders_text(capsys):
    import typer

    from patrolgeo.cli.app import cli_run
    from patrolgeo.errors import InputRowError
    from patrolgeo.labels import Text

    with cli_run("en") as run:
        assert run.lang == "en"
        run.step(Text("读取", "Reading"))
        run.say(Text("你好", "hello"))
    assert capsys.readouterr().out == "hello\n"
    with pytest.raises(typer.Exit) as stop, cli_run("en"):
        raise InputRowError(Text("文件不存在", "file not found"), file="a.csv")
    assert stop.value.exit_code == 2
    assert "error: a.csv: file not found" in capsys.readouterr().err
