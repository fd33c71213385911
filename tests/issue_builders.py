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


# --------------------------------------------------------------------------- calibration


def uniform_segment_draws(segments: gpd.GeoDataFrame, n: int,
                          rng: np.random.Generator) -> np.ndarray:
    """Positions of ``n`` segments drawn with probability proportional to length."""
    length = segments["length_m"].to_numpy(dtype=float)
    return rng.choice(len(segments), size=n, p=length / length.sum())


def plant_within(segments: gpd.GeoDataFrame, centre: shapely.Point, radius_m: float, n: int,
                 rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """``n`` points spread uniformly along the streets within ``radius_m`` of ``centre``.

    Returns the points' projected x and y. Points are drawn along the segments that
    reach the circle (proportionally to length) and kept when inside it, so the density
    per metre of street is the same everywhere in the circle.
    """
    lines = segments.geometry.to_numpy()
    near = np.flatnonzero(shapely.dwithin(lines, centre, radius_m))
    length = segments["length_m"].to_numpy(dtype=float)[near]
    xs: list[np.ndarray] = []
    ys: list[np.ndarray] = []
    while sum(len(x) for x in xs) < n:
        pick = near[rng.choice(len(near), size=4 * n, p=length / length.sum())]
        pts = shapely.line_interpolate_point(lines[pick], rng.uniform(0, 1, 4 * n),
                                             normalized=True)
        inside = shapely.distance(pts, centre) <= radius_m
        xs.append(shapely.get_x(pts[inside]))
        ys.append(shapely.get_y(pts[inside]))
    return np.concatenate(xs)[:n], np.concatenate(ys)[:n]


def to_lonlat(segments: gpd.GeoDataFrame, x: np.ndarray, y: np.ndarray,
              rng: np.random.Generator, noise_m: float = 3.0) -> tuple[np.ndarray, np.ndarray]:
    """WGS-84 lon/lat of projected points, plus a little location noise."""
    x = x + rng.normal(0, noise_m, len(x))
    y = y + rng.normal(0, noise_m, len(y))
    lon, lat = Transformer.from_crs(segments.crs, "EPSG:4326", always_xy=True).transform(x, y)
    return np.asarray(lon), np.asarray(lat)


def snapped_frame(segments: gpd.GeoDataFrame, positions: np.ndarray, weeks: np.ndarray,
                  start: str = "2024-03-04") -> pd.DataFrame:
    """A minimal snapped-reports table: reports on the segments at ``positions``.

    For statistics tests that need no coordinates: the columns
    :func:`patrolgeo.issues.find_hotspots` reads (one report per entry).
    """
    n = len(positions)
    return pd.DataFrame({
        "id": [f"S{i:07d}" for i in range(n)],
        "segment_id": segments["segment_id"].to_numpy(dtype=object)[positions],
        "on_network": np.ones(n, dtype=bool),
        "week": pd.Timestamp(start) + pd.to_timedelta(7 * np.asarray(weeks), unit="D"),
        "severity": np.ones(n), "synthetic": np.zeros(n, dtype=bool),
    })


def uniform_points(segments: gpd.GeoDataFrame, n: int,
                   rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Projected x, y of ``n`` points uniform along the whole network (per metre)."""
    lines = segments.geometry.to_numpy()[uniform_segment_draws(segments, n, rng)]
    pts = shapely.line_interpolate_point(lines, rng.uniform(0, 1, n), normalized=True)
    return shapely.get_x(pts), shapely.get_y(pts)
