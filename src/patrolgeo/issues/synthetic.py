"""Synthetic issue reports, for the demo and for tests only.

Every row is marked ``synthetic=True`` and its description starts with
:data:`SYNTHETIC_TAG`; intake keeps the mark and every output built from such reports
says so. Rates depend on the kind of issue and on the OpenStreetMap context of each
segment (restaurants bring fume complaints, schools congestion at the gate, markets
street vending …) and follow daily and weekly cycles (evening vending, night muck
trucks, school hours on school days). Same inputs and seed give the same reports.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import Transformer

from patrolgeo.issues.taxonomy import Taxonomy, default_taxonomy

SYNTHETIC_TAG = "【合成数据 synthetic】"

#: Hour-of-day profiles (relative weights of hours 0..23).
HOURS: dict[str, np.ndarray] = {
    "day": np.array([0, 0, 0, 0, 0, 0, 1, 3, 6, 8, 8, 8, 7, 7, 8, 8, 7, 6, 4, 2, 1, 1, 0, 0],
                    float) + 0.2,
    "meals": np.array([0, 0, 0, 0, 0, 0, 0, 1, 2, 2, 4, 9, 10, 5, 2, 2, 3, 7, 10, 9, 6, 3, 1, 0],
                      float) + 0.1,
    "evening": np.array([1, 0, 0, 0, 0, 0, 1, 2, 2, 2, 2, 3, 3, 2, 2, 3, 5, 8, 10, 10, 9, 7, 4, 2],
                        float) + 0.1,
    "night": np.array([10, 10, 9, 8, 6, 4, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 4, 7, 9],
                      float) + 0.1,
    "school": np.array([0, 0, 0, 0, 0, 0, 1, 10, 8, 1, 0, 1, 3, 1, 0, 1, 9, 10, 2, 0, 0, 0, 0, 0],
                       float) + 0.05,
    "flat": np.ones(24),
}

#: Day-of-week profiles (Monday first).
WEEKDAYS: dict[str, np.ndarray] = {
    "flat": np.ones(7),
    "school_days": np.array([1, 1, 1, 1, 1, 0.02, 0.02]),
    "weekend_heavy": np.array([0.8, 0.8, 0.8, 0.9, 1.1, 1.6, 1.5]),
    "working_days": np.array([1.1, 1.1, 1.1, 1.1, 1.0, 0.5, 0.4]),
}

#: Channels (patrol, 随手拍, video, 12345 hotline, patrol GPS trajectory) by kind profile.
SOURCE_MIX: dict[str, dict[str, float]] = {
    "street": {"patrol": 0.55, "citizen_photo": 0.2, "video": 0.1, "hotline_12345": 0.1,
               "trajectory": 0.05},
    "complaint": {"patrol": 0.2, "citizen_photo": 0.25, "video": 0.05, "hotline_12345": 0.5},
    "camera": {"patrol": 0.3, "citizen_photo": 0.1, "video": 0.5, "hotline_12345": 0.1},
    "facility": {"patrol": 0.45, "citizen_photo": 0.3, "hotline_12345": 0.2,
                 "trajectory": 0.05},
}


@dataclass(frozen=True)
class KindRule:
    """How often one kind of issue arises on a segment, and when.

    ``per_km`` reports per km of street per week, plus ``per_poi`` reports per week for
    each point of interest of a kind within :data:`POI_RADIUS_M` of the segment.
    """

    kind_code: str
    per_km: float
    per_poi: dict[str, float]
    hours: str = "day"
    weekdays: str = "flat"
    sources: str = "street"


RULES: tuple[KindRule, ...] = (
    KindRule("E0101", 0.25, {"shop": 0.02, "market": 0.3, "bus_stop": 0.03, "waste": 0.1}),
    KindRule("E0102", 0.05, {"market": 0.2, "waste": 0.15}),
    KindRule("E0103", 0.15, {"market": 0.2, "restaurant": 0.02}),
    KindRule("E0104", 0.03, {}, hours="night", weekdays="working_days", sources="camera"),
    KindRule("E0105", 0.0, {"restaurant": 0.12}, hours="meals", sources="complaint"),
    KindRule("E0112", 0.01, {"venue": 0.1, "restaurant": 0.01}, hours="evening",
             sources="complaint"),
    KindRule("E0201", 0.15, {"bus_stop": 0.12, "station": 0.1, "shop": 0.01}),
    KindRule("E0203", 0.04, {"station": 0.05}),
    KindRule("E0304", 0.02, {}, hours="night", weekdays="working_days", sources="camera"),
    KindRule("E0401", 0.03, {"market": 0.8, "station": 0.15, "school": 0.2}, hours="evening",
             weekdays="weekend_heavy"),
    KindRule("E0402", 0.02, {"shop": 0.04, "restaurant": 0.04, "market": 0.3},
             weekdays="weekend_heavy"),
    KindRule("E0403", 0.10, {"hospital": 0.2, "school": 0.1, "office": 0.03},
             weekdays="working_days"),
    KindRule("E0404", 0.08, {"station": 0.2, "bus_stop": 0.03, "shop": 0.01}),
    KindRule("E0405", 0.0, {"restaurant": 0.02, "market": 0.1}, hours="night",
             weekdays="weekend_heavy", sources="complaint"),
    KindRule("E0408", 0.0, {"school": 1.2}, hours="school", weekdays="school_days"),
    KindRule("C0102", 0.03, {}, sources="facility"),
    KindRule("C0103", 0.04, {}, hours="evening", sources="facility"),
    KindRule("C0201", 0.05, {"bus_stop": 0.01}, sources="facility"),
    KindRule("C0301", 0.05, {"waste": 0.25, "restaurant": 0.02, "bus_stop": 0.02},
             sources="facility"),
)

#: Reach of a point of interest (metres): the street pieces around it, not the block.
POI_RADIUS_M = 60.0
#: Standard deviation of the position error of a report (metres, a phone's GPS).
GPS_NOISE_M = 6.0

#: The kind whose sites emerge part-way through the period (street vending).
EMERGING_KIND = "E0401"
#: Fewest weeks with emerging sites (a trend needs weeks before and after the onset).
MIN_EMERGING_WEEKS = 4
#: Growth of an emerging site's rate per week after its onset (times the base rate).
EMERGING_GROWTH = 1.5
#: Shortest segment (metres) and least distance between sites (metres) of emerging sites.
EMERGING_MIN_LENGTH_M = 40
EMERGING_SPACING_M = 300

#: Share of closed reports in the latest week, and the gain towards the oldest week.
CLOSED_SHARE_NEW = 0.3
CLOSED_SHARE_GAIN = 0.65


def poi_counts(segments: gpd.GeoDataFrame, pois: gpd.GeoDataFrame,
               radius_m: float = POI_RADIUS_M) -> pd.DataFrame:
    """Points of interest of each kind around each segment.

    A point of interest within ``radius_m`` of several segments is shared among them
    (each gets ``1 / m``): a restaurant's fumes or a market's vendors reach the street
    pieces around it, not only the nearest one.

    Returns
    -------
    pandas.DataFrame
        One row per segment (``segment_id`` index, ``segments`` order), one float
        column per POI kind.
    """
    if pois is None or len(pois) == 0:
        return pd.DataFrame(index=segments["segment_id"].to_numpy())
    points = pois.to_crs(segments.crs).geometry.to_numpy()
    tree = shapely.STRtree(segments.geometry.to_numpy())
    poi_idx, seg_idx = tree.query(points, predicate="dwithin", distance=radius_m)
    share = 1.0 / np.bincount(poi_idx, minlength=len(points))[poi_idx]
    table = pd.DataFrame({"seg": seg_idx, "kind": pois["kind"].to_numpy()[poi_idx],
                          "share": share})
    counts = table.pivot_table(index="seg", columns="kind", values="share", aggfunc="sum",
                               fill_value=0.0).reindex(range(len(segments)), fill_value=0.0)
    counts.index = segments["segment_id"].to_numpy()
    return counts


def synthetic_reports(
    segments: gpd.GeoDataFrame,
    pois: gpd.GeoDataFrame | None = None,
    *,
    start: str = "2024-03-04",
    weeks: int = 12,
    seed: int = 0,
    scale: float = 1.0,
    taxonomy: Taxonomy | None = None,
    emerging_sites: int = 3,
    bad_rows: int = 0,
) -> pd.DataFrame:
    """Generate synthetic reports on a network, in the CSV layout intake reads.

    Parameters
    ----------
    segments
        Segments (projected) from ``roads.segments_from_graph``.
    pois
        Points of interest from ``pois.read_context`` (WGS-84); without them only the
        per-km base rates apply.
    start
        First day (a Monday is best: weeks start on Monday).
    weeks
        Number of weeks.
    seed
        Random seed.
    scale
        Multiplies every rate.
    taxonomy
        Names the kinds (the default GB/T 30428.2 taxonomy when ``None``); rules whose
        kind it lacks are skipped.
    emerging_sites
        Street-vending sites that appear part-way through the period and grow week by
        week (so the demo shows new and intensifying hot spots).
    bad_rows
        Number of deliberately broken rows appended (bad coordinates, unknown category,
        unparsable time, duplicate id), to show the rejects file.

    Returns
    -------
    pandas.DataFrame
        Columns ``id, reported_at, category, subcategory, source, status, lat, lon,
        description, synthetic`` (text, as a CSV file holds them), sorted by time.
    """
    taxonomy = taxonomy or default_taxonomy()
    rules = [r for r in RULES if r.kind_code in taxonomy.kinds]
    rng = np.random.default_rng(seed)
    segments = segments.reset_index(drop=True)
    week_rates = _weekly_rates(segments, pois, rules, weeks, scale, emerging_sites, rng)
    counts = rng.poisson(week_rates)  # (segment, week, rule)
    seg_i, week_i, rule_i = np.nonzero(counts)
    reps = counts[seg_i, week_i, rule_i]
    seg_i, week_i, rule_i = (np.repeat(a, reps) for a in (seg_i, week_i, rule_i))
    times = _report_times(rules, rule_i, week_i, start, rng)
    lon, lat = _report_positions(segments, seg_i, rng)
    source = _report_sources(rules, rule_i, rng)
    status = _report_statuses(week_i, weeks, rng)
    out = _report_table(taxonomy, rules, segments, seed, times=times, rule_i=rule_i,
                        seg_i=seg_i, source=source, status=status, lon=lon, lat=lat)
    if bad_rows > 0 and len(out):
        out = pd.concat([out, _broken_rows(out, bad_rows, rng)], ignore_index=True)
    return out


def _weekly_rates(segments: gpd.GeoDataFrame, pois: gpd.GeoDataFrame | None,
                  rules: list[KindRule], weeks: int, scale: float, emerging_sites: int,
                  rng: np.random.Generator) -> np.ndarray:
    """Compute expected reports per (segment, week, rule), emerging growth included."""
    n_seg = len(segments)
    length_km = segments["length_m"].to_numpy(dtype=float) / 1000.0
    context = poi_counts(segments, pois) if pois is not None else pd.DataFrame(
        index=segments["segment_id"].to_numpy())
    rates = np.zeros((n_seg, len(rules)))
    for j, rule in enumerate(rules):
        rates[:, j] = rule.per_km * length_km
        for kind, per_poi in rule.per_poi.items():
            if kind in context.columns:
                rates[:, j] += per_poi * context[kind].to_numpy(dtype=float)
    rates *= scale

    # emerging vending sites: off before their start week, then growing linearly
    growth = np.ones((n_seg, weeks))
    vending = next((j for j, r in enumerate(rules) if r.kind_code == EMERGING_KIND), None)
    if vending is not None and emerging_sites > 0 and weeks >= MIN_EMERGING_WEEKS:
        sites = _emerging_sites(segments, emerging_sites, rng)
        for seg in sites:
            onset = int(rng.integers(weeks // 3, weeks // 2 + 1))
            ramp = np.clip(np.arange(weeks) - onset + 1, 0, None).astype(float)
            growth[seg] = 1.0 + ramp * EMERGING_GROWTH
    week_rates = rates[:, None, :] * np.ones((1, weeks, 1))
    if vending is not None:
        week_rates[:, :, vending] *= growth
    return week_rates


def _report_times(rules: list[KindRule], rule_i: np.ndarray, week_i: np.ndarray,
                  start: str, rng: np.random.Generator) -> pd.DatetimeIndex:
    """Draw a time for each report: its week, a day and an hour from its rule's profiles."""
    n = len(rule_i)
    day_i = np.zeros(n, dtype=int)
    hour_i = np.zeros(n, dtype=int)
    for j, rule in enumerate(rules):
        mask = rule_i == j
        k = int(mask.sum())
        if not k:
            continue
        wd = WEEKDAYS[rule.weekdays]
        hr = HOURS[rule.hours]
        day_i[mask] = rng.choice(7, size=k, p=wd / wd.sum())
        hour_i[mask] = rng.choice(24, size=k, p=hr / hr.sum())
    seconds = rng.integers(0, 3600, size=n)
    start_ts = pd.Timestamp(start)
    return (start_ts + pd.to_timedelta(week_i * 7 + day_i, unit="D")
            + pd.to_timedelta(hour_i * 3600 + seconds, unit="s"))


def _report_positions(segments: gpd.GeoDataFrame, seg_i: np.ndarray,
                      rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Place each report along its segment, plus GPS noise (WGS-84 lon, lat)."""
    n = len(seg_i)
    lines = segments.geometry.to_numpy()
    along = shapely.line_interpolate_point(lines[seg_i], rng.random(n), normalized=True)
    x = shapely.get_x(along) + rng.normal(0, GPS_NOISE_M, n)
    y = shapely.get_y(along) + rng.normal(0, GPS_NOISE_M, n)
    lon, lat = Transformer.from_crs(segments.crs, "EPSG:4326", always_xy=True).transform(x, y)
    return np.asarray(lon), np.asarray(lat)


def _report_sources(rules: list[KindRule], rule_i: np.ndarray,
                    rng: np.random.Generator) -> np.ndarray:
    """Draw the channel of each report from its rule's source mix."""
    source = np.empty(len(rule_i), dtype=object)
    for j, rule in enumerate(rules):
        mask = rule_i == j
        mix = SOURCE_MIX[rule.sources]
        names = list(mix)
        weights = np.array([mix[s] for s in names])
        source[mask] = np.array(names, dtype=object)[
            rng.choice(len(names), size=int(mask.sum()), p=weights / weights.sum())]
    return source


def _report_statuses(week_i: np.ndarray, weeks: int, rng: np.random.Generator) -> np.ndarray:
    """Draw statuses: older reports are mostly closed, the last week's mostly open."""
    n = len(week_i)
    age = (weeks - 1 - week_i) / max(weeks - 1, 1)
    closed = rng.random(n) < CLOSED_SHARE_NEW + CLOSED_SHARE_GAIN * age
    return np.where(closed, "closed", np.where(rng.random(n) < 0.5, "in_progress", "open"))


def _report_table(taxonomy: Taxonomy, rules: list[KindRule], segments: gpd.GeoDataFrame,
                  seed: int, *, times: pd.DatetimeIndex, rule_i: np.ndarray,
                  seg_i: np.ndarray, source: np.ndarray, status: np.ndarray,
                  lon: np.ndarray, lat: np.ndarray) -> pd.DataFrame:
    """Lay the reports out as the text columns intake reads, sorted by time."""
    kinds = taxonomy.kinds
    kind_codes = np.array([r.kind_code for r in rules], dtype=object)[rule_i]
    cat_names = np.array([taxonomy.category_by_code[kinds[r.kind_code].category_code].name
                          for r in rules], dtype=object)[rule_i]
    kind_names = np.array([kinds[r.kind_code].name for r in rules], dtype=object)[rule_i]
    road_names = segments["road_name"].astype(str).to_numpy(dtype=object)[seg_i]
    frame = pd.DataFrame({
        "reported_at": times, "kind_code": kind_codes, "category": cat_names,
        "subcategory": kind_names, "source": source, "status": status,
        "lat": np.round(np.asarray(lat), 7), "lon": np.round(np.asarray(lon), 7),
        "road": road_names,
    })
    frame = frame.sort_values(["reported_at", "kind_code", "lat", "lon"],
                              kind="stable").reset_index(drop=True)
    frame.insert(0, "id", [f"SYN-{seed}-{i + 1:07d}" for i in range(len(frame))])
    frame["description"] = SYNTHETIC_TAG + frame["subcategory"] + " @ " + frame["road"]
    frame["synthetic"] = "true"
    return pd.DataFrame({
        "id": frame["id"],
        "reported_at": frame["reported_at"].dt.strftime("%Y-%m-%d %H:%M:%S"),
        "category": frame["category"], "subcategory": frame["subcategory"],
        "source": frame["source"], "status": frame["status"],
        "lat": frame["lat"].map("{:.7f}".format), "lon": frame["lon"].map("{:.7f}".format),
        "description": frame["description"], "synthetic": frame["synthetic"],
    })


def _emerging_sites(segments: gpd.GeoDataFrame, count: int,
                    rng: np.random.Generator) -> list[int]:
    """Pick ``count`` segments of reasonable length, far apart, for emerging vending."""
    eligible = np.flatnonzero(segments["length_m"].to_numpy() >= EMERGING_MIN_LENGTH_M)
    if len(eligible) == 0:
        eligible = np.arange(len(segments))
    chosen: list[int] = []
    centroids = segments.geometry.centroid.to_numpy()
    for candidate in rng.permutation(eligible):
        if all(shapely.distance(centroids[candidate], centroids[c]) > EMERGING_SPACING_M
               for c in chosen):
            chosen.append(int(candidate))
        if len(chosen) == count:
            break
    return chosen


def _broken_rows(good: pd.DataFrame, count: int, rng: np.random.Generator) -> pd.DataFrame:
    """Copy random rows, each broken in one way, with fresh ids (but one duplicate)."""
    picks = good.iloc[rng.choice(len(good), size=count, replace=True)].copy()
    picks["id"] = [f"SYN-BAD-{i + 1:05d}" for i in range(count)]
    for i in range(count):
        row = picks.index[i]
        fault = i % 5
        if fault == 0:
            picks.loc[row, "lat"] = "abc"
        elif fault == 1:
            picks.loc[row, "category"] = "不存在的类别"
        elif fault == 2:
            picks.loc[row, "reported_at"] = "2024-13-45 25:61"
        elif fault == 3:
            picks.loc[row, "id"] = good["id"].iat[int(rng.integers(len(good)))]
        else:
            picks.loc[row, "lon"] = "200.5"
    return picks
