"""Per-road overrides: a CSV whose rows always win over the rules."""

from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from patrolgeo.errors import InputRowError
from patrolgeo.plans._load import load_rules
from patrolgeo.plans._rules import Rules, did_you_mean, parse_grade
from patrolgeo.readers import read_text


@dataclass(frozen=True)
class Override:
    """One row of a per-road overrides CSV; blank fields override nothing."""

    road_id: str
    file: str
    line: int
    grade: int | None = None
    chief_patrol: str | None = None
    carriageway_m: float | None = None
    sidewalk_m: float | None = None
    reason: str = ""


OVERRIDE_COLUMNS = ("road_id", "grade", "chief_patrol", "carriageway_m", "sidewalk_m",
                    "reason", "road_name")
"""Columns an overrides CSV may have; ``road_id`` is required, ``road_name`` is ignored."""

#: the width fields of an override, and whether they must be above zero (a road has a
#: carriageway; it may have no sidewalk)
_WIDTH_FIELDS = (("carriageway_m", True), ("sidewalk_m", False))


def read_overrides(path: str | Path, rules: Rules | None = None) -> list[Override]:
    """Read a per-road overrides CSV.

    The file may be UTF-8 (with or without BOM) or GBK/GB 18030, as Excel saves it
    (decoded by :func:`patrolgeo.readers.read_text`). Columns: ``road_id`` (required),
    and any of ``grade`` (1-4 or 一级 … 四级), ``chief_patrol`` (a patrol code of the
    rules, e.g. ``daily``), ``carriageway_m`` and ``sidewalk_m`` (metres; sidewalk is
    both sides together), ``reason`` (free text); ``road_name`` may be present and is
    ignored. Whether each ``road_id`` exists is checked by :func:`plan_roads`.

    Parameters
    ----------
    path
        The CSV file.
    rules
        The rules whose patrol codes ``chief_patrol`` may name; the defaults if ``None``.

    Returns
    -------
    list of Override
        One per non-blank row, in file order.

    Raises
    ------
    InputRowError
        Naming the file, line and column of the first bad value.
    """
    path = Path(path)
    rules = rules or load_rules()
    codes = [s.code for s in rules.patrol]
    reader = csv.reader(io.StringIO(_overrides_text(path), newline=""))
    header = _read_header(reader, path)
    out: list[Override] = []
    first_line: dict[str, int] = {}
    for values in reader:
        line = reader.line_num
        if not any(v.strip() for v in values):
            continue
        if len(values) != len(header):
            raise InputRowError(f"{len(values)} fields where the header has {len(header)}",
                                file=path, row=line)
        row = {k: v.strip() for k, v in zip(header, values, strict=True)}
        out.append(_override(row, path, line, codes, first_line))
    return out


def _overrides_text(path: Path) -> str:
    """Decode the file, with the overrides' own words for a missing or binary file."""
    if not path.exists():
        raise InputRowError("overrides file not found", file=path)
    try:
        return read_text(path)[1]
    except InputRowError as exc:
        if not path.is_file():
            raise  # a folder: the readers' own words
        raise InputRowError("not UTF-8 or GB 18030 text", file=path) from exc


def _read_header(reader: Any, path: Path) -> list[str]:
    try:
        header = next(reader)
    except StopIteration:
        raise InputRowError("empty file: needs a header with road_id", file=path,
                            row=1) from None
    header = [h.strip() for h in header]
    for name in header:
        if name not in OVERRIDE_COLUMNS:
            raise InputRowError(f"unknown column {name!r}"
                                f"{did_you_mean(name, OVERRIDE_COLUMNS)}", file=path, row=1,
                                field=name or "(blank)")
    if len(set(header)) != len(header):
        raise InputRowError("a column appears twice", file=path, row=1)
    if "road_id" not in header:
        raise InputRowError("missing column road_id", file=path, row=1, field="road_id")
    return header


def _override(row: dict[str, str], path: Path, line: int, codes: list[str],
              first_line: dict[str, int]) -> Override:
    road_id = row["road_id"]
    if not road_id:
        raise InputRowError("road_id is blank", file=path, row=line, field="road_id")
    if road_id in first_line:
        raise InputRowError(f"road {road_id!r} is already overridden on line "
                            f"{first_line[road_id]}", file=path, row=line,
                            field="road_id")
    first_line[road_id] = line
    kwargs: dict[str, Any] = {}
    if row.get("grade"):
        grade = parse_grade(row["grade"])
        if grade is None:
            raise InputRowError(f"unknown grade {row['grade']!r}; use 1-4 or 一级 … 四级",
                                file=path, row=line, field="grade")
        kwargs["grade"] = grade
    if row.get("chief_patrol"):
        if row["chief_patrol"] not in codes:
            raise InputRowError(f"unknown patrol frequency {row['chief_patrol']!r}; "
                                f"use one of {', '.join(codes)}", file=path, row=line,
                                field="chief_patrol")
        kwargs["chief_patrol"] = row["chief_patrol"]
    for name, positive in _WIDTH_FIELDS:
        if row.get(name):
            kwargs[name] = _metres(row[name], positive, path, line, name)
    if not kwargs:
        raise InputRowError("the row overrides nothing (grade, chief_patrol, "
                            "carriageway_m or sidewalk_m)", file=path, row=line)
    return Override(road_id=road_id, file=str(path), line=line,
                    reason=row.get("reason", ""), **kwargs)


def _metres(text: str, positive: bool, path: Path, line: int, name: str) -> float:
    try:
        number = float(text)
    except ValueError:
        number = math.nan
    if not math.isfinite(number) or number < 0 or (positive and number == 0):
        need = "a number > 0" if positive else "a number ≥ 0"
        raise InputRowError(f"{text!r} is not {need} (metres)", file=path, row=line,
                            field=name)
    return number


def check_override_roads(overrides: list[Override], road_ids: pd.Index) -> None:
    """Check that every override names a known road.

    Raises
    ------
    InputRowError
        For the first unknown ``road_id``, with the closest known one as a hint.
    """
    known = set(road_ids)
    for o in overrides:
        if o.road_id not in known:
            raise InputRowError(f"unknown road {o.road_id!r}{did_you_mean(o.road_id, known)}",
                                file=o.file, row=o.line, field="road_id")
