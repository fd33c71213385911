"""Writers: what the stages computed, as files (CSV, GeoPackage, GeoJSON, xlsx, HTML maps).

Every file is written atomically and every export is in WGS-84 (:mod:`.files`). The HTML
maps are in :mod:`patrolgeo.outputs.maps`, imported on its own
(``from patrolgeo.outputs import maps``): importing this package loads no folium.

Examples
--------
>>> from patrolgeo.outputs import WGS84
>>> WGS84
'EPSG:4326'
"""

from __future__ import annotations

from patrolgeo.outputs.files import (
    WGS84,
    atomic_path,
    write_csv,
    write_geojson,
    write_gpkg,
    write_table,
    write_text,
    write_xlsx,
)

__all__ = ["WGS84", "atomic_path", "write_csv", "write_geojson", "write_gpkg", "write_table",
           "write_text", "write_xlsx"]
