"""Writing outputs safely: atomic files and the exchange formats bureaus use.

Every writer goes through :func:`atomic_path`, so a failure part-way never leaves a
half-written file: the data lands in a temporary file beside the target and is renamed
over it only once complete. Exports are in WGS-84 (EPSG:4326).
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import geopandas as gpd
import pandas as pd

from patrolgeo import ATTRIBUTION
from patrolgeo.atomic import WGS84, atomic_path
from patrolgeo.errors import OutputError
from patrolgeo.labels import Text

if TYPE_CHECKING:
    from openpyxl import Workbook


def write_text(text: str, path: str | Path, encoding: str = "utf-8") -> Path:
    """Write ``text`` to ``path`` atomically and return the path.

    Parameters
    ----------
    text
        The whole content of the file.
    path
        The file; its parent folder is created if missing.
    encoding
        The text encoding.

    Returns
    -------
    Path
        ``path``.
    """
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding=encoding)
    return Path(path)


def write_csv(df: pd.DataFrame, path: str | Path) -> Path:
    """Write a table as CSV in UTF-8 with a byte-order mark, so Excel shows Chinese text.

    A geometry column, if present, is written as WKT in WGS-84.

    Parameters
    ----------
    df
        The table (a GeoDataFrame's geometry becomes a ``geometry_wkt`` column).
    path
        The ``.csv`` file.

    Returns
    -------
    Path
        ``path``.
    """
    if isinstance(df, gpd.GeoDataFrame) and df.geometry.name in df.columns:
        geo = df.to_crs(WGS84) if df.crs is not None else df
        df = pd.DataFrame(geo.drop(columns=geo.geometry.name))
        df["geometry_wkt"] = geo.geometry.to_wkt(rounding_precision=7)
    with atomic_path(path) as tmp:
        df.to_csv(tmp, index=False, encoding="utf-8-sig", lineterminator="\n")
    write_attribution(Path(path).parent)
    return Path(path)


#: The file beside every CSV that says where its data comes from: a CSV has no place of
#: its own for a licence line (a comment row would break the tools that read it).
ATTRIBUTION_FILE = "ATTRIBUTION.txt"

_ATTRIBUTION_TEXT = (
    f"地图数据 {ATTRIBUTION}，依《开放数据库许可协议》(ODbL 1.0) 提供。\n"
    f"Map data {ATTRIBUTION}, available under the Open Database Licence (ODbL 1.0).\n"
    "https://www.openstreetmap.org/copyright\n"
)


def write_attribution(folder: str | Path) -> Path:
    """Write the OSM attribution file into ``folder`` (once; it never changes).

    Parameters
    ----------
    folder
        An output folder holding tables made from OSM data.

    Returns
    -------
    Path
        The attribution file.
    """
    path = Path(folder) / ATTRIBUTION_FILE
    if not path.is_file() or path.read_text(encoding="utf-8") != _ATTRIBUTION_TEXT:
        write_text(_ATTRIBUTION_TEXT, path)
    return path


def _for_export(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """``gdf`` in WGS-84 with object columns as strings (what the OGR drivers accept)."""
    out = gdf.to_crs(WGS84) if gdf.crs is not None else gdf.set_crs(WGS84)
    # GeoPackage/GeoJSON drivers reject list-valued or object columns of mixed types
    for col in out.columns:
        if col != out.geometry.name and out[col].dtype == object:
            out[col] = out[col].map(lambda x: None if x is None else str(x))
    return out


def write_geojson(gdf: gpd.GeoDataFrame, path: str | Path) -> Path:
    """Write a GeoDataFrame as GeoJSON in WGS-84, carrying the OSM attribution.

    Parameters
    ----------
    gdf
        The features (any CRS; a missing CRS is taken as WGS-84).
    path
        The ``.geojson`` file.

    Returns
    -------
    Path
        ``path``.
    """
    out = _for_export(gdf)
    with atomic_path(path, suffix=".geojson") as tmp:
        # the layer is named after the final file, not the temporary one GIS tools show
        out.to_file(tmp, driver="GeoJSON", engine="pyogrio", layer=Path(path).stem,
                    COORDINATE_PRECISION=7, DESCRIPTION=ATTRIBUTION)
    return Path(path)


def write_gpkg(gdf: gpd.GeoDataFrame, path: str | Path, layer: str = "segments") -> Path:
    """Write a GeoDataFrame as a one-layer GeoPackage in WGS-84.

    Parameters
    ----------
    gdf
        The features (any CRS; a missing CRS is taken as WGS-84).
    path
        The ``.gpkg`` file.
    layer
        The layer name.

    Returns
    -------
    Path
        ``path``.
    """
    import pyogrio

    out = _for_export(gdf)
    # GDAL stamps every GeoPackage table with the time of writing; a fixed stamp keeps
    # reruns byte-identical (the config option is read at write time, so set it each time)
    pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": gpkg_timestamp()})
    with atomic_path(path, suffix=".gpkg") as tmp:
        out.to_file(tmp, driver="GPKG", layer=layer, engine="pyogrio",
                    layer_options={"DESCRIPTION": ATTRIBUTION})
    return Path(path)


#: The ``last_change`` stamp of every GeoPackage table when ``SOURCE_DATE_EPOCH`` (the
#: reproducible-builds convention) is not set: a fixed date, so reruns give the same bytes.
GPKG_FIXED_TIMESTAMP = "2000-01-01T00:00:00.000Z"


def gpkg_timestamp() -> str:
    """The ``last_change`` stamp written into GeoPackages (``SOURCE_DATE_EPOCH`` if set).

    Examples
    --------
    >>> import os
    >>> os.environ.pop("SOURCE_DATE_EPOCH", None) and None
    >>> gpkg_timestamp()
    '2000-01-01T00:00:00.000Z'
    """
    import os
    from datetime import datetime, timezone

    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch is None or not epoch.strip().isdigit():
        return GPKG_FIXED_TIMESTAMP
    stamp = datetime.fromtimestamp(int(epoch), tz=timezone.utc)
    return stamp.strftime("%Y-%m-%dT%H:%M:%S.000Z")


def write_table(gdf: gpd.GeoDataFrame, path: str | Path, layer: str = "segments") -> Path:
    """Write ``gdf`` in the format named by the extension: .gpkg, .geojson/.json or .csv.

    Parameters
    ----------
    gdf
        The features.
    path
        The file; its suffix chooses the writer.
    layer
        The GeoPackage layer name.

    Returns
    -------
    Path
        ``path``.

    Raises
    ------
    ValueError
        For any other suffix.
    """
    suffix = Path(path).suffix.lower()
    if suffix == ".gpkg":
        return write_gpkg(gdf, path, layer=layer)
    if suffix in {".geojson", ".json"}:
        return write_geojson(gdf, path)
    if suffix == ".csv":
        return write_csv(gdf, path)
    raise ValueError(f"unknown output format {suffix!r}: use .gpkg, .geojson or .csv")


#: Timestamp stamped into xlsx files so that the same table gives the same bytes.
_XLSX_TIME = (2000, 1, 1, 0, 0, 0)
#: Excel's longest sheet name.
_SHEET_NAME_MAX = 31
#: Widest automatic column, characters; rows read to size a column.
_WIDTH_MAX, _WIDTH_ROWS = 60, 200


def _cell(value: object) -> object:
    """Convert a table value for openpyxl: NaN to empty, numpy scalars to Python ones."""
    if isinstance(value, float) and value != value:
        return None
    return value.item() if hasattr(value, "item") else value


def _column_width(table: pd.DataFrame, column: object,
                  widths: dict[str, float] | None) -> float:
    """Return the given width of ``column``, else that of its longest text (GBK bytes + 2)."""
    if widths and column in widths:
        return widths[column]
    texts = [str(column), *(str(v) for v in table[column].head(_WIDTH_ROWS))]
    return min(_WIDTH_MAX, max(len(t.encode("gbk", "replace")) for t in texts) + 2)


def _add_sheet(workbook: Workbook, name: str, table: pd.DataFrame,
               widths: dict[str, float] | None) -> None:
    """Append ``table`` as a sheet: bold header, frozen first row, sized columns."""
    from openpyxl.styles import Font

    sheet = workbook.create_sheet(title=name[:_SHEET_NAME_MAX])
    sheet.append([str(c) for c in table.columns])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in table.itertuples(index=False):
        sheet.append([_cell(v) for v in row])
    for i, column in enumerate(table.columns, start=1):
        letter = sheet.cell(row=1, column=i).column_letter
        sheet.column_dimensions[letter].width = _column_width(table, column, widths)
    sheet.freeze_panes = "A2"


def write_xlsx(
    sheets: dict[str, pd.DataFrame],
    path: str | Path,
    *,
    widths: dict[str, float] | None = None,
) -> Path:
    """Write tables as an Excel workbook, one sheet per table, in the order given.

    The workbook is byte-identical for identical tables: openpyxl's creation and
    modification times and the zip entries' dates are fixed.

    Parameters
    ----------
    sheets
        ``{sheet name: table}``; names are cut to Excel's 31 characters.
    path
        The ``.xlsx`` file.
    widths
        Column widths in characters by column header; others are sized to their text.

    Returns
    -------
    Path
        ``path``.
    """
    import datetime
    import io as _io
    import zipfile

    from openpyxl import Workbook
    from openpyxl.writer.excel import ExcelWriter

    workbook = Workbook()
    workbook.remove(workbook.active)
    for name, table in sheets.items():
        _add_sheet(workbook, name, table, widths)
    stamp = datetime.datetime(*_XLSX_TIME)
    workbook.properties.creator = "patrolgeo"
    workbook.properties.created = stamp
    workbook.properties.modified = stamp
    raw = _io.BytesIO()
    with zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED) as archive:
        ExcelWriter(workbook, archive).save()
    with (atomic_path(path, suffix=".xlsx") as tmp, zipfile.ZipFile(raw) as src,
          zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as dst):
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=_XLSX_TIME)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(fixed, src.read(info.filename))
    return Path(path)


#: The file a completed run leaves in its folder, written last: a folder without it was
#: not written by patrolgeo (or not to the end) and is never replaced.
RUN_MANIFEST = ".patrolgeo-run.json"
#: Suffix of the hidden sibling folder a run writes into before it is moved into place.
PARTIAL_SUFFIX = ".partial"


def check_output_folder(out: str | Path) -> None:
    """Refuse an ``--out`` that is a file, or a folder of files patrolgeo did not write.

    Called before the slow steps, so a bad ``--out`` fails at once.

    Raises
    ------
    OutputError
        Naming the path and ``--out``.
    """
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise OutputError(Text("这是一个文件，不是文件夹", "is a file, not a folder"),
                          file=out, field="--out")
    if out.is_dir() and not (out / RUN_MANIFEST).is_file() and any(out.iterdir()):
        raise OutputError(Text("文件夹中已有不是 patrolgeo 完整写出的文件：请换一个 --out "
                               "或先清空它",
                               "the folder holds files that are not a complete patrolgeo "
                               "run: choose another --out or empty it"), file=out,
                          field="--out")


def _clear_partials(out: Path) -> None:
    """Remove what killed runs into ``out`` left beside it."""
    for stale in out.parent.glob(f".{out.name}.*{PARTIAL_SUFFIX}"):
        shutil.rmtree(stale, ignore_errors=True)


def _manifest(folder: Path) -> dict[str, object]:
    files = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*")
                   if p.is_file() and p.name != RUN_MANIFEST)
    return {"generator": "patrolgeo", "complete": True, "files": files}


@contextmanager
def staged_folder(out: str | Path) -> Iterator[Path]:
    """Write a whole run into a hidden sibling folder and move it into place at the end.

    Either the complete new run is at ``out`` or nothing of it is: a failure (or a
    ``kill -9``) leaves the previous ``out`` as it was and, at worst, a hidden
    ``.<name>.*.partial`` folder that the next run removes. A previous complete run at
    ``out`` (with its :data:`RUN_MANIFEST`) is replaced whole; a folder holding other
    files is refused.

    Parameters
    ----------
    out
        The run's output folder.

    Yields
    ------
    Path
        The folder to write into.

    Raises
    ------
    OutputError
        ``out`` is a file, holds someone else's files, or cannot be written (read-only,
        disk full: the operating system's reason is given).
    """
    out = Path(out)
    check_output_folder(out)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        _clear_partials(out)
        stage = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=PARTIAL_SUFFIX,
                                      dir=out.parent))
    except OSError as exc:
        raise OutputError(exc.strerror or str(exc), file=exc.filename or out,
                          field="--out") from exc
    try:
        yield stage
        write_text(json.dumps(_manifest(stage), ensure_ascii=False, indent=1) + "\n",
                   stage / RUN_MANIFEST)
        _swap_into_place(stage, out)
    except OSError as exc:
        raise OutputError(exc.strerror or str(exc), file=exc.filename or out,
                          field="--out") from exc
    finally:
        if stage.exists():
            shutil.rmtree(stage, ignore_errors=True)


def _swap_into_place(stage: Path, out: Path) -> None:
    """Rename ``stage`` to ``out``, replacing a previous complete run there."""
    if not out.exists():
        os.replace(stage, out)
        return
    old = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".old", dir=out.parent))
    old.rmdir()
    os.replace(out, old)
    os.replace(stage, out)
    shutil.rmtree(old, ignore_errors=True)
