"""Evidence per road: shop frontage, pedestrian draw, nearby features, bus routes, tags."""

from __future__ import annotations

import re
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from patrolgeo.plans._load import load_rules
from patrolgeo.plans._rules import Rules
from patrolgeo.pois import OSMEvidence
from patrolgeo.roads import HIGHWAY_RANK

_HIGHWAY_ORDER = {h: i for i, h in enumerate(HIGHWAY_RANK)}
#: metres in a kilometre (draw is counted per km of road)
M_PER_KM = 1000.0


def _features(evidence: OSMEvidence | None, crs: Any) -> gpd.GeoDataFrame:
    """POI points and tagged areas as one table; an area replaces its POI centroid."""
    columns = ["osm_type", "osm_id", "kind", "name", "tag", "geometry"]
    if evidence is None:
        return gpd.GeoDataFrame(columns=columns, geometry="geometry", crs=crs)
    areas = evidence.areas[columns] if len(evidence.areas) else evidence.areas.iloc[0:0]
    pois = evidence.pois[columns]
    if len(areas):
        key = pd.MultiIndex.from_frame(areas[["osm_type", "osm_id"]])
        pois = pois[~pd.MultiIndex.from_frame(pois[["osm_type", "osm_id"]]).isin(key)]
    parts = [p for p in (areas, pois) if len(p)]
    if not parts:
        return gpd.GeoDataFrame(columns=columns, geometry="geometry", crs=crs)
    both = pd.concat(parts, ignore_index=True)
    both = gpd.GeoDataFrame(both, geometry="geometry", crs=evidence.pois.crs or "EPSG:4326")
    both = both.to_crs(crs)
    return both.sort_values(["osm_type", "osm_id", "kind"]).reset_index(drop=True)


def _pairs_within(geoms: np.ndarray, features: gpd.GeoDataFrame, distance: float
                  ) -> tuple[np.ndarray, np.ndarray]:
    """Index pairs (geometry, feature) no farther apart than ``distance``."""
    if len(features) == 0 or len(geoms) == 0:
        return np.empty(0, dtype=int), np.empty(0, dtype=int)
    tree = shapely.STRtree(features.geometry.values)
    left, right = tree.query(geoms, predicate="dwithin", distance=distance)
    return left, right


def covered_lengths(segments: gpd.GeoDataFrame, features: gpd.GeoDataFrame, *,
                    distance_m: float, step_m: float) -> np.ndarray:
    """Metres of each segment that have a feature within ``distance_m`` on either side.

    Each segment is cut into equal pieces no longer than ``step_m``; a piece counts as
    covered when a feature lies within ``distance_m`` of its midpoint. One STRtree
    query answers all pieces. With shops as features this is the shop frontage.

    Parameters
    ----------
    segments
        Segments in a projected CRS, with ``length_m``.
    features
        Points, lines or polygons in the same CRS.
    distance_m, step_m
        Reach of a feature, and the sampling step.

    Returns
    -------
    numpy.ndarray
        Covered length per segment, in the units of ``length_m``.
    """
    geoms = segments.geometry.values
    geom_len = shapely.length(geoms)
    if len(features) == 0 or len(segments) == 0:
        return np.zeros(len(segments))
    pieces = np.maximum(1, np.ceil(geom_len / step_m)).astype(int)
    owner = np.repeat(np.arange(len(segments)), pieces)
    starts = np.cumsum(pieces) - pieces
    k = np.arange(len(owner)) - np.repeat(starts, pieces)
    piece_len = geom_len[owner] / pieces[owner]
    points = shapely.line_interpolate_point(geoms[owner], (k + 0.5) * piece_len)
    hit, _ = _pairs_within(points, features, distance_m)
    covered = np.zeros(len(owner), dtype=bool)
    covered[hit] = True
    fronted = np.bincount(owner[covered], weights=piece_len[covered], minlength=len(segments))
    share = np.divide(fronted, geom_len, out=np.zeros(len(segments)), where=geom_len > 0)
    return share * segments["length_m"].to_numpy(dtype=float)


def _weighted_median(road: pd.Series, value: pd.Series, weight: pd.Series) -> pd.Series:
    frame = pd.DataFrame({"road": road, "value": value, "w": weight}).dropna()
    if frame.empty:
        return pd.Series(dtype=float)
    frame = frame.sort_values(["road", "value"], kind="stable")
    frame["cum"] = frame.groupby("road")["w"].cumsum()
    frame["half"] = frame.groupby("road")["w"].transform("sum") / 2
    return frame[frame["cum"] >= frame["half"]].groupby("road")["value"].first()


def _matches(features: gpd.GeoDataFrame, selectors: list[str]) -> np.ndarray:
    mask = np.zeros(len(features), dtype=bool)
    for s in selectors:
        mask |= (features["tag"] == s).to_numpy() if "=" in s else \
            (features["kind"] == s).to_numpy()
    return mask


def road_evidence(
    segments: gpd.GeoDataFrame,
    evidence: OSMEvidence | None = None,
    rules: Rules | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Measure the grading evidence of every road.

    Parameters
    ----------
    segments
        Segments from :func:`patrolgeo.roads.segments_from_graph` (projected CRS).
    evidence
        What the OSM file says around the roads (:func:`patrolgeo.pois.read_evidence`);
        ``None`` grades on the road tags alone.
    rules
        Grading rules; the defaults if ``None``.

    Returns
    -------
    roads
        One row per road (index ``road_id``, sorted): ``road_name, highway, length_m,
        n_segments, lanes, width_m, frontage, frontage_m, frontage_count, draw,
        bus_share, bus_routes`` and, per rule with ``near``, ``near_<rule>_m`` and
        ``near_<rule>_name``.
    per_segment
        ``frontage_m`` and ``on_bus_route`` per segment, aligned with ``segments``.
    """
    rules = rules or load_rules()
    ev = rules.evidence
    seg = segments.reset_index(drop=True)
    length = seg["length_m"].astype(float)
    road = seg["road_id"]
    features = _features(evidence, seg.crs)
    geoms = seg.geometry.values

    out = pd.DataFrame(index=pd.Index(sorted(road.unique()), name="road_id"))
    out["road_name"] = seg.groupby("road_id")["road_name"].first()
    out["length_m"] = length.groupby(road).sum()
    out["n_segments"] = road.value_counts()
    # the class carrying most length; ties go to the more important class, as in roads
    by_class = seg.groupby(["road_id", "highway"])["length_m"].sum().reset_index()
    by_class["rank"] = by_class["highway"].map(_HIGHWAY_ORDER).fillna(len(_HIGHWAY_ORDER))
    longest = by_class.groupby("road_id")["length_m"].transform("max")
    out["highway"] = (by_class[by_class["length_m"] == longest]
                      .sort_values(["road_id", "rank", "highway"])
                      .groupby("road_id")["highway"].first())
    out["lanes"] = _weighted_median(road, seg["lanes"], length)
    out["width_m"] = _weighted_median(road, seg["width_m"], length)

    frontage = features[features["kind"].isin(ev["frontage_kinds"])]
    seg_front = covered_lengths(seg, frontage, distance_m=ev["frontage_m"],
                                step_m=ev["sample_step_m"])
    out["frontage_m"] = pd.Series(seg_front).groupby(road).sum()
    out["frontage"] = (out["frontage_m"] / out["length_m"].where(out["length_m"] > 0)).fillna(0)
    left, right = _pairs_within(geoms, frontage, ev["frontage_m"])
    count = pd.DataFrame({"road": road.to_numpy()[left], "f": right}).drop_duplicates()
    out["frontage_count"] = count.groupby("road").size().reindex(out.index).fillna(0).astype(int)

    weights = features["kind"].map(ev["draw_weights"]).fillna(0.0).to_numpy()
    drawing = features[weights > 0]
    left, right = _pairs_within(geoms, drawing, ev["draw_m"])
    pairs = pd.DataFrame({"road": road.to_numpy()[left],
                          "w": weights[weights > 0][right], "f": right}).drop_duplicates(
        ["road", "f"])
    draw = pairs.groupby("road")["w"].sum().reindex(out.index).fillna(0.0)
    out["draw"] = draw / (np.maximum(out["length_m"], ev["draw_min_length_m"]) / M_PER_KM)

    bus_ways = evidence.bus_ways if evidence is not None else {}
    on_bus = seg["osm_way_id"].isin(list(bus_ways)).to_numpy()
    out["bus_share"] = (length.where(on_bus, 0.0).groupby(road).sum() / out["length_m"]
                        ).fillna(0.0)
    refs: dict[Any, set[str]] = {}
    for road_id, way in zip(road[on_bus], seg["osm_way_id"][on_bus], strict=True):
        refs.setdefault(road_id, set()).update(bus_ways.get(int(way), ()))
    out["bus_routes"] = [" ".join(sorted(refs.get(r, ()), key=_natural)) for r in out.index]

    for rule in rules.rules:
        if "near" not in rule.conditions:
            continue
        chosen = features[_matches(features, rule.conditions["near"])].reset_index(drop=True)
        left, right = _pairs_within(geoms, chosen, rule.conditions["within_m"])
        dist = shapely.distance(geoms[left], chosen.geometry.values[right]) if len(left) else []
        labels = _feature_labels(chosen)
        near = pd.DataFrame({"road": road.to_numpy()[left], "d": dist, "name": labels[right]})
        near = near.sort_values(["road", "d", "name"], kind="stable").groupby("road").first()
        out[f"near_{rule.id}_m"] = near["d"].reindex(out.index)
        out[f"near_{rule.id}_name"] = near["name"].reindex(out.index)
    per_segment = pd.DataFrame({"frontage_m": seg_front, "on_bus_route": on_bus},
                               index=segments.index)
    return out, per_segment


def _feature_labels(features: gpd.GeoDataFrame) -> np.ndarray:
    """``"name (tag)"`` of each feature, or the tag alone when it has no name."""
    return np.array([f"{name} ({tag})" if isinstance(name, str) and name else str(tag)
                     for name, tag in zip(features["name"], features["tag"], strict=True)],
                    dtype=object)


def _natural(text: str) -> tuple[Any, ...]:
    return tuple(int(p) if p.isdigit() else p for p in re.split(r"(\d+)", text))


# =========================================================================== grading
