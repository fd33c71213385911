"""Small hand-made networks and report tables for the issue tests."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import Transformer
from shapely.geometry import LineString

GRID_CRS = "EPSG:32650"  # UTM 50N, around Guixi
ORIGIN = (560_000.0, 3_130_000.0)


def grid_segments(n: int = 12, spacing: float = 100.0) -> gpd.GeoDataFrame:
    """An ``n`` x ``n`` street grid: one segment per block side, node ids ``row*n+col``.

    Row streets are roads ``R<row>``, column streets ``C<col>``.
    """
    x0, y0 = ORIGIN
    rows = []
    for r in range(n):
        for c in range(n):
            node = r * n + c
            if c + 1 < n:
                rows.append((node, node + 1, f"R{r}", (x0 + c * spacing, y0 + r * spacing),
                             (x0 + (c + 1) * spacing, y0 + r * spacing)))
            if r + 1 < n:
                rows.append((node, node + n, f"C{c}", (x0 + c * spacing, y0 + r * spacing),
                             (x0 + c * spacing, y0 + (r + 1) * spacing)))
    seg = gpd.GeoDataFrame({
        "segment_id": [f"{u:04d}-{v:04d}" for u, v, *_ in rows],
        "road_id": [road for _, _, road, _, _ in rows],
        "road_name": [road for _, _, road, _, _ in rows],
        "highway": "residential", "oneway": False,
        "length_m": spacing,
        "u": [u for u, *_ in rows], "v": [v for _, v, *_ in rows], "key": 0,
        "geometry": [LineString([a, b]) for *_, a, b in rows],
    }, crs=GRID_CRS)
    return seg.sort_values("segment_id").reset_index(drop=True)


def points_on_segments(segments: gpd.GeoDataFrame, seg_idx: np.ndarray,
                       rng: np.random.Generator, noise_m: float = 3.0) -> tuple[np.ndarray,
                                                                                np.ndarray]:
    """WGS-84 lon/lat of random points along the given segments (plus a little noise)."""
    lines = segments.geometry.to_numpy()[seg_idx]
    frac = rng.uniform(0.1, 0.9, len(seg_idx))
    along = shapely.line_interpolate_point(lines, frac, normalized=True)
    xs, ys = shapely.get_x(along), shapely.get_y(along)
    xs += rng.normal(0, noise_m, len(xs))
    ys += rng.normal(0, noise_m, len(ys))
    lon, lat = Transformer.from_crs(segments.crs, "EPSG:4326", always_xy=True).transform(xs, ys)
    return np.asarray(lon), np.asarray(lat)


def reports_table(lon: np.ndarray, lat: np.ndarray, rng: np.random.Generator, *,
                  start: str = "2024-03-04", weeks: int = 8, prefix: str = "R",
                  times: pd.Series | None = None) -> pd.DataFrame:
    """A CSV-like report table at the given points (street vending, random times)."""
    n = len(lon)
    if times is None:
        offsets = rng.integers(0, weeks * 7 * 24 * 3600, n)
        times = pd.Timestamp(start) + pd.to_timedelta(offsets, unit="s")
    return pd.DataFrame({
        "id": [f"{prefix}{i:06d}" for i in range(n)],
        "reported_at": pd.Series(times).dt.strftime("%Y-%m-%d %H:%M:%S").to_numpy(),
        "category": "街面秩序", "subcategory": "流动摊贩", "source": "巡查",
        "status": "待处理", "lat": [f"{v:.7f}" for v in lat],
        "lon": [f"{v:.7f}" for v in lon], "description": "",
    })
