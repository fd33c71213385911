"""Issue intake: CSV, GeoJSON and Open311, rejects, times, coordinates, taxonomy."""

from __future__ import annotations

import json
from datetime import timezone
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
import pytest

from patrolgeo import issues
from patrolgeo.errors import ConfigError, InputRowError
from patrolgeo.issues import taxonomy as tx

HEADER = "id,reported_at,category,subcategory,source,status,lat,lon,description\n"

# (line, expected problems as (field, reason_code)); None = a good row
ROWS = [
    ("A1,2024-05-01 08:30:00,街面秩序,流动摊贩,巡查,待处理,28.30,117.22,ok", None),
    ("A2,2024-05-01T09:00,E04,E0403,patrol,open,28.301,117.221,ok", None),
    ("A3,2024/05/02 10:15,Street order,Street vending,随手拍,已办结,28.302,117.222,ok", None),
    ("A4,2024年5月3日 7:05,宣传广告,小广告,12345,处理中,28.303,117.223,alias kind", None),
    ("A5,2024-05-03 07:05,市容环境,暴露垃圾,视频,,abc,117.22,bad lat",
     [("lat", "not_a_number")]),
    ("A6,2024-05-03 07:05,市容环境,暴露垃圾,视频,,95.5,117.22,lat range",
     [("lat", "out_of_range")]),
    ("A7,2024-05-03 07:05,市容环境,暴露垃圾,视频,,0,0,null island", [("lat", "null_island")]),
    ("A8,2024-05-03 07:05,不存在,暴露垃圾,视频,,28.3,117.22,bad category",
     [("category", "unknown_category")]),
    ("A9,2024-05-03 07:05,宣传广告,暴露垃圾,视频,,28.3,117.22,kind of another category",
     [("subcategory", "subcategory_not_in_category")]),
    ("A10,yesterday,市容环境,暴露垃圾,视频,,28.3,117.22,bad time", [("reported_at", "bad_time")]),
    ("A1,2024-05-04 07:05,市容环境,暴露垃圾,视频,,28.3,117.22,duplicate id",
     [("id", "duplicate_id")]),
    (",2024-05-04 07:05,市容环境,暴露垃圾,视频,,28.3,117.22,no id", [("id", "missing_value")]),
    ("A13,2024-05-04 07:05,市容环境,暴露垃圾,飞鸽传书,,28.3,117.22,bad source",
     [("source", "unknown_source")]),
    ('A14,1999-12-31 23:00,市容环境,未知小类,巡查,,28.3,,"two problems,\nand a line break"',
     [("reported_at", "time_too_early"), ("lon", "missing_value"),
      ("subcategory", "unknown_subcategory")]),
    ("A15,2024-05-04 07:05:00+00:00,E01,,trajectory,closed,28.31,117.23,utc; category only",
     None),
    ("A16,2024-05-04 07:05,E01,,trajectory,closed,28.31,117.23,an, unquoted comma",
     [("row", "bad_line")]),
    ("A17,2024-05-04 07:05,E01,E0101,patrol,closed,28.31,117.23,after the broken line",
     None),
]


def write_rows(path, rows=ROWS, header=HEADER, encoding="utf-8"):
    path.write_text(header + "\n".join(r for r, _ in rows) + "\n", encoding=encoding)
    return path


def test_rejects_name_every_bad_row_and_reason(tmp_path):
    path = write_rows(tmp_path / "r.csv")
    intake = issues.read_reports(path)
    # the spreadsheet row of each record: header is row 1; the record with an embedded
    # line break is one row
    expected = {(i + 2, f, c) for i, (_, probs) in enumerate(ROWS) if probs for f, c in probs}
    got = {(int(r.row), r.field, r.reason_code) for r in intake.rejects.itertuples()}
    assert got == expected
    assert set(intake.reports["id"]) == {"A1", "A2", "A3", "A4", "A15", "A17"}
    assert intake.reports.set_index("id").loc["A17", "row"] == len(ROWS) + 1
    assert intake.n_read == len(ROWS)
    assert intake.n_rejected_rows + len(intake.reports) == len(ROWS)  # nothing silently lost
    assert (intake.rejects["source_file"] == str(path)).all()
    dup = intake.rejects[intake.rejects["reason_code"] == "duplicate_id"].iloc[0]
    assert dup["detail"] == f"{path}:2"  # names the first occurrence
    words = {lang: intake.rejects_table(lang) for lang in ("zh", "en")}
    for table in words.values():
        assert list(table.columns) == issues.REJECT_COLUMNS
    zh_dup = words["zh"][words["zh"]["reason_code"] == "duplicate_id"].iloc[0]
    assert zh_dup["reason"] == f"编号重复（首次出现于 {path}:2）"
    en_dup = words["en"][words["en"]["reason_code"] == "duplicate_id"].iloc[0]
    assert en_dup["reason"] == f"duplicate id (first seen at {path}:2)"
    record = json.loads(intake.rejects[intake.rejects["id"] == "A5"]["record"].iloc[0])
    assert record["lat"] == "abc" and record["description"] == "bad lat"
    broken = intake.rejects[intake.rejects["reason_code"] == "bad_line"].iloc[0]
    assert json.loads(broken["record"])["line"] == ROWS[-2][0]
    en_broken = words["en"][words["en"]["reason_code"] == "bad_line"].iloc[0]
    assert en_broken["reason"].startswith("wrong number of fields (an unquoted comma, most "
                                          f"likely): {broken['detail']}")
    for table in words.values():
        assert table["reason"].str.len().gt(0).all()


def _times_table(times: list[str]) -> pd.DataFrame:
    return pd.DataFrame({"id": [f"T{i}" for i in range(len(times))], "reported_at": times,
                         "category": "街面秩序", "subcategory": "流动摊贩", "source": "巡查",
                         "status": "", "lat": "28.30", "lon": "117.22", "description": ""})


def test_reports_after_the_reference_time_or_too_early_are_rejected_and_explained():
    table = _times_table(["2024-06-30 23:30", "2099-01-01 00:00", "2024-07-01 00:00:01",
                          "2023-12-31 23:59", "2024-01-01 00:00", "1970-01-01",
                          "2024-07-01T00:30:00+09:00"])
    intake = issues.validate(issues.reports_from_frame(table), as_of="2024-06-30",
                             earliest="2024-01-01")
    codes = dict(zip(intake.rejects["id"], intake.rejects["reason_code"], strict=True))
    # a bare date is the end of that day; +09:00 is 23:30 in Shanghai: kept
    assert codes == {"T1": "time_in_future", "T2": "time_in_future",
                     "T3": "time_too_early", "T5": "time_too_early"}
    assert sorted(intake.reports["id"]) == ["T0", "T4", "T6"]
    assert intake.reports.attrs["as_of"].startswith("2024-06-30T23:59:59")
    en = intake.rejects_table("en").set_index("id")
    assert en.loc["T1", "reason"] == ("time later than the run's reference time (--as-of), "
                                      "most likely a typing error (reference time "
                                      "2024-06-30 23:59:59)")
    assert en.loc["T3", "reason"].endswith("(earliest 2024-01-01 00:00:00)")
    zh = intake.rejects_table("zh").set_index("id")
    assert "参考时间 2024-06-30 23:59:59" in zh.loc["T2", "reason"]
    assert en.loc["T1", "value"] == "2099-01-01 00:00"


def test_the_default_reference_time_is_now_and_earliest_2000():
    now = pd.Timestamp.now(tz="Asia/Shanghai").tz_localize(None)
    table = _times_table([(now + pd.Timedelta(hours=2)).strftime("%Y-%m-%d %H:%M"),
                          (now - pd.Timedelta(days=1)).strftime("%Y-%m-%d %H:%M"),
                          "1999-12-31 23:59", "2000-01-01 00:00"])
    intake = issues.validate(issues.reports_from_frame(table))
    codes = dict(zip(intake.rejects["id"], intake.rejects["reason_code"], strict=True))
    assert codes == {"T0": "time_in_future", "T2": "time_too_early"}
    assert issues.DEFAULT_EARLIEST == "2000-01-01"
    with pytest.raises(InputRowError, match="earliest"):
        issues.validate(issues.reports_from_frame(table), as_of="2020-01-01",
                        earliest="2021-01-01")
    with pytest.raises(InputRowError, match="as_of"):
        issues.validate(issues.reports_from_frame(table), as_of="next tuesday")


def test_a_report_in_2099_does_not_stretch_the_weekly_series(helsinki_walk_segments):
    seg = helsinki_walk_segments
    west, south, east, north = seg.to_crs("EPSG:4326").total_bounds
    rng = np.random.default_rng(3)
    n = 400
    start = pd.Timestamp("2024-03-04")
    times = [(start + pd.Timedelta(minutes=int(m))).strftime("%Y-%m-%d %H:%M")
             for m in rng.integers(0, 6 * 7 * 24 * 60, n)]
    table = _times_table([*times, "2099-01-01 00:00"])
    table["lat"] = [f"{v:.6f}" for v in rng.uniform(south, north, n + 1)]
    table["lon"] = [f"{v:.6f}" for v in rng.uniform(west, east, n + 1)]
    intake = issues.validate(issues.reports_from_frame(table), as_of="2024-06-30")
    assert list(intake.rejects["reason_code"]) == ["time_in_future"]
    snapped = issues.snap_reports(intake.reports, seg)
    result = issues.find_hotspots(snapped, seg)
    weeks = pd.DatetimeIndex(snapped.loc[snapped["on_network"], "week"]).unique()
    assert result.params["weeks"] == len(result.weeks) == len(weeks) <= 6
    assert result.weeks.max() < pd.Timestamp("2024-06-30")


def test_good_rows_are_normalised(tmp_path):
    intake = issues.read_reports(write_rows(tmp_path / "r.csv"))
    rep = intake.reports.set_index("id")
    assert rep.loc["A1", "category_code"] == "E04" and rep.loc["A1", "subcategory_code"] == "E0401"
    assert rep.loc["A3", "subcategory_code"] == "E0401"  # English names
    assert rep.loc["A4", "subcategory"] == "非法小广告"  # alias 小广告
    assert rep.loc["A15", "subcategory_code"] == "" and rep.loc["A15", "category"] == "市容环境"
    assert rep.loc["A3", "reported_at"] == pd.Timestamp("2024-05-02 10:15")
    assert rep.loc["A4", "reported_at"] == pd.Timestamp("2024-05-03 07:05")
    # an explicit offset is converted to the local zone (Asia/Shanghai, UTC+8)
    assert rep.loc["A15", "reported_at"] == pd.Timestamp("2024-05-04 15:05")
    assert list(rep["source"]) == ["patrol", "patrol", "citizen_photo", "hotline_12345",
                                   "trajectory", "patrol"]
    assert list(rep["status"]) == ["open", "open", "closed", "in_progress", "closed", "closed"]
    assert (rep["week"] == pd.Timestamp("2024-04-29")).all()  # the Monday
    assert rep["severity"].gt(0).all()
    assert not intake.synthetic


def test_chinese_headers_and_gb18030(tmp_path):
    header = "编号,上报时间,大类,小类,来源,状态,纬度,经度,问题描述\n"
    path = write_rows(tmp_path / "r.csv", ROWS[:3], header=header, encoding="gb18030")
    intake = issues.read_reports(path)
    assert list(intake.reports["id"]) == ["A1", "A2", "A3"] and intake.rejects.empty


def test_missing_column_is_one_clear_error(tmp_path):
    path = tmp_path / "r.csv"
    path.write_text("id,reported_at,category,lat\nA,2024-01-01,E01,28\n", encoding="utf-8")
    with pytest.raises(InputRowError, match="lon") as err:
        issues.read_reports(path)
    assert err.value.file == str(path) and err.value.field == "lon"
    with pytest.raises(InputRowError, match=r"\.xlsx"):
        issues.read_reports(tmp_path / "r.xlsx")
    with pytest.raises(InputRowError, match="not found"):
        issues.read_reports(tmp_path / "missing.csv")


def test_swapped_coordinates_need_bounds(tmp_path):
    rows = [("S1,2024-05-01 08:00,E01,E0101,patrol,,24.94,60.17,swapped", None)]
    path = write_rows(tmp_path / "s.csv", rows)
    helsinki = (24.92, 60.16, 24.96, 60.18)
    assert len(issues.read_reports(path).reports) == 1  # without bounds it looks fine
    intake = issues.read_reports(path, bounds=helsinki)
    assert list(intake.rejects["reason_code"]) == ["lat_lon_swapped"]


def test_gcj02_input_is_converted(tmp_path):
    import coordTransform

    wgs = np.array([[117.2201, 28.3012], [117.2302, 28.2955]])
    gcj = np.array([coordTransform.wgs84_to_gcj02(x, y) for x, y in wgs])
    shift = np.hypot(*(gcj - wgs).T) * 111_000
    assert (shift > 100).all()  # the datum shift is hundreds of metres in China
    rows = [(f"G{i},2024-05-01 08:00,E01,E0101,patrol,,{lat:.7f},{lon:.7f},", None)
            for i, (lon, lat) in enumerate(gcj)]
    intake = issues.read_reports(write_rows(tmp_path / "g.csv", rows), crs="gcj02")
    back = intake.reports[["lon", "lat"]].to_numpy()
    err_m = np.hypot((back[:, 0] - wgs[:, 0]) * 111_000 * np.cos(np.radians(28.3)),
                     (back[:, 1] - wgs[:, 1]) * 111_000)
    assert (err_m < 3).all()
    with pytest.raises(InputRowError, match="coordinate system"):
        issues.read_reports(tmp_path / "g.csv", crs="mars")


def _open311(table: pd.DataFrame, tz: str) -> list[dict]:
    """Open311 GeoReport v2 requests of a CSV-like table, times with their UTC offset."""
    zone = ZoneInfo(tz)
    requests = []
    for row in table.itertuples():
        local = pd.Timestamp(row.reported_at).to_pydatetime().replace(tzinfo=zone)
        requests.append({
            "service_request_id": row.id, "status": row.status,
            "service_code": issues.default_taxonomy().resolve(
                pd.Series([row.category]), pd.Series([row.subcategory])).kind_code[0],
            "service_name": row.subcategory, "description": row.description,
            "requested_datetime": local.isoformat(), "lat": float(row.lat),
            "long": float(row.lon), "extended_attributes": {"source": row.source},
        })
    return requests


def test_open311_geojson_and_csv_give_the_same_result(tmp_path, helsinki_walk_segments):
    seg = helsinki_walk_segments
    from patrolgeo import pois
    from patrolgeo.pipeline import helsinki_osm_path

    context, _ = pois.read_context(helsinki_osm_path())
    table = issues.synthetic_reports(seg, context, weeks=6, seed=3)
    table["status"] = table["status"].replace({"in_progress": "open"})  # Open311: open/closed
    # a naive local time in the spring-forward gap has no offset to write in Open311
    zone = ZoneInfo("Europe/Helsinki")
    local = [pd.Timestamp(t).to_pydatetime().replace(tzinfo=zone) for t in table["reported_at"]]
    exists = [t.astimezone(timezone.utc).astimezone(zone).replace(tzinfo=None)
              == t.replace(tzinfo=None) for t in local]
    table = table[exists].reset_index(drop=True)
    csv_path = tmp_path / "r.csv"
    table.to_csv(csv_path, index=False)
    o311_path = tmp_path / "r.json"
    o311_path.write_text(json.dumps(_open311(table, "Europe/Helsinki")), encoding="utf-8")
    geo_path = tmp_path / "r.geojson"
    geo_path.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": {"type": "Point",
                                         "coordinates": [float(r.lon), float(r.lat)]},
         "properties": {k: getattr(r, k) for k in ("id", "reported_at", "category",
                                                   "subcategory", "source", "status",
                                                   "description", "synthetic")}}
        for r in table.itertuples()]}), encoding="utf-8")
    results = []
    for path in (csv_path, o311_path, geo_path):
        intake = issues.read_reports(path, tz="Europe/Helsinki")
        assert intake.rejects.empty, intake.rejects.head()
        snapped = issues.snap_reports(intake.reports, seg)
        hot = issues.find_hotspots(snapped, seg, permutations=999, seed=1)
        results.append((intake.reports.drop(columns=["source_file", "row", "description",
                                                      "synthetic"]),
                        hot.segments.drop(columns=["synthetic"], errors="ignore")))
    csv_reports, csv_hot = results[0]
    for reports, hot in results[1:]:
        pd.testing.assert_frame_equal(reports, csv_reports)
        pd.testing.assert_frame_equal(pd.DataFrame(hot.drop(columns="geometry")),
                                      pd.DataFrame(csv_hot.drop(columns="geometry")))


def test_geojson_bad_geometry_is_rejected(tmp_path):
    path = tmp_path / "g.geojson"
    feature = {"type": "Feature", "properties": {"id": "G1", "reported_at": "2024-05-01 08:00",
                                                 "category": "E01"},
               "geometry": {"type": "Point", "coordinates": [117.22, 28.3]}}
    broken = {**feature, "properties": {**feature["properties"], "id": "G2"},
              "geometry": {"type": "LineString", "coordinates": [[117.2, 28.3], [117.3, 28.3]]}}
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [feature, broken]}),
                    encoding="utf-8")
    intake = issues.read_reports(path)
    assert list(intake.reports["id"]) == ["G1"]
    assert intake.rejects[["row", "field", "reason_code"]].values.tolist() == [
        [2, "geometry", "bad_geometry"]]


def test_parse_times_forms():
    times = issues.parse_times(pd.Series(["2024-05-01 08:30", "2024/5/1 8:30", "2024年5月1日 8:30",
                                          "2024-05-01T00:30:00Z", "2024.05.01 08:30", "",
                                          "31/31/2024"]))
    expected = pd.Timestamp("2024-05-01 08:30")
    assert (times[:5] == expected).all()
    assert times[5:].isna().all()


# --------------------------------------------------------------------------- taxonomy


def test_default_taxonomy_follows_gbt30428():
    tax = issues.default_taxonomy()
    events = [c.name for c in tax.categories if c.group == "event"]
    components = [c.name for c in tax.categories if c.group == "component"]
    assert events == ["市容环境", "宣传广告", "施工管理", "街面秩序", "突发事件", "其他事件"]
    assert components == ["公用设施", "道路交通", "市容环境设施", "园林绿化", "其他部件"]
    table = tax.table()
    assert table["kind_code"].is_unique and len(table) >= 60
    assert table["kind_code"].str[:3].eq(table["category_code"]).all()
    res = tax.resolve(pd.Series(["街面秩序", "", "ｓｔｒｅｅｔ ｏｒｄｅｒ", "E05", ""]),
                      pd.Series(["游商", "井盖缺失", "street vending", "", "E03"]))
    assert list(res.kind_code) == ["E0401", "C0101", "E0401", "", ""]
    assert list(res.category_code) == ["E04", "C01", "E04", "E05", "E03"]
    assert (res.error == "").all()


def test_bureau_taxonomy_18_categories_163_kinds(tmp_path):
    rows = ["category_code,category,kind_code,kind,severity"]
    sizes = [10] * 1 + [9] * 17  # 10 + 153 = 163 kinds
    for c, size in enumerate(sizes, start=1):
        for k in range(1, size + 1):
            rows.append(f"B{c:02d},大类{c},B{c:02d}{k:02d},小类{c}-{k},{1 + (k % 3)}")
    path = tmp_path / "bureau.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    tax = issues.load_taxonomy(path)
    assert len(tax.categories) == 18 and len(tax.kinds) == 163
    res = tax.resolve(pd.Series(["大类3", "B18"]), pd.Series(["小类3-2", "B1809"]))
    assert list(res.kind_code) == ["B0302", "B1809"]
    assert tax.kinds["B0302"].severity == 3.0
    # reports against it: the default's categories are now unknown
    csv = tmp_path / "r.csv"
    csv.write_text(HEADER + "X1,2024-05-01 08:00,大类3,小类3-2,patrol,,28.3,117.2,\n"
                   "X2,2024-05-01 08:00,街面秩序,流动摊贩,patrol,,28.3,117.2,\n", encoding="utf-8")
    intake = issues.read_reports(csv, taxonomy=tax)
    assert list(intake.reports["subcategory_code"]) == ["B0302"]
    assert list(intake.rejects["reason_code"]) == ["unknown_category"]


@pytest.mark.parametrize(("text", "row", "field"), [
    ("category_code,category,kind_code,kind\nA,甲,A1,一\nA,甲,A1,二\n", 3, "kind_code"),
    ("category_code,category,kind_code,kind,severity\nA,甲,A1,一,-2\n", 2, "severity"),
    ("category_code,category,kind_code,kind\n,甲,A1,一\n", 2, "category_code"),
    ("category,kind\n甲,一\n", 1, "category_code"),
])
def test_bad_taxonomy_names_row_and_field(tmp_path, text, row, field):
    path = tmp_path / "t.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        issues.load_taxonomy(path)
    assert err.value.row == row and err.value.field == field


def test_toml_taxonomy_and_errors(tmp_path):
    good = tmp_path / "t.toml"
    good.write_text('name = "x"\n[[category]]\ncode = "K1"\nname = "甲"\nkinds = [{ code = '
                    '"K101", name = "一", severity = 2 }]\n', encoding="utf-8")
    tax = issues.load_taxonomy(good)
    assert tax.kinds["K101"].severity == 2.0
    bad = tmp_path / "b.toml"
    bad.write_text('[[category]]\ncode = "K1"\nname = "甲"\ngroup = "weather"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="group"):
        issues.load_taxonomy(bad)
    (tmp_path / "t.yaml").write_text("x: 1\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="format"):
        issues.load_taxonomy(tmp_path / "t.yaml")
    with pytest.raises(ConfigError, match="not found"):
        issues.load_taxonomy(tmp_path / "none.toml")
    assert tx.normalize_label(" ＡＢｃ ") == "abc"


def test_assignment_reads_gb18030_and_names_a_duplicate(tmp_path):
    from patrolgeo.pipeline import read_assignment

    path = tmp_path / "assignment.csv"
    path.write_bytes("segment_id,chief_id\n1-2-3,王五\n4-5-6,李四\n".encode("gb18030"))
    chiefs = read_assignment(path)
    assert chiefs.to_dict() == {"1-2-3": "王五", "4-5-6": "李四"}
    path.write_bytes("segment_id,chief_id\n1-2-3,王五\n1-2-3,李四\n".encode("gb18030"))
    with pytest.raises(InputRowError) as caught:
        read_assignment(path)
    assert caught.value.one_line("en") == f"{path}:3: segment_id: segment 1-2-3 assigned twice"
    assert caught.value.one_line("zh") == f"{path}:3: segment_id: 分段 1-2-3 重复分配"
    path.write_text("segment_id\n1-2-3\n", encoding="utf-8")
    with pytest.raises(InputRowError, match="chief_id"):
        read_assignment(path)
