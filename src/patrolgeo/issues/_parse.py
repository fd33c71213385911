"""Parsing of report cells: times, channel and status labels, coordinate systems."""

from __future__ import annotations

import numpy as np
import pandas as pd

from patrolgeo.errors import InputRowError
from patrolgeo.issues import taxonomy as tx
from patrolgeo.issues._reports import INPUT_CRS

#: Only text longer than ``"YYYY-MM-DD HH:MM:SS"`` (19 characters) can carry an offset.
_NAIVE_ISO_LENGTH = 19

#: Local-time forms of bureau tables, tried in order after ISO-8601.
_FORMATS = ("%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M", "%Y/%m/%d", "%Y.%m.%d %H:%M:%S",
            "%Y.%m.%d %H:%M", "%Y.%m.%d", "%Y年%m月%d日 %H:%M:%S", "%Y年%m月%d日 %H:%M",
            "%Y年%m月%d日 %H时%M分", "%Y年%m月%d日")


#: Cells stripped at a time (bounds the temporary ``StringDType`` copy to a few MB).
STRIP_CHUNK = 100_000


def _strip(series: pd.Series) -> pd.Series:
    """Text of every cell, trimmed (``""`` for null), as an ``object`` series.

    Vectorised: numpy's string routines find the cells with surrounding blanks
    (``np.strings.strip`` on a ``StringDType`` copy, a tenth of a second for a million
    cells) and only those are replaced, so the usual clean column keeps its strings
    (pandas' ``.str.strip`` calls Python once per cell). Cells that are not text
    (numbers from JSON) are turned into text.
    """
    values = series.to_numpy(dtype=object)
    missing = pd.isna(values)
    if missing.any() or _has_non_text(values):
        values = np.array(["" if gone else str(v) for v, gone in zip(values, missing,
                                                                     strict=True)],
                          dtype=object)
    copied = False
    for lo in range(0, len(values), STRIP_CHUNK):  # chunks bound the StringDType copy
        text = values[lo:lo + STRIP_CHUNK].astype(np.dtypes.StringDType())
        stripped = np.strings.strip(text)
        changed = np.flatnonzero(stripped != text)
        if len(changed):
            if not copied:
                values, copied = values.copy(), True
            values[lo + changed] = stripped[changed].astype(object)
    return pd.Series(values, index=series.index, dtype=object)


def _has_non_text(values: np.ndarray) -> bool:
    """Whether an object array holds anything but ``str`` (numbers from JSON, say)."""
    if len(values) == 0:
        return False
    return pd.api.types.infer_dtype(values, skipna=False) != "string"


def parse_times(values: pd.Series, tz: str = "Asia/Shanghai") -> pd.Series:
    """Parse report times to naive local times (``NaT`` where unparsable).

    ISO-8601 first, then the forms bureau tables use (``2024/05/01 08:30``,
    ``2024年5月1日 8:30`` …). A time with an offset (``Z``, ``+08:00``) is converted to
    ``tz``; a time without one is taken as local already.
    """
    text = _strip(values)
    out = pd.Series(pd.NaT, index=text.index, dtype="datetime64[ns]")
    # only text longer than a naive ISO time can carry an offset: test those alone
    long_text = text.str.len().to_numpy() > _NAIVE_ISO_LENGTH
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
    """Map the matching key of every label to its key in ``table``."""
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
    """Whether each cell says yes (``1``, ``true``, ``是`` …), once per distinct cell."""
    codes, uniques = pd.factorize(values.astype(object), use_na_sentinel=False)
    yes = np.array([str(u).strip().casefold() in {"1", "true", "yes", "y", "是", "合成"}
                    for u in uniques] or [False], dtype=bool)
    return pd.Series(yes[codes], index=values.index)


def convert_to_wgs84(lon: np.ndarray, lat: np.ndarray, crs: str) -> tuple[np.ndarray, np.ndarray]:
    """Convert GCJ-02 or BD-09 coordinates to WGS-84 (points outside China are unchanged).

    Uses coordTransform's compiled batch functions; the GCJ-02 inverse is its usual
    one-step approximation, within about 2 m — far below the snapping distance.
    """
    if crs == "wgs84" or len(lon) == 0:
        return lon, lat
    if crs not in INPUT_CRS:
        raise unknown_crs(crs)
    import coordTransform

    func = {"gcj02": coordTransform.gcj02_to_wgs84, "bd09": coordTransform.bd09_to_wgs84}[crs]
    out_lon, out_lat = func(np.ascontiguousarray(lon, dtype=float),
                            np.ascontiguousarray(lat, dtype=float))
    return np.asarray(out_lon, dtype=float), np.asarray(out_lat, dtype=float)


def unknown_crs(crs: str) -> InputRowError:
    """Return the error for a coordinate system that is not one of :data:`INPUT_CRS`."""
    return InputRowError(f"unknown coordinate system {crs!r}; use {', '.join(INPUT_CRS)}",
                         field="crs")
