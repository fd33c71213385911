"""Basemaps and their datum: tile sources, the WGS-84 → GCJ-02 shift, display GeoJSON.

``"auto"`` picks the basemap from where the data lies: AMap (GCJ-02) inside China (the
box that the GCJ-02 rules themselves use, ``coordTransform.out_of_china``), OpenStreetMap
elsewhere.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from typing import Any

import coordTransform
import geopandas as gpd
import numpy as np
import shapely

from patrolgeo.errors import ConfigError
from patrolgeo.labels import DEFAULT_LANG, Text, label
from patrolgeo.outputs.files import WGS84

OSM_ATTRIBUTION = (
    '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors'
)


@dataclass(frozen=True)
class Basemap:
    """A tile source and the datum its tiles are drawn in.

    Parameters
    ----------
    name
        The code (``"osm"``, ``"amap"``, ``"tianditu"``); its words are in the
        ``basemap`` label table.
    tiles
        The tile URL template (``{key}`` stands for an API key).
    attribution
        The attribution shown on the map.
    datum
        ``"wgs84"`` or ``"gcj02"``: what overlay coordinates are converted to.
    subdomains, max_zoom
        Leaflet tile-layer options.
    """

    name: str
    tiles: str
    attribution: str
    datum: str  # "wgs84" or "gcj02"
    subdomains: str = "abc"
    max_zoom: int = 19

    def label(self, lang: str = DEFAULT_LANG) -> str:
        """The basemap's name in ``lang`` (the tile layer's name in the layer control)."""
        return label("basemap", self.name, lang)


BASEMAPS: dict[str, Basemap] = {
    "osm": Basemap("osm", "https://tile.openstreetmap.org/{z}/{x}/{y}.png", OSM_ATTRIBUTION,
                   "wgs84", subdomains=""),
    "amap": Basemap("amap",
                    "https://webrd0{s}.is.autonavi.com/appmaptile?lang=zh_cn&size=1&scale=1"
                    "&style=8&x={x}&y={y}&z={z}",
                    f"&copy; 高德地图 AutoNavi | 数据 {OSM_ATTRIBUTION}", "gcj02",
                    subdomains="1234", max_zoom=18),
    "tianditu": Basemap("tianditu",
                        "https://t{s}.tianditu.gov.cn/vec_w/wmts?SERVICE=WMTS&REQUEST=GetTile"
                        "&VERSION=1.0.0&LAYER=vec&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles"
                        "&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}&tk={key}",
                        f"&copy; 天地图 Tianditu | 数据 {OSM_ATTRIBUTION}", "wgs84",
                        subdomains="01234567", max_zoom=18),
}

#: The basemap chosen from the data: AMap inside China, OpenStreetMap elsewhere.
AUTO = "auto"
#: Every ``--basemap`` value.
BASEMAP_CHOICES = (AUTO, *BASEMAPS)
#: The environment variable holding the Tianditu API key (``tk``).
TIANDITU_KEY_ENV = "TIANDITU_KEY"

#: Colour of a class that a map's palette does not name.
OTHER_COLOUR = "#888888"

#: Simplification tolerance of displayed lines, metres: invisible at street zoom levels.
DISPLAY_TOLERANCE_M = 1.0
#: Coordinate grid of displayed lines, degrees: about 1 m, which keeps files small.
DISPLAY_GRID_DEG = 1e-5
#: Finer grid for pieces that the 1 m grid would collapse to nothing.
FINE_GRID_DEG = 1e-7


# --------------------------------------------------------------------------- coordinates


def wgs84_to_gcj02(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Convert WGS-84 to GCJ-02 (the datum of AMap and Tencent tiles), vectorised.

    Points outside China are returned unchanged, as the GCJ-02 rules define.

    Parameters
    ----------
    lon, lat
        WGS-84 longitudes and latitudes in degrees.

    Returns
    -------
    tuple of numpy.ndarray
        GCJ-02 longitudes and latitudes.
    """
    lon = np.asarray(lon, dtype=float)
    lat = np.asarray(lat, dtype=float)
    if lon.size == 0:
        return lon, lat
    out_lon, out_lat = coordTransform.wgs84_to_gcj02(lon, lat)
    return np.asarray(out_lon, dtype=float), np.asarray(out_lat, dtype=float)


def check_basemap(basemap: str) -> None:
    """Check that ``basemap`` names a known basemap or ``"auto"``.

    Parameters
    ----------
    basemap
        ``"auto"`` or a key of :data:`BASEMAPS`.

    Raises
    ------
    ConfigError
        For any other name.
    """
    if basemap not in BASEMAP_CHOICES:
        raise ConfigError(Text(f"未知底图 {basemap!r}；可选 {'、'.join(BASEMAP_CHOICES)}",
                               f"unknown basemap {basemap!r}; choose one of "
                               f"{', '.join(BASEMAP_CHOICES)}"), field="basemap")


def inside_china(lon: float, lat: float) -> bool:
    """Whether a WGS-84 point lies where GCJ-02 shifts coordinates (the converter's own box).

    Parameters
    ----------
    lon, lat
        Degrees.

    Returns
    -------
    bool
        ``not coordTransform.out_of_china(lon, lat)``; NaN is outside.
    """
    if not (np.isfinite(lon) and np.isfinite(lat)):
        return False
    return not coordTransform.out_of_china(float(lon), float(lat))


def resolve_basemap(basemap: str, where: gpd.GeoDataFrame | list[list[float]]) -> str:
    """The basemap a map of ``where`` is drawn on: ``"auto"`` becomes ``"amap"`` or ``"osm"``.

    ``"auto"`` is AMap (GCJ-02 tiles, overlays converted) when the centre of the data
    lies inside China, OpenStreetMap elsewhere; any other basemap is returned as it is.

    Parameters
    ----------
    basemap
        ``"auto"`` or a key of :data:`BASEMAPS`.
    where
        The features (any CRS; none: WGS-84 degrees), or Leaflet bounds
        ``[[south, west], [north, east]]``.

    Returns
    -------
    str
        A key of :data:`BASEMAPS`.

    Raises
    ------
    ConfigError
        For an unknown basemap.

    Examples
    --------
    >>> resolve_basemap("auto", [[28.2, 117.2], [28.3, 117.3]])  # Guixi, Jiangxi
    'amap'
    >>> resolve_basemap("auto", [[60.1, 24.9], [60.2, 25.0]])  # Helsinki
    'osm'
    """
    check_basemap(basemap)
    if basemap != AUTO:
        return basemap
    if isinstance(where, gpd.GeoDataFrame):
        frame = where.to_crs(WGS84) if where.crs is not None else where
        west, south, east, north = frame.total_bounds if len(frame) else [np.nan] * 4
    else:
        (south, west), (north, east) = where
    return "amap" if inside_china((west + east) / 2, (south + north) / 2) else "osm"


def tianditu_key(key: str | None = None) -> str:
    """The Tianditu API key: ``key``, else the ``TIANDITU_KEY`` environment variable.

    Parameters
    ----------
    key
        A key given explicitly.

    Returns
    -------
    str
        The key.

    Raises
    ------
    ConfigError
        When there is none (one line saying how to give one).
    """
    found = key or os.environ.get(TIANDITU_KEY_ENV, "").strip()
    if not found:
        raise ConfigError(Text(f"天地图底图需要密钥：请设置环境变量 {TIANDITU_KEY_ENV}"
                               "（或改用 --basemap auto/osm/amap）",
                               f"the Tianditu basemap needs a key: set the {TIANDITU_KEY_ENV} "
                               "environment variable (or use --basemap auto/osm/amap)"),
                          field="basemap")
    return found


def to_display_crs(gdf: gpd.GeoDataFrame, basemap: str = "osm") -> gpd.GeoDataFrame:
    """Return ``gdf`` in the datum of ``basemap``'s tiles (WGS-84 or GCJ-02 degrees).

    Parameters
    ----------
    gdf
        Features in any CRS (none: taken as WGS-84 degrees).
    basemap
        A key of :data:`BASEMAPS`, or ``"auto"`` (:func:`resolve_basemap` on ``gdf``).

    Returns
    -------
    geopandas.GeoDataFrame
        A copy in display coordinates.
    """
    out = gdf.to_crs(WGS84) if gdf.crs is not None else gdf
    if BASEMAPS[resolve_basemap(basemap, out)].datum == "gcj02":
        def shift(coords: np.ndarray) -> np.ndarray:
            lon, lat = wgs84_to_gcj02(coords[:, 0], coords[:, 1])
            return np.column_stack([lon, lat])

        out = out.set_geometry(shapely.transform(out.geometry.values, shift))
    return out


def display_geojson(
    gdf: gpd.GeoDataFrame,
    columns: list[str],
    *,
    basemap: str = "osm",
    tolerance_m: float = DISPLAY_TOLERANCE_M,
) -> dict[str, Any]:
    """GeoJSON for display: simplified in metres, in the basemap's datum, ~1 m precision.

    Parameters
    ----------
    gdf
        The features.
    columns
        The properties to keep.
    basemap
        A key of :data:`BASEMAPS`.
    tolerance_m
        Simplification tolerance in metres (projected input only; 0 keeps every vertex).

    Returns
    -------
    dict
        A GeoJSON FeatureCollection.
    """
    shown = gdf[[*columns, gdf.geometry.name]].copy()
    if shown.crs is not None and shown.crs.is_projected and tolerance_m > 0:
        shown = shown.set_geometry(shown.geometry.simplify(tolerance_m))
    shown = to_display_crs(shown, basemap)
    coarse = shapely.set_precision(shown.geometry.values, DISPLAY_GRID_DEG)
    # a piece shorter than the ~1 m grid would vanish: keep it at a finer grid
    fine = shapely.set_precision(shown.geometry.values, FINE_GRID_DEG)
    shown = shown.set_geometry(np.where(shapely.is_empty(coarse), fine, coarse))
    return json.loads(shown.to_json(drop_id=True, ensure_ascii=False))


def latlon_bounds(gdf: gpd.GeoDataFrame, basemap: str = "osm") -> list[list[float]]:
    """``[[south, west], [north, east]]`` of ``gdf`` in the basemap's datum.

    Parameters
    ----------
    gdf
        The features.
    basemap
        A key of :data:`BASEMAPS`.

    Returns
    -------
    list
        The bounds as Leaflet takes them.
    """
    west, south, east, north = to_display_crs(gdf[[gdf.geometry.name]], basemap).total_bounds
    return [[float(south), float(west)], [float(north), float(east)]]
