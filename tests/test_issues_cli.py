"""The ``hotspots`` verb: outputs, synthetic labels, bad input."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest
from typer.testing import CliRunner

from patrolgeo import issues, pois, roads
from patrolgeo.cli import app

runner = CliRunner()
BBOX = "24.935,60.164,24.950,60.172"


@pytest.fixture(scope="module")
def synthetic_csv(tmp_path_factory, helsinki_pbf):
    seg = roads.segments_from_graph(roads.load_graph(helsinki_pbf, mode="walk",
                                                     bbox=roads.parse_bbox(BBOX)))
    context, _ = pois.read_context(helsinki_pbf, bbox=roads.parse_bbox(BBOX))
    table = issues.synthetic_reports(seg, context, weeks=8, seed=2, bad_rows=5)
    path = tmp_path_factory.mktemp("reports") / "reports.csv"
    table.to_csv(path, index=False)
    return path, table


def test_hotspots_verb_writes_every_output(tmp_path, helsinki_pbf, synthetic_csv):
    path, table = synthetic_csv
    out = tmp_path / "out"
    chiefs = tmp_path / "chiefs.csv"
    result = runner.invoke(app, ["hotspots", "--osm", str(helsinki_pbf), "--bbox", BBOX,
                                 "--issues", str(path), "--out", str(out), "--lang", "en",
                                 "--permutations", "9999"])
    assert result.exit_code == 0, result.output
    assert "5 rejected" in result.stdout and "synthetic" in result.stdout
    for name in ("issues_snapped.csv", "issues_snapped.gpkg", "rejects.csv", "hotspots.gpkg",
                 "issue_load.csv", "issues_by_road.csv", "issues_by_category.csv",
                 "issues_by_week.csv", "issues_by_source.csv"):
        assert (out / name).exists(), name
    hot = gpd.read_file(out / "hotspots.gpkg")
    assert hot.crs.to_epsg() == 4326
    for column in ("segment_id", "issue_count", "gi_z", "gi_p", "gi_class", "trend",
                   "issue_load", "synthetic"):
        assert column in hot.columns
    assert hot["synthetic"].all()
    snapped = pd.read_csv(out / "issues_snapped.csv", encoding="utf-8-sig")
    assert snapped["synthetic"].all() and len(snapped) == len(table) - 5
    assert hot["issue_count"].sum() == snapped["on_network"].sum()
    rejects = (out / "rejects.csv").read_bytes()
    assert rejects.startswith(b"\xef\xbb\xbf")
    rej = pd.read_csv(out / "rejects.csv", encoding="utf-8-sig")
    assert sorted(rej["row"]) == list(range(len(table) - 3, len(table) + 2))
    # per-chief totals with an assignment
    seg_ids = hot["segment_id"]
    pd.DataFrame({"segment_id": seg_ids, "chief_id": ["甲", "乙"] * (len(seg_ids) // 2)
                  + ["甲"] * (len(seg_ids) % 2)}).to_csv(chiefs, index=False)
    out2 = tmp_path / "out2"
    result = runner.invoke(app, ["hotspots", "--osm", str(helsinki_pbf), "--bbox", BBOX,
                                 "--issues", str(path), "--out", str(out2), "--assignment",
                                 str(chiefs), "--permutations", "999"])
    assert result.exit_code == 0, result.output
    by_chief = pd.read_csv(out2 / "issues_by_chief.csv", encoding="utf-8-sig")
    assert set(by_chief["chief_id"]) == {"甲", "乙"}
    assert by_chief["issue_count"].sum() == snapped["on_network"].sum()


@pytest.mark.parametrize(("content", "suffix", "expected"), [
    ("id,reported_at,category,lat\nA,2024-01-01,E01,60\n", ".csv", "lon"),
    ("id,reported_at,category,lat,lon\nA,2024-01-01,NOPE,60.17,24.94\n", ".csv",
     "category"),
    ("whatever", ".xlsx", ".xlsx"),
])
def test_bad_input_one_line_exit_2_no_output(tmp_path, helsinki_pbf, content, suffix,
                                             expected):
    path = tmp_path / f"reports{suffix}"
    path.write_text(content, encoding="utf-8")
    out = tmp_path / "out"
    result = runner.invoke(app, ["hotspots", "--osm", str(helsinki_pbf), "--bbox", BBOX,
                                 "--issues", str(path), "--out", str(out)])
    assert result.exit_code == 2
    lines = [ln for ln in result.stderr.splitlines() if ln.startswith("错误")]
    assert len(lines) == 1 and expected in lines[0] and str(path.name) in lines[0]
    assert not out.exists()


def test_as_of_and_earliest_reject_reports_outside_the_window(tmp_path, helsinki_pbf,
                                                             synthetic_csv):
    _, table = synthetic_csv
    good = table.iloc[:-5]  # the synthetic broken rows are the last five
    extra = good.iloc[:3].copy()
    extra["id"] = ["FUTURE", "LATE", "EARLY"]
    extra["reported_at"] = ["2099-01-01 08:00:00", "2024-12-01 08:00:00",
                            "2010-05-01 08:00:00"]
    csv = tmp_path / "window.csv"
    pd.concat([good, extra]).to_csv(csv, index=False)
    out = tmp_path / "out"
    result = runner.invoke(app, ["hotspots", "--osm", str(helsinki_pbf), "--bbox", BBOX,
                                 "--issues", str(csv), "--out", str(out), "--lang", "en",
                                 "--as-of", "2024-11-30", "--earliest", "2015-01-01"])
    assert result.exit_code == 0, result.output
    assert "3 rejected" in result.stdout and "hot streets" in result.stdout
    rej = pd.read_csv(out / "rejects.csv", encoding="utf-8-sig").set_index("id")
    assert rej.loc["FUTURE", "reason_code"] == "time_in_future"
    assert rej.loc["LATE", "reason_code"] == "time_in_future"
    assert rej.loc["EARLY", "reason_code"] == "time_too_early"
    assert "2024-11-30 23:59:59" in rej.loc["FUTURE", "reason"]
    hot = gpd.read_file(out / "hotspots.gpkg")
    for column in ("street_p", "street_q", "street_hot", "gi_q", "hot_kind", "hot_label"):
        assert column in hot.columns
    assert set(hot["hot_label"]) <= {issues.hot_kind_label(k, "en") for k in issues.HOT_KINDS}
