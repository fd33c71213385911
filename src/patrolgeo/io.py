"""Transition: removed at merge. The writers moved to :mod:`patrolgeo.outputs.files`."""

from patrolgeo.outputs.files import (  # noqa: F401  (transition: removed at merge)
    WGS84,
    atomic_path,
    write_csv,
    write_geojson,
    write_gpkg,
    write_table,
    write_text,
    write_xlsx,
)
