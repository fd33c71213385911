"""Readers of every tabular input: one decoding rule, one way to name a bad row.

Planners edit CSV files in Excel, and Chinese Excel saves them as GB18030; scripts write
UTF-8 with or without a byte-order mark. Every CSV a verb takes (stations, pins,
assignments, segment lists, overrides, reports) is read here, so a file that one verb
accepts no other verb refuses.

Examples
--------
>>> from patrolgeo.readers import read_rows
>>> table = read_rows("stations.csv", required=("chief_id", "lat", "lon"))  # doctest: +SKIP
>>> for line, row in table.rows:  # doctest: +SKIP
...     print(line, row["chief_id"])
"""

from __future__ import annotations

import csv
import io
import math
import re
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from patrolgeo.errors import InputRowError
from patrolgeo.labels import Text

#: Tried in this order: UTF-8 (a BOM is dropped), then GB18030 (Chinese Excel's "CSV").
ENCODINGS = ("utf-8-sig", "gb18030")


def read_text(path: str | Path) -> tuple[Path, str]:
    """The text of a file decoded by :data:`ENCODINGS`.

    Raises
    ------
    InputRowError
        The file is missing, a folder, or neither UTF-8 nor GB18030 text.
    """
    path = Path(path)
    if not path.is_file():
        raise InputRowError(Text("文件不存在", "file not found"), file=path)
    raw = path.read_bytes()
    last: Exception | None = None
    for encoding in ENCODINGS:
        try:
            return path, raw.decode(encoding)
        except UnicodeDecodeError as exc:
            last = exc
    raise InputRowError(Text(f"不是 UTF-8 或 GB18030 文本：{last}",
                             f"not UTF-8 or GB18030 text: {last}"), file=path)


@dataclass(frozen=True)
class Rows:
    """A CSV table as ``(line number, row)`` pairs.

    Attributes
    ----------
    path
        The file read.
    header
        The column names, trimmed.
    rows
        ``(line, {column: text})`` per non-blank record; ``line`` is the file line the
        record ends on (the header is line 1), cells trimmed.
    """

    path: Path
    header: list[str]
    rows: list[tuple[int, dict[str, str]]]


def read_rows(path: str | Path, required: tuple[str, ...] = ()) -> Rows:
    """Read a small CSV table into :class:`Rows`, checking its required columns.

    Raises
    ------
    InputRowError
        Missing or undecodable file, malformed CSV, or a required column missing
        (named, on row 1).
    """
    path, text = read_text(path)
    try:
        reader = csv.DictReader(io.StringIO(text, newline=""))
        header = [h.strip() for h in (reader.fieldnames or [])]
        missing = [c for c in required if c not in header]
        if missing:
            raise InputRowError(f"missing column {missing[0]!r} (header: "
                                f"{', '.join(header) or 'empty'})", file=path, row=1,
                                field=missing[0])
        rows = []
        for row in reader:
            clean = {(k or "").strip(): (v or "").strip() if isinstance(v, str) else v
                     for k, v in row.items()}
            if not any(clean.get(c) for c in header):
                continue  # blank line
            rows.append((reader.line_num, clean))
    except csv.Error as exc:
        raise InputRowError(f"malformed CSV: {exc}", file=path) from exc
    return Rows(path, header, rows)


_SKIPPED = re.compile(r"Skipping line (\d+): ([^\n]*)")


def read_frame(path: str | Path, *, bad_lines: list[tuple[int, str]] | None = None
               ) -> pd.DataFrame:
    """Read a CSV file as a frame of text cells (``""`` when empty), names trimmed.

    Lines with the wrong number of fields are skipped and, when ``bad_lines`` is a list,
    appended to it as ``(line number, message)``; otherwise they raise
    :class:`InputRowError`.
    """
    path, text = read_text(path)
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", pd.errors.ParserWarning)
            table = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False,
                                na_filter=False, on_bad_lines="warn")
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


def parse_number(text: Any, path: str | Path | None, line: int | None, field: str) -> float:
    """A finite float from a cell, or :class:`InputRowError` naming file, line and field."""
    try:
        value = float(text)
    except (TypeError, ValueError):
        raise InputRowError(f"{text!r} is not a number", file=path, row=line,
                            field=field) from None
    if not math.isfinite(value):
        raise InputRowError(f"{text!r} is not a finite number", file=path, row=line,
                            field=field)
    return value


__all__ = ["ENCODINGS", "Rows", "parse_number", "read_frame", "read_rows", "read_text"]
