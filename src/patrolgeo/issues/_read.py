"""Reading issue reports from every channel: CSV, GeoJSON and Open311 GeoReport v2 JSON.

Every file becomes :class:`RawReports`: one text column per report field, the file
and row of each report, and the original record (for the rejects file). CSV is decoded
by :mod:`patrolgeo.readers` (UTF-8 with or without BOM, or GB18030 from Chinese Excel).
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import re
import unicodedata
import warnings
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from patrolgeo.errors import InputRowError
from patrolgeo.issues._reports import COLUMN_ALIASES, REPORT_FIELDS, REQUIRED_COLUMNS, RawReports
from patrolgeo.labels import Text
from patrolgeo.readers import ENCODINGS, read_text

#: Where a report's rows start: the spreadsheet row of the first CSV record (the header
#: is row 1), and the 1-based index of the first GeoJSON feature.
CSV_FIRST_ROW = 2
GEOJSON_FIRST_ROW = 1

#: pandas' message for a line with the wrong number of fields.
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
    """Take the report fields of ``table`` as text, plus ``source_file`` and ``row``."""
    if check_required:
        missing = _missing_fields(mapping, REQUIRED_COLUMNS)
        if missing:
            raise InputRowError(
                Text(f"缺少列 {', '.join(missing)}（可用的列名见 COLUMN_ALIASES）",
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
    table = _read_table(path, bad)
    frame = _standard_frame(table, path, _column_map(table.columns), row_offset=CSV_FIRST_ROW)
    frame["_bad_line"] = ""
    originals: list[tuple[str, Any, int]] = [(str(path), table, 0)]
    if bad:
        lines = {n for n, _ in bad}
        last = CSV_FIRST_ROW + len(table) + len(bad)
        good_rows = np.setdiff1d(np.arange(CSV_FIRST_ROW, last), list(lines))
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


#: Report fields with few distinct values: read as categoricals, so a million rows hold
#: a few dozen strings instead of a million (the parser makes one object per cell).
FEW_VALUES = ("category", "subcategory", "source", "status", "synthetic")

#: Bytes decoded at a time when checking a file's encoding.
DECODE_CHUNK = 1 << 24


def _encoding(raw: bytes, path: Path) -> str:
    """The first of :data:`patrolgeo.readers.ENCODINGS` that decodes ``raw``.

    The same rule as :func:`patrolgeo.readers.read_text`, checked chunk by chunk so the
    decoded text of a large file is never held in memory.
    """
    last: Exception | None = None
    for encoding in ENCODINGS:
        decoder = codecs.getincrementaldecoder(encoding)()
        try:
            for lo in range(0, len(raw), DECODE_CHUNK):
                decoder.decode(raw[lo:lo + DECODE_CHUNK])
            decoder.decode(b"", final=True)
            return encoding
        except UnicodeDecodeError as exc:
            last = exc
    raise InputRowError(Text(f"不是 UTF-8 或 GB18030 文本：{last}",
                             f"not UTF-8 or GB18030 text: {last}"), file=path)


def _read_table(path: Path, bad_lines: list[tuple[int, str]]) -> pd.DataFrame:
    """Read a CSV as text cells, like :func:`patrolgeo.readers.read_frame`, but leaner.

    The same decoding rule (UTF-8, else GB18030) and the same handling of lines with the
    wrong number of fields (appended to ``bad_lines``). The bytes go to pandas' C parser
    directly (a ``StringIO`` of the decoded text, which pandas re-encodes in small
    chunks, took 10 s instead of 4 for a million rows), the fields with few values
    (:data:`FEW_VALUES`) are read as categoricals and the rest stay Python strings.
    """
    raw = path.read_bytes()
    encoding = _encoding(raw, path)
    try:
        header = pd.read_csv(io.BytesIO(raw), nrows=0, encoding=encoding).columns
        mapping = _column_map([str(c) for c in header])
        dtypes = {c: "object" for c in header}
        dtypes.update({mapping[f]: "category" for f in FEW_VALUES if f in mapping})
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", pd.errors.ParserWarning)
            table = pd.read_csv(io.BytesIO(raw), dtype=dtypes, keep_default_na=False,
                                na_filter=False, on_bad_lines="warn", encoding=encoding)
    except pd.errors.EmptyDataError as exc:
        raise InputRowError("the file is empty", file=path) from exc
    except (pd.errors.ParserError, ValueError) as exc:
        raise InputRowError(f"not a readable CSV table: {str(exc).splitlines()[0]}",
                            file=path) from exc
    bad_lines.extend(sorted((int(m.group(1)), m.group(2).strip())
                            for w in caught for m in _SKIPPED.finditer(str(w.message))))
    table.columns = [str(c).strip() for c in table.columns]
    return table


def _file_lines(path: Path, numbers: set[int]) -> dict[int, str]:
    """Return the records of the given numbers (as csv counts them), comma-joined."""
    _, text = read_text(path)
    return {n: ",".join(record)
            for n, record in enumerate(csv.reader(io.StringIO(text, newline="")), start=1)
            if n in numbers}


def reports_from_frame(table: pd.DataFrame, name: str = "<table>") -> RawReports:
    """Take reports from a DataFrame laid out like the CSV (for scripts and the demo).

    Row numbers are given as in a CSV written from the table (the first row is 2).
    """
    text = table.astype(object).where(table.notna(), "").astype(str)
    frame = _standard_frame(text, Path(name), _column_map(text.columns), row_offset=CSV_FIRST_ROW)
    frame["source_file"] = name
    return RawReports(frame, [(name, text, 0)])


def _load_json(path: Path) -> Any:
    """Load the JSON document of a file (UTF-8, a BOM is dropped)."""
    try:
        return json.loads(path.read_text(encoding="utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise InputRowError(f"not UTF-8 text: {exc}", file=path) from exc
    except json.JSONDecodeError as exc:
        raise InputRowError(f"not valid JSON: {exc.msg}", file=path, row=exc.lineno) from exc


def read_geojson_reports(path: str | Path) -> RawReports:
    """Read reports from a GeoJSON FeatureCollection of points (fields in properties).

    Parameters
    ----------
    path
        The ``.geojson`` (or ``.json``) file.

    Returns
    -------
    RawReports
        One row per feature; a feature whose geometry is not a point is flagged
        ``_bad_geometry`` (and rejected by :func:`validate`).

    Raises
    ------
    InputRowError
        Missing file, not JSON, not a FeatureCollection, or properties lacking a
        required field.
    """
    path = Path(path)
    _exists(path)
    data = _load_json(path)
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        raise InputRowError(Text("不是 GeoJSON FeatureCollection",
                                 "not a GeoJSON FeatureCollection"), file=path, field="type")
    features = data.get("features") or []
    props = [f.get("properties") or {} if isinstance(f, dict) else {} for f in features]
    table = pd.DataFrame.from_records(props) if props else pd.DataFrame()
    mapping = _column_map(table.columns)
    mapping = {k: v for k, v in mapping.items() if k not in ("lat", "lon")}
    frame = _standard_frame(table.reindex(range(len(features))), path, mapping,
                            row_offset=GEOJSON_FIRST_ROW, check_required=False)
    for column in (*REPORT_FIELDS, "synthetic"):
        if column in mapping:
            frame[column] = _text(frame[column])
    lon, lat, bad = _point_coordinates(features)
    frame["lon"] = lon
    frame["lat"] = lat
    frame["_bad_geometry"] = bad
    missing = _missing_fields(mapping, ("id", "reported_at"))
    if features and missing:
        raise InputRowError(Text(f"要素属性缺少 {', '.join(missing)}",
                                 f"feature properties lack {', '.join(missing)}"),
                            file=path, row=1, field=missing[0])
    return RawReports(frame, [(str(path), features, 0)])


def _missing_fields(mapping: dict[str, str], required: Sequence[str]) -> list[str]:
    """List the required fields without a column (and ``category`` if no category)."""
    missing = [f for f in required if f not in mapping]
    if "category" not in mapping and "subcategory" not in mapping:
        missing.append("category")
    return missing


def _point_coordinates(features: list[Any]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Longitude and latitude text of point features (``""`` and flagged otherwise)."""
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
    return (np.array(lon, dtype=object), np.array(lat, dtype=object),
            np.array(bad, dtype=bool))


#: Open311 GeoReport v2 request fields and the report fields they fill.
OPEN311_FIELDS = {"service_request_id": "id", "requested_datetime": "reported_at",
                  "status": "status", "lat": "lat", "long": "lon",
                  "description": "description"}


def read_open311_reports(path: str | Path) -> RawReports:
    """Read service requests from an Open311 GeoReport v2 JSON response.

    ``service_code`` names the kind (or the category) in the taxonomy, ``service_name``
    is used when no code is given. The channel comes from a ``source`` or ``channel``
    field, also inside ``extended_attributes``; it is ``other`` when absent.

    Parameters
    ----------
    path
        The ``.json`` file: a list of requests, or an object holding one under
        ``service_requests`` (or ``requests``).

    Returns
    -------
    RawReports
        One row per request.

    Raises
    ------
    InputRowError
        Missing file, not JSON, or not a list of requests.
    """
    path = Path(path)
    _exists(path)
    data = _load_json(path)
    if isinstance(data, dict):
        data = data.get("service_requests", data.get("requests"))
    if not isinstance(data, list):
        raise InputRowError(Text("不是 Open311 服务请求列表",
                                 "not a list of Open311 service requests"),
                            file=path, field="service_requests")
    records = [r if isinstance(r, dict) else {} for r in data]
    frame = _open311_frame(records)
    frame["source_file"] = str(path)
    frame["row"] = np.arange(len(records), dtype=np.int64) + 1
    return RawReports(frame, [(str(path), records, 0)])


def _open311_frame(records: list[dict[str, Any]]) -> pd.DataFrame:
    """Take the report fields of Open311 requests as text columns."""
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
        present = code if code is not None else label
        assert present is not None
        frame["subcategory"] = present.to_numpy()
    source = pd.Series([_open311_source(r) for r in records], dtype=object)
    frame["source"] = source.to_numpy()
    frame["synthetic"] = _text(table["synthetic"]).to_numpy() if "synthetic" in table else ""
    return frame


def _open311_source(record: dict[str, Any]) -> str:
    """Return the channel a request names (``source``, ``channel``), else ``"other"``."""
    for holder in (record, record.get("extended_attributes") or {}):
        if isinstance(holder, dict):
            for key in ("source", "channel"):
                if holder.get(key):
                    return str(holder[key])
    return "other"


def _exists(path: Path) -> None:
    """Raise :class:`InputRowError` unless ``path`` is a file."""
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
    raise InputRowError(Text(f"未知的文件类型 {suffix!r}：请用 .csv、.geojson 或 .json",
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
        raise InputRowError(Text("没有给出问题文件", "no report file given"), field="issues")
    frame = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
    if "_bad_geometry" not in frame:
        frame["_bad_geometry"] = False
    if "_bad_line" not in frame:
        frame["_bad_line"] = ""
    frame["_bad_geometry"] = frame["_bad_geometry"].fillna(False).astype(bool)
    return RawReports(frame, originals)


