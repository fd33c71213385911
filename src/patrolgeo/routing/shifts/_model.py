"""The street model: required segments and point visits as a PyVRP problem.

Each required street segment becomes a *mutually exclusive pair of directed clients*
(a PyVRP client group: serve it one way or the other; a one-way street has a single
client); point visits are ordinary clients with a time window and a service time.
Distances and times between clients are shortest paths over the street graph, so a
solution maps back to an explicit walk over graph edges (:mod:`._steps`).
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import Any, SupportsInt, cast

import numpy as np
from pyvrp import Client, ClientGroup, Depot, Location, ProblemData, VehicleType

from patrolgeo.errors import CapacityError, InputRowError, RoutingError
from patrolgeo.routing.shifts._crews import Crew, PointVisit
from patrolgeo.segments import reverse_edge

#: Distances go to PyVRP in decimetres, times in seconds, demands in hundredths.
DISTANCE_SCALE = 10
DEMAND_SCALE = 100
#: "No limit" for PyVRP's integer fields, far enough below int64 to never overflow sums.
_NEVER = np.iinfo(np.int64).max // 4
#: csgraph drops stored zeros: a zero-length edge is stored this long (metres).
_MIN_EDGE_M = 1e-6
#: Sources per Dijkstra call, bounding the memory of the distance rows.
_DIJKSTRA_CHUNK = 256


@dataclass(frozen=True)
class _Task:
    segment_id: str
    arcs: tuple[tuple[Hashable, Hashable, int, float], ...]  # (u, v, key, length_m)
    demand: float
    group: bool  # the arcs are alternatives (serve one); else each arc is a task


def _edge_lookup(G) -> tuple[list[Hashable], dict[Hashable, int], Any,
                             dict[tuple[int, int], tuple[int, float]]]:
    from scipy.sparse import coo_matrix

    nodes = list(G.nodes)
    index = {n: i for i, n in enumerate(nodes)}
    best: dict[tuple[int, int], tuple[int, float]] = {}
    for u, v, k, length in G.edges(keys=True, data="length"):
        a, b = index[u], index[v]
        if a != b and ((a, b) not in best or float(length) < best[a, b][1]):
            best[a, b] = (k, float(length))
    rows = [a for a, _ in best]
    cols = [b for _, b in best]
    vals = [max(length, _MIN_EDGE_M) for _, length in best.values()]
    n = len(nodes)
    csr = coo_matrix((vals, (rows, cols)), shape=(n, n)).tocsr()
    return nodes, index, csr, best


def _segment_arcs(G, u, v, key) -> list[tuple[Hashable, Hashable, int, float]]:
    """List the directed arcs of a segment: its edge and, two-way, the reverse."""
    arcs = [(u, v, int(key), float(G.edges[u, v, key]["length"]))]
    if u != v:
        back = reverse_edge(G, u, v, key)
        if back is not None:
            back_key = int(cast(SupportsInt, back))  # edge keys are ints
            arcs.append((v, u, back_key, float(G.edges[v, u, back]["length"])))
    return arcs


def _values(segments, spec, name: str) -> dict[str, Any]:
    """Read a per-segment value from a column named ``spec`` or a mapping."""
    if spec is None:
        return {}
    if isinstance(spec, str):
        if spec not in segments.columns:
            raise RoutingError(f"segments have no column {spec!r}", field=name)
        return dict(zip(segments["segment_id"], segments[spec], strict=True))
    return dict(spec)


def _wanted(rows, required) -> list[str]:
    if required is None:
        return list(rows.index)
    wanted = list(dict.fromkeys(required))
    missing = [s for s in wanted if s not in rows.index]
    if missing:
        raise InputRowError(f"unknown segment {missing[0]!r}", field="segment_id")
    return wanted


def _demand(sid: str, demands: dict[str, Any]) -> float:
    d = float(demands.get(sid, 0.0) or 0.0)
    if not math.isfinite(d) or d < 0:
        raise InputRowError(f"segment {sid}: demand {d} is not a non-negative number",
                            field="demand")
    return d


def _tasks(G, segments, required, demand, sides) -> list[_Task]:
    rows = segments.set_index("segment_id", drop=False)
    wanted = _wanted(rows, required)
    demands = _values(segments, demand, "demand")
    fixed = sides in ("either", "both")
    side_of = {} if fixed else _values(segments, sides, "sides")
    tasks: list[_Task] = []
    for sid in sorted(wanted):
        row = rows.loc[sid]
        d = _demand(sid, demands)
        arcs = tuple(_segment_arcs(G, row["u"], row["v"], row["key"]))
        mode = side_of.get(sid, sides if fixed else "either")
        if mode not in ("either", "both"):
            raise InputRowError(f"segment {sid}: sides {mode!r} is not either or both",
                                field="sides")
        if mode == "both" and len(arcs) == 2:
            # each side carries half the demand
            tasks.extend(_Task(sid, (arc,), d / 2, False) for arc in arcs)
        else:
            tasks.append(_Task(sid, arcs, d, len(arcs) == 2))
    return tasks


@dataclass
class _Model:
    data: ProblemData
    nodes: list[Hashable]
    index: dict[Hashable, int]
    csr: Any
    best_edge: dict[tuple[int, int], tuple[int, float]]
    loc_in: list[int]  # node index where service at a location starts
    loc_out: list[int]  # ... and ends
    loc_len: list[float]  # metres served at a location
    loc_time: list[list[int]]  # per profile: seconds of service at a location
    legs: list[np.ndarray]  # per profile: deadhead seconds between locations
    client_info: list[tuple[str, Any]]  # ("arc", (task, arc)) or ("visit", PointVisit)
    reload_nodes: list[Hashable]
    crews: list[Crew]
    profiles: list[tuple[float, float]]
    metres: np.ndarray  # deadhead metres between locations
    segment_of: dict[tuple[Hashable, Hashable, int], str]
    tasks: list[_Task]

    @property
    def n_depots(self) -> int:
        """The depot and the reload nodes (PyVRP depots), before the clients."""
        return len(self.reload_nodes) + 1

    def profile(self, crew: Crew) -> int:
        """Return the index of the speed profile of ``crew``."""
        return self.profiles.index((crew.speed_mps, crew.serve_speed))


def _segment_index(segments, G) -> dict[tuple[Hashable, Hashable, int], str]:
    out: dict[tuple[Hashable, Hashable, int], str] = {}
    for sid, u, v, k in zip(segments["segment_id"], segments["u"], segments["v"],
                            segments["key"], strict=True):
        for a, b, kk, _ in _segment_arcs(G, u, v, k):
            out[a, b, kk] = sid
    return out


def _check_crews(crews: Sequence[Crew]) -> None:
    if not crews:
        raise CapacityError("no crews given", field="crews")
    for c in crews:
        if c.count < 1 or c.speed_mps <= 0 or c.serve_speed <= 0:
            raise CapacityError(f"crew {c.name}: count and speeds must be positive",
                                field="crews")


def _check_nodes(index: dict[Hashable, int], depot: Hashable, reload_nodes: list[Hashable],
                 visits: Sequence[PointVisit]) -> None:
    if depot not in index:
        raise RoutingError(f"depot {depot} is not a node of the graph", field="depot")
    for n in (*reload_nodes, *(v.node for v in visits)):
        if n not in index:
            raise RoutingError(f"node {n} is not a node of the graph", field="node")


@dataclass
class _Locations:
    loc_in: list[int]
    loc_out: list[int]
    loc_len: list[float]
    client_info: list[tuple[str, Any]]


def _locations(index, depot, reload_nodes, tasks: list[_Task],
               visits: Sequence[PointVisit]) -> _Locations:
    """Depot, reload nodes, then one location per arc and per visit window."""
    loc_in = [index[depot]] + [index[n] for n in reload_nodes]
    loc_out = list(loc_in)
    loc_len = [0.0] * len(loc_in)
    client_info: list[tuple[str, Any]] = []
    for task in tasks:
        for arc in task.arcs:
            loc_in.append(index[arc[0]])
            loc_out.append(index[arc[1]])
            loc_len.append(arc[3])
            client_info.append(("arc", (task, arc)))
    for visit in visits:
        for _ in visit.windows or ((0.0, 0.0),):
            loc_in.append(index[visit.node])
            loc_out.append(index[visit.node])
            loc_len.append(0.0)
            client_info.append(("visit", visit))
    return _Locations(loc_in, loc_out, loc_len, client_info)


def _deadhead_metres(csr, loc: _Locations) -> np.ndarray:
    """Shortest metres from the end of each location to the start of each."""
    from scipy.sparse.csgraph import dijkstra

    sources = sorted(set(loc.loc_out))
    targets = np.array(loc.loc_in)
    rows: dict[int, np.ndarray] = {}
    for start in range(0, len(sources), _DIJKSTRA_CHUNK):
        chunk = sources[start:start + _DIJKSTRA_CHUNK]
        dist = dijkstra(csr, directed=True, indices=chunk)
        for s, row in zip(chunk, dist, strict=True):
            rows[s] = row[targets]
    metres = np.stack([rows[o] for o in loc.loc_out])
    for a in range(len(loc.loc_in)):
        metres[a, a] = 0.0
    return metres


def _check_reachable(metres, client_info, n_depots, nodes, loc_in) -> None:
    back = metres[:, 0]
    out = metres[0, :]
    for c, (kind, info) in enumerate(client_info):
        loc = n_depots + c
        if not (math.isfinite(out[loc]) and math.isfinite(back[loc])):
            what = info[0].segment_id if kind == "arc" else info.visit_id
            raise RoutingError(f"{what} cannot be reached from the depot and back "
                               f"(node {nodes[loc_in[loc]]})", field="segment_id"
                               if kind == "arc" else "visit_id")
    if n_depots > 1 and not np.isfinite(metres[:n_depots, :n_depots]).all():
        raise RoutingError("a reload node cannot be reached from the depot and back",
                           field="reload_nodes")


def _durations(metres: np.ndarray, loc_len: list[float], profiles
               ) -> tuple[list[list[int]], list[np.ndarray], list[np.ndarray]]:
    """Per profile: service seconds per location, deadhead seconds, duration matrix."""
    loc_time = [[round(length / serve) for length in loc_len] for _, serve in profiles]
    legs = [np.rint(metres / speed).astype(np.int64) for speed, _ in profiles]
    durations = []
    for p in range(len(profiles)):
        dur = np.array(loc_time[p], dtype=np.int64)[:, None] + legs[p]
        np.fill_diagonal(dur, 0)
        durations.append(dur)
    return loc_time, legs, durations


class _Loads:
    """Loads in PyVRP's integer units, or no load dimension at all."""

    def __init__(self, tasks: list[_Task], visits: Sequence[PointVisit],
                 crews: Sequence[Crew]) -> None:
        with_load = any(t.demand > 0 for t in tasks) or any(v.demand > 0 for v in visits)
        self.on = with_load and any(c.capacity is not None for c in crews)

    def demand(self, x: float) -> list[int]:
        """Return a client's delivery."""
        return [math.ceil(round(x * DEMAND_SCALE, 6))] if self.on else []

    def capacity(self, crew: Crew) -> list[int]:
        """Return a vehicle type's capacity."""
        if not self.on:
            return []
        return [_NEVER if crew.capacity is None
                else math.floor(round(crew.capacity * DEMAND_SCALE, 6))]


def _clients(tasks: list[_Task], visits: Sequence[PointVisit], n_depots: int,
             loads: _Loads) -> tuple[list[Client], list[ClientGroup]]:
    clients: list[Client] = []
    groups: list[ClientGroup] = []
    c = 0
    for task in tasks:
        group = None
        if task.group:
            group = len(groups)
            groups.append(ClientGroup([c, c + 1]))
        for arc in task.arcs:
            clients.append(Client(location=n_depots + c, delivery=loads.demand(task.demand),
                                  required=group is None, group=group,
                                  name=f"{task.segment_id}:{arc[0]}>{arc[1]}"))
            c += 1
    for visit in visits:
        windows = visit.windows or ((0.0, float(_NEVER)),)
        group = None
        if len(windows) > 1:
            group = len(groups)
            groups.append(ClientGroup(list(range(c, c + len(windows)))))
        for early, late in windows:
            clients.append(Client(location=n_depots + c, delivery=loads.demand(visit.demand),
                                  service_duration=round(visit.service_s),
                                  tw_early=round(early), tw_late=min(round(late), _NEVER),
                                  required=group is None, group=group, name=visit.visit_id))
            c += 1
    return clients, groups


def _vehicle_type(crew: Crew, reload_nodes: list[Hashable], profile: int,
                  loads: _Loads) -> VehicleType:
    return VehicleType(
        num_available=crew.count, capacity=loads.capacity(crew), start_depot=0, end_depot=0,
        tw_early=round(crew.start_s),
        tw_late=_NEVER if crew.end_s is None else round(crew.end_s),
        shift_duration=_NEVER if crew.shift_s is None else math.floor(crew.shift_s),
        max_distance=_NEVER if crew.max_distance_m is None
        else math.floor(crew.max_distance_m * DISTANCE_SCALE),
        profile=profile,
        reload_depots=[1 + reload_nodes.index(n) for n in crew.reload_nodes],
        name=crew.name,
    )


def _build_model(G, segments, tasks: list[_Task], depot: Hashable, crews: Sequence[Crew],
                 visits: Sequence[PointVisit], reload_s: float) -> _Model:
    _check_crews(crews)
    nodes, index, csr, best_edge = _edge_lookup(G)
    reload_nodes = list(dict.fromkeys(n for c in crews for n in c.reload_nodes))
    _check_nodes(index, depot, reload_nodes, visits)
    profiles = list(dict.fromkeys((c.speed_mps, c.serve_speed) for c in crews))
    n_depots = len(reload_nodes) + 1

    loc = _locations(index, depot, reload_nodes, tasks, visits)
    metres = _deadhead_metres(csr, loc)
    _check_reachable(metres, loc.client_info, n_depots, nodes, loc.loc_in)

    dist_dm = np.rint((np.array(loc.loc_len)[:, None] + metres)
                      * DISTANCE_SCALE).astype(np.int64)
    np.fill_diagonal(dist_dm, 0)
    loc_time, legs, durations = _durations(metres, loc.loc_len, profiles)

    loads = _Loads(tasks, visits, crews)
    clients, groups = _clients(tasks, visits, n_depots, loads)
    depots = [Depot(0, name="depot")] + [
        Depot(1 + i, service_duration=round(reload_s), name=f"reload-{n}")
        for i, n in enumerate(reload_nodes)]
    vehicle_types = [
        _vehicle_type(crew, reload_nodes, profiles.index((crew.speed_mps, crew.serve_speed)),
                      loads)
        for crew in crews]
    data = ProblemData(
        [Location(float(G.nodes[nodes[i]]["x"]), float(G.nodes[nodes[i]]["y"]))
         for i in loc.loc_in],
        clients, depots, vehicle_types, [dist_dm] * len(profiles),
        durations,  # type: ignore[arg-type]  # pyvrp's stubs spell the matrices np.ndarray[int]
        groups,
    )
    return _Model(data, nodes, index, csr, best_edge, loc.loc_in, loc.loc_out, loc.loc_len,
                  loc_time, legs, loc.client_info, reload_nodes, list(crews), profiles,
                  metres, _segment_index(segments, G), tasks)


def _activity_location(model: _Model, activity) -> int:
    return activity.idx if activity.is_depot() else model.n_depots + activity.idx
