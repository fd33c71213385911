"""Sections (路段): a road cut where its grade evidence changes, into planner-sized pieces.

Each road's segments are put in order along the road: a reference line runs between the
two ends of the road that lie farthest apart (the shortest way between them along the
road's own segments), extended straight beyond both ends; a segment's chainage is where
its points fall on that line (0 at the west end, or the south end of a road running
north-south). Parallel carriageways and pieces beyond a short gap fall in the same order.

Every segment gets a local grade: the best grade of the rules that hold *there* - its own
class, lanes, width, bus route and distance to a station or venue, and the frontage and
pedestrian draw of at least :data:`WINDOW_M` of the road around it. Consecutive segments
of one local grade form a run; runs shorter than :data:`MIN_SECTION_M` are evened out (a short
run of a better grade takes segments from its neighbours until it is long enough; other
short runs join the neighbour closest in grade). Each run is a section, graded again on
its own evidence.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
import shapely
from shapely.geometry import LineString

from patrolgeo.plans._evidence import _HIGHWAY_ORDER, SegmentEvidence, group_evidence
from patrolgeo.plans._grading import local_grades
from patrolgeo.plans._rules import Rules

#: Shortest section a plan names: a stretch a road chief can point at between two
#: crossings, and about the 2 × 100 m a station's approach covers; shorter runs are
#: evened out with their neighbours.
MIN_SECTION_M = 200.0
#: Shop frontage and pedestrian draw are densities: each segment reads them over at
#: least this much of its road (a shorter segment with the road on both sides of it), so
#: one shop or one short gap does not cut a section.
WINDOW_M = 100.0
#: Node keys are the segment end points rounded to this many decimals (1 mm in metres).
_NODE_DECIMALS = 3


@dataclass(frozen=True)
class _Run:
    grade: int
    start: int
    end: int  # exclusive


def _node_keys(geoms: np.ndarray) -> tuple[list[tuple[float, float]], list[tuple[float, float]]]:
    """End points of each line, rounded: the same node in every segment that touches it."""
    first = shapely.get_coordinates(shapely.get_point(geoms, 0))
    last = shapely.get_coordinates(shapely.get_point(geoms, -1))
    a = [tuple(p) for p in np.round(first, _NODE_DECIMALS)]
    b = [tuple(p) for p in np.round(last, _NODE_DECIMALS)]
    return a, b


def _reference_line(geoms: np.ndarray, length: np.ndarray) -> LineString:
    """The road's reference line, oriented west to east (south to north if steeper)."""
    a, b = _node_keys(geoms)
    graph = nx.Graph()
    for i, (u, v) in enumerate(zip(a, b, strict=True)):
        if u == v:
            continue
        if not graph.has_edge(u, v) or graph[u][v]["w"] > length[i]:
            graph.add_edge(u, v, w=float(length[i]), i=i)
    if graph.number_of_edges() == 0:
        longest = int(np.argmax(length))
        return LineString(shapely.get_coordinates(geoms[longest]))
    parts = list(nx.connected_components(graph))
    weight = [sum(d["w"] for _, _, d in graph.subgraph(p).edges(data=True)) for p in parts]
    nodes = sorted(parts[int(np.argmax(weight))])
    xy = np.array(nodes)
    candidates = xy
    if len(xy) > 3:  # the farthest pair lies on the convex hull
        hull = {tuple(p) for p in np.round(shapely.get_coordinates(
            shapely.convex_hull(shapely.multipoints(xy))), _NODE_DECIMALS)}
        keep = np.array([tuple(p) in hull for p in xy])
        if keep.sum() >= 2:
            candidates = xy[keep]
    gap = ((candidates[:, None, :] - candidates[None, :, :]) ** 2).sum(-1)
    far = np.unravel_index(int(np.argmax(gap)), gap.shape)
    start, end = tuple(candidates[far[0]]), tuple(candidates[far[1]])
    dx, dy = end[0] - start[0], end[1] - start[1]
    if (dx < 0) if abs(dx) >= abs(dy) else (dy < 0):
        start, end = end, start
    path = nx.shortest_path(graph, start, end, weight="w")
    coords: list[np.ndarray] = []
    for u, v in itertools.pairwise(path):
        c = shapely.get_coordinates(geoms[graph[u][v]["i"]])
        if tuple(np.round(c[0], _NODE_DECIMALS)) != u:
            c = c[::-1]
        coords.append(c if not coords else c[1:])
    return LineString(np.vstack(coords))


def _extended(line: LineString, reach: float) -> tuple[LineString, float]:
    """``line`` prolonged straight by ``reach`` at both ends; and the added start length."""
    c = shapely.get_coordinates(line)
    head, tail = c[0] - c[1], c[-1] - c[-2]
    head = head / (np.hypot(*head) or 1.0)
    tail = tail / (np.hypot(*tail) or 1.0)
    return LineString(np.vstack([c[0] + head * reach, c, c[-1] + tail * reach])), reach


def chainages(segments: gpd.GeoDataFrame) -> pd.DataFrame:
    """Where each segment lies along its road: chainage from, to and of its middle.

    Parameters
    ----------
    segments
        Segments with ``road_id`` and ``length_m`` in a projected CRS (metres).

    Returns
    -------
    pandas.DataFrame
        Aligned with ``segments``: ``lo_m``, ``hi_m`` (the least and greatest chainage
        of its points, metres from the road's start), ``mid_m`` (its middle), and
        ``lo_node``/``hi_node`` (the end point at each end, rounded, as a node key).
    """
    seg = segments.reset_index(drop=True)
    geoms = seg.geometry.values
    length = seg["length_m"].to_numpy(dtype=float)
    lo, hi, mid = np.zeros(len(seg)), np.zeros(len(seg)), np.zeros(len(seg))
    forward = np.ones(len(seg), dtype=bool)
    a, b = _node_keys(geoms)
    for _, idx in seg.groupby("road_id", sort=False).indices.items():
        ref = _reference_line(geoms[idx], length[idx])
        x0, y0, x1, y1 = shapely.total_bounds(geoms[idx])
        line, shift = _extended(ref, float(np.hypot(x1 - x0, y1 - y0)) + 1.0)
        coords, owner = shapely.get_coordinates(geoms[idx], return_index=True)
        at = shapely.line_locate_point(line, shapely.points(coords)) - shift
        starts = np.flatnonzero(np.r_[True, owner[1:] != owner[:-1]])
        ends = np.r_[starts[1:], len(owner)] - 1
        lo[idx] = np.minimum.reduceat(at, starts)
        hi[idx] = np.maximum.reduceat(at, starts)
        forward[idx] = at[starts] <= at[ends]
        middle = shapely.line_interpolate_point(geoms[idx], 0.5, normalized=True)
        mid[idx] = shapely.line_locate_point(line, middle) - shift
        base = lo[idx].min()
        lo[idx] -= base
        hi[idx] -= base
        mid[idx] -= base
    # the end point nearer the road's start is the segment's lo end
    lo_node = [a[k] if forward[k] else b[k] for k in range(len(seg))]
    hi_node = [b[k] if forward[k] else a[k] for k in range(len(seg))]
    return pd.DataFrame({"lo_m": lo, "hi_m": hi, "mid_m": mid, "lo_node": lo_node,
                         "hi_node": hi_node}, index=segments.index)


def windows(segments: gpd.GeoDataFrame, chain: pd.DataFrame, stretch_m: float = WINDOW_M
            ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Membership of each segment's window: the stretch of at least ``stretch_m`` around it.

    A segment at least ``stretch_m`` long is its own window; a shorter one reaches
    along its road on both sides until the window is that long.

    Returns
    -------
    owner, member, weight
        Window (segment position), member segment position, and the share of the
        member's span inside the window (1 for the segment itself).
    """
    lo, hi = chain["lo_m"].to_numpy(), chain["hi_m"].to_numpy()
    owners, members, weights = [], [], []
    road = segments["road_id"].to_numpy()
    for _, idx in pd.Series(road).groupby(road, sort=False).indices.items():
        idx = np.asarray(idx)
        a, b = lo[idx], hi[idx]
        reach = np.maximum(0.0, (stretch_m - (b - a)) / 2)
        start, end = a - reach, b + reach
        overlap = (np.minimum(b[None, :], end[:, None]) - np.maximum(a[None, :], start[:, None]))
        span = np.maximum(b - a, 1e-9)[None, :]
        share = np.clip(overlap / span, 0.0, 1.0)
        np.fill_diagonal(share, 1.0)
        i, j = np.nonzero(share > 0)
        owners.append(idx[i])
        members.append(idx[j])
        weights.append(share[i, j])
    if not owners:
        return np.empty(0, dtype=int), np.empty(0, dtype=int), np.empty(0)
    return np.concatenate(owners), np.concatenate(members), np.concatenate(weights)


def _grow(runs: list[_Run], i: int, length: np.ndarray, min_m: float) -> int:
    """Let the short run ``i`` take end segments of worse neighbours; return its index."""
    grade = runs[i].grade

    def size(r: _Run) -> float:
        return float(length[r.start:r.end].sum())

    while size(runs[i]) < min_m:
        left = i > 0 and runs[i - 1].grade > grade
        right = i + 1 < len(runs) and runs[i + 1].grade > grade
        if not (left or right):
            break
        take_left = left and (not right or length[runs[i].start - 1] <= length[runs[i].end])
        r = runs[i]
        if take_left:
            runs[i] = _Run(grade, r.start - 1, r.end)
            n = runs[i - 1]
            runs[i - 1] = _Run(n.grade, n.start, n.end - 1)
            if runs[i - 1].start == runs[i - 1].end:
                del runs[i - 1]
                i -= 1
        else:
            runs[i] = _Run(grade, r.start, r.end + 1)
            n = runs[i + 1]
            runs[i + 1] = _Run(n.grade, n.start + 1, n.end)
            if runs[i + 1].start == runs[i + 1].end:
                del runs[i + 1]
        _merge_equal(runs)
        i = next(k for k, q in enumerate(runs) if q.start <= r.start < q.end)
    return i


def _merge_equal(runs: list[_Run]) -> None:
    """Join neighbouring runs of one grade, in place."""
    k = 0
    while k + 1 < len(runs):
        if runs[k].grade == runs[k + 1].grade:
            runs[k] = _Run(runs[k].grade, runs[k].start, runs[k + 1].end)
            del runs[k + 1]
        else:
            k += 1


def cut_runs(grades: np.ndarray, length: np.ndarray, min_m: float = MIN_SECTION_M
             ) -> np.ndarray:
    """Cut one road's ordered segments into sections of at least ``min_m`` metres.

    Parameters
    ----------
    grades
        Local grade of each segment, in chainage order.
    length
        Length of each segment (metres), in the same order.
    min_m
        The shortest section; only a road shorter than this is one shorter section.

    Returns
    -------
    numpy.ndarray
        Section number (0, 1, …) of each segment, non-decreasing along the road.
    """
    n = len(grades)
    if n == 0:
        return np.empty(0, dtype=int)
    runs: list[_Run] = []
    for k in range(n):
        if runs and runs[-1].grade == grades[k]:
            runs[-1] = _Run(runs[-1].grade, runs[-1].start, k + 1)
        else:
            runs.append(_Run(int(grades[k]), k, k + 1))
    # a short run of a better grade (a station's approach) grows to a section of its own
    for grade in sorted(set(int(g) for g in grades)):
        i = 0
        while i < len(runs):
            if runs[i].grade == grade:
                i = _grow(runs, i, length, min_m)
            i += 1
    # what is still short joins the neighbour closest in grade (the better one on a tie)
    while len(runs) > 1:
        sizes = [float(length[r.start:r.end].sum()) for r in runs]
        i = int(np.argmin(sizes))
        if sizes[i] >= min_m:
            break
        options = [k for k in (i - 1, i + 1) if 0 <= k < len(runs)]
        k = min(options, key=lambda k: (abs(runs[k].grade - runs[i].grade), runs[k].grade, k))
        lo, hi = min(runs[i].start, runs[k].start), max(runs[i].end, runs[k].end)
        runs[min(i, k)] = _Run(runs[k].grade, lo, hi)
        del runs[max(i, k)]
        _merge_equal(runs)
    out = np.empty(n, dtype=int)
    for number, r in enumerate(runs):
        out[r.start:r.end] = number
    return out


def _local_evidence(se: SegmentEvidence, chain: pd.DataFrame, rules: Rules) -> pd.DataFrame:
    """Evidence where each segment lies: its own tags and approaches, the window's density."""
    n = len(se.segments)
    own = group_evidence(se, np.arange(n), np.arange(n), rules)
    owner, member, weight = windows(se.segments, chain)
    around = group_evidence(se, owner, member, rules, weight=weight)
    for col in ("frontage", "frontage_count", "draw"):
        own[col] = around[col].reindex(own.index).to_numpy()
    road = se.segments["road_id"]
    own["road_length_m"] = se.segments["length_m"].groupby(road).transform("sum").to_numpy()
    return own


def _cross_streets(se: SegmentEvidence, chain: pd.DataFrame) -> dict[Any, list[tuple]]:
    """Per node key: the roads ending there, most important first (class, then length)."""
    seg = se.segments
    road_len = seg.groupby("road_id")["length_m"].sum()
    rank = seg["highway"].map(_HIGHWAY_ORDER).fillna(len(_HIGHWAY_ORDER)).to_numpy()
    at: dict[Any, list[tuple]] = {}
    for k, (road, name) in enumerate(zip(seg["road_id"], seg["road_name"], strict=True)):
        entry = (rank[k], -float(road_len[road]), str(name), road)
        for node in (chain["lo_node"].iat[k], chain["hi_node"].iat[k]):
            at.setdefault(node, []).append(entry)
    return {node: sorted(set(v)) for node, v in at.items()}


def _crossing(streets: dict[Any, list[tuple]], node: Any, road: Any, name: str) -> str:
    """The most important other road at ``node``, or ``""``."""
    for _, _, other, other_road in streets.get(node, ()):
        if other_road != road and other != name:
            return other
    return ""


def section_segments(se: SegmentEvidence, rules: Rules, min_m: float = MIN_SECTION_M
                     ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Cut every road into sections and measure each section's evidence.

    Parameters
    ----------
    se
        From :func:`patrolgeo.plans._evidence.measure_segments`.
    rules
        The grading rules (the local grades cut the roads).
    min_m
        The shortest section (:data:`MIN_SECTION_M`).

    Returns
    -------
    per_segment
        Aligned with ``se.segments``: ``section_id``, ``section_no`` (1, 2, … along the
        road), ``chain_from_m``, ``chain_to_m``, ``local_grade``.
    sections
        One row per section (index ``section_id``, roads in ``road_id`` order, sections
        along each): ``road_id, section_no, from_m, to_m`` (chainage of its ends),
        ``section_from, section_to`` (the cross street at each end, or ``""``),
        ``road_length_m`` and the evidence columns of
        :func:`patrolgeo.plans._evidence.group_evidence`.
    """
    seg = se.segments
    chain = chainages(seg).reset_index(drop=True)
    local = local_grades(_local_evidence(se, chain, rules), rules).to_numpy(dtype=float)
    parts = se.vote_m <= 0
    local[parts & (seg["length_m"].to_numpy() > 0)] = np.nan  # sidewalks follow their street
    # along the road by the middle of each segment's chainage interval (what the plan
    # table's from/to show), so a branch's sections never interleave with the main line's
    middle = ((chain["lo_m"] + chain["hi_m"]) / 2).to_numpy()
    order = np.lexsort((seg["segment_id"].astype(str).to_numpy(), middle,
                        seg["road_id"].astype(str).to_numpy()))
    number = np.zeros(len(seg), dtype=int)
    length = seg["length_m"].to_numpy(dtype=float)
    road = seg["road_id"].to_numpy()
    filled = local.copy()
    for _, pos in pd.Series(road[order]).groupby(road[order], sort=False).indices.items():
        idx = order[np.asarray(pos)]
        grades = pd.Series(local[idx]).ffill().bfill().fillna(rules.default_grade)
        filled[idx] = grades.to_numpy()
        number[idx] = cut_runs(grades.to_numpy(dtype=int), length[idx], min_m) + 1
    section = np.array([f"{r}#{n}" for r, n in zip(road, number, strict=True)], dtype=object)
    per_segment = pd.DataFrame({"section_id": section, "section_no": number,
                                "chain_from_m": chain["lo_m"], "chain_to_m": chain["hi_m"],
                                "local_grade": filled.astype(int)})
    table = group_evidence(se, section, np.arange(len(seg)), rules)
    by = pd.DataFrame({"s": section, "road": road, "no": number, "lo": chain["lo_m"],
                       "hi": chain["hi_m"]})
    g = by.groupby("s")
    table["road_id"] = g["road"].first()
    table["section_no"] = g["no"].first()
    table["from_m"] = g["lo"].min()
    table["to_m"] = g["hi"].max()
    table["road_length_m"] = table["road_id"].map(seg.groupby("road_id")["length_m"].sum())
    streets = _cross_streets(se, chain)
    first = by.loc[by.groupby("s")["lo"].idxmin()].set_index("s").index
    last = by.loc[by.groupby("s")["hi"].idxmax()]
    start_node = pd.Series(chain["lo_node"].to_numpy()[by.groupby("s")["lo"].idxmin()],
                           index=first)
    end_node = pd.Series(chain["hi_node"].to_numpy()[last.index], index=last["s"])
    table["section_from"] = [_crossing(streets, start_node[s], r, n) for s, r, n in
                             zip(table.index, table["road_id"], table["road_name"],
                                 strict=True)]
    table["section_to"] = [_crossing(streets, end_node[s], r, n) for s, r, n in
                           zip(table.index, table["road_id"], table["road_name"],
                               strict=True)]
    table = table.sort_values(["road_id", "section_no"], key=_text_key)
    table.index.name = "section_id"
    return per_segment, table


def _text_key(col: pd.Series) -> pd.Series:
    return col.astype(str) if col.dtype == object else col
