"""``patrolgeo map``: every map the inputs allow, and bad input."""

from __future__ import annotations

import pandas as pd
from typer.testing import CliRunner

from browser import COUNT_LAYERS_JS, open_offline
from patrolgeo.cli import app

runner = CliRunner()
BBOX = "24.935,60.164,24.945,60.170"


def test_map_verb_draws_territory_and_chief_maps(tmp_path, helsinki_pbf):
    out_assign = tmp_path / "assign"
    result = runner.invoke(app, ["assign", "--osm", str(helsinki_pbf), "--bbox", BBOX,
                                 "--chiefs", "2", "--out", str(out_assign), "--lang", "en"])
    assert result.exit_code == 0, result.output
    out = tmp_path / "maps"
    result = runner.invoke(app, ["map", "--osm", str(helsinki_pbf), "--bbox", BBOX,
                                 "--assignments", str(out_assign / "assignments.csv"),
                                 "--offline", "--out", str(out), "--lang", "en"])
    assert result.exit_code == 0, result.output
    for name in ("segments.html", "grades.html", "territories.html", "chief_C01.html",
                 "chief_C02.html", "index.html"):
        assert (out / name).exists(), name
    assignment = pd.read_csv(out_assign / "assignments.csv", encoding="utf-8-sig")
    with open_offline(out / "territories.html") as (page, report):
        assert page.evaluate(COUNT_LAYERS_JS)["polylines"] == len(assignment)
    assert report.console_errors == [] and report.page_errors == []
    index = (out / "index.html").read_text(encoding="utf-8")
    assert 'href="chief_C01.html"' in index


def test_map_verb_rejects_an_unknown_segment(tmp_path, helsinki_pbf):
    bad = tmp_path / "assignments.csv"
    bad.write_text("segment_id,chief_id\n1-2-3,C01\n", encoding="utf-8")
    out = tmp_path / "maps"
    result = runner.invoke(app, ["map", "--osm", str(helsinki_pbf), "--bbox", BBOX,
                                 "--assignments", str(bad), "--out", str(out), "--lang", "en"])
    assert result.exit_code == 2
    line = [ln for ln in result.stderr.splitlines() if ln.startswith("error:")]
    assert len(line) == 1 and "1-2-3" in line[0] and "assignments.csv" in line[0]
    assert not out.exists()
