"""Validation of raw reports: keep the good rows, list every problem of the bad ones.

Every row is either kept (validated and normalised) or listed in the rejects table with
its file, row number, field, value and reason code: nothing is dropped silently.
Validation is vectorised with pandas, so a million rows take seconds.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from patrolgeo.issues import taxonomy as tx
from patrolgeo.issues._parse import (
    _strip,
    _truthy,
    convert_to_wgs84,
    normalise_labels,
    parse_times,
    unknown_crs,
)
from patrolgeo.issues._read import read_raw
from patrolgeo.issues._reports import (
    INPUT_CRS,
    OUTPUT_COLUMNS,
    REJECT_CODE_COLUMNS,
    SOURCES,
    STATUSES,
    Intake,
    RawReports,
)
from patrolgeo.issues._times import TimeLimits, time_limits

#: Degrees added around the network's bounds when testing whether swapped coordinates
#: fall in the area (a report may lie a little outside the streets' box).
SWAP_MARGIN_DEG = 0.05

#: Order of the fields within one row of the rejects table.
_FIELD_ORDER = {name: i for i, name in enumerate((
    "row", "id", "reported_at", "geometry", "lat", "lon", "category", "subcategory", "source"))}


@dataclass
class _Problems:
    """The problems found so far: ``(row positions, field, reason code)`` triples."""

    found: list[tuple[np.ndarray, str, str]] = field(default_factory=list)

    def flag(self, mask: pd.Series | np.ndarray, field_name: str, code: str) -> None:
        """Record ``code`` on ``field_name`` for the rows where ``mask`` holds."""
        positions = np.flatnonzero(np.asarray(mask, dtype=bool))
        if len(positions):
            self.found.append((positions, field_name, code))

    def bad_rows(self, n: int) -> np.ndarray:
        """Whether each of ``n`` rows has a problem."""
        bad = np.zeros(n, dtype=bool)
        for positions, _, _ in self.found:
            bad[positions] = True
        return bad


@dataclass
class _Checked:
    """What the checks parsed, for building the kept reports."""

    ids: pd.Series
    times: pd.Series
    lat: np.ndarray
    lon: np.ndarray
    resolved: tx.Resolved
    source: pd.Series
    duplicate: pd.Series
    limits: TimeLimits


def validate(
    raw: RawReports,
    *,
    taxonomy: tx.Taxonomy | None = None,
    crs: str = "wgs84",
    tz: str = "Asia/Shanghai",
    bounds: tuple[float, float, float, float] | None = None,
    as_of: str | pd.Timestamp | None = None,
    earliest: str | pd.Timestamp | None = None,
) -> Intake:
    """Validate raw reports: keep the good rows, list every problem of the bad ones.

    Checks, all vectorised: required values present; coordinates numeric, within
    ±90/±180, not (0, 0), not swapped (when ``bounds`` is given); GeoJSON geometry a
    point; time parsable, not later than the run's reference time ``as_of`` and not
    earlier than ``earliest``; category and subcategory known to the taxonomy (and the
    subcategory one of the category's); source a known channel; id not seen before (the
    first occurrence in file order is kept, later ones are rejected and name the first).

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
    as_of
        The run's reference time (local time in ``tz``, or with an offset): later
        reports are rejected (``time_in_future``). Default: now.
    earliest
        Reports before this time are rejected (``time_too_early``). Default
        :data:`patrolgeo.issues.DEFAULT_EARLIEST`.

    Returns
    -------
    Intake
        The kept reports and the rejects (reason codes; see
        :meth:`Intake.rejects_table` for words); ``reports.attrs`` holds ``as_of`` and
        ``earliest``.

    Raises
    ------
    InputRowError
        An unknown ``crs``, an unreadable ``as_of`` or ``earliest``, or ``earliest``
        after ``as_of``.
    """
    if crs not in INPUT_CRS:
        raise unknown_crs(crs)
    taxonomy = taxonomy or tx.default_taxonomy()
    limits = time_limits(as_of, earliest, tz)
    frame = raw.frame
    if "_bad_line" not in frame or "_bad_geometry" not in frame:
        frame = frame.assign(**{c: v for c, v in (("_bad_line", ""), ("_bad_geometry", False))
                                if c not in frame})
    problems = _Problems()
    checked = _check(frame, problems, taxonomy, limits, bounds)
    rejects = _rejects_table(raw, frame, problems.found, checked)
    keep = ~problems.bad_rows(len(frame))
    reports = _kept_reports(frame, checked, keep, taxonomy, crs)
    return Intake(reports=reports, rejects=rejects, n_read=len(frame))


def _check(frame: pd.DataFrame, problems: _Problems, taxonomy: tx.Taxonomy,
           limits: TimeLimits, bounds: tuple[float, float, float, float] | None) -> _Checked:
    """Run every check on ``frame``, recording problems; return the parsed values."""
    flag = problems.flag
    bad_line = (frame["_bad_line"].fillna("").astype(str) != "").to_numpy()
    flag(bad_line, "row", "bad_line")
    ids = _strip(frame["id"])
    flag(~bad_line & (ids == ""), "id", "missing_value")

    times_text = _strip(frame["reported_at"])
    times = parse_times(times_text, tz=limits.tz)
    flag(~bad_line & (times_text == ""), "reported_at", "missing_value")
    flag(times.isna() & (times_text != ""), "reported_at", "bad_time")
    flag(times.notna() & (times > limits.as_of), "reported_at", "time_in_future")
    flag(times.notna() & (times < limits.earliest), "reported_at", "time_too_early")

    lat, lon = _check_coordinates(frame, bad_line, problems, bounds)

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
    return _Checked(ids, times, lat, lon, resolved, source, duplicate, limits)


def _check_coordinates(frame: pd.DataFrame, bad_line: np.ndarray, problems: _Problems,
                       bounds: tuple[float, float, float, float] | None
                       ) -> tuple[np.ndarray, np.ndarray]:
    """Check geometry and coordinates; return latitude and longitude (NaN if not numbers)."""
    flag = problems.flag
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
        margin = SWAP_MARGIN_DEG

        def inside(x: np.ndarray, y: np.ndarray) -> np.ndarray:
            return ((x >= west - margin) & (x <= east + margin) & (y >= south - margin)
                    & (y <= north + margin))

        flag(finite & ~inside(lon, lat) & inside(lat, lon), "lat", "lat_lon_swapped")
    return lat, lon


def _kept_reports(frame: pd.DataFrame, checked: _Checked, keep: np.ndarray,
                  taxonomy: tx.Taxonomy, crs: str) -> pd.DataFrame:
    """Build the table of kept reports (:data:`OUTPUT_COLUMNS`), in WGS-84."""
    status_text = _strip(frame["status"])
    status = normalise_labels(status_text, STATUSES)
    status = status.where(status.notna(), status_text.str.casefold())

    kept_lon, kept_lat = convert_to_wgs84(checked.lon[keep], checked.lat[keep], crs)
    kept_times = checked.times[keep]
    cats = taxonomy.category_by_code
    kinds = taxonomy.kinds
    cat_code = checked.resolved.category_code[keep]
    kind_code = checked.resolved.kind_code[keep]
    reports = pd.DataFrame({
        "id": checked.ids[keep].to_numpy(dtype=object),
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
        "source": checked.source[keep].to_numpy(dtype=object),
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
    reports.attrs["as_of"] = checked.limits.as_of.isoformat()
    reports.attrs["earliest"] = checked.limits.earliest.isoformat()
    return reports


def _rejects_table(raw: RawReports, frame: pd.DataFrame,
                   problems: list[tuple[np.ndarray, str, str]], checked: _Checked
                   ) -> pd.DataFrame:
    """One row per problem, sorted by file, row and field (:data:`REJECT_CODE_COLUMNS`)."""
    if not problems:
        return pd.DataFrame(columns=REJECT_CODE_COLUMNS)
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
    table["id"] = checked.ids.to_numpy(dtype=object)[pos]
    table["detail"] = _details(table, frame, pos, checked)
    table["record"] = [raw.record(int(p)) for p in pos]
    return table[REJECT_CODE_COLUMNS]


def _details(table: pd.DataFrame, frame: pd.DataFrame, pos: np.ndarray,
             checked: _Checked) -> np.ndarray:
    """Return each reason's parameter: the parser's message, an id's first place, a limit."""
    ids, duplicate = checked.ids, checked.duplicate
    detail = np.full(len(table), "", dtype=object)
    codes = table["reason_code"].to_numpy()
    detail[codes == "time_in_future"] = checked.limits.as_of.strftime("%Y-%m-%d %H:%M:%S")
    detail[codes == "time_too_early"] = checked.limits.earliest.strftime("%Y-%m-%d %H:%M:%S")
    bad = (table["reason_code"] == "bad_line").to_numpy()
    if bad.any():
        detail[bad] = frame["_bad_line"].to_numpy(dtype=object)[pos[bad]]
    dup = (table["reason_code"] == "duplicate_id").to_numpy()
    if dup.any():
        first_pos = pd.Series(np.arange(len(ids)), index=ids.to_numpy())[~duplicate.to_numpy()]
        first_pos = first_pos[~first_pos.index.duplicated()]
        firsts = first_pos.reindex(table.loc[dup, "id"].to_numpy()).to_numpy()
        detail[dup] = [f"{frame['source_file'].iat[p]}:{frame['row'].iat[p]}" for p in firsts]
    return detail


def read_reports(
    paths: str | Path | Sequence[str | Path],
    *,
    taxonomy: tx.Taxonomy | None = None,
    crs: str = "wgs84",
    tz: str = "Asia/Shanghai",
    bounds: tuple[float, float, float, float] | None = None,
    as_of: str | pd.Timestamp | None = None,
    earliest: str | pd.Timestamp | None = None,
) -> Intake:
    """Read and validate reports from CSV, GeoJSON or Open311 JSON files.

    Parameters
    ----------
    paths
        One file or several (ids must be unique across all of them).
    taxonomy, crs, tz, bounds, as_of, earliest
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
    return validate(read_raw(paths), taxonomy=taxonomy, crs=crs, tz=tz, bounds=bounds,
                    as_of=as_of, earliest=earliest)
