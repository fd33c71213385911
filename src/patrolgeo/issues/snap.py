"""Snapping reports to the nearest road segment, vectorised through a spatial index."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import Transformer

from patrolgeo.errors import InputRowError, SegmentsError
from patrolgeo.segments import CORE_COLUMNS, validate_segments

#: Largest report-to-segment distance (metres): GPS and map-click error of a report
#: made on the pavement, well under the spacing of parallel streets.
DEFAULT_MAX_DISTANCE_M = 50.0

#: Radius of the first, tight nearest-segment search (metres): most reports lie within
#: a few metres of a street, so a small radius answers them cheaply.
FIRST_SEARCH_M = 10.0


def snap_reports(
    reports: pd.DataFrame,
    segments: gpd.GeoDataFrame,
    *,
    max_distance_m: float = DEFAULT_MAX_DISTANCE_M,
) -> gpd.GeoDataFrame:
    """Put each report on its nearest segment within ``max_distance_m``.

    The reports' WGS-84 coordinates are projected to the segments' CRS and matched with
    one ``STRtree.query_nearest`` call (no Python loop over points). Reports farther than
    ``max_distance_m`` from every segment are kept with ``on_network=False`` and an
    empty ``segment_id``; their distance to the nearest segment is still given, so a
    user can see whether a larger distance would catch them.

    Parameters
    ----------
    reports
        Validated reports with ``lat`` and ``lon`` (WGS-84), e.g. ``Intake.reports``.
    segments
        Segments in a projected CRS (metres), from ``roads.segments_from_graph``.
    max_distance_m
        Largest distance from a report to its segment.

    Returns
    -------
    geopandas.GeoDataFrame
        The reports (same order) plus ``segment_id, road_id, snap_distance_m, offset_m``
        (distance along the segment's geometry from its start) and ``on_network``;
        geometry is the reported point, in the segments' CRS.

    Raises
    ------
    SegmentsError
        ``segments`` break the segments contract, or are not in a projected CRS.
    InputRowError
        ``max_distance_m`` is not a positive number.
    """
    validate_segments(segments, (*CORE_COLUMNS, "road_id"))
    if segments.crs is None:  # the reports' degrees must be projected onto the segments
        raise SegmentsError("segments must be in a projected CRS (metres)", field="crs")
    if not np.isfinite(max_distance_m) or max_distance_m <= 0:
        raise InputRowError(f"max distance {max_distance_m!r} must be a positive number of "
                            "metres", field="max_distance")
    to_metres = Transformer.from_crs("EPSG:4326", segments.crs, always_xy=True)
    x, y = to_metres.transform(reports["lon"].to_numpy(dtype=float),
                               reports["lat"].to_numpy(dtype=float))
    points = shapely.points(np.asarray(x), np.asarray(y))
    lines = segments.geometry.to_numpy()
    tree = shapely.STRtree(lines)
    n = len(points)
    nearest = np.full(n, -1, dtype=np.int64)
    distance = np.full(n, np.nan)
    if n and len(lines):
        # most reports lie within a few metres of a street: a tight search first, then
        # the rest with the full distance (the nearest within d is the nearest overall)
        todo = np.arange(n)
        for radius in sorted({min(FIRST_SEARCH_M, max_distance_m), max_distance_m}):
            (point_idx, line_idx), dist = tree.query_nearest(
                points[todo], max_distance=radius, return_distance=True, all_matches=False)
            nearest[todo[point_idx]] = line_idx
            distance[todo[point_idx]] = dist
            todo = np.flatnonzero(nearest < 0)
        far = np.flatnonzero(nearest < 0)
        if len(far):
            (far_idx, _), far_dist = tree.query_nearest(points[far], return_distance=True,
                                                        all_matches=False)
            distance[far[far_idx]] = far_dist
    on_network = nearest >= 0
    segment_id = np.full(n, "", dtype=object)
    road_id = np.full(n, "", dtype=object)
    offset = np.full(n, np.nan)
    hit = np.flatnonzero(on_network)
    segment_id[hit] = segments["segment_id"].to_numpy(dtype=object)[nearest[hit]]
    road_id[hit] = segments["road_id"].to_numpy(dtype=object)[nearest[hit]]
    offset[hit] = shapely.line_locate_point(lines[nearest[hit]], points[hit])
    out = gpd.GeoDataFrame(reports.reset_index(drop=True).copy(), geometry=points,
                           crs=segments.crs)
    out["segment_id"] = segment_id
    out["road_id"] = road_id
    out["snap_distance_m"] = np.round(distance, 2)
    out["offset_m"] = np.round(offset, 2)
    out["on_network"] = on_network
    out.attrs.update(reports.attrs)
    out.attrs["max_distance_m"] = float(max_distance_m)
    return out
