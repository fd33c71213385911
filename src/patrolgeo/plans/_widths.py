"""Widths of each segment's carriageway and sidewalks, and whether machines can work it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from patrolgeo.plans._evidence import covered_lengths
from patrolgeo.plans._rules import Rules

#: classes that are no street: a sidewalk way along them is no sidewalk of theirs
NOT_STREETS = ("footway", "path", "steps", "cycleway", "corridor", "bridleway", "track")
#: sampling step (m) when looking for sidewalk ways along a street
SIDEWALK_SAMPLE_STEP_M = 10.0
#: a street has separate sidewalks when sidewalk ways run along this share of it
SEPARATE_SIDEWALK_SHARE = 0.5
#: a one-way piece of a dual carriageway is this share of the class carriageway
DUAL_CARRIAGEWAY_HALF = 0.5
#: ``sidewalk=*`` values -> sidewalk sides (``separate``: mapped as ways of their own)
_SIDEWALK_SIDES = {"both": 2, "yes": 2, "left": 1, "right": 1, "no": 0, "none": 0,
                   "separate": 0}


def _sides_from_tags(tags: Mapping[str, str]) -> int | None:
    value = tags.get("sidewalk")
    if value is not None:
        return _SIDEWALK_SIDES.get(value)
    both = tags.get("sidewalk:both")
    if both is not None:
        return 2 if both == "yes" else 0
    sides = [tags.get("sidewalk:left"), tags.get("sidewalk:right")]
    if any(s is not None for s in sides):
        return sum(s == "yes" for s in sides)
    return None


def _is_oneway(tags: Mapping[str, str]) -> bool:
    return tags.get("oneway") in {"yes", "1", "true", "-1"} or tags.get("junction") in {
        "roundabout", "circular"}


def _has_way(way: Any) -> bool:
    return way is not None and not pd.isna(way)


def _footway_is(segments: gpd.GeoDataFrame, road_tags: Mapping[int, Mapping[str, str]],
                kinds: set[str]) -> np.ndarray:
    """Segments whose OSM way has a ``footway`` tag among ``kinds``."""
    return np.array([_has_way(way) and road_tags.get(int(way), {}).get("footway") in kinds
                     for way in segments["osm_way_id"]], dtype=bool)


def _separate_sidewalks(segments: gpd.GeoDataFrame, rules: Rules,
                        road_tags: Mapping[int, Mapping[str, str]]) -> np.ndarray:
    """Streets along which the sidewalks are mapped as ways of their own."""
    sidewalk_ways = segments[_footway_is(segments, road_tags, {"sidewalk"})]
    streets = ~segments["highway"].isin(list(NOT_STREETS)).to_numpy()
    separate = np.zeros(len(segments), dtype=bool)
    if len(sidewalk_ways) and streets.any():
        near = covered_lengths(segments[streets], sidewalk_ways,
                               distance_m=rules.widths["separate_sidewalk_m"],
                               step_m=SIDEWALK_SAMPLE_STEP_M)
        length = segments["length_m"].to_numpy(dtype=float)[streets]
        separate[streets] = near >= SEPARATE_SIDEWALK_SHARE * length
    return separate


def _carriageway(w: Mapping[str, Any], spec: Mapping[str, Any], width: Any, lanes: Any,
                 half: bool) -> tuple[float, str]:
    """Carriageway width of one segment and where it came from."""
    if width is not None and not pd.isna(width) and width > 0:
        return float(width), "width"
    if lanes is not None and not pd.isna(lanes) and lanes > 0:
        return float(lanes) * w["lane_width_m"], "lanes"
    return spec["carriageway_m"] * (DUAL_CARRIAGEWAY_HALF if half else 1.0), "class"


def _sidewalks(w: Mapping[str, Any], spec: Mapping[str, Any], tags: Mapping[str, str],
               half: bool, apart: bool) -> float:
    """Sidewalk width of one segment, both sides together."""
    sides = _sides_from_tags(tags) if tags else None
    if sides is not None:
        side_width = spec["sidewalk_m"] or w["tagged_sidewalk_m"]
    elif apart:
        sides, side_width = 0, 0.0
    else:
        sides = min(spec["sides"], 1) if half else spec["sides"]
        side_width = spec["sidewalk_m"]
    return sides * side_width


def _segment_width(w: Mapping[str, Any], hw: str, width: Any, lanes: Any,
                   tags: Mapping[str, str], oneway_flag: Any, apart: bool
                   ) -> tuple[float, float, str]:
    """Carriageway, sidewalks (both sides) and width source of one segment."""
    classes = w["classes"]
    spec = classes.get(hw, classes[w["fallback_class"]])
    oneway = _is_oneway(tags) if tags else bool(oneway_flag)
    half = oneway and hw in w["dual_carriageway_classes"]
    carriageway, source = _carriageway(w, spec, width, lanes, half)
    return carriageway, _sidewalks(w, spec, tags, half, apart), source


def machine_workable(segments: pd.DataFrame, carriageway: pd.Series, rules: Rules
                     ) -> pd.Series:
    """Whether sweepers and washers can work each segment (class and carriageway width).

    Parameters
    ----------
    segments
        Segments with ``highway``.
    carriageway
        Carriageway width per segment (metres), aligned with ``segments``.
    rules
        The rules (``[methods]``).

    Returns
    -------
    pandas.Series
        Booleans aligned with ``segments``.
    """
    return segments["highway"].isin(rules.methods["machine_classes"]) & (
        carriageway >= rules.methods["machine_min_width_m"])


def segment_widths(
    segments: gpd.GeoDataFrame,
    rules: Rules,
    road_tags: Mapping[int, Mapping[str, str]] | None = None,
) -> pd.DataFrame:
    """Carriageway and sidewalk widths of each segment, and whether machines can work it.

    Carriageway: the ``width`` tag, else ``lanes`` × lane width, else the class default
    (half of it on a one-way piece of a dual carriageway). Sidewalks: the ``sidewalk``
    tags, else the class default sides (one on a dual-carriageway half), times the
    class sidewalk width; none where the sidewalks are mapped as ways of their own
    (``footway=sidewalk`` within ``separate_sidewalk_m`` along half the street), since
    those ways carry the sidewalk area themselves.

    Parameters
    ----------
    segments
        Segments (projected CRS).
    rules
        The rules (``[widths]`` and ``[methods]``).
    road_tags
        ``{way id: tags}`` from :func:`patrolgeo.pois.read_evidence`; without them,
        class defaults and the segments' ``oneway`` flag are used.

    Returns
    -------
    pandas.DataFrame
        ``carriageway_m, sidewalk_m`` (both sides), ``width_source``
        (``width``/``lanes``/``class``), ``separate_sidewalks``, ``street_part`` (a
        sidewalk or crossing way of a street) and ``machine``, indexed like ``segments``.
    """
    road_tags = road_tags or {}
    street_part = _footway_is(segments, road_tags, set(rules.methods["street_part_footways"]))
    separate = _separate_sidewalks(segments, rules, road_tags)
    rows = []
    for hw, width, lanes, way, oneway_flag, apart in zip(
        segments["highway"], segments["width_m"], segments["lanes"], segments["osm_way_id"],
        segments["oneway"], separate, strict=True,
    ):
        tags = road_tags.get(int(way), {}) if _has_way(way) else {}
        rows.append(_segment_width(rules.widths, hw, width, lanes, tags, oneway_flag, apart))
    out = pd.DataFrame(rows, columns=["carriageway_m", "sidewalk_m", "width_source"],
                       index=segments.index)
    out["separate_sidewalks"] = separate
    out["street_part"] = street_part
    out["machine"] = machine_workable(segments, out["carriageway_m"], rules)
    return out
