"""Road-chief territories: every segment to exactly one of k chiefs.

A territory is a set of segments that is connected over the road network (segments
touch when they share an end node), carries a fair share of the district's workload, is
compact (few segment pairs cut between territories, short distances to its centre) and
keeps each named road whole unless the road is longer than a share of a territory.

The method is graph partitioning plus local search, as in districting for arc routing:

1. *Units.* Each named road short enough to stay whole (workload at most ``road_share``
   of a mean territory) becomes one unit per connected piece; every other segment is a
   unit of its own. Pins split a unit whose segments are pinned to different chiefs.
2. *Start.* Recursive bisection: METIS (``pymetis``, seeded) halves the area in the
   ratio of the two halves' capacities, both on the units and on single segments (each
   unit then follows most of its workload), with a few seeds; each candidate is repaired
   so both halves are connected and evened out by growing the lighter half into the
   heavier from the border (nearest its centre first); the balanced candidate with the
   fewest cut pairs is kept. With stations, chiefs are halved along the area's long axis
   and each half goes to the side nearer its stations. A re-assignment instead starts
   from the previous assignment: segments keep their chief, new segments inherit from
   the pieces of the same OSM way or from their neighbours, a new chief grows from the
   edge of the fullest territory.
3. *Repair.* Pinned units of one chief are joined by shortest paths; pieces cut off
   from their territory join the neighbour they share most boundary with.
4. *Balance.* Far-off loads first move in bulk along paths of neighbouring territories;
   then single boundary moves, or swaps of two units where units are coarse, lower the
   sum of squared relative overloads until every territory lies within
   ``1 ± tolerance`` of its target. No move splits a territory (checked by lock-step
   searches from the moved unit's neighbours). If whole roads block the balance, the
   roads at the violating boundaries are opened into segments and the step repeats.
5. *Refine.* Boundary moves and swaps that keep the band and lower
   ``cut pairs + compactness + road splits``. A re-assignment only polishes units that
   have already left their previous chief, so nothing moves that the balance does not
   need.

Workload is minutes per week per segment. Until the plans stage provides a ``workload``
column, the fallback is the minutes needed to walk the segment once at
:data:`DEFAULT_PATROL_SPEED_KMH`. An optional per-segment issue load is added with
weight ``issue_weight`` (minutes per unit of issue load).
"""

from __future__ import annotations

import csv
import heapq
import itertools
import math
import re
import time
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
import shapely
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components, dijkstra

from patrolgeo.errors import AreaError, CapacityError, InputRowError
from patrolgeo.i18n import tr

DEFAULT_PATROL_SPEED_KMH = 4.0
"""Foot-patrol speed of the fallback workload: minutes to walk a segment once."""

DEFAULT_TOLERANCE = 0.05
"""Allowed relative deviation of a territory's workload from its target."""

DEFAULT_ROAD_SHARE = 0.25
"""A named road stays whole unless its workload exceeds this share of a mean territory."""

DEFAULT_ISSUE_WEIGHT = 1.0
"""Minutes of workload per unit of issue load."""

MAX_STATION_SNAP_M = 2000.0
"""A station farther than this from every segment is an error (swapped lat/lon, wrong city)."""

#: Weights of the refine objective, in cut segment pairs.
COMPACTNESS_WEIGHT = 1.0  # per (segment length / mean length) x (distance / territory side)
WHOLE_ROAD_WEIGHT = 12.0  # per extra chief on a named road that should stay whole
LONG_ROAD_WEIGHT = 1.0  # per extra chief on a named road allowed to be split
UNNAMED_ROAD_WEIGHT = 0.3  # per extra chief on one unnamed way
MOVE_WEIGHT = 2.0  # per segment taken from its previous chief
BALANCE_MARGIN = 0.5  # balance to this share of the tolerance, leaving slack to refine
BISECTION_TRIES = 2  # seeds per bisection (each on units and on single segments)
BISECTION_TOLERANCE = 0.25  # each bisection is evened out to this share of the tolerance
BULK_VIOLATION = 2.0  # beyond this many tolerances, borders shift in bulk before unit moves
_EPS = 1e-9

ASSIGNMENT_COLUMNS = ["segment_id", "road_name", "chief_id", "workload"]


# --------------------------------------------------------------------------- inputs


def chief_ids(k: int, existing: list[str] | tuple[str, ...] = ()) -> list[str]:
    """Return ``k`` chief ids: ``existing`` first (in order), then ``C01``, ``C02`` … unused."""
    if k < 1:
        raise CapacityError(f"the number of chiefs must be at least 1, not {k}", field="chiefs")
    ids = list(dict.fromkeys(existing))[:k]
    width = max(2, len(str(k + len(existing))))
    n = 1
    while len(ids) < k:
        cand = f"C{n:0{width}d}"
        if cand not in ids:
            ids.append(cand)
        n += 1
    return ids


def _keyed(values: pd.Series | str, segments: gpd.GeoDataFrame, what: str) -> pd.Series:
    """Return ``values`` (a Series or a column name) as floats indexed by segment id."""
    if isinstance(values, str):
        if values not in segments.columns:
            raise InputRowError(f"segments have no column {values!r}", field=what)
        series = pd.Series(segments[values].to_numpy(), index=segments["segment_id"].to_numpy())
    else:
        series = pd.Series(values)
        ids = pd.Index(segments["segment_id"])
        if not series.index.isin(ids).all():
            if series.index.equals(segments.index):
                series = pd.Series(series.to_numpy(), index=ids)
            else:
                unknown = series.index[~series.index.isin(ids)][0]
                raise InputRowError(f"unknown segment id {unknown!r}", field=what)
    numeric = pd.to_numeric(series, errors="coerce").astype(float)
    bad = numeric.isna() & series.notna() | (numeric < 0) | np.isinf(numeric)
    if bad.any():
        sid = numeric.index[bad.to_numpy()][0]
        raise InputRowError(f"segment {sid}: {what} must be a number >= 0, not "
                            f"{series.loc[sid]!r}", field=what)
    return numeric


def segment_workload(
    segments: gpd.GeoDataFrame,
    workload: pd.Series | str | None = None,
    *,
    issue_load: pd.Series | str | None = None,
    issue_weight: float = DEFAULT_ISSUE_WEIGHT,
    speed_kmh: float = DEFAULT_PATROL_SPEED_KMH,
) -> pd.Series:
    """Return each segment's workload in minutes per week, indexed by ``segment_id``.

    Parameters
    ----------
    segments
        Segments from :func:`patrolgeo.roads.segments_from_graph`.
    workload
        A Series (indexed by segment id, or aligned with ``segments``) or a column name.
        ``None`` uses the ``workload`` column of the plans stage when present, else the
        fallback: minutes to walk the segment once at ``speed_kmh`` (``length_m``).
    issue_load
        Optional per-segment issue load (Series or column name); missing segments count 0.
    issue_weight
        Minutes of workload per unit of issue load.
    speed_kmh
        Patrol speed of the fallback.
    """
    if workload is None and "workload" in segments.columns:
        workload = "workload"
    if workload is None:
        if speed_kmh <= 0:
            raise InputRowError("patrol speed must be positive", field="speed_kmh")
        base = _keyed("length_m", segments, "length_m") / (speed_kmh * 1000 / 60)
    else:
        base = _keyed(workload, segments, "workload")
        base = base.reindex(segments["segment_id"])
        if base.isna().any():
            raise InputRowError(f"segment {base.index[base.isna()][0]} has no workload",
                                field="workload")
    if issue_load is not None:
        if issue_weight < 0:
            raise InputRowError("issue weight must be >= 0", field="issue_weight")
        extra = _keyed(issue_load, segments, "issue_load").fillna(0.0)
        base = base.add(issue_weight * extra.reindex(base.index).fillna(0.0))
    base.index.name = "segment_id"
    return base.rename("workload")


def _read_rows(path: str | Path, required: tuple[str, ...]) -> tuple[Path, list[tuple[int, dict]]]:
    """Read a CSV (UTF-8, optional BOM) into ``(line number, row)`` pairs."""
    path = Path(path)
    if not path.exists():
        raise InputRowError("file not found", file=path)
    try:
        with path.open(encoding="utf-8-sig", newline="") as fh:
            reader = csv.DictReader(fh)
            header = [h.strip() for h in (reader.fieldnames or [])]
            missing = [c for c in required if c not in header]
            if missing:
                raise InputRowError(f"missing column {missing[0]!r} (header: "
                                    f"{', '.join(header) or 'empty'})", file=path, row=1,
                                    field=missing[0])
            rows = []
            for row in reader:
                clean = {(k or "").strip(): (v or "").strip() if isinstance(v, str) else v
                         for k, v in row.items()}
                if not any(clean.get(c) for c in header):
                    continue  # blank line
                rows.append((reader.line_num, clean))
    except UnicodeDecodeError as exc:
        raise InputRowError("not UTF-8 text", file=path) from exc
    except csv.Error as exc:
        raise InputRowError(f"malformed CSV: {exc}", file=path) from exc
    return path, rows


def _number(text: Any, path: Path, line: int, name: str) -> float:
    try:
        value = float(text)
    except (TypeError, ValueError):
        raise InputRowError(f"{text!r} is not a number", file=path, row=line,
                            field=name) from None
    if not math.isfinite(value):
        raise InputRowError(f"{text!r} is not a finite number", file=path, row=line, field=name)
    return value


def read_stations(path: str | Path) -> pd.DataFrame:
    """Read chief stations: CSV with ``chief_id, lat, lon`` and optional ``capacity``.

    ``capacity`` (default 1) is a chief's relative share of the work: 0.5 for a
    part-time chief. Bad rows raise :class:`~patrolgeo.errors.InputRowError` naming the
    file, line and field.

    Returns
    -------
    pandas.DataFrame
        ``chief_id, lat, lon, capacity, row`` (``row``: line in the file);
        ``attrs["source"]`` is the file.
    """
    path, rows = _read_rows(path, ("chief_id", "lat", "lon"))
    out = []
    seen: dict[str, int] = {}
    for line, row in rows:
        chief = row.get("chief_id") or ""
        if not chief:
            raise InputRowError("empty chief_id", file=path, row=line, field="chief_id")
        if chief in seen:
            raise InputRowError(f"chief {chief!r} already given on line {seen[chief]}",
                                file=path, row=line, field="chief_id")
        seen[chief] = line
        lat = _number(row.get("lat"), path, line, "lat")
        lon = _number(row.get("lon"), path, line, "lon")
        if not -90 <= lat <= 90:
            raise InputRowError(f"latitude {lat} outside -90..90", file=path, row=line,
                                field="lat")
        if not -180 <= lon <= 180:
            raise InputRowError(f"longitude {lon} outside -180..180", file=path, row=line,
                                field="lon")
        capacity = 1.0
        if row.get("capacity"):
            capacity = _number(row["capacity"], path, line, "capacity")
            if capacity <= 0:
                raise InputRowError(f"capacity must be > 0, not {capacity}", file=path,
                                    row=line, field="capacity")
        out.append({"chief_id": chief, "lat": lat, "lon": lon, "capacity": capacity,
                    "row": line})
    if not out:
        raise InputRowError("no stations in the file", file=path)
    table = pd.DataFrame(out)
    table.attrs["source"] = str(path)
    return table


def _read_pairs(path: str | Path) -> pd.DataFrame:
    path, rows = _read_rows(path, ("segment_id", "chief_id"))
    out = []
    for line, row in rows:
        for name in ("segment_id", "chief_id"):
            if not row.get(name):
                raise InputRowError(f"empty {name}", file=path, row=line, field=name)
        out.append({"segment_id": row["segment_id"], "chief_id": row["chief_id"], "row": line})
    table = pd.DataFrame(out, columns=["segment_id", "chief_id", "row"])
    table.attrs["source"] = str(path)
    return table


def read_pins(path: str | Path) -> pd.DataFrame:
    """Read pinned assignments: CSV with ``segment_id, chief_id``.

    A segment pinned twice to different chiefs is an error naming both lines.

    Returns
    -------
    pandas.DataFrame
        ``segment_id, chief_id, row``; ``attrs["source"]`` is the file.
    """
    table = _read_pairs(path)
    first: dict[str, tuple[str, int]] = {}
    for sid, chief, line in table[["segment_id", "chief_id", "row"]].itertuples(index=False):
        if sid in first and first[sid][0] != chief:
            raise InputRowError(f"segment {sid} pinned to {first[sid][0]} on line "
                                f"{first[sid][1]} and to {chief}", file=table.attrs["source"],
                                row=line, field="chief_id")
        first.setdefault(sid, (chief, line))
    deduped = table.drop_duplicates("segment_id").reset_index(drop=True)
    deduped.attrs = table.attrs
    return deduped


def read_assignment(path: str | Path) -> pd.DataFrame:
    """Read a previous assignment (an ``assignments.csv`` written by patrolgeo).

    Only ``segment_id`` and ``chief_id`` are used; a segment listed twice is an error.

    Returns
    -------
    pandas.DataFrame
        ``segment_id, chief_id, row``; ``attrs["source"]`` is the file.
    """
    table = _read_pairs(path)
    dup = table["segment_id"].duplicated()
    if dup.any():
        line = int(table.loc[dup.idxmax(), "row"])
        raise InputRowError(f"segment {table.loc[dup.idxmax(), 'segment_id']} listed twice",
                            file=table.attrs["source"], row=line, field="segment_id")
    if table.empty:
        raise InputRowError("no assignments in the file", file=table.attrs["source"])
    return table


# --------------------------------------------------------------------------- network


@dataclass
class _Net:
    """Segments as arrays, in segment-id order."""

    ids: np.ndarray
    road: np.ndarray  # road index per segment
    road_ids: list[str]
    named: np.ndarray  # per road
    w: np.ndarray
    length: np.ndarray
    xy: np.ndarray  # midpoints
    pairs: np.ndarray  # (m, 2) adjacent segment positions, i < j


def segment_pairs(segments: gpd.GeoDataFrame) -> np.ndarray:
    """Return the pairs of segment positions that share an end node (``i < j``)."""
    n = len(segments)
    ends = pd.DataFrame({
        "seg": np.concatenate([np.arange(n), np.arange(n)]),
        "node": np.concatenate([segments["u"].to_numpy(), segments["v"].to_numpy()]),
    }).drop_duplicates()
    joined = ends.merge(ends, on="node", suffixes=("_a", "_b"))
    joined = joined[joined["seg_a"] < joined["seg_b"]]
    pairs = joined[["seg_a", "seg_b"]].drop_duplicates().to_numpy(dtype=np.int64)
    order = np.lexsort((pairs[:, 1], pairs[:, 0])) if len(pairs) else np.arange(0)
    return pairs[order].reshape(-1, 2)


def _net(segments: gpd.GeoDataFrame, workload: pd.Series) -> _Net:
    for col in ("segment_id", "u", "v", "length_m", "geometry"):
        if col not in segments.columns:
            raise InputRowError(f"segments have no column {col!r}", field=col)
    if not segments["segment_id"].is_unique:
        dup = segments["segment_id"][segments["segment_id"].duplicated()].iloc[0]
        raise InputRowError(f"segment id {dup!r} occurs twice", field="segment_id")
    if segments.crs is not None and not segments.crs.is_projected:
        raise AreaError("segments must be in a projected CRS (metres)", field="crs")
    road_col = "road_id" if "road_id" in segments.columns else "segment_id"
    if "name_source" in segments.columns:
        named_seg = segments["name_source"].fillna("").astype(str).ne("").to_numpy()
    elif "road_name" in segments.columns:
        named_seg = segments["road_name"].notna().to_numpy()
    else:
        named_seg = np.zeros(len(segments), dtype=bool)
    road_codes, road_ids = pd.factorize(segments[road_col].astype(str), sort=True)
    named = np.zeros(len(road_ids), dtype=bool)
    np.logical_or.at(named, road_codes, named_seg)
    mid = shapely.line_interpolate_point(segments.geometry.values, 0.5, normalized=True)
    return _Net(
        ids=segments["segment_id"].to_numpy(dtype=object),
        road=road_codes.astype(np.int64),
        road_ids=[str(r) for r in road_ids],
        named=named,
        w=workload.reindex(segments["segment_id"]).to_numpy(dtype=float),
        length=segments["length_m"].to_numpy(dtype=float),
        xy=np.column_stack([shapely.get_x(mid), shapely.get_y(mid)]),
        pairs=segment_pairs(segments),
    )


def _components(n: int, pairs: np.ndarray) -> np.ndarray:
    graph = coo_matrix((np.ones(len(pairs)), (pairs[:, 0], pairs[:, 1])), shape=(n, n))
    return connected_components(graph, directed=False)[1]


# --------------------------------------------------------------------------- units


@dataclass
class _Units:
    """Groups of segments that move together, and their adjacency."""

    of_seg: np.ndarray
    members: list[np.ndarray]
    w: list[float]
    length: list[float]
    nseg: list[int]
    xy: np.ndarray
    road: list[int]
    nbrs: list[list[int]]
    ews: list[list[int]]
    edges: np.ndarray  # (m, 3): unit a, unit b, pair count
    pinned: list[int]
    prev_known: list[int]
    prev_count: list[dict[int, int]]


def _build_units(net: _Net, atomic: np.ndarray, seg_pin: np.ndarray,
                 seg_prev: np.ndarray) -> _Units:
    n = len(net.ids)
    a, b = net.pairs[:, 0], net.pairs[:, 1]
    same = (net.road[a] == net.road[b]) & atomic[net.road[a]]
    labels = _components(n, net.pairs[same])
    # relabel in order of first segment, so unit order follows segment-id order
    _, first = np.unique(labels, return_index=True)
    order = np.argsort(first)
    remap = np.empty(len(order), dtype=np.int64)
    remap[order] = np.arange(len(order))
    of_seg = remap[labels]
    n_units = len(order)
    sort = np.argsort(of_seg, kind="stable")
    bounds = np.searchsorted(of_seg[sort], np.arange(n_units + 1))
    members = [sort[bounds[i]:bounds[i + 1]] for i in range(n_units)]
    w = np.bincount(of_seg, weights=net.w, minlength=n_units)
    length = np.bincount(of_seg, weights=net.length, minlength=n_units)
    nseg = np.bincount(of_seg, minlength=n_units)
    lw = np.maximum(net.length, 1e-6)
    tot = np.bincount(of_seg, weights=lw, minlength=n_units)
    xy = np.column_stack([np.bincount(of_seg, weights=net.xy[:, i] * lw, minlength=n_units)
                          / tot for i in (0, 1)])
    road = [int(net.road[m[0]]) for m in members]
    ua, ub = of_seg[a], of_seg[b]
    cross = ua != ub
    lo, hi = np.minimum(ua, ub)[cross], np.maximum(ua, ub)[cross]
    if len(lo):
        uniq, counts = np.unique(np.column_stack([lo, hi]), axis=0, return_counts=True)
    else:
        uniq, counts = np.zeros((0, 2), dtype=np.int64), np.zeros(0, dtype=np.int64)
    nbrs: list[list[int]] = [[] for _ in range(n_units)]
    ews: list[list[int]] = [[] for _ in range(n_units)]
    for (p, q), c in zip(uniq.tolist(), counts.tolist(), strict=True):
        nbrs[p].append(q)
        ews[p].append(c)
        nbrs[q].append(p)
        ews[q].append(c)
    pinned = []
    prev_known = []
    prev_count = []
    for m in members:
        pins = set(seg_pin[m].tolist()) - {-1}
        pinned.append(pins.pop() if pins else -1)
        prev = seg_prev[m]
        prev = prev[prev >= 0]
        prev_known.append(len(prev))
        vals, cnt = np.unique(prev, return_counts=True)
        prev_count.append(dict(zip(vals.tolist(), cnt.tolist(), strict=True)))
    return _Units(of_seg=of_seg, members=members, w=w.tolist(), length=length.tolist(),
                  nseg=nseg.tolist(), xy=xy, road=road, nbrs=nbrs, ews=ews,
                  edges=np.column_stack([uniq, counts]) if len(uniq) else
                  np.zeros((0, 3), dtype=np.int64),
                  pinned=pinned, prev_known=prev_known, prev_count=prev_count)


def _atomic_roads(net: _Net, road_share: float, mean_target: float, seg_pin: np.ndarray,
                  seg_prev: np.ndarray) -> np.ndarray:
    """Roads kept as whole units: named, short enough, not pinned or previously split."""
    road_w = np.bincount(net.road, weights=net.w, minlength=len(net.road_ids))
    atomic = net.named & (road_w <= road_share * mean_target)
    for values in (seg_pin, seg_prev):
        known = values >= 0
        if not known.any():
            continue
        table = pd.DataFrame({"road": net.road[known], "chief": values[known]})
        split = table.groupby("road")["chief"].nunique()
        atomic[split.index[split.to_numpy() > 1].to_numpy()] = False
    return atomic


# --------------------------------------------------------------------------- search


class _Search:
    """Moves of units between chiefs under connectivity, balance and cost."""

    def __init__(self, units: _Units, part: list[int], target: np.ndarray,
                 centres: np.ndarray | None, tolerance: float, road_weight: np.ndarray,
                 comp_scale: float, move_weight: float, light: bool = False) -> None:
        self.u = units
        self.light = light
        self.part = part
        self.k = len(target)
        self.target = target.tolist()
        self.tol = tolerance
        self.fixed_centres = centres
        self.road_weight = road_weight.tolist()
        self.comp_scale = comp_scale
        self.move_weight = move_weight
        self.load = [0.0] * self.k
        self.road_count: dict[int, dict[int, int]] = {}
        for i, c in enumerate(part):
            self.load[c] += units.w[i]
            rc = self.road_count.setdefault(units.road[i], {})
            rc[c] = rc.get(c, 0) + 1
        self.mean_len = max(float(np.mean(units.length)), 1e-6)
        self.update_centres()

    # ---- geometry
    def update_centres(self) -> None:
        xy = self.u.xy
        if self.fixed_centres is not None:
            centres = self.fixed_centres
        else:
            part = np.asarray(self.part)
            lw = np.maximum(np.asarray(self.u.length), 1e-6)
            tot = np.bincount(part, weights=lw, minlength=self.k)
            centres = np.column_stack([
                np.bincount(part, weights=xy[:, i] * lw, minlength=self.k) / np.maximum(tot, 1e-9)
                for i in (0, 1)])
        self.centres = centres
        if self.light:  # transfers only need the centres
            return
        d = np.hypot(xy[:, None, 0] - centres[None, :, 0], xy[:, None, 1] - centres[None, :, 1])
        scale = COMPACTNESS_WEIGHT / (self.mean_len * self.comp_scale)
        self.comp = (d * np.asarray(self.u.length)[:, None] * scale).tolist()
        self.centres = centres

    # ---- cost
    def delta_cost(self, i: int, a: int, b: int) -> float:
        u, part = self.u, self.part
        cut = 0
        for v, e in zip(u.nbrs[i], u.ews[i], strict=True):
            pv = part[v]
            if pv == a:
                cut += e
            elif pv == b:
                cut -= e
        rc = self.road_count[u.road[i]]
        roads = (rc.get(b, 0) == 0) - (rc.get(a, 0) == 1)
        comp = self.comp[i]
        cost = cut + comp[b] - comp[a] + roads * self.road_weight[u.road[i]]
        if u.prev_known[i]:
            pc = u.prev_count[i]
            cost += self.move_weight * (pc.get(a, 0) - pc.get(b, 0))
        return cost

    def rel(self, c: int) -> float:
        return self.load[c] / self.target[c]

    def delta_phi(self, w: float, a: int, b: int) -> float:
        la, lb, ta, tb = self.load[a], self.load[b], self.target[a], self.target[b]
        return (((la - w - ta) ** 2 - (la - ta) ** 2) / ta
                + ((lb + w - tb) ** 2 - (lb - tb) ** 2) / tb)

    def fits(self, w: float, a: int, b: int) -> bool:
        return (self.load[b] + w <= (1 + self.tol) * self.target[b] + _EPS
                and self.load[a] - w >= (1 - self.tol) * self.target[a] - _EPS)

    def violation(self, c: int, tol: float | None = None) -> float:
        r = self.rel(c)
        tol = self.tol if tol is None else tol
        return max(r - 1 - tol, 1 - tol - r, 0.0)

    # ---- moves
    def move(self, i: int, b: int) -> None:
        a = self.part[i]
        w = self.u.w[i]
        self.load[a] -= w
        self.load[b] += w
        rc = self.road_count[self.u.road[i]]
        rc[a] -= 1
        if rc[a] == 0:
            del rc[a]
        rc[b] = rc.get(b, 0) + 1
        self.part[i] = b

    def keeps_connected(self, i: int) -> bool:
        """Tell whether territory ``part[i]`` stays connected without unit ``i``."""
        part, nbrs = self.part, self.u.nbrs
        a = part[i]
        starts = list(dict.fromkeys(v for v in nbrs[i] if part[v] == a))
        if len(starts) <= 1:
            return True
        # lock-step searches from every neighbour; fail as soon as one group is closed
        owner = {s: n for n, s in enumerate(starts)}
        owner[i] = -1
        parent = list(range(len(starts)))
        frontier = {n: deque([s]) for n, s in enumerate(starts)}
        groups = len(starts)

        def find(x: int) -> int:
            while parent[x] != x:
                parent[x] = parent[parent[x]]
                x = parent[x]
            return x

        while groups > 1:
            for root in sorted(frontier):
                if root not in frontier:
                    continue
                queue = frontier[root]
                if not queue:
                    return False
                x = queue.popleft()
                for y in nbrs[x]:
                    if part[y] != a:
                        continue
                    o = owner.get(y)
                    if o is None:
                        owner[y] = root
                        queue.append(y)
                    elif o >= 0:
                        ry = find(o)
                        if ry != root:
                            keep, drop = min(root, ry), max(root, ry)
                            parent[drop] = keep
                            frontier[keep].extend(frontier.pop(drop))
                            groups -= 1
                            if groups == 1:
                                return True
                            if drop == root:
                                break
        return True

    def boundary(self, c: int | None = None) -> list[int]:
        part, nbrs = self.part, self.u.nbrs
        return [i for i in range(len(part)) if (c is None or part[i] == c)
                and any(part[v] != part[i] for v in nbrs[i])]

    # ---- phase: balance
    def balance(self, max_moves: int, tol: float | None = None) -> int:
        """Move units until every territory is within ``1 ± tol``; return moves made."""
        tol = self.tol if tol is None else tol
        moves = 0
        stuck: set[int] = set()
        u = self.u
        while moves < max_moves:
            worst = sorted(((self.violation(c, tol), c) for c in range(self.k)
                            if c not in stuck and self.violation(c, tol) > _EPS), reverse=True)
            if not worst:
                break
            _, c = worst[0]
            over = self.rel(c) > 1
            cands = []
            for i in range(len(self.part)):
                a = self.part[i]
                if u.pinned[i] >= 0:
                    continue
                if over and a != c:
                    continue
                if not over and (a == c or self.rel(a) <= self.rel(c)):
                    continue
                targets = {self.part[v] for v in u.nbrs[i]} - {a}
                if not over:
                    targets &= {c}
                for b in targets:
                    if over and self.rel(b) >= self.rel(c):
                        continue
                    dphi = self.delta_phi(u.w[i], a, b)
                    if dphi >= -_EPS:
                        continue
                    dcost = self.delta_cost(i, a, b)
                    # cost per minute of workload moved; among free moves the larger
                    cands.append((dcost, -u.w[i], i, b))
            cands.sort()
            done = False
            for *_, i, b in cands[:60]:
                if self.keeps_connected(i):
                    self.move(i, b)
                    moves += 1
                    done = True
                    break
            if not done and self.swap(c, tol):
                moves += 2
                done = True
            if done:
                stuck.clear()
            else:
                stuck.add(c)
        return moves

    def swap(self, c: int, tol: float) -> bool:
        """Exchange a unit of c for a unit of a neighbour when no single move balances.

        Units are coarse next to a small imbalance: giving one unit and taking back a
        slightly smaller one moves the difference. Returns whether a swap was made.
        """
        u, part = self.u, self.part

        def excess(load: float, t: float) -> float:
            r = load / t
            return max(r - 1 - tol, 1 - tol - r, 0.0)

        before = {b: excess(self.load[c], self.target[c]) + excess(self.load[b], self.target[b])
                  for b in range(self.k)}
        # units of c touching each neighbour b, and units of b touching c
        give: dict[int, list[int]] = {}
        take: dict[int, list[int]] = {}
        for i in range(len(part)):
            if u.pinned[i] >= 0:
                continue
            touching = {part[v] for v in u.nbrs[i]}
            if part[i] == c:
                for b in touching - {c}:
                    give.setdefault(b, []).append(i)
            elif c in touching:
                take.setdefault(part[i], []).append(i)
        ranked = []
        for b in sorted(give):
            for i in give[b]:
                for j in take.get(b, []):
                    d = u.w[j] - u.w[i]
                    after = (excess(self.load[c] + d, self.target[c])
                             + excess(self.load[b] - d, self.target[b]))
                    if after < before[b] - _EPS:
                        ranked.append((after, i, j))
        ranked.sort()
        options = []
        for after, i, j in ranked[:200]:
            b = part[j]
            options.append((after, self.delta_cost(i, c, b) + self.delta_cost(j, b, c), i, j))
        options.sort()
        for _, _, i, j in options[:40]:
            b = part[j]
            if not self.keeps_connected(i):
                continue
            self.move(i, b)
            if any(part[v] == c for v in u.nbrs[j]) and self.keeps_connected(j):
                self.move(j, c)
                return True
            self.move(i, c)
        return False

    # ---- phase: bulk balance along paths of territories
    def transfer(self, x: int, y: int, amount: float) -> float:
        """Grow territory y into x by about ``amount`` of workload; return what moved.

        Units of x touching y are taken nearest to y's centre first, each only if x stays
        connected without it, so y grows compactly and both stay connected.
        """
        part, u = self.part, self.u
        cx, cy = self.centres[y]
        xy = u.xy

        def key(i: int) -> tuple[float, int]:
            return (math.hypot(xy[i, 0] - cx, xy[i, 1] - cy), i)

        heap = [key(i) for i in range(len(part))
                if part[i] == x and any(part[v] == y for v in u.nbrs[i])]
        heapq.heapify(heap)
        tried: set[int] = set()
        moved = 0.0
        while heap and moved < amount:
            _, i = heapq.heappop(heap)
            if i in tried or part[i] != x:
                continue
            tried.add(i)
            if u.pinned[i] >= 0:
                continue
            group = [i] if self.keeps_connected(i) else self.detach(i)
            if group is None:
                continue
            w = sum(u.w[j] for j in group)
            if moved + w - amount > amount - moved:
                continue
            for j in group:
                self.move(j, y)
                tried.add(j)
            moved += w
            for j in group:
                for v in u.nbrs[j]:
                    if part[v] == x and v not in tried:
                        heapq.heappush(heap, key(v))
        return moved

    def detach(self, i: int) -> list[int] | None:
        """Return ``i`` with the pieces of its territory that only hang on ``i``.

        The largest remaining piece stays; ``None`` if a detached piece holds a pin.
        """
        part, nbrs = self.part, self.u.nbrs
        a = part[i]
        seen = {i}
        pieces: list[list[int]] = []
        for s in nbrs[i]:
            if part[s] != a or s in seen:
                continue
            piece = [s]
            seen.add(s)
            queue = deque([s])
            while queue:
                x = queue.popleft()
                for y in nbrs[x]:
                    if part[y] == a and y not in seen:
                        seen.add(y)
                        piece.append(y)
                        queue.append(y)
            pieces.append(piece)
        if len(pieces) <= 1:
            return [i]
        w = self.u.w
        pieces.sort(key=lambda pc: (-sum(w[j] for j in pc), min(pc)))
        group = [i] + [j for pc in pieces[1:] for j in pc]
        if any(self.u.pinned[j] >= 0 for j in group):
            return None
        return group

    def territory_graph(self) -> dict[int, set[int]]:
        p = self.part
        adj: dict[int, set[int]] = {c: set() for c in range(self.k)}
        for a, b, _ in self.u.edges.tolist():
            if p[a] != p[b]:
                adj[p[a]].add(p[b])
                adj[p[b]].add(p[a])
        return adj

    def path_balance(self, tol: float, max_steps: int) -> int:
        """Move workload from the fullest to the emptiest territory along a path of
        neighbouring territories, each border shifting by the same amount."""
        steps = 0
        blocked: set[tuple[int, int]] = set()
        while steps < max_steps:
            rel = [self.rel(c) for c in range(self.k)]
            order_over = sorted(range(self.k), key=lambda c: (-rel[c], c))
            order_under = sorted(range(self.k), key=lambda c: (rel[c], c))
            if rel[order_over[0]] <= 1 + tol and rel[order_under[0]] >= 1 - tol:
                break
            adj = self.territory_graph()
            pair = next(((o, un) for o in order_over[:3] for un in order_under[:3]
                         if o != un and (o, un) not in blocked and rel[o] > rel[un]), None)
            if pair is None:
                break
            o, un = pair
            path = self._path(adj, o, un)
            amount = min(self.load[o] - self.target[o], self.target[un] - self.load[un])
            if self.fixed_centres is None:
                self.update_centres()
            if path is None or amount <= _EPS:
                blocked.add(pair)
                continue
            moved = amount
            for x, y in itertools.pairwise(path):
                moved = self.transfer(x, y, moved)
                if moved <= _EPS:
                    break
            steps += 1
            if moved <= _EPS:
                blocked.add(pair)
            else:
                blocked.clear()
        return steps

    @staticmethod
    def _path(adj: dict[int, set[int]], a: int, b: int) -> list[int] | None:
        prev = {a: -1}
        queue = deque([a])
        while queue:
            x = queue.popleft()
            if x == b:
                path = [b]
                while prev[path[-1]] >= 0:
                    path.append(prev[path[-1]])
                return path[::-1]
            for y in sorted(adj[x]):
                if y not in prev:
                    prev[y] = x
                    queue.append(y)
        return None

    def violations(self) -> list[int]:
        return [c for c in range(self.k) if self.violation(c) > _EPS]

    # ---- phase: refine
    def settled(self, i: int) -> bool:
        """Whether unit i is pinned, or (re-assigning) still wholly with its previous chief:
        such units are not moved to polish the result, only to balance it."""
        u = self.u
        if u.pinned[i] >= 0:
            return True
        return (self.move_weight > 0 and u.prev_known[i] > 0
                and u.prev_count[i].get(self.part[i], 0) == u.prev_known[i])

    def refine(self, max_passes: int) -> int:
        """Apply improving boundary moves and swaps within the band; return moves made."""
        u = self.u
        moves = 0
        for _ in range(max_passes):
            improved = 0
            for i in self.boundary():
                if self.settled(i):
                    continue
                a = self.part[i]
                best, best_b = -1e-6, -1
                for b in sorted({self.part[v] for v in u.nbrs[i]} - {a}):
                    if not self.fits(u.w[i], a, b):
                        continue
                    d = self.delta_cost(i, a, b)
                    if d < best:
                        best, best_b = d, b
                if best_b >= 0 and self.keeps_connected(i):
                    self.move(i, best_b)
                    improved += 1
            if not improved:
                improved = self.refine_swaps()
            moves += improved
            if self.fixed_centres is None:
                self.update_centres()
            if not improved:
                break
        return moves

    def refine_swaps(self, max_swaps: int = 50) -> int:
        """Apply improving exchanges of two units that a single move cannot make within
        the band (one unit out, a similar one back); return the units moved."""
        u, part = self.u, self.part
        lo = [(1 - self.tol) * t - _EPS for t in self.target]
        hi = [(1 + self.tol) * t + _EPS for t in self.target]
        take: dict[tuple[int, int], list[int]] = {}
        for j in self.boundary():
            if not self.settled(j):
                for a in {part[v] for v in u.nbrs[j]} - {part[j]}:
                    take.setdefault((part[j], a), []).append(j)
        done = 0
        for i in self.boundary():
            if done >= max_swaps or self.settled(i):
                continue
            a = part[i]
            for b in sorted({part[v] for v in u.nbrs[i]} - {a}):
                di = self.delta_cost(i, a, b)
                if di >= -1e-6 or self.fits(u.w[i], a, b):
                    continue
                options = []
                for j in take.get((b, a), []):
                    if j == i or part[j] != b:
                        continue
                    la = self.load[a] - u.w[i] + u.w[j]
                    lb = self.load[b] + u.w[i] - u.w[j]
                    if lo[a] <= la <= hi[a] and lo[b] <= lb <= hi[b]:
                        options.append((self.delta_cost(j, b, a), j))
                options = sorted(o for o in options if o[0] + di < -1e-6)[:5]
                if not options or not self.keeps_connected(i):
                    continue
                self.move(i, b)
                swapped = False
                for _, j in options:
                    if (part[j] == b and any(part[v] == a for v in u.nbrs[j])
                            and self.delta_cost(j, b, a) + di < -1e-6
                            and self.keeps_connected(j)):
                        self.move(j, a)
                        swapped = True
                        break
                if swapped:
                    done += 2
                    break
                self.move(i, a)
        return done


# --------------------------------------------------------------------------- start


def _settle(units: _Units, part: list[int], k: int, target: np.ndarray) -> None:
    """Join pins, seed empty chiefs and repair connectivity, in place."""
    _connect_pins(units, part, k)
    _seed_empty(units, part, k, target)
    _repair(units, part, k, target)


def _metis_sub(graph: _Units, members: np.ndarray, shares: list[float], seed: int) -> np.ndarray:
    """Cut the subgraph of ``graph`` induced by ``members`` into parts of the given shares."""
    import pymetis

    local = np.full(len(graph.w), -1, dtype=np.int64)
    local[members] = np.arange(len(members))
    e = graph.edges
    keep = (local[e[:, 0]] >= 0) & (local[e[:, 1]] >= 0)
    a, b, c = local[e[keep, 0]], local[e[keep, 1]], e[keep, 2]
    n = len(members)
    if n < len(shares) or len(a) == 0:
        return np.arange(n) % len(shares)
    src = np.concatenate([a, b])
    dst = np.concatenate([b, a])
    wts = np.concatenate([c, c])
    order = np.lexsort((dst, src))
    src, dst, wts = src[order], dst[order], wts[order]
    xadj = np.concatenate([[0], np.cumsum(np.bincount(src, minlength=n))])
    w = np.asarray(graph.w)[members]
    total = w.sum()
    vweights = np.maximum(1, np.round(w * (1_000_000 / total if total > 0 else 1))).astype(int)
    tp = [x / sum(shares) for x in shares]
    tp[-1] = max(0.0, 1.0 - sum(tp[:-1]))
    _, parts = pymetis.part_graph(
        len(shares), pymetis.CSRAdjacency(xadj.tolist(), dst.tolist()),
        vweights=vweights.tolist(), eweights=wts.tolist(), tpwgts=tp,
        options=pymetis.Options(seed=seed, ufactor=30))
    return np.asarray(parts, dtype=np.int64)


def _repair_two(units: _Units, lab: list[int], members: np.ndarray) -> None:
    """Make sides 0 and 1 of a bisection connected: cut-off pieces go to the other side."""
    n = len(lab)
    e = units.edges
    pinned = np.asarray(units.pinned) >= 0
    w = np.asarray(units.w)
    for side in (0, 1):
        p = np.asarray(lab)
        same = (p[e[:, 0]] == side) & (p[e[:, 1]] == side)
        labels = _components(n, e[same, :2])
        mine = np.flatnonzero(p == side)
        if len(mine) == 0:
            continue
        comps = labels[mine]
        main = set(comps[pinned[mine]].tolist())
        if not main:
            comp_w = pd.Series(w[mine]).groupby(comps).sum()
            main = {int(comp_w.index[np.lexsort((comp_w.index, -comp_w.to_numpy()))[0]])}
        for i in mine[~np.isin(comps, list(main))]:
            lab[i] = 1 - side


def _split_chiefs(chiefs: list[int], xy: np.ndarray,
                  centres: np.ndarray | None) -> tuple[list[int], list[int]]:
    """Halve a group of chiefs; with stations, along the area's long axis."""
    half = len(chiefs) // 2
    if centres is None:
        return chiefs[:half], chiefs[half:]
    axis = np.linalg.svd(xy - xy.mean(axis=0), full_matrices=False)[2][0]
    proj = centres[chiefs] @ axis
    order = [chiefs[j] for j in np.lexsort((chiefs, proj))]
    return order[:half], order[half:]


def _bisection_start(units: _Units, fine: _Units, target: np.ndarray, seed: int,
                     centres: np.ndarray | None, unit_pins: np.ndarray,
                     tolerance: float) -> list[int]:
    """Recursive bisection into connected, balanced halves (METIS, repair, transfer).

    Each bisection tries METIS on the units and on single segments with a few seeds,
    repairs both halves to be connected, evens them out by growing the lighter half
    into the heavier, and keeps the candidate that is balanced with the fewest cuts.
    Both halves are connected, so every final territory is.
    """
    k = len(target)
    n = len(units.w)
    part = [0] * n
    if k == 1:
        return part
    e = units.edges
    fine_of_unit = [fine.of_seg[m] for m in units.members]
    fine_w = np.asarray(fine.w)
    stack: list[tuple[np.ndarray, list[int]]] = [(np.arange(n), list(range(k)))]
    while stack:
        members, chiefs = stack.pop()
        if len(chiefs) == 1:
            for i in members:
                part[i] = chiefs[0]
            continue
        left, right = _split_chiefs(chiefs, units.xy[members], centres)
        t_left, t_right = float(target[left].sum()), float(target[right].sum())
        inside = np.zeros(n, dtype=bool)
        inside[members] = True
        best: tuple[tuple[float, int], list[int]] | None = None
        kinds = [(attempt, graph) for attempt in range(BISECTION_TRIES)
                 for graph in (units, fine)] + [(0, None)]
        for attempt, graph in kinds:
            if graph is None:  # fallback: a straight cut across the long axis
                sides = _axis_split(units, members, t_left / (t_left + t_right))
            elif graph is fine:
                fmembers = np.unique(np.concatenate([fine_of_unit[i] for i in members]))
                fparts = np.full(len(fine.w), -1, dtype=np.int64)
                fparts[fmembers] = _metis_sub(fine, fmembers, [t_left, t_right],
                                              seed * 1000 + attempt)
                sides = np.asarray([
                    int(np.argmax(np.bincount(fparts[fine_of_unit[i]],
                                              weights=fine_w[fine_of_unit[i]] + 1e-9,
                                              minlength=2)))
                    for i in members])
            else:
                sides = _metis_sub(units, members, [t_left, t_right],
                                   seed * 1000 + attempt)
            lab = [2] * n
            for i, sd in zip(members.tolist(), sides.tolist(), strict=True):
                lab[i] = sd
            _orient(units, lab, members, left, right, centres, unit_pins)
            for i in members.tolist():
                pin = unit_pins[i]
                if pin >= 0:
                    lab[i] = 0 if pin in left else 1
            _repair_two(units, lab, members)
            rest = float(target.sum()) - t_left - t_right
            search = _Search(units, lab, np.asarray([t_left, t_right, max(rest, 1.0)]),
                             None, tolerance, np.zeros(1), 1.0, 0.0, light=True)
            for _ in range(8):
                excess = search.load[0] - t_left
                if abs(excess) <= BISECTION_TOLERANCE * tolerance * min(t_left, t_right):
                    break
                x, y = (0, 1) if excess > 0 else (1, 0)
                search.update_centres()
                if search.transfer(x, y, abs(excess)) <= _EPS:
                    break
            p = np.asarray(lab)
            dev = abs(search.load[0] / t_left - 1) + abs(search.load[1] / t_right - 1)
            cut = int(e[(p[e[:, 0]] != p[e[:, 1]]) & inside[e[:, 0]] & inside[e[:, 1]],
                        2].sum())
            score = (round(max(dev - tolerance, 0.0), 6), cut)
            if best is None or score < best[0]:
                best = (score, lab)
        assert best is not None
        lab = best[1]
        p = np.asarray(lab)
        stack.append((np.flatnonzero(p == 1), right))
        stack.append((np.flatnonzero(p == 0), left))
    return part


def _axis_split(units: _Units, members: np.ndarray, share: float) -> np.ndarray:
    """Split ``members`` by a line across the area's long axis at the workload ``share``."""
    xy = units.xy[members]
    axis = np.linalg.svd(xy - xy.mean(axis=0), full_matrices=False)[2][0]
    proj = xy @ axis
    order = np.lexsort((members, proj))
    w = np.asarray(units.w)[members][order]
    cum = np.cumsum(w)
    sides = np.ones(len(members), dtype=np.int64)
    sides[order[cum - w / 2 <= share * cum[-1]]] = 0
    return sides


def _orient(units: _Units, lab: list[int], members: np.ndarray, left: list[int],
            right: list[int], centres: np.ndarray | None, unit_pins: np.ndarray) -> None:
    """Swap sides 0/1 if that agrees better with pins, then with the stations."""
    idx = members
    sides = np.asarray([lab[i] for i in idx])
    pins = unit_pins[idx]
    w = np.asarray(units.w)[idx]
    agree = disagree = 0.0
    for sd, pin, wi in zip(sides.tolist(), pins.tolist(), w.tolist(), strict=True):
        if pin < 0:
            continue
        if (pin in left) == (sd == 0):
            agree += wi + 1
        else:
            disagree += wi + 1
    flip = disagree > agree
    if agree == disagree and centres is not None:
        xy = units.xy[idx]
        c0 = xy[sides == 0].mean(axis=0) if (sides == 0).any() else xy.mean(axis=0)
        c1 = xy[sides == 1].mean(axis=0) if (sides == 1).any() else xy.mean(axis=0)
        gl, gr = centres[left].mean(axis=0), centres[right].mean(axis=0)
        keep = np.hypot(*(c0 - gl)) + np.hypot(*(c1 - gr))
        swap = np.hypot(*(c0 - gr)) + np.hypot(*(c1 - gl))
        flip = swap < keep
    if flip:
        for i in idx.tolist():
            lab[i] = 1 - lab[i]


def _unit_graph(units: _Units, lengths: bool = True) -> coo_matrix:
    n = len(units.w)
    e = units.edges
    if lengths:
        ln = np.asarray(units.length)
        weights = (ln[e[:, 0]] + ln[e[:, 1]]) / 2 + 1e-3
    else:
        weights = np.ones(len(e))
    return coo_matrix((np.concatenate([weights, weights]),
                       (np.concatenate([e[:, 0], e[:, 1]]), np.concatenate([e[:, 1], e[:, 0]]))),
                      shape=(n, n)).tocsr()


def _connect_pins(units: _Units, part: list[int], k: int) -> None:
    """Join the pinned units of each chief by shortest paths through unpinned units."""
    pinned = np.asarray(units.pinned)
    if (pinned >= 0).sum() < 2:
        return
    graph = _unit_graph(units)
    claimed = pinned.copy()
    for c in range(k):
        mine = np.flatnonzero(pinned == c)
        if len(mine) < 2:
            continue
        free = (claimed < 0) | (claimed == c)
        keep = free[graph.tocoo().row] & free[graph.tocoo().col]
        coo = graph.tocoo()
        sub = coo_matrix((coo.data[keep], (coo.row[keep], coo.col[keep])),
                         shape=graph.shape).tocsr()
        tree = {int(mine[0])}
        rest = [int(x) for x in mine[1:]]
        while rest:
            dist, pred, _ = dijkstra(sub, indices=sorted(tree), min_only=True,
                                     return_predecessors=True)
            reach = [(dist[r], r) for r in rest if np.isfinite(dist[r])]
            if not reach:
                break
            _, r = min(reach)
            node = r
            while node >= 0 and node not in tree:
                tree.add(node)
                if claimed[node] < 0:
                    claimed[node] = c
                    part[node] = c
                node = pred[node]
            rest = [x for x in rest if x not in tree]


def _repair(units: _Units, part: list[int], k: int, target: np.ndarray) -> None:
    """Give every piece cut off from its territory to the neighbour it touches most."""
    e = units.edges
    n = len(part)
    w = np.asarray(units.w)
    pinned = np.asarray(units.pinned)
    for _ in range(n + 1):
        p = np.asarray(part)
        same = p[e[:, 0]] == p[e[:, 1]]
        labels = _components(n, e[same, :2])
        comp_w = np.bincount(labels, weights=w + 1e-9)
        comp_owner = np.zeros(labels.max() + 1, dtype=np.int64)
        comp_owner[labels] = p
        comp_pinned = np.zeros(labels.max() + 1, dtype=bool)
        comp_pinned[labels[pinned >= 0]] = True
        main = np.zeros(labels.max() + 1, dtype=bool)
        main[comp_pinned] = True
        for c in range(k):
            comps = np.flatnonzero(comp_owner == c)
            if len(comps) and not comp_pinned[comps].any():
                best = comps[np.lexsort((comps, -comp_w[comps]))[0]]
                main[best] = True
        fragments = [f for f in np.unique(labels) if not main[f]]
        if not fragments:
            return
        is_main_unit = main[labels]
        load = np.bincount(p, weights=w, minlength=k) / target
        touch: dict[int, dict[int, int]] = {}
        for a, b, cnt in e.tolist():
            for x, y in ((a, b), (b, a)):
                if not is_main_unit[x] and is_main_unit[y] and p[y] != p[x]:
                    t = touch.setdefault(int(labels[x]), {})
                    t[int(p[y])] = t.get(int(p[y]), 0) + cnt
        changed = False
        for f in fragments:
            options = touch.get(int(f))
            if not options:
                continue
            chief = min(options, key=lambda c: (-options[c], load[c], c))
            for i in np.flatnonzero(labels == f):
                part[i] = chief
            changed = True
        if not changed:
            return


def _seed_empty(units: _Units, part: list[int], k: int, target: np.ndarray) -> None:
    """Give each chief without units a connected ball cut from the fullest territory's edge."""
    graph = _unit_graph(units)
    w = np.asarray(units.w)
    pinned = np.asarray(units.pinned)
    for c in range(k):
        if c in set(part):
            continue
        p = np.asarray(part)
        load = np.bincount(p, weights=w, minlength=k) / target
        donor = int(np.argmax(load))
        members = np.flatnonzero((p == donor) & (pinned < 0))
        if len(members) == 0:
            continue
        centre = units.xy[p == donor].mean(axis=0)
        far = np.hypot(*(units.xy[members] - centre).T)
        seed = int(members[np.lexsort((members, -far))[0]])
        dist = dijkstra(graph, indices=seed)
        order = np.lexsort((np.arange(len(w)), dist))
        taken = 0.0
        for i in order:
            if not np.isfinite(dist[i]) or taken >= target[c]:
                break
            if pinned[i] >= 0:
                continue
            part[i] = c
            taken += w[i]


# --------------------------------------------------------------------------- results


@dataclass
class TerritoryStats:
    """Quality of an assignment (all measured from the assignment itself)."""

    k: int
    imbalance: float
    """max over chiefs of workload/target, minus 1 (``max/mean - 1`` for equal capacities)."""
    min_share: float
    """min over chiefs of workload/target."""
    connected: int
    """Territories that are connected over the road network."""
    cut_pairs: int
    """Pairs of segments sharing a node but belonging to different chiefs."""
    roads_split: int
    """Named roads short enough to stay whole that have more than one chief."""
    max_radius_m: float
    moved: int = 0
    kept: int = 0
    new: int = 0
    pins_broken: int = 0
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)


@dataclass
class Territories:
    """The outcome of :func:`assign_territories`.

    Attributes
    ----------
    assignment
        One row per segment (sorted by ``segment_id``): ``segment_id, road_id,
        road_name, chief_id, workload, length_m, previous_chief, u, v, geometry``.
    summary
        One row per chief: ``chief_id, capacity, segments, km, workload, target,
        share_of_mean, share_of_target, radius_m, connected, route_km, deadhead_km``
        (route columns are empty until :func:`with_routes`).
    moved
        Segments whose chief changed from the previous assignment:
        ``segment_id, road_name, from_chief, to_chief``.
    stats
        :class:`TerritoryStats`.
    chiefs
        Chief ids, in order.
    centres
        ``(k, 2)`` centres used for compactness (stations or territory centroids), in the
        segments' CRS.
    """

    assignment: gpd.GeoDataFrame
    summary: pd.DataFrame
    moved: pd.DataFrame
    stats: TerritoryStats
    chiefs: list[str]
    centres: np.ndarray
    routes: TerritoryRoutes | None = None


def evaluate(
    segments: gpd.GeoDataFrame,
    chief_of: pd.Series,
    workload: pd.Series | None = None,
    *,
    capacities: Mapping[str, float] | None = None,
    road_share: float = DEFAULT_ROAD_SHARE,
    centres: Mapping[str, tuple[float, float]] | None = None,
) -> tuple[TerritoryStats, pd.DataFrame]:
    """Measure any assignment (ours or a peer's) the same way.

    Parameters
    ----------
    segments
        The segments.
    chief_of
        Chief per segment, indexed by ``segment_id``.
    workload
        Workload per segment (indexed by ``segment_id``); defaults to
        :func:`segment_workload`.
    capacities
        Relative capacity per chief (default 1 each).
    road_share
        Which named roads count as "should stay whole" for ``roads_split``.
    centres
        Centre per chief for the radius; default the length-weighted centroid.

    Returns
    -------
    tuple
        :class:`TerritoryStats` and the per-chief summary table.
    """
    seg = segments.sort_values("segment_id").reset_index(drop=True)
    wl = segment_workload(seg) if workload is None else workload
    net = _net(seg, wl)
    chief = chief_of.reindex(seg["segment_id"]).astype(object)
    if chief.isna().any():
        raise InputRowError(f"segment {chief.index[chief.isna()][0]} has no chief",
                            field="chief_id")
    chiefs = list(capacities or {}) + sorted(set(chief.tolist()) - set(capacities or {}))
    code = {c: n for n, c in enumerate(chiefs)}
    p = np.asarray([code[c] for c in chief.tolist()])
    k = len(chiefs)
    cap = np.asarray([float((capacities or {}).get(c, 1.0)) for c in chiefs])
    target = net.w.sum() * cap / cap.sum()
    load = np.bincount(p, weights=net.w, minlength=k)
    a, b = net.pairs[:, 0], net.pairs[:, 1]
    same = p[a] == p[b]
    labels = _components(len(p), net.pairs[same])
    n_comp = np.asarray([len(np.unique(labels[p == c])) for c in range(k)])
    road_w = np.bincount(net.road, weights=net.w, minlength=len(net.road_ids))
    whole = net.named & (road_w <= road_share * target.mean())
    chiefs_per_road = pd.Series(p).groupby(net.road).nunique()
    roads_split = int(((chiefs_per_road > 1) & whole[chiefs_per_road.index]).sum())
    lw = np.maximum(net.length, 1e-6)
    tot = np.bincount(p, weights=lw, minlength=k)
    cxy = np.column_stack([np.bincount(p, weights=net.xy[:, i] * lw, minlength=k)
                           / np.maximum(tot, 1e-9) for i in (0, 1)])
    if centres:
        for c, xy in centres.items():
            if c in code:
                cxy[code[c]] = xy
    dist = np.hypot(*(net.xy - cxy[p]).T)
    radius = np.zeros(k)
    np.maximum.at(radius, p, dist)
    share = load / target
    summary = pd.DataFrame({
        "chief_id": chiefs,
        "capacity": cap,
        "segments": np.bincount(p, minlength=k),
        "km": np.bincount(p, weights=net.length, minlength=k) / 1000,
        "workload": load,
        "target": target,
        "share_of_mean": load / load.mean(),
        "share_of_target": share,
        "radius_m": radius,
        "connected": n_comp == 1,
        "route_km": np.nan,
        "deadhead_km": np.nan,
    })
    stats = TerritoryStats(
        k=k, imbalance=float(share.max() - 1), min_share=float(share.min()),
        connected=int((n_comp == 1).sum()), cut_pairs=int((~same).sum()),
        roads_split=roads_split, max_radius_m=float(radius.max()),
    )
    return stats, summary


# --------------------------------------------------------------------------- main entry


def _stations_xy(stations: pd.DataFrame, crs: Any) -> np.ndarray:
    pts = gpd.GeoSeries(gpd.points_from_xy(stations["lon"], stations["lat"]), crs="EPSG:4326")
    pts = pts.to_crs(crs) if crs is not None else pts
    return np.column_stack([pts.x.to_numpy(), pts.y.to_numpy()])


def _inherit_previous(
    net: _Net, previous: pd.DataFrame, code: dict[str, int]
) -> tuple[np.ndarray, np.ndarray]:
    """Previous chief per segment; new segments inherit from pieces of the same OSM way."""
    prev_map = dict(zip(previous["segment_id"].astype(str), previous["chief_id"].astype(str),
                        strict=True))
    seg_prev = np.asarray([code.get(prev_map.get(s, ""), -1) for s in net.ids], dtype=np.int64)
    pattern = re.compile(r"^(-?\d+)-(-?\d+)-(-?\d+)")
    by_way: dict[str, list[tuple[set[str], int]]] = {}
    for sid, chief in prev_map.items():
        m = pattern.match(sid)
        if m and chief in code:
            by_way.setdefault(m.group(1), []).append(({m.group(2), m.group(3)}, code[chief]))
    inherited = np.full(len(net.ids), -1, dtype=np.int64)
    for n, sid in enumerate(net.ids):
        if str(sid) in prev_map:
            continue
        m = pattern.match(str(sid))
        if not m or m.group(1) not in by_way:
            continue
        ends = {m.group(2), m.group(3)}
        pieces = by_way[m.group(1)]
        touching = [c for nodes, c in pieces if nodes & ends] or [c for _, c in pieces]
        counts = pd.Series(touching).value_counts()
        inherited[n] = int(min(counts.index[counts == counts.max()]))
    return seg_prev, inherited


def assign_territories(
    G: nx.MultiDiGraph | None,
    segments: gpd.GeoDataFrame,
    k: int | None = None,
    *,
    workload: pd.Series | str | None = None,
    issue_load: pd.Series | str | None = None,
    issue_weight: float = DEFAULT_ISSUE_WEIGHT,
    stations: pd.DataFrame | None = None,
    pins: pd.DataFrame | None = None,
    previous: pd.DataFrame | None = None,
    capacities: Mapping[str, float] | None = None,
    chiefs: list[str] | None = None,
    tolerance: float = DEFAULT_TOLERANCE,
    road_share: float = DEFAULT_ROAD_SHARE,
    move_weight: float = MOVE_WEIGHT,
    seed: int = 0,
) -> Territories:
    """Divide the segments among ``k`` road chiefs.

    Parameters
    ----------
    G
        The road graph the segments came from (used for the CRS when segments carry
        none); may be ``None``.
    segments
        Segments from :func:`patrolgeo.roads.segments_from_graph`, in a projected CRS.
    k
        Number of chiefs. Defaults to the number of stations, or of chiefs in
        ``previous``.
    workload, issue_load, issue_weight
        See :func:`segment_workload`.
    stations
        From :func:`read_stations`: one row per chief (its ids become the chief ids),
        with ``lat, lon`` in degrees and ``capacity``. Each territory holds the segment
        nearest to its station (unless another station snaps there too) and is kept
        compact around it.
    pins
        From :func:`read_pins`: ``segment_id, chief_id`` that must hold. A pinned
        segment of a road that stays whole takes its road along.
    previous
        From :func:`read_assignment`: a previous assignment to disturb as little as
        possible (re-assignment after a network, k or capacity change).
    capacities
        Relative capacity per chief id (default 1; overrides the stations' column).
    chiefs
        Chief ids to use (default: stations, else the previous chiefs, else ``C01`` …).
    tolerance
        Every territory's workload must lie within ``1 ± tolerance`` of its target
        (total x capacity share).
    road_share
        A named road stays whole unless its workload is above this share of a mean
        territory.
    move_weight
        Cost of taking one segment from its previous chief, in cut segment pairs.
    seed
        Seed of METIS; the same inputs and seed give the same assignment.

    Returns
    -------
    Territories
    """
    t0 = time.perf_counter()
    if not 0 < tolerance < 1:
        raise CapacityError(f"tolerance must lie in (0, 1), not {tolerance}", field="tolerance")
    if road_share < 0:
        raise CapacityError("road share must be >= 0", field="road_share")
    seg = segments.sort_values("segment_id", kind="stable").reset_index(drop=True)
    if len(seg) == 0:
        raise InputRowError("no segments to assign", field="segments")
    if seg.crs is None and G is not None:
        seg = seg.set_crs(G.graph.get("crs"))
    wl = segment_workload(seg, workload, issue_load=issue_load, issue_weight=issue_weight)
    if wl.sum() <= 0:
        raise InputRowError("the total workload is zero", field="workload")
    net = _net(seg, wl)

    # chiefs and capacities
    if chiefs is not None:
        ids = list(dict.fromkeys(chiefs))
    elif stations is not None:
        ids = stations["chief_id"].astype(str).tolist()
    elif previous is not None and k is None:
        ids = sorted(set(previous["chief_id"].astype(str)))
    else:
        existing = sorted(set(previous["chief_id"].astype(str))) if previous is not None else []
        ids = chief_ids(k if k is not None else 0, existing)
    if k is not None and k != len(ids):
        if stations is not None:
            raise InputRowError(f"{k} chiefs asked but {len(ids)} stations given",
                                file=stations.attrs.get("source"), field="chiefs")
        ids = chief_ids(k, ids)
    k = len(ids)
    if k < 1:
        raise CapacityError("no chiefs", field="chiefs")
    if k > len(seg):
        raise CapacityError(f"{k} chiefs but only {len(seg)} segments", field="chiefs")
    code = {c: n for n, c in enumerate(ids)}
    cap = np.ones(k)
    if stations is not None and "capacity" in stations.columns:
        for c, v in zip(stations["chief_id"].astype(str), stations["capacity"], strict=True):
            cap[code[c]] = float(v)
    for c, v in (capacities or {}).items():
        if c not in code:
            raise CapacityError(f"capacity given for unknown chief {c!r}", field="capacities")
        if not v > 0:
            raise CapacityError(f"capacity of {c} must be > 0, not {v}", field="capacities")
        cap[code[c]] = float(v)
    target = net.w.sum() * cap / cap.sum()
    notes: list[str] = []

    # pins and station anchors
    seg_pos = {s: n for n, s in enumerate(net.ids)}
    seg_pin = np.full(len(seg), -1, dtype=np.int64)
    if pins is not None:
        src = pins.attrs.get("source")
        for sid, chief, line in zip(pins["segment_id"].astype(str), pins["chief_id"].astype(str),
                                    pins["row"] if "row" in pins else [None] * len(pins),
                                    strict=True):
            if sid not in seg_pos:
                raise InputRowError(f"unknown segment {sid}", file=src, row=line,
                                    field="segment_id")
            if chief not in code:
                raise InputRowError(f"unknown chief {chief} (chiefs: {', '.join(ids)})",
                                    file=src, row=line, field="chief_id")
            seg_pin[seg_pos[sid]] = code[chief]
    centres = None
    if stations is not None:
        sxy = _stations_xy(stations, seg.crs)
        tree = shapely.STRtree(seg.geometry.values)
        near, dist = tree.query_nearest(shapely.points(sxy), return_distance=True,
                                        all_matches=False)
        nearest = np.full(len(sxy), -1)
        nearest[near[0]] = near[1]
        dists = np.full(len(sxy), np.inf)
        dists[near[0]] = dist
        src = stations.attrs.get("source")
        for n, (chief, line) in enumerate(zip(stations["chief_id"].astype(str),
                                              stations.get("row", [None] * len(stations)),
                                              strict=True)):
            if dists[n] > MAX_STATION_SNAP_M:
                raise AreaError(f"station of {chief} lies {dists[n]:.0f} m from the nearest "
                                f"road (more than {MAX_STATION_SNAP_M:.0f} m): check lat/lon",
                                file=src, row=line, field="lat")
        counts = pd.Series(nearest).value_counts()
        for n, chief in enumerate(stations["chief_id"].astype(str)):
            s = int(nearest[n])
            if counts[s] == 1 and seg_pin[s] < 0:
                seg_pin[s] = code[chief]
        centres = sxy

    # previous assignment
    seg_prev = np.full(len(seg), -1, dtype=np.int64)
    inherited = np.full(len(seg), -1, dtype=np.int64)
    if previous is not None:
        seg_prev, inherited = _inherit_previous(net, previous, code)

    mean_target = float(target.mean())
    atomic = _atomic_roads(net, road_share, mean_target, seg_pin,
                           np.where(seg_prev >= 0, seg_prev, inherited))
    units = _build_units(net, atomic, seg_pin, seg_prev)
    unit_pins = np.asarray(units.pinned)

    # start
    if previous is not None:
        start = np.where(seg_prev >= 0, seg_prev, inherited)
        part_arr = np.full(len(units.w), -1, dtype=np.int64)
        for i, m in enumerate(units.members):
            vals = start[m][start[m] >= 0]
            if len(vals):
                counts = np.bincount(vals, minlength=k)
                part_arr[i] = int(np.argmax(counts))
        part_arr[unit_pins >= 0] = unit_pins[unit_pins >= 0]
        if (part_arr < 0).all():
            notes.append(tr("上次分配与当前路网无共同分段，重新划分",
                            "the previous assignment shares no segment with this network; "
                            "partitioned afresh"))
            fine = _build_units(net, np.zeros_like(atomic), seg_pin, seg_prev)
            part_arr = np.asarray(_bisection_start(units, fine, target, seed, centres,
                                                   unit_pins, tolerance))
        else:
            _fill_unassigned(units, part_arr)
        part = part_arr.tolist()
    else:
        fine = _build_units(net, np.zeros_like(atomic), seg_pin, seg_prev)
        part = _bisection_start(units, fine, target, seed, centres, unit_pins, tolerance)
    _settle(units, part, k, target)

    # side of a square territory, for the compactness scale
    hull = shapely.convex_hull(shapely.multipoints(net.xy)).area
    comp_scale = max(math.sqrt(max(hull, 1.0) / k), 1.0)
    road_w = np.bincount(net.road, weights=net.w, minlength=len(net.road_ids))
    whole = net.named & (road_w <= road_share * mean_target)
    road_weight = np.where(whole, WHOLE_ROAD_WEIGHT,
                           np.where(net.named, LONG_ROAD_WEIGHT, UNNAMED_ROAD_WEIGHT))
    max_moves = 20 * len(seg) + 100

    def search_for(units_: _Units, part_: list[int]) -> _Search:
        return _Search(units_, part_, target, centres, tolerance, road_weight, comp_scale,
                       move_weight if previous is not None else 0.0)

    # a fresh start balances with slack for the refine step; a re-assignment moves only
    # what the tolerance forces
    margin = tolerance * (1.0 if previous is not None else BALANCE_MARGIN)

    def rebalance(search: _Search) -> None:
        worst = max(search.violation(c) for c in range(k))
        if worst > BULK_VIOLATION * tolerance:  # far off: shift whole borders first
            search.path_balance(margin, 4 * k * k)
        search.balance(max_moves, margin)

    search = search_for(units, part)
    rebalance(search)
    # open whole roads at violating boundaries, then all roads, if balance is blocked
    for rounds in range(3):
        bad = search.violations()
        if not bad:
            break
        seg_part = np.asarray(search.part)[units.of_seg]
        if rounds < 2:
            near_bad = set(bad)
            for c in bad:
                near_bad |= {search.part[v] for i in range(len(search.part))
                             if search.part[i] == c for v in units.nbrs[i]}
            opened = np.unique(net.road[np.isin(seg_part, list(near_bad))])
        else:
            opened = np.arange(len(net.road_ids))
        if not atomic[opened].any():
            continue
        atomic = atomic.copy()
        atomic[opened] = False
        units = _build_units(net, atomic, seg_pin, seg_prev)
        part = [int(seg_part[m[0]]) for m in units.members]
        search = search_for(units, part)
        rebalance(search)
    search.refine(max_passes=30)
    if search.violations():
        search.balance(max_moves)

    # results
    seg_part = np.asarray(search.part)[units.of_seg]
    chief_of = pd.Series([ids[c] for c in seg_part], index=net.ids)
    centre_map = ({ids[c]: tuple(search.centres[c]) for c in range(k)}
                  if centres is not None else None)
    stats, summary = evaluate(seg, chief_of, wl, capacities=dict(zip(ids, cap, strict=True)),
                              road_share=road_share, centres=centre_map)
    pin_ok = (seg_pin < 0) | (seg_pin == seg_part)
    stats.pins_broken = int((~pin_ok).sum())
    prev_col = pd.Series([None] * len(seg), dtype=object)
    moved = pd.DataFrame(columns=["segment_id", "road_name", "from_chief", "to_chief"])
    if previous is not None:
        prev_map = dict(zip(previous["segment_id"].astype(str),
                            previous["chief_id"].astype(str), strict=True))
        prev_col = pd.Series([prev_map.get(str(s)) for s in net.ids], dtype=object)
        known = prev_col.notna().to_numpy()
        changed = known & (prev_col.to_numpy() != chief_of.to_numpy())
        stats.moved = int(changed.sum())
        stats.kept = int((known & ~changed).sum())
        stats.new = int((~known).sum())
        moved = pd.DataFrame({
            "segment_id": net.ids[changed],
            "road_name": seg["road_name"].to_numpy()[changed] if "road_name" in seg else None,
            "from_chief": prev_col.to_numpy()[changed],
            "to_chief": chief_of.to_numpy()[changed],
        })
    if stats.imbalance > tolerance + 1e-9 or stats.min_share < 1 - tolerance - 1e-9:
        notes.append(tr(
            f"未能把工作量控制在 ±{tolerance:.0%} 内（最大 {stats.imbalance + 1:.3f}，"
            f"最小 {stats.min_share:.3f}）",
            f"workloads could not all be brought within ±{tolerance:.0%} of target "
            f"(max {stats.imbalance + 1:.3f}, min {stats.min_share:.3f})"))
    if stats.connected < k:
        notes.append(tr(f"{k - stats.connected} 个片区不连通（固定分配所致）",
                        f"{k - stats.connected} territories are not connected (forced by pins)"))
    stats.notes = notes
    road_name = seg["road_name"] if "road_name" in seg else seg["segment_id"]
    assignment = gpd.GeoDataFrame({
        "segment_id": net.ids,
        "road_id": seg["road_id"] if "road_id" in seg else seg["segment_id"],
        "road_name": road_name,
        "chief_id": chief_of.to_numpy(),
        "workload": net.w,
        "length_m": net.length,
        "previous_chief": prev_col.to_numpy(),
        "u": seg["u"].to_numpy(),
        "v": seg["v"].to_numpy(),
    }, geometry=seg.geometry.values, crs=seg.crs)
    stats.seconds = time.perf_counter() - t0
    return Territories(assignment=assignment, summary=summary, moved=moved, stats=stats,
                       chiefs=ids, centres=search.centres)


def _fill_unassigned(units: _Units, part: np.ndarray) -> None:
    """Give unassigned units the chief of the neighbour reached first (breadth first)."""
    queue = deque(int(i) for i in np.flatnonzero(part >= 0))
    while queue:
        i = queue.popleft()
        for v in sorted(units.nbrs[i]):
            if part[v] < 0:
                part[v] = part[i]
                queue.append(v)
    if (part < 0).any():  # pragma: no cover - the segment graph is connected
        part[part < 0] = 0


# --------------------------------------------------------------------------- routes


@dataclass
class TerritoryRoutes:
    """Patrol routes of the territories, from the routing stage.

    ``routes`` maps each chief to its :class:`~patrolgeo.routing.Route`, each one checked
    by :func:`~patrolgeo.routing.verify_route` before it is kept.
    """

    per_chief: pd.DataFrame
    longest_route_m: float = math.nan
    total_deadhead_m: float = math.nan
    whole_area_route_m: float = math.nan
    whole_area_deadhead_m: float = math.nan
    routes: dict[str, Any] = field(default_factory=dict)


def territory_routes(
    G: nx.MultiDiGraph,
    territories: Territories,
    segments: gpd.GeoDataFrame,
    *,
    mode: str | None = None,
    whole_area: bool = True,
) -> TerritoryRoutes:
    """Route each territory with the postman of the routing stage, and the whole area once.

    Each route may travel over the whole district's streets (``segments``) but serves
    only its chief's. Reports the longest route (the min-max objective) and the total
    deadhead of the k routes beside the deadhead of one route over the whole area.

    Raises
    ------
    RoutingError
        When a route fails the independent check.
    """
    from patrolgeo.routing import postman_route, verify_route

    mode = mode or G.graph.get("mode", "walk")
    seg = territories.assignment
    rows, routes = [], {}
    for chief in territories.chiefs:
        ids = seg.loc[seg["chief_id"] == chief, "segment_id"].tolist()
        route = postman_route(G, segments, required=ids, mode=mode)
        verify_route(G, ids, route, segments=segments).raise_if_invalid()
        routes[chief] = route
        rows.append({"chief_id": chief, "route_km": route.total_length_m / 1000,
                     "deadhead_km": route.deadhead_length_m / 1000})
    per_chief = pd.DataFrame(rows)
    whole = (postman_route(G, segments, required=seg["segment_id"].tolist(), mode=mode)
             if whole_area else None)
    return TerritoryRoutes(
        per_chief=per_chief,
        longest_route_m=float(per_chief["route_km"].max() * 1000),
        total_deadhead_m=float(per_chief["deadhead_km"].sum() * 1000),
        whole_area_route_m=float(whole.total_length_m) if whole else math.nan,
        whole_area_deadhead_m=float(whole.deadhead_length_m) if whole else math.nan,
        routes=routes,
    )


def with_routes(territories: Territories, routes: TerritoryRoutes) -> Territories:
    """Return ``territories`` with the route columns of its summary filled in."""
    summary = territories.summary.drop(columns=["route_km", "deadhead_km"]).merge(
        routes.per_chief, on="chief_id", how="left")
    return replace(territories, summary=summary, routes=routes)


def assignment_table(territories: Territories) -> pd.DataFrame:
    """The ``assignments.csv`` table: ``segment_id, road_name, chief_id, workload``."""
    table = pd.DataFrame(territories.assignment[ASSIGNMENT_COLUMNS])
    table["workload"] = table["workload"].round(3)
    return table


def summary_table(territories: Territories) -> pd.DataFrame:
    """The ``chiefs.csv`` table: one row per chief, rounded for people and diffs."""
    table = territories.summary.copy()
    for col, digits in (("km", 3), ("workload", 1), ("target", 1), ("share_of_mean", 4),
                        ("share_of_target", 4), ("radius_m", 0), ("route_km", 3),
                        ("deadhead_km", 3)):
        table[col] = table[col].astype(float).round(digits)
    return table

