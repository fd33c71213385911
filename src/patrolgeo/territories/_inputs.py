"""Readers of the stage's CSV inputs: stations, pins and a previous assignment.

Every file is decoded by :mod:`patrolgeo.readers` (UTF-8 with or without BOM, or
GB18030 as Chinese Excel saves it); a bad row raises
:class:`~patrolgeo.errors.InputRowError` naming the file, line and field.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from patrolgeo.errors import InputRowError
from patrolgeo.labels import Text
from patrolgeo.readers import parse_number, read_rows


def read_stations(path: str | Path) -> pd.DataFrame:
    """Read chief stations: CSV with ``chief_id, lat, lon`` and optional ``capacity``.

    ``capacity`` (default 1) is a chief's relative share of the work: 0.5 for a
    part-time chief.

    Parameters
    ----------
    path
        The CSV file (UTF-8, with or without BOM, or GB18030).

    Returns
    -------
    pandas.DataFrame
        ``chief_id, lat, lon, capacity, row`` (``row``: line in the file);
        ``attrs["source"]`` is the file.

    Raises
    ------
    InputRowError
        Naming the file, line and field: a missing file or column, an empty or repeated
        chief, a coordinate that is no number or out of range, a capacity <= 0, or no
        station at all.
    """
    source = read_rows(path, ("chief_id", "lat", "lon"))
    path, rows = source.path, source.rows
    out = []
    seen: dict[str, int] = {}
    for line, row in rows:
        chief = row.get("chief_id") or ""
        if not chief:
            raise InputRowError("empty chief_id", file=path, row=line, field="chief_id")
        if chief in seen:
            raise InputRowError(f"chief {chief!r} already given on line {seen[chief]}",
                                file=path, row=line, field="chief_id")
        seen[chief] = line
        lat = parse_number(row.get("lat"), path, line, "lat")
        lon = parse_number(row.get("lon"), path, line, "lon")
        if not -90 <= lat <= 90:
            raise InputRowError(f"latitude {lat} outside -90..90", file=path, row=line,
                                field="lat")
        if not -180 <= lon <= 180:
            raise InputRowError(f"longitude {lon} outside -180..180", file=path, row=line,
                                field="lon")
        capacity = 1.0
        if row.get("capacity"):
            capacity = parse_number(row["capacity"], path, line, "capacity")
            if capacity <= 0:
                raise InputRowError(f"capacity must be > 0, not {capacity}", file=path,
                                    row=line, field="capacity")
        out.append({"chief_id": chief, "lat": lat, "lon": lon, "capacity": capacity,
                    "row": line})
    if not out:
        raise InputRowError("no stations in the file", file=path)
    table = pd.DataFrame(out)
    table.attrs["source"] = str(path)
    return table


def _read_pairs(path: str | Path) -> pd.DataFrame:
    """Read ``segment_id, chief_id`` rows (pins or a previous assignment)."""
    source = read_rows(path, ("segment_id", "chief_id"))
    path, rows = source.path, source.rows
    out = []
    for line, row in rows:
        for name in ("segment_id", "chief_id"):
            if not row.get(name):
                raise InputRowError(f"empty {name}", file=path, row=line, field=name)
        out.append({"segment_id": row["segment_id"], "chief_id": row["chief_id"], "row": line})
    table = pd.DataFrame(out, columns=["segment_id", "chief_id", "row"])
    table.attrs["source"] = str(path)
    return table


def read_pins(path: str | Path) -> pd.DataFrame:
    """Read pinned assignments: CSV with ``segment_id, chief_id``.

    A segment pinned twice to the same chief counts once.

    Parameters
    ----------
    path
        The CSV file (UTF-8, with or without BOM, or GB18030).

    Returns
    -------
    pandas.DataFrame
        ``segment_id, chief_id, row``; ``attrs["source"]`` is the file.

    Raises
    ------
    InputRowError
        A missing file or column, an empty cell, or a segment pinned to two chiefs
        (naming both lines).
    """
    table = _read_pairs(path)
    first: dict[str, tuple[str, int]] = {}
    for sid, chief, line in table[["segment_id", "chief_id", "row"]].itertuples(index=False):
        if sid in first and first[sid][0] != chief:
            raise InputRowError(f"segment {sid} pinned to {first[sid][0]} on line "
                                f"{first[sid][1]} and to {chief}", file=table.attrs["source"],
                                row=line, field="chief_id")
        first.setdefault(sid, (chief, line))
    deduped = table.drop_duplicates("segment_id").reset_index(drop=True)
    deduped.attrs = table.attrs
    return deduped


def read_assignment(path: str | Path) -> pd.DataFrame:
    """Read a previous assignment (an ``assignments.csv`` written by patrolgeo).

    Only ``segment_id`` and ``chief_id`` are used.

    Parameters
    ----------
    path
        The CSV file (UTF-8, with or without BOM, or GB18030).

    Returns
    -------
    pandas.DataFrame
        ``segment_id, chief_id, row``; ``attrs["source"]`` is the file.

    Raises
    ------
    InputRowError
        A missing file or column, an empty cell, a segment listed twice, or no rows.
    """
    table = _read_pairs(path)
    dup = table["segment_id"].duplicated()
    if dup.any():
        line = int(table.loc[dup.idxmax(), "row"])
        sid = table.loc[dup.idxmax(), "segment_id"]
        raise InputRowError(Text(f"分段 {sid} 重复分配", f"segment {sid} assigned twice"),
                            file=table.attrs["source"], row=line, field="segment_id")
    if table.empty:
        raise InputRowError("no assignments in the file", file=table.attrs["source"])
    return table
