"""Evidence per segment, and its sums over any grouping of segments (road, section, window).

Each segment is measured once (:func:`measure_segments`): its shop frontage, the frontage
and pedestrian-draw features within reach, the nearest feature of each ``near`` rule, bus
routes. :func:`group_evidence` then adds these up over any grouping (a road, a section, or
the window around one segment), counting a feature once per group.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from patrolgeo.plans._load import load_rules
from patrolgeo.plans._rules import Rules
from patrolgeo.pois import OSMEvidence
from patrolgeo.roads import HIGHWAY_RANK, road_names

_HIGHWAY_ORDER = {h: i for i, h in enumerate(HIGHWAY_RANK)}
#: metres in a kilometre (draw is counted per km of road)
M_PER_KM = 1000.0
_FEATURE_COLUMNS = ["osm_type", "osm_id", "kind", "name", "tag", "public", "geometry"]


def _features(evidence: OSMEvidence | None, crs: Any) -> gpd.GeoDataFrame:
    """POI points and tagged areas as one table; an area replaces its POI centroid."""
    columns = _FEATURE_COLUMNS
    empty = gpd.GeoDataFrame(columns=columns, geometry="geometry", crs=crs)
    if evidence is None:
        return empty
    parts = []
    for frame in (evidence.areas, evidence.pois):
        frame = frame if "public" in frame else frame.assign(public=True)
        parts.append(frame[columns] if len(frame) else frame[columns].iloc[0:0])
    areas, pois = parts
    if len(areas):
        key = pd.MultiIndex.from_frame(areas[["osm_type", "osm_id"]])
        pois = pois[~pd.MultiIndex.from_frame(pois[["osm_type", "osm_id"]]).isin(key)]
    parts = [p for p in (areas, pois) if len(p)]
    if not parts:
        return empty
    both = pd.concat(parts, ignore_index=True)
    both = gpd.GeoDataFrame(both, geometry="geometry", crs=evidence.pois.crs or "EPSG:4326")
    both = both.to_crs(crs)
    both["public"] = both["public"].fillna(True).astype(bool)
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


def _weighted_median(group: pd.Series, value: pd.Series, weight: pd.Series) -> pd.Series:
    frame = pd.DataFrame({"g": group, "value": value, "w": weight}).dropna()
    if frame.empty:
        return pd.Series(dtype=float)
    frame = frame.sort_values(["g", "value"], kind="stable")
    frame["cum"] = frame.groupby("g")["w"].cumsum()
    frame["half"] = frame.groupby("g")["w"].transform("sum") / 2
    return frame[frame["cum"] >= frame["half"]].groupby("g")["value"].first()


def _matches(features: gpd.GeoDataFrame, selectors: list[str]) -> np.ndarray:
    mask = np.zeros(len(features), dtype=bool)
    for s in selectors:
        mask |= (features["tag"] == s).to_numpy() if "=" in s else \
            (features["kind"] == s).to_numpy()
    return mask


@dataclass(frozen=True)
class SegmentEvidence:
    """What each segment measures, ready to be added up over any grouping.

    Attributes
    ----------
    segments
        The segments, index reset (position = segment number below).
    frontage_m
        Metres of each segment with a frontage feature within reach.
    vote_m
        Length that votes for a group's main class (sidewalk and crossing ways do not).
    on_bus
        Whether each segment is on a bus route relation.
    bus_refs
        The route refs of each segment.
    frontage_pairs, draw_pairs
        ``(seg, f)`` and ``(seg, f, w)``: frontage and drawing features within reach.
    near
        Per rule with ``near``: the nearest matching public feature of each segment
        within the rule's radius (``seg, d, name``).
    """

    segments: gpd.GeoDataFrame
    frontage_m: np.ndarray
    vote_m: np.ndarray
    on_bus: np.ndarray
    bus_refs: tuple[frozenset[str], ...]
    frontage_pairs: pd.DataFrame
    draw_pairs: pd.DataFrame
    near: Mapping[str, pd.DataFrame]


def measure_segments(segments: gpd.GeoDataFrame, evidence: OSMEvidence | None,
                     rules: Rules, street_part: np.ndarray | None = None) -> SegmentEvidence:
    """Measure every segment once (see :class:`SegmentEvidence`).

    Venues, schools and hospitals inside a compound (``public`` is ``False``) neither
    draw pedestrians nor make an approach of a ``near`` rule.
    """
    ev = rules.evidence
    seg = segments.reset_index(drop=True)
    length = seg["length_m"].to_numpy(dtype=float)
    features = _features(evidence, seg.crs)
    public = features["public"].to_numpy(dtype=bool)
    geoms = seg.geometry.values

    frontage = features[features["kind"].isin(ev["frontage_kinds"]).to_numpy()]
    front_m = covered_lengths(seg, frontage, distance_m=ev["frontage_m"],
                              step_m=ev["sample_step_m"])
    left, right = _pairs_within(geoms, frontage, ev["frontage_m"])
    front_pairs = pd.DataFrame({"seg": left, "f": frontage.index.to_numpy()[right]})

    weights = features["kind"].map(ev["draw_weights"]).fillna(0.0).to_numpy() * public
    drawing = features[weights > 0]
    left, right = _pairs_within(geoms, drawing, ev["draw_m"])
    draw_pairs = pd.DataFrame({"seg": left, "f": drawing.index.to_numpy()[right],
                               "w": weights[weights > 0][right]})

    bus_ways = evidence.bus_ways if evidence is not None else {}
    ways = seg["osm_way_id"].to_numpy()
    refs = tuple(frozenset(bus_ways.get(int(w), ())) if pd.notna(w) else frozenset()
                 for w in ways)
    on_bus = np.array([bool(r) for r in refs], dtype=bool)

    near = {}
    labels = _feature_labels(features)
    for rule in rules.rules:
        if "near" not in rule.conditions:
            continue
        chosen = np.flatnonzero(_matches(features, rule.conditions["near"]) & public)
        left, right = _pairs_within(geoms, features.iloc[chosen], rule.conditions["within_m"])
        dist = (shapely.distance(geoms[left], features.geometry.values[chosen[right]])
                if len(left) else np.empty(0))
        table = pd.DataFrame({"seg": left, "d": dist, "name": labels[chosen[right]]})
        near[rule.id] = (table.sort_values(["seg", "d", "name"], kind="stable")
                         .groupby("seg", as_index=False).first())
    parts = np.zeros(len(seg), dtype=bool) if street_part is None else np.asarray(street_part)
    return SegmentEvidence(segments=seg, frontage_m=front_m,
                           vote_m=np.where(parts, 0.0, length), on_bus=on_bus,
                           bus_refs=refs, frontage_pairs=front_pairs, draw_pairs=draw_pairs,
                           near=near)


def _main_class(g: np.ndarray, highway: np.ndarray, vote: np.ndarray, length: np.ndarray
                ) -> pd.Series:
    """The class carrying most voting length per group; ties go to the more important."""
    frame = pd.DataFrame({"g": g, "highway": highway, "vote": vote})
    no_vote = frame.groupby("g")["vote"].transform("sum") <= 0
    frame.loc[no_vote.to_numpy(), "vote"] = length[no_vote.to_numpy()]
    by_class = frame.groupby(["g", "highway"])["vote"].sum().reset_index()
    by_class["rank"] = by_class["highway"].map(_HIGHWAY_ORDER).fillna(len(_HIGHWAY_ORDER))
    longest = by_class.groupby("g")["vote"].transform("max")
    return (by_class[by_class["vote"] == longest].sort_values(["g", "rank", "highway"])
            .groupby("g")["highway"].first())


def group_evidence(se: SegmentEvidence, group: np.ndarray, seg_index: np.ndarray,
                   rules: Rules, weight: np.ndarray | None = None) -> pd.DataFrame:
    """Add up the evidence of segments over groups; a segment may be in several groups.

    Parameters
    ----------
    se
        From :func:`measure_segments`.
    group, seg_index
        Membership pairs: group label and segment position (in ``se.segments``).
    rules
        The rules (for ``draw_min_length_m``).
    weight
        The share of each member's length in its group (all of it if ``None``): length
        and frontage count that share; features within reach count whole.

    Returns
    -------
    pandas.DataFrame
        One row per group (sorted): ``road_name, highway, length_m, n_segments, lanes,
        width_m, frontage, frontage_m, frontage_count, draw, bus_share, bus_routes`` and,
        per rule with ``near``, ``near_<rule>_m`` and ``near_<rule>_name``.
    """
    ev = rules.evidence
    seg = se.segments
    s = np.asarray(seg_index, dtype=int)
    g = np.asarray(group)
    member = pd.DataFrame({"g": g, "seg": s})
    share = np.ones(len(s)) if weight is None else np.asarray(weight, dtype=float)
    length = seg["length_m"].to_numpy(dtype=float)[s] * share
    gs = pd.Series(g)
    out = pd.DataFrame(index=pd.Index(sorted(set(g)), name=None))
    # the road's own name, not a merged-in member's (a 20 m bridge keeps its name)
    own_name = seg["road_id"].map(road_names(seg)).to_numpy()
    out["road_name"] = pd.Series(own_name[s]).groupby(g).first()
    out["length_m"] = pd.Series(length).groupby(g).sum()
    out["n_segments"] = gs.value_counts()
    out["highway"] = _main_class(g, seg["highway"].to_numpy()[s], se.vote_m[s] * share,
                                 length)
    out["lanes"] = _weighted_median(gs, pd.Series(seg["lanes"].to_numpy()[s]),
                                    pd.Series(length))
    out["width_m"] = _weighted_median(gs, pd.Series(seg["width_m"].to_numpy()[s]),
                                      pd.Series(length))
    out["frontage_m"] = pd.Series(se.frontage_m[s] * share).groupby(g).sum()
    positive = out["length_m"].where(out["length_m"] > 0)
    # a piece shorter than frontage_min_length_m reads over that length: a short path
    # beside shops is not yet a shopping street
    reach = np.maximum(out["length_m"], ev.get("frontage_min_length_m", 0.0))
    out["frontage"] = (out["frontage_m"] / reach.where(reach > 0)).fillna(0.0)
    count = member.merge(se.frontage_pairs, on="seg")[["g", "f"]].drop_duplicates()
    out["frontage_count"] = count.groupby("g").size().reindex(out.index).fillna(0).astype(int)
    pairs = member.merge(se.draw_pairs, on="seg").drop_duplicates(["g", "f"])
    draw = pairs.groupby("g")["w"].sum().reindex(out.index).fillna(0.0)
    out["draw"] = draw / (np.maximum(out["length_m"], ev["draw_min_length_m"]) / M_PER_KM)
    bus = pd.Series(np.where(se.on_bus[s], length, 0.0)).groupby(g).sum()
    out["bus_share"] = (bus / positive).fillna(0.0)
    refs: dict[Any, set[str]] = {}
    for label, i in zip(g, s, strict=True):
        if se.on_bus[i]:
            refs.setdefault(label, set()).update(se.bus_refs[i])
    out["bus_routes"] = [" ".join(sorted(refs.get(r, ()), key=_natural)) for r in out.index]
    for rule_id, near in se.near.items():
        hits = member.merge(near, on="seg").sort_values(["g", "d", "name"], kind="stable")
        first = hits.groupby("g").first()
        out[f"near_{rule_id}_m"] = first["d"].reindex(out.index) if len(first) else np.nan
        out[f"near_{rule_id}_name"] = first["name"].reindex(out.index) if len(first) else None
    return out


def road_evidence(
    segments: gpd.GeoDataFrame,
    evidence: OSMEvidence | None = None,
    rules: Rules | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Measure the grading evidence of every road, as a whole.

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
        One row per road (index ``road_id``, sorted): the columns of
        :func:`group_evidence`.
    per_segment
        ``frontage_m`` and ``on_bus_route`` per segment, aligned with ``segments``.
    """
    rules = rules or load_rules()
    se = measure_segments(segments, evidence, rules)
    road = se.segments["road_id"].to_numpy()
    out = group_evidence(se, road, np.arange(len(road)), rules)
    out.index.name = "road_id"
    per_segment = pd.DataFrame({"frontage_m": se.frontage_m, "on_bus_route": se.on_bus},
                               index=segments.index)
    return out, per_segment


def _feature_labels(features: gpd.GeoDataFrame) -> np.ndarray:
    """``"name (tag)"`` of each feature, or the tag alone when it has no name."""
    return np.array([f"{name} ({tag})" if isinstance(name, str) and name else str(tag)
                     for name, tag in zip(features["name"], features["tag"], strict=True)],
                    dtype=object)


def _natural(text: str) -> tuple[Any, ...]:
    return tuple(int(p) if p.isdigit() else p for p in re.split(r"(\d+)", text))
