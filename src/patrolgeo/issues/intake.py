"""Intake of issue reports from every channel: CSV, GeoJSON and Open311 GeoReport v2 JSON.

Every row is either kept (validated and normalised) or written to the rejects table with
its file, row number, field, value and reason: nothing is dropped silently. Validation is
vectorised with pandas, so a million rows take seconds.

Row numbers follow what the user sees when opening the file: for CSV, the spreadsheet
row (the header is row 1, so the first report is row 2); for GeoJSON, the 1-based index
of the feature in ``features``; for Open311 JSON, the 1-based index of the request in the
list.
"""

from __future__ import annotations

import json
import re
import unicodedata
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from patrolgeo.errors import InputRowError
from patrolgeo.i18n import tr
from patrolgeo.issues import taxonomy as tx

#: The fields of a report, in output order.
REPORT_FIELDS = ("id", "reported_at", "category", "subcategory", "source", "status", "lat",
                 "lon", "description")

#: Report channels and the labels they go by in bureau tables.
SOURCES: dict[str, tuple[str, ...]] = {
    "patrol": ("巡查", "路长巡查", "巡查上报", "巡查发现", "inspection"),
    "citizen_photo": ("随手拍", "市民随手拍", "photo", "citizen", "app"),
    "video": ("视频", "视频监控", "监控", "camera", "cctv"),
    "hotline_12345": ("12345", "12345热线", "热线", "hotline", "市民热线"),
    "trajectory": ("轨迹", "巡查轨迹", "gps", "track"),
    "other": ("其他", "其它", "open311"),
}

#: Statuses and their usual labels; other statuses are kept as written.
STATUSES: dict[str, tuple[str, ...]] = {
    "open": ("待处理", "未处理", "待受理", "新建", "new", "submitted", "reported"),
    "in_progress": ("处理中", "已派遣", "已受理", "办理中", "acknowledged", "assigned",
                    "in progress"),
    "closed": ("已办结", "已处理", "结案", "已结案", "办结", "resolved", "done", "fixed"),
}

#: Column names accepted for each field (compared after NFKC, trim and casefold).
COLUMN_ALIASES: dict[str, tuple[str, ...]] = {
    "id": ("id", "编号", "案件编号", "工单号", "问题编号", "report_id", "issue_id"),
    "reported_at": ("reported_at", "上报时间", "发现时间", "时间", "datetime", "time",
                    "timestamp", "requested_datetime"),
    "category": ("category", "大类", "问题大类", "类别", "category_name"),
    "subcategory": ("subcategory", "小类", "问题小类", "子类", "kind", "type"),
    "source": ("source", "来源", "问题来源", "渠道", "channel"),
    "status": ("status", "状态", "处理状态"),
    "lat": ("lat", "纬度", "latitude", "y"),
    "lon": ("lon", "经度", "lng", "long", "longitude", "x"),
    "description": ("description", "描述", "问题描述", "内容", "desc"),
    "synthetic": ("synthetic", "合成数据"),
}
REQUIRED_COLUMNS = ("id", "reported_at", "lat", "lon")

#: Input coordinate systems: WGS-84 (GPS, OSM) and the Chinese web-map datums.
INPUT_CRS = ("wgs84", "gcj02", "bd09")

#: Earliest and latest plausible report times.
TIME_RANGE = (pd.Timestamp("2000-01-01"), pd.Timestamp("2100-01-01"))

_FORMATS = ("%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M", "%Y/%m/%d", "%Y.%m.%d %H:%M:%S",
            "%Y.%m.%d %H:%M", "%Y.%m.%d", "%Y年%m月%d日 %H:%M:%S", "%Y年%m月%d日 %H:%M",
            "%Y年%m月%d日 %H时%M分", "%Y年%m月%d日")

REJECT_COLUMNS = ["source_file", "row", "id", "field", "value", "reason_code", "reason",
                  "record"]

OUTPUT_COLUMNS = ["id", "reported_at", "week", "category_code", "category",
                  "subcategory_code", "subcategory", "group", "severity", "source", "status",
                  "lat", "lon", "description", "synthetic", "source_file", "row"]


def _reason_text(code: str) -> str:
    texts = {
        "missing_value": ("缺少必填值", "required value missing"),
        "not_a_number": ("坐标不是数字", "coordinate is not a number"),
        "out_of_range": ("坐标超出范围（纬度±90，经度±180）",
                         "coordinate out of range (lat ±90, lon ±180)"),
        "null_island": ("坐标为 (0, 0)，多为缺省值", "coordinate is (0, 0), a missing-value "
                        "placeholder"),
        "lat_lon_swapped": ("经纬度疑似颠倒（交换后落在路网范围内）",
                            "latitude and longitude look swapped (swapped, the point falls "
                            "in the network area)"),
        "bad_geometry": ("几何不是点", "geometry is not a point"),
        "bad_time": ("无法解析的时间", "unparsable time"),
        "time_out_of_range": ("时间不在 2000–2100 年之间", "time outside 2000–2100"),
        tx.UNKNOWN_CATEGORY: ("未知的问题大类", "unknown category"),
        tx.UNKNOWN_KIND: ("未知的问题小类", "unknown subcategory"),
        tx.KIND_NOT_IN_CATEGORY: ("小类不属于该大类", "subcategory does not belong to the "
                                  "category"),
        tx.MISSING_CATEGORY: ("缺少问题类别", "category missing"),
        "unknown_source": ("未知的来源渠道", "unknown source channel"),
        "duplicate_id": ("编号重复", "duplicate id"),
        "bad_line": ("字段个数不对（多半是未加引号的逗号）", "wrong number of fields (an "
                     "unquoted comma, most likely)"),
    }
    zh, en = texts[code]
    return tr(zh, en)


# --------------------------------------------------------------------------- results


@dataclass
class RawReports:
    """Reports as read from one or more files, before validation.

    ``frame`` has one text column per field of :data:`REPORT_FIELDS` (``""`` when
    absent) plus ``synthetic``, ``source_file`` and ``row``; ``records`` gives back the
    original record of a row (for the rejects file).
    """

    frame: pd.DataFrame
    originals: list[tuple[str, Any, int]] = field(default_factory=list)

    def record(self, position: int) -> str:
        """Return the original row at ``position`` of ``frame`` as JSON text."""
        for _name, original, start in reversed(self.originals):
            if position >= start:
                offset = position - start
                if isinstance(original, pd.DataFrame):
                    rec = original.iloc[offset].to_dict()
                else:
                    rec = original[offset]
                return json.dumps(rec, ensure_ascii=False, default=str)
        raise IndexError(position)  # pragma: no cover


@dataclass
class Intake:
    """Validated reports and the rejected rows.

    Attributes
    ----------
    reports
        One row per kept report, columns :data:`OUTPUT_COLUMNS`; ``reported_at`` is a
        naive local time, ``week`` the Monday that starts its week, ``lat``/``lon`` in
        WGS-84.
    rejects
        One row per problem found (a row with two problems appears twice), columns
        :data:`REJECT_COLUMNS`; ``row`` follows the convention of the module docstring.
    n_read
        Rows read in all.
    """

    reports: pd.DataFrame
    rejects: pd.DataFrame
    n_read: int

    @property
    def n_rejected_rows(self) -> int:
        """Number of distinct input rows rejected."""
        return int(self.rejects[["source_file", "row"]].drop_duplicates().shape[0])

    @property
    def synthetic(self) -> bool:
        """Whether any kept report is synthetic (demo data)."""
        return bool(self.reports["synthetic"].any()) if len(self.reports) else False


# --------------------------------------------------------------------------- reading


def read_csv_text(path: str | Path, *, bad_lines: list[tuple[int, str]] | None = None
                  ) -> pd.DataFrame:
    """Read a CSV file as text: UTF-8 (with or without BOM), else GB18030 (Chinese Excel).

    Every cell is a string (``""`` when empty), column names are trimmed. Lines with the
    wrong number of fields are skipped and, when ``bad_lines`` is a list, appended to
    it as ``(line number, message)``; otherwise they raise :class:`InputRowError`.
    """
    path = Path(path)
    last: Exception | None = None
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always", pd.errors.ParserWarning)
                table = pd.read_csv(path, dtype=str, keep_default_na=False, na_filter=False,
                                    encoding=encoding, on_bad_lines="warn")
        except UnicodeDecodeError as exc:
            last = exc
            continue
        except pd.errors.EmptyDataError as exc:
            raise InputRowError("the file is empty", file=path) from exc
        except (pd.errors.ParserError, ValueError) as exc:
            raise InputRowError(f"not a readable CSV table: {str(exc).splitlines()[0]}",
                                file=path) from exc
        skipped = [(int(m.group(1)), m.group(2).strip())
                   for w in caught for m in _SKIPPED.finditer(str(w.message))]
        if skipped and bad_lines is None:
            line, message = skipped[0]
            raise InputRowError(message, file=path, row=line)
        if bad_lines is not None:
            bad_lines.extend(sorted(skipped))
        table.columns = [str(c).strip() for c in table.columns]
        return table
    raise InputRowError(f"not UTF-8 or GB18030 text: {last}", file=path)


_SKIPPED = re.compile(r"Skipping line (\d+): ([^\n]*)")


def _column_map(columns: Iterable[str]) -> dict[str, str]:
    """Map the file's column names to report fields (first match of each field wins)."""
    keys = {unicodedata.normalize("NFKC", c).strip().casefold(): c for c in columns}
    mapping: dict[str, str] = {}
    for field_name, aliases in COLUMN_ALIASES.items():
        for alias in aliases:
            column = keys.get(alias.casefold())
            if column is not None and column not in mapping.values():
                mapping[field_name] = column
                break
    return mapping


def _text(values: Any) -> pd.Series:
    """Turn a column of mixed JSON values into text ('' for null)."""
    series = pd.Series(values, dtype=object)
    return series.map(lambda v: "" if v is None or (isinstance(v, float) and np.isnan(v))
                      else (json.dumps(v, ensure_ascii=False) if isinstance(v, dict | list)
                            else str(v))).astype(object)


def _standard_frame(table: pd.DataFrame, path: Path, mapping: dict[str, str],
                    row_offset: int, *, check_required: bool = True) -> pd.DataFrame:
    if check_required:
        missing = [f for f in REQUIRED_COLUMNS if f not in mapping]
        if "category" not in mapping and "subcategory" not in mapping:
            missing.append("category")
        if missing:
            raise InputRowError(
                tr(f"缺少列 {', '.join(missing)}（可用的列名见 COLUMN_ALIASES）",
                   f"missing column(s) {', '.join(missing)}"),
                file=path, row=1, field=missing[0])
    out = pd.DataFrame(index=pd.RangeIndex(len(table)))
    for field_name in (*REPORT_FIELDS, "synthetic"):
        column = mapping.get(field_name)
        out[field_name] = (table[column].to_numpy(dtype=object) if column is not None
                           else np.full(len(table), "", dtype=object))
    out["source_file"] = str(path)
    out["row"] = np.arange(len(table), dtype=np.int64) + row_offset
    return out


def read_csv_reports(path: str | Path) -> RawReports:
    """Read reports from a CSV file (UTF-8 or GB18030; English or Chinese headers).

    A line with the wrong number of fields becomes a rejected row (``bad_line``); the
    row numbers of the others stay those of the file.
    """
    path = Path(path)
    _exists(path)
    bad: list[tuple[int, str]] = []
    table = read_csv_text(path, bad_lines=bad)
    frame = _standard_frame(table, path, _column_map(table.columns), row_offset=2)
    frame["_bad_line"] = ""
    originals: list[tuple[str, Any, int]] = [(str(path), table, 0)]
    if bad:
        lines = {n for n, _ in bad}
        good_rows = np.setdiff1d(np.arange(2, 2 + len(table) + len(bad)), list(lines))
        frame["row"] = good_rows[: len(table)]
        texts = _file_lines(path, lines)
        extra = pd.DataFrame({name: "" for name in frame.columns}, index=range(len(bad)))
        extra["source_file"] = str(path)
        extra["row"] = [n for n, _ in bad]
        extra["_bad_line"] = [message for _, message in bad]
        extra["synthetic"] = ""
        frame = pd.concat([frame, extra], ignore_index=True)
        originals.append((str(path), [{"line": texts.get(n, "")} for n, _ in bad],
                          len(table)))
    return RawReports(frame, originals)


def _file_lines(path: Path, numbers: set[int]) -> dict[int, str]:
    """The records (spreadsheet rows, as the CSV reader counts them) of the given numbers,
    re-joined with commas."""
    import csv

    found = {}
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            with path.open(encoding=encoding, newline="") as fh:
                for n, record in enumerate(csv.reader(fh), start=1):
                    if n in numbers:
                        found[n] = ",".join(record)
            return found
        except UnicodeDecodeError:
            found = {}
    return found


def reports_from_frame(table: pd.DataFrame, name: str = "<table>") -> RawReports:
    """Take reports from a DataFrame laid out like the CSV (for scripts and the demo).

    Row numbers are given as in a CSV written from the table (the first row is 2).
    """
    text = table.astype(object).where(table.notna(), "").astype(str)
    frame = _standard_frame(text, Path(name), _column_map(text.columns), row_offset=2)
    frame["source_file"] = name
    return RawReports(frame, [(name, text, 0)])


def _load_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise InputRowError(f"not UTF-8 text: {exc}", file=path) from exc
    except json.JSONDecodeError as exc:
        raise InputRowError(f"not valid JSON: {exc.msg}", file=path, row=exc.lineno) from exc


def read_geojson_reports(path: str | Path) -> RawReports:
    """Read reports from a GeoJSON FeatureCollection of points (fields in properties)."""
    path = Path(path)
    _exists(path)
    data = _load_json(path)
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        raise InputRowError(tr("不是 GeoJSON FeatureCollection", "not a GeoJSON "
                               "FeatureCollection"), file=path, field="type")
    features = data.get("features") or []
    props = [f.get("properties") or {} if isinstance(f, dict) else {} for f in features]
    table = pd.DataFrame.from_records(props) if props else pd.DataFrame()
    mapping = _column_map(table.columns)
    mapping = {k: v for k, v in mapping.items() if k not in ("lat", "lon")}
    frame = _standard_frame(table.reindex(range(len(features))), path, mapping, row_offset=1,
                            check_required=False)
    for column in (*REPORT_FIELDS, "synthetic"):
        if column in mapping:
            frame[column] = _text(frame[column])
    lon, lat, bad = [], [], []
    for f in features:
        geom = f.get("geometry") if isinstance(f, dict) else None
        coords = geom.get("coordinates") if isinstance(geom, dict) else None
        if (isinstance(geom, dict) and geom.get("type") == "Point"
                and isinstance(coords, list) and len(coords) >= 2):
            lon.append(str(coords[0]))
            lat.append(str(coords[1]))
            bad.append(False)
        else:
            lon.append("")
            lat.append("")
            bad.append(True)
    frame["lon"] = np.array(lon, dtype=object)
    frame["lat"] = np.array(lat, dtype=object)
    frame["_bad_geometry"] = np.array(bad, dtype=bool)
    missing = [f for f in ("id", "reported_at") if f not in mapping]
    if "category" not in mapping and "subcategory" not in mapping:
        missing.append("category")
    if features and missing:
        raise InputRowError(tr(f"要素属性缺少 {', '.join(missing)}",
                               f"feature properties lack {', '.join(missing)}"),
                            file=path, row=1, field=missing[0])
    return RawReports(frame, [(str(path), features, 0)])


#: Open311 GeoReport v2 request fields and the report fields they fill.
OPEN311_FIELDS = {"service_request_id": "id", "requested_datetime": "reported_at",
                  "status": "status", "lat": "lat", "long": "lon",
                  "description": "description"}


def read_open311_reports(path: str | Path) -> RawReports:
    """Read service requests from an Open311 GeoReport v2 JSON response.

    ``service_code`` names the kind (or the category) in the taxonomy, ``service_name``
    is used when no code is given. The channel comes from a ``source`` or ``channel``
    field, also inside ``extended_attributes``; it is ``other`` when absent.
    """
    path = Path(path)
    _exists(path)
    data = _load_json(path)
    if isinstance(data, dict):
        data = data.get("service_requests", data.get("requests"))
    if not isinstance(data, list):
        raise InputRowError(tr("不是 Open311 服务请求列表", "not a list of Open311 service "
                               "requests"), file=path, field="service_requests")
    records = [r if isinstance(r, dict) else {} for r in data]
    table = pd.DataFrame.from_records(records) if records else pd.DataFrame()
    frame = pd.DataFrame(index=pd.RangeIndex(len(records)))
    for name in REPORT_FIELDS:
        frame[name] = np.full(len(records), "", dtype=object)
    for o311, name in OPEN311_FIELDS.items():
        if o311 in table.columns:
            frame[name] = _text(table[o311]).to_numpy()
    code = _text(table["service_code"]) if "service_code" in table.columns else None
    label = _text(table["service_name"]) if "service_name" in table.columns else None
    if code is not None and label is not None:
        frame["subcategory"] = code.where(code != "", label).to_numpy()
    elif code is not None or label is not None:
        frame["subcategory"] = (code if code is not None else label).to_numpy()
    source = pd.Series([_open311_source(r) for r in records], dtype=object)
    frame["source"] = source.to_numpy()
    frame["synthetic"] = _text(table["synthetic"]).to_numpy() if "synthetic" in table else ""
    frame["source_file"] = str(path)
    frame["row"] = np.arange(len(records), dtype=np.int64) + 1
    return RawReports(frame, [(str(path), records, 0)])


def _open311_source(record: dict[str, Any]) -> str:
    for holder in (record, record.get("extended_attributes") or {}):
        if isinstance(holder, dict):
            for key in ("source", "channel"):
                if holder.get(key):
                    return str(holder[key])
    return "other"


def _exists(path: Path) -> None:
    if not path.exists():
        raise InputRowError("file not found", file=path)
    if not path.is_file():
        raise InputRowError("not a file", file=path)


def detect_format(path: str | Path) -> str:
    """Return ``"csv"``, ``"geojson"`` or ``"open311"`` for a reports file.

    ``.csv`` is CSV; ``.geojson`` GeoJSON; ``.json`` is GeoJSON when it holds a
    FeatureCollection and Open311 when it holds a list of requests.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix in (".csv", ".txt"):
        return "csv"
    if suffix == ".geojson":
        return "geojson"
    if suffix == ".json":
        _exists(path)
        with path.open("rb") as fh:
            head = fh.read(4096).decode("utf-8-sig", errors="replace").lstrip()
        return "open311" if head.startswith("[") or '"service_requests"' in head else "geojson"
    raise InputRowError(tr(f"未知的文件类型 {suffix!r}：请用 .csv、.geojson 或 .json",
                           f"unknown file type {suffix!r}: use .csv, .geojson or .json"),
                        file=path)


def read_raw(paths: str | Path | Sequence[str | Path]) -> RawReports:
    """Read one or several report files (format from the extension) into one table."""
    if isinstance(paths, str | Path):
        paths = [paths]
    readers = {"csv": read_csv_reports, "geojson": read_geojson_reports,
               "open311": read_open311_reports}
    frames, originals, start = [], [], 0
    for path in paths:
        raw = readers[detect_format(path)](path)
        frames.append(raw.frame)
        for name, original, inner in raw.originals:
            originals.append((name, original, start + inner))
        start += len(raw.frame)
    if not frames:
        raise InputRowError(tr("没有给出问题文件", "no report file given"), field="issues")
    frame = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
    if "_bad_geometry" not in frame:
        frame["_bad_geometry"] = False
    if "_bad_line" not in frame:
        frame["_bad_line"] = ""
    frame["_bad_geometry"] = frame["_bad_geometry"].fillna(False).astype(bool)
    return RawReports(frame, originals)


# --------------------------------------------------------------------------- parsing


def _strip(series: pd.Series) -> pd.Series:
    return series.astype(object).fillna("").astype(str).str.strip()


def parse_times(values: pd.Series, tz: str = "Asia/Shanghai") -> pd.Series:
    """Parse report times to naive local times (``NaT`` where unparsable).

    ISO-8601 first, then the forms bureau tables use (``2024/05/01 08:30``,
    ``2024年5月1日 8:30`` …). A time with an offset (``Z``, ``+08:00``) is converted to
    ``tz``; a time without one is taken as local already.
    """
    text = _strip(values)
    out = pd.Series(pd.NaT, index=text.index, dtype="datetime64[ns]")
    # only text longer than "YYYY-MM-DD HH:MM:SS" can carry an offset: test those alone
    long_text = text.str.len().to_numpy() > 19
    aware = pd.Series(False, index=text.index)
    if long_text.any():
        aware[long_text] = text[long_text].str.contains(r"(?:Z|[+-]\d{2}:?\d{2})$",
                                                        regex=True).to_numpy()
    naive_text = text[~aware]
    parsed = pd.to_datetime(naive_text, format="ISO8601", errors="coerce")
    out.loc[naive_text.index] = parsed.astype("datetime64[ns]")
    for fmt in _FORMATS:
        todo = out.isna() & ~aware & (text != "")
        if not todo.any():
            break
        out.loc[todo] = pd.to_datetime(text[todo], format=fmt, errors="coerce").astype(
            "datetime64[ns]")
    if aware.any():
        stamped = pd.to_datetime(text[aware], format="ISO8601", utc=True, errors="coerce")
        out.loc[aware] = stamped.dt.tz_convert(tz).dt.tz_localize(None).astype("datetime64[ns]")
    return out


def _alias_lookup(table: dict[str, tuple[str, ...]]) -> dict[str, str]:
    lookup = {}
    for key, aliases in table.items():
        for label in (key, *aliases):
            lookup[tx.normalize_label(label)] = key
    return lookup


def normalise_labels(values: pd.Series, table: dict[str, tuple[str, ...]]) -> pd.Series:
    """Map labels to their keys in ``table`` (``None`` where unknown), once per label."""
    lookup = _alias_lookup(table)
    codes, uniques = pd.factorize(values.astype(object), use_na_sentinel=False)
    mapped = np.array([lookup.get(tx.normalize_label(u)) for u in uniques] or [None],
                      dtype=object)
    return pd.Series(mapped[codes], index=values.index, dtype=object)


def _truthy(values: pd.Series) -> pd.Series:
    keys = values.astype(str).str.strip().str.casefold()
    return keys.isin({"1", "true", "yes", "y", "是", "合成"})


def convert_to_wgs84(lon: np.ndarray, lat: np.ndarray, crs: str) -> tuple[np.ndarray, np.ndarray]:
    """Convert GCJ-02 or BD-09 coordinates to WGS-84 (points outside China are unchanged).

    Uses coordTransform's compiled batch functions; the GCJ-02 inverse is its usual
    one-step approximation, within about 2 m — far below the snapping distance.
    """
    if crs == "wgs84" or len(lon) == 0:
        return lon, lat
    if crs not in INPUT_CRS:
        raise InputRowError(f"unknown coordinate system {crs!r}; use "
                            f"{', '.join(INPUT_CRS)}", field="crs")
    import coordTransform

    func = {"gcj02": coordTransform.gcj02_to_wgs84, "bd09": coordTransform.bd09_to_wgs84}[crs]
    out_lon, out_lat = func(np.ascontiguousarray(lon, dtype=float),
                            np.ascontiguousarray(lat, dtype=float))
    return np.asarray(out_lon, dtype=float), np.asarray(out_lat, dtype=float)


# --------------------------------------------------------------------------- validation


def validate(
    raw: RawReports,
    *,
    taxonomy: tx.Taxonomy | None = None,
    crs: str = "wgs84",
    tz: str = "Asia/Shanghai",
    bounds: tuple[float, float, float, float] | None = None,
) -> Intake:
    """Validate raw reports: keep the good rows, list every problem of the bad ones.

    Checks, all vectorised: required values present; coordinates numeric, within
    ±90/±180, not (0, 0), not swapped (when ``bounds`` is given); GeoJSON geometry a
    point; time parsable and within 2000–2100; category and subcategory known to the
    taxonomy (and the subcategory one of the category's); source a known channel;
    id not seen before (the first occurrence in file order is kept, later ones are
    rejected and name the first).

    Parameters
    ----------
    raw
        From :func:`read_raw`.
    taxonomy
        Categories and kinds; the default GB/T 30428.2 taxonomy when ``None``.
    crs
        Coordinate system of the input: ``"wgs84"``, ``"gcj02"`` or ``"bd09"``.
    tz
        Time zone of the local times; times given with an offset are converted to it.
    bounds
        ``(west, south, east, north)`` of the network in WGS-84, used to recognise
        swapped latitude and longitude.
    """
    if crs not in INPUT_CRS:
        raise InputRowError(f"unknown coordinate system {crs!r}; use {', '.join(INPUT_CRS)}",
                            field="crs")
    taxonomy = taxonomy or tx.default_taxonomy()
    frame = raw.frame
    if "_bad_line" not in frame or "_bad_geometry" not in frame:
        frame = frame.assign(**{c: v for c, v in (("_bad_line", ""), ("_bad_geometry", False))
                                if c not in frame})
    n = len(frame)
    problems: list[tuple[np.ndarray, str, str]] = []

    def flag(mask: pd.Series | np.ndarray, field_name: str, code: str) -> None:
        positions = np.flatnonzero(np.asarray(mask, dtype=bool))
        if len(positions):
            problems.append((positions, field_name, code))

    bad_line = (frame["_bad_line"].fillna("").astype(str) != "").to_numpy()
    flag(bad_line, "row", "bad_line")
    ids = _strip(frame["id"])
    flag(~bad_line & (ids == ""), "id", "missing_value")

    times_text = _strip(frame["reported_at"])
    times = parse_times(times_text, tz=tz)
    flag(~bad_line & (times_text == ""), "reported_at", "missing_value")
    flag(times.isna() & (times_text != ""), "reported_at", "bad_time")
    flag(times.notna() & ((times < TIME_RANGE[0]) | (times >= TIME_RANGE[1])), "reported_at",
         "time_out_of_range")

    flag(frame["_bad_geometry"].to_numpy(dtype=bool), "geometry", "bad_geometry")
    bad_geometry = frame["_bad_geometry"].to_numpy(dtype=bool) | bad_line
    lat_text, lon_text = _strip(frame["lat"]), _strip(frame["lon"])
    lat = pd.to_numeric(lat_text, errors="coerce").to_numpy(dtype=float)
    lon = pd.to_numeric(lon_text, errors="coerce").to_numpy(dtype=float)
    for name, text, values in (("lat", lat_text, lat), ("lon", lon_text, lon)):
        flag(~bad_geometry & (text == ""), name, "missing_value")
        flag(~bad_geometry & (text != "") & ~np.isfinite(values), name, "not_a_number")
    finite = np.isfinite(lat) & np.isfinite(lon)
    flag(finite & (np.abs(lat) > 90), "lat", "out_of_range")
    flag(finite & (np.abs(lon) > 180), "lon", "out_of_range")
    flag(finite & (lat == 0) & (lon == 0), "lat", "null_island")
    if bounds is not None:
        west, south, east, north = bounds
        margin = 0.05

        def inside(x: np.ndarray, y: np.ndarray) -> np.ndarray:
            return ((x >= west - margin) & (x <= east + margin) & (y >= south - margin)
                    & (y <= north + margin))

        flag(finite & ~inside(lon, lat) & inside(lat, lon), "lat", "lat_lon_swapped")

    resolved = taxonomy.resolve(_strip(frame["category"]), _strip(frame["subcategory"]))
    for code in (tx.UNKNOWN_CATEGORY, tx.MISSING_CATEGORY):
        flag(~bad_line & (resolved.error == code), "category", code)
    for code in (tx.UNKNOWN_KIND, tx.KIND_NOT_IN_CATEGORY):
        flag(resolved.error == code, "subcategory", code)

    source_text = _strip(frame["source"])
    source = normalise_labels(source_text, SOURCES)
    flag(source.isna() & (source_text != ""), "source", "unknown_source")
    source = source.fillna("other")

    duplicate = ids.duplicated(keep="first") & (ids != "")
    flag(duplicate, "id", "duplicate_id")

    rejects = _rejects_table(raw, problems, ids, duplicate)
    bad = np.zeros(n, dtype=bool)
    for positions, _, _ in problems:
        bad[positions] = True
    keep = ~bad

    status_text = _strip(frame["status"])
    status = normalise_labels(status_text, STATUSES)
    status = status.where(status.notna(), status_text.str.casefold())

    kept_lon, kept_lat = convert_to_wgs84(lon[keep], lat[keep], crs)
    kept_times = times[keep]
    cats = taxonomy.category_by_code
    kinds = taxonomy.kinds
    cat_code = resolved.category_code[keep]
    kind_code = resolved.kind_code[keep]
    reports = pd.DataFrame({
        "id": ids[keep].to_numpy(dtype=object),
        "reported_at": kept_times.to_numpy(),
        "week": (kept_times.dt.normalize()
                 - pd.to_timedelta(kept_times.dt.weekday, unit="D")).to_numpy(),
        "category_code": cat_code.to_numpy(dtype=object),
        "category": cat_code.map({c: v.name for c, v in cats.items()}).to_numpy(dtype=object),
        "subcategory_code": kind_code.to_numpy(dtype=object),
        "subcategory": kind_code.map({c: v.name for c, v in kinds.items()}).fillna(
            "").to_numpy(dtype=object),
        "group": cat_code.map({c: v.group for c, v in cats.items()}).to_numpy(dtype=object),
        "severity": taxonomy.severity_of(cat_code, kind_code).to_numpy(dtype=float),
        "source": source[keep].to_numpy(dtype=object),
        "status": status[keep].to_numpy(dtype=object),
        "lat": kept_lat,
        "lon": kept_lon,
        "description": _strip(frame["description"])[keep].to_numpy(dtype=object),
        "synthetic": _truthy(frame["synthetic"])[keep].to_numpy(dtype=bool),
        "source_file": frame["source_file"][keep].to_numpy(dtype=object),
        "row": frame["row"][keep].to_numpy(dtype=np.int64),
    }, columns=OUTPUT_COLUMNS)
    reports.attrs["taxonomy"] = taxonomy.name
    reports.attrs["input_crs"] = crs
    return Intake(reports=reports, rejects=rejects, n_read=n)


_FIELD_ORDER = {name: i for i, name in enumerate((
    "row", "id", "reported_at", "geometry", "lat", "lon", "category", "subcategory", "source"))}


def _rejects_table(raw: RawReports, problems: list[tuple[np.ndarray, str, str]],
                   ids: pd.Series, duplicate: pd.Series) -> pd.DataFrame:
    if not problems:
        return pd.DataFrame(columns=REJECT_COLUMNS)
    frame = raw.frame
    positions = np.concatenate([p for p, _, _ in problems])
    fields = np.concatenate([np.full(len(p), f, dtype=object) for p, f, _ in problems])
    codes = np.concatenate([np.full(len(p), c, dtype=object) for p, _, c in problems])
    table = pd.DataFrame({"_pos": positions, "field": fields, "reason_code": codes})
    table["_order"] = table["field"].map(_FIELD_ORDER).fillna(99)
    file_index = pd.factorize(frame["source_file"])[0]
    table["_file"] = file_index[table["_pos"].to_numpy()]
    table["_row"] = frame["row"].to_numpy()[table["_pos"].to_numpy()]
    table = table.sort_values(["_file", "_row", "_order"], kind="stable").reset_index(drop=True)
    pos = table["_pos"].to_numpy()
    value_column = table["field"].where(~table["field"].isin(["geometry", "row"]), "lat")
    values = np.empty(len(table), dtype=object)
    for name in value_column.unique():
        mask = (value_column == name).to_numpy()
        values[mask] = frame[name].to_numpy(dtype=object)[pos[mask]]
    table["value"] = values
    table["source_file"] = frame["source_file"].to_numpy(dtype=object)[pos]
    table["row"] = frame["row"].to_numpy()[pos]
    table["id"] = ids.to_numpy(dtype=object)[pos]
    reasons = {code: _reason_text(code) for code in table["reason_code"].unique()}
    table["reason"] = table["reason_code"].map(reasons)
    bad = (table["reason_code"] == "bad_line").to_numpy()
    if bad.any():
        messages = frame["_bad_line"].to_numpy(dtype=object)[pos[bad]]
        table.loc[bad, "reason"] = [f"{r}: {m}" for r, m in
                                    zip(table.loc[bad, "reason"], messages, strict=True)]
    dup = (table["reason_code"] == "duplicate_id").to_numpy()
    if dup.any():
        first_pos = pd.Series(np.arange(len(ids)), index=ids.to_numpy())[~duplicate.to_numpy()]
        first_pos = first_pos[~first_pos.index.duplicated()]
        firsts = first_pos.reindex(table.loc[dup, "id"].to_numpy()).to_numpy()
        where = [f"{frame['source_file'].iat[p]}:{frame['row'].iat[p]}" for p in firsts]
        table.loc[dup, "reason"] = [tr(f"{r}（首次出现于 {w}）", f"{r} (first seen at {w})")
                                    for r, w in zip(table.loc[dup, "reason"], where,
                                                    strict=True)]
    table["record"] = [raw.record(int(p)) for p in pos]
    return table[REJECT_COLUMNS]


def read_reports(
    paths: str | Path | Sequence[str | Path],
    *,
    taxonomy: tx.Taxonomy | None = None,
    crs: str = "wgs84",
    tz: str = "Asia/Shanghai",
    bounds: tuple[float, float, float, float] | None = None,
) -> Intake:
    """Read and validate reports from CSV, GeoJSON or Open311 JSON files.

    Parameters
    ----------
    paths
        One file or several (ids must be unique across all of them).
    taxonomy, crs, tz, bounds
        As for :func:`validate`.

    Returns
    -------
    Intake
        The kept reports and the rejects table.

    Raises
    ------
    InputRowError
        A file is missing, of an unknown type, unreadable, or lacks a required column.
    """
    return validate(read_raw(paths), taxonomy=taxonomy, crs=crs, tz=tz, bounds=bounds)
