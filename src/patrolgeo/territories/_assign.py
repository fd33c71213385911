"""The main entry: prepare the inputs, start, repair, balance, refine, measure."""

from __future__ import annotations

import math
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
import shapely

from patrolgeo.errors import AreaError, CapacityError, InputRowError
from patrolgeo.segments import validate_segments
from patrolgeo.territories._balance import balance
from patrolgeo.territories._evaluate import Territories, TerritoryStats, evaluate
from patrolgeo.territories._notes import (
    DISCONNECTED,
    OUT_OF_BAND,
    PREVIOUS_DISJOINT,
    TerritoryNote,
)
from patrolgeo.territories._params import (
    BALANCE_MARGIN,
    BULK_VIOLATION,
    DEFAULT_ISSUE_WEIGHT,
    DEFAULT_ROAD_SHARE,
    DEFAULT_SEARCH,
    DEFAULT_TOLERANCE,
    EPS,
    LONG_ROAD_WEIGHT,
    MAX_STATION_SNAP_M,
    MOVE_WEIGHT,
    UNNAMED_ROAD_WEIGHT,
    WHOLE_ROAD_WEIGHT,
    SearchParams,
)
from patrolgeo.territories._partition import _bisection_start
from patrolgeo.territories._paths import path_balance
from patrolgeo.territories._refine import refine
from patrolgeo.territories._repair import _fill_unassigned, _settle
from patrolgeo.territories._state import _State
from patrolgeo.territories._units import _atomic_roads, _build_units, _Net, _net, _Units
from patrolgeo.territories._workload import chief_ids, segment_workload


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
    params: SearchParams | None = None,
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
    params
        Budgets and thresholds of the search (default :class:`SearchParams`).

    Returns
    -------
    Territories
        The assignment, the per-chief summary, the moved segments and the stats.

    Raises
    ------
    SegmentsError
        When the segments break the segments contract (a missing column, a repeated
        id, a geographic CRS).
    CapacityError
        A bad tolerance, road share, chief count or capacity.
    InputRowError
        A bad workload, an unknown pinned segment or chief, stations not matching ``k``.
    AreaError
        A station farther than :data:`MAX_STATION_SNAP_M` from every road.
    """
    t0 = time.perf_counter()
    params = DEFAULT_SEARCH if params is None else params
    problem = _prepare(G, segments, k, workload=workload, issue_load=issue_load,
                       issue_weight=issue_weight, stations=stations, pins=pins,
                       previous=previous, capacities=capacities, chiefs=chiefs,
                       tolerance=tolerance, road_share=road_share, move_weight=move_weight,
                       seed=seed, params=params)
    notes: list[TerritoryNote] = []
    atomic = _atomic_roads(problem.net, road_share, problem.mean_target, problem.seg_pin,
                           problem.start_chief)
    units = _build_units(problem.net, atomic, problem.seg_pin, problem.seg_prev)
    part = _start(problem, units, atomic, notes)
    _settle(units, part, problem.k, problem.target)
    units, state = _balanced(problem, units, part, atomic)
    refine(state, params.refine_passes)
    if state.violations():
        balance(state, problem.max_moves)
    return _result(problem, units, state, notes, t0)


# --------------------------------------------------------------------------- inputs


@dataclass(frozen=True)
class _Problem:
    """The checked inputs of one assignment, as arrays in segment-id order."""

    seg: gpd.GeoDataFrame  # sorted by segment_id
    wl: pd.Series
    net: _Net
    ids: list[str]  # chief ids
    cap: np.ndarray
    target: np.ndarray
    seg_pin: np.ndarray  # pinned chief per segment (stations included), -1 if none
    centres: np.ndarray | None  # station positions
    seg_prev: np.ndarray  # previous chief per segment, -1 if none
    inherited: np.ndarray  # chief a new segment inherits, -1 if none
    previous: pd.DataFrame | None
    tolerance: float
    road_share: float
    move_weight: float  # 0 without a previous assignment
    seed: int
    params: SearchParams

    @property
    def k(self) -> int:
        """Number of chiefs."""
        return len(self.ids)

    @property
    def mean_target(self) -> float:
        """Mean target workload of a territory."""
        return float(self.target.mean())

    @property
    def start_chief(self) -> np.ndarray:
        """Previous or inherited chief per segment, -1 for neither."""
        return np.where(self.seg_prev >= 0, self.seg_prev, self.inherited)

    @property
    def max_moves(self) -> int:
        """Budget of single balancing moves."""
        return self.params.moves_per_segment * len(self.seg) + self.params.moves_extra


def _prepare(G: nx.MultiDiGraph | None, segments: gpd.GeoDataFrame, k: int | None, *,
             workload: pd.Series | str | None, issue_load: pd.Series | str | None,
             issue_weight: float, stations: pd.DataFrame | None, pins: pd.DataFrame | None,
             previous: pd.DataFrame | None, capacities: Mapping[str, float] | None,
             chiefs: list[str] | None, tolerance: float, road_share: float,
             move_weight: float, seed: int, params: SearchParams) -> _Problem:
    """Check the arguments and inputs and turn them into a :class:`_Problem`."""
    if not 0 < tolerance < 1:
        raise CapacityError(f"tolerance must lie in (0, 1), not {tolerance}", field="tolerance")
    if road_share < 0:
        raise CapacityError("road share must be >= 0", field="road_share")
    validate_segments(segments, projected=False)
    seg = segments.sort_values("segment_id", kind="stable").reset_index(drop=True)
    if len(seg) == 0:
        raise InputRowError("no segments to assign", field="segments")
    if seg.crs is None and G is not None:
        seg = seg.set_crs(G.graph.get("crs"))
    validate_segments(seg, ())
    wl = segment_workload(seg, workload, issue_load=issue_load, issue_weight=issue_weight)
    if wl.sum() <= 0:
        raise InputRowError("the total workload is zero", field="workload")
    net = _net(seg, wl)
    ids = _chief_ids(k, chiefs, stations, previous, len(seg))
    code = {c: n for n, c in enumerate(ids)}
    cap = _capacities(code, stations, capacities)
    seg_pin = _pinned(pins, net, code, ids)
    centres = None
    if stations is not None:
        centres = _anchor_stations(stations, seg, code, seg_pin)
    seg_prev = np.full(len(seg), -1, dtype=np.int64)
    inherited = np.full(len(seg), -1, dtype=np.int64)
    if previous is not None:
        seg_prev, inherited = _inherit_previous(net, previous, code)
    return _Problem(seg=seg, wl=wl, net=net, ids=ids, cap=cap,
                    target=net.w.sum() * cap / cap.sum(), seg_pin=seg_pin, centres=centres,
                    seg_prev=seg_prev, inherited=inherited, previous=previous,
                    tolerance=tolerance, road_share=road_share,
                    move_weight=move_weight if previous is not None else 0.0, seed=seed,
                    params=params)


def _chief_ids(k: int | None, chiefs: list[str] | None, stations: pd.DataFrame | None,
               previous: pd.DataFrame | None, n_segments: int) -> list[str]:
    """Return the chief ids: given, the stations', the previous ones, or ``C01`` …."""
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
    if len(ids) < 1:
        raise CapacityError("no chiefs", field="chiefs")
    if len(ids) > n_segments:
        raise CapacityError(f"{len(ids)} chiefs but only {n_segments} segments",
                            field="chiefs")
    return ids


def _capacities(code: dict[str, int], stations: pd.DataFrame | None,
                capacities: Mapping[str, float] | None) -> np.ndarray:
    """Relative capacity per chief: 1, else the stations' column, else ``capacities``."""
    cap = np.ones(len(code))
    if stations is not None and "capacity" in stations.columns:
        for c, v in zip(stations["chief_id"].astype(str), stations["capacity"], strict=True):
            cap[code[c]] = float(v)
    for c, v in (capacities or {}).items():
        if c not in code:
            raise CapacityError(f"capacity given for unknown chief {c!r}", field="capacities")
        if not v > 0:
            raise CapacityError(f"capacity of {c} must be > 0, not {v}", field="capacities")
        cap[code[c]] = float(v)
    return cap


def _pinned(pins: pd.DataFrame | None, net: _Net, code: dict[str, int],
            ids: list[str]) -> np.ndarray:
    """Pinned chief per segment (-1 for none), checking each pin row."""
    seg_pin = np.full(len(net.ids), -1, dtype=np.int64)
    if pins is None:
        return seg_pin
    seg_pos = {s: n for n, s in enumerate(net.ids)}
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
    return seg_pin


def _anchor_stations(stations: pd.DataFrame, seg: gpd.GeoDataFrame, code: dict[str, int],
                     seg_pin: np.ndarray) -> np.ndarray:
    """Pin each station's nearest segment to its chief (unless shared); return positions."""
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
    return sxy


def _stations_xy(stations: pd.DataFrame, crs: Any) -> np.ndarray:
    """Stations' ``lon, lat`` projected to ``crs``, as an ``(n, 2)`` array."""
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


# --------------------------------------------------------------------------- steps


def _start(problem: _Problem, units: _Units, atomic: np.ndarray,
           notes: list[TerritoryNote]) -> list[int]:
    """Start from the previous assignment where there is one, else by bisection."""
    unit_pins = np.asarray(units.pinned)
    if problem.previous is not None:
        part_arr = _previous_start(problem, units, unit_pins)
        if not (part_arr < 0).all():
            _fill_unassigned(units, part_arr)
            return part_arr.tolist()
        notes.append(TerritoryNote(PREVIOUS_DISJOINT))
    fine = _build_units(problem.net, np.zeros_like(atomic), problem.seg_pin, problem.seg_prev)
    return _bisection_start(units, fine, problem.target, problem.seed, problem.centres,
                            unit_pins, problem.tolerance, problem.params)


def _previous_start(problem: _Problem, units: _Units, unit_pins: np.ndarray) -> np.ndarray:
    """Each unit with the chief most of its known segments had (-1 if none), pins kept."""
    start = problem.start_chief
    part_arr = np.full(len(units.w), -1, dtype=np.int64)
    for i, m in enumerate(units.members):
        vals = start[m][start[m] >= 0]
        if len(vals):
            counts = np.bincount(vals, minlength=problem.k)
            part_arr[i] = int(np.argmax(counts))
    part_arr[unit_pins >= 0] = unit_pins[unit_pins >= 0]
    return part_arr


def _new_state(problem: _Problem, units: _Units, part: list[int]) -> _State:
    """Return a search state with the refine objective of this problem."""
    net, k = problem.net, problem.k
    # side of a square territory, for the compactness scale
    hull = shapely.convex_hull(shapely.multipoints(net.xy)).area
    comp_scale = max(math.sqrt(max(hull, 1.0) / k), 1.0)
    road_w = np.bincount(net.road, weights=net.w, minlength=len(net.road_ids))
    whole = net.named & (road_w <= problem.road_share * problem.mean_target)
    road_weight = np.where(whole, WHOLE_ROAD_WEIGHT,
                           np.where(net.named, LONG_ROAD_WEIGHT, UNNAMED_ROAD_WEIGHT))
    return _State(units, part, problem.target, problem.centres, problem.tolerance,
                  road_weight, comp_scale, problem.move_weight, params=problem.params)


def _rebalance(problem: _Problem, state: _State) -> None:
    """Bring every territory into the band (with slack on a fresh start)."""
    # a fresh start balances with slack for the refine step; a re-assignment moves only
    # what the tolerance forces
    tolerance, k = problem.tolerance, problem.k
    margin = tolerance * (1.0 if problem.previous is not None else BALANCE_MARGIN)
    worst = max(state.violation(c) for c in range(k))
    if worst > BULK_VIOLATION * tolerance:  # far off: shift whole borders first
        path_balance(state, margin, problem.params.path_steps_per_pair * k * k)
    balance(state, problem.max_moves, margin)


def _balanced(problem: _Problem, units: _Units, part: list[int],
              atomic: np.ndarray) -> tuple[_Units, _State]:
    """Balance; open whole roads at violating borders, then all roads, if that is blocked."""
    net = problem.net
    state = _new_state(problem, units, part)
    _rebalance(problem, state)
    rounds = problem.params.open_rounds
    for round_ in range(rounds):
        bad = state.violations()
        if not bad:
            break
        seg_part = np.asarray(state.part)[units.of_seg]
        if round_ < rounds - 1:
            opened = _roads_near(state, units, net, seg_part, bad)
        else:
            opened = np.arange(len(net.road_ids))
        if not atomic[opened].any():
            continue
        atomic = atomic.copy()
        atomic[opened] = False
        units = _build_units(net, atomic, problem.seg_pin, problem.seg_prev)
        state = _new_state(problem, units, [int(seg_part[m[0]]) for m in units.members])
        _rebalance(problem, state)
    return units, state


def _roads_near(state: _State, units: _Units, net: _Net, seg_part: np.ndarray,
                bad: list[int]) -> np.ndarray:
    """Roads of the violating territories and of their neighbours."""
    near_bad = set(bad)
    for c in bad:
        near_bad |= {state.part[v] for i in range(len(state.part))
                     if state.part[i] == c for v in units.nbrs[i]}
    return np.unique(net.road[np.isin(seg_part, list(near_bad))])


# --------------------------------------------------------------------------- results


def _result(problem: _Problem, units: _Units, state: _State, notes: list[TerritoryNote],
            t0: float) -> Territories:
    """Measure the final assignment and gather it into :class:`Territories`."""
    seg, net, ids, k = problem.seg, problem.net, problem.ids, problem.k
    seg_part = np.asarray(state.part)[units.of_seg]
    chief_of = pd.Series([ids[c] for c in seg_part], index=net.ids)
    centre_map = ({ids[c]: tuple(state.centres[c]) for c in range(k)}
                  if problem.centres is not None else None)
    stats, summary = evaluate(seg, chief_of, problem.wl,
                              capacities=dict(zip(ids, problem.cap, strict=True)),
                              road_share=problem.road_share, centres=centre_map)
    pin_ok = (problem.seg_pin < 0) | (problem.seg_pin == seg_part)
    stats.pins_broken = int((~pin_ok).sum())
    prev_col, moved = _changes(problem, chief_of, stats)
    tolerance = problem.tolerance
    if stats.imbalance > tolerance + EPS or stats.min_share < 1 - tolerance - EPS:
        notes.append(TerritoryNote(OUT_OF_BAND, {"tolerance": tolerance,
                                                 "max": stats.imbalance + 1,
                                                 "min": stats.min_share}))
    if stats.connected < k:
        notes.append(TerritoryNote(DISCONNECTED, {"count": k - stats.connected}))
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
                       chiefs=ids, centres=state.centres)


def _changes(problem: _Problem, chief_of: pd.Series,
             stats: TerritoryStats) -> tuple[pd.Series, pd.DataFrame]:
    """Previous chief per segment and the moved segments; counts moved/kept/new."""
    seg, net = problem.seg, problem.net
    prev_col = pd.Series([None] * len(seg), dtype=object)
    moved = pd.DataFrame(columns=["segment_id", "road_name", "from_chief", "to_chief"])
    previous = problem.previous
    if previous is None:
        return prev_col, moved
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
    return prev_col, moved
