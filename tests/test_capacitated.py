"""Shifts, capacities, time windows and weekly plans on street graphs.

Every plan is checked here from scratch, without the solver's code: each route is an
unbroken walk over edges of the graph from the depot back to it with the graph's
lengths, serves each required segment the right number of times, keeps each trip
within the hopper, starts each visit within its window, and fits its shift when its
time is recomputed from the lengths and speeds.
"""

from __future__ import annotations

import itertools
import math

import networkx as nx
import pytest

from patrolgeo import roads
from patrolgeo.errors import CapacityError, InputRowError
from patrolgeo.routing.shifts import (
    Crew,
    PointVisit,
    SearchSettings,
    as_route,
    clock,
    nearest_node,
    plan_shifts,
    school_gate_visits,
    spread_visits,
    to_route,
    visit_patterns,
    weekly_plan,
)

FAST = SearchSettings(iterations=120, seed=0)


def grid(nx_: int = 4, ny: int = 4, spacing: float = 100.0, oneway: frozenset = frozenset()):
    """A street grid in metres; ``oneway`` holds (u, v) pairs kept in one direction only."""
    G = nx.MultiDiGraph(crs="EPSG:32650")
    for i in range(nx_):
        for j in range(ny):
            G.add_node(1000 + 10 * i + j, x=i * spacing, y=j * spacing)
    way = 1
    for i in range(nx_):
        for j in range(ny):
            a = 1000 + 10 * i + j
            for b in ((a + 10) if i + 1 < nx_ else None, (a + 1) if j + 1 < ny else None):
                if b is None:
                    continue
                # lengths vary a little so that optima are unique
                length = spacing * (1 + 0.05 * ((way * 7) % 5))
                G.add_edge(a, b, 0, osmid=way, length=length, highway="residential")
                if (a, b) not in oneway:
                    G.add_edge(b, a, 0, osmid=way, length=length, highway="residential")
                way += 1
    return G


@pytest.fixture(scope="module")
def street():
    G = grid()
    return G, roads.segments_from_graph(G)


def check_plan(G, segments, plan, *, crews, required=None, visits=(), demand=None,
               sides="either"):
    """Independent check of a plan; returns the per-route recomputed durations."""
    depot = plan.depot
    by_id = segments.set_index("segment_id")
    required = list(by_id.index) if required is None else list(required)
    crew_of = {c.name: c for c in crews}
    windows = {v.visit_id: v for v in visits}
    served: dict[str, list[tuple]] = {}
    seen_visits = []
    durations = []
    for route in plan.routes:
        crew = crew_of[route.crew]
        serve_speed = crew.service_speed_mps or crew.speed_mps
        at = depot
        for s in route.steps:
            assert s.u == at, f"route {route.index}: walk broken at {s}"
            assert G.has_edge(s.u, s.v, s.key)
            assert s.length_m == pytest.approx(G.edges[s.u, s.v, s.key]["length"])
            at = s.v
            if not s.deadhead:
                row = by_id.loc[s.segment_id]
                assert {s.u, s.v} == {row["u"], row["v"]}
                served.setdefault(s.segment_id, []).append((s.u, s.v))
        assert at == depot, f"route {route.index} ends at {at}"
        # capacity per trip (trips end at reload stops)
        if crew.capacity is not None and demand is not None:
            cuts = [st.after_step for st in route.stops if st.kind == "reload"]
            bounds = [0, *cuts, len(route.steps)]
            for a, b in itertools.pairwise(bounds):
                load = sum(demand[s.segment_id] / (2 if sides == "both" else 1)
                           for s in route.steps[a:b] if not s.deadhead)
                assert load <= crew.capacity + 1e-9
        # time: recompute from lengths and speeds, waiting only for windows
        tol = 0.5 * (len(route.served) + len(route.stops) + 2)
        t = route.start_s
        stops = sorted(route.stops, key=lambda st: st.after_step)
        k = 0
        for i, s in enumerate([*route.steps, None]):
            while k < len(stops) and stops[k].after_step == i:
                st = stops[k]
                if st.kind != "reload":
                    v = windows[st.visit_id]
                    ok = [(e, late) for e, late in v.windows if e - tol <= st.start_s <= late + tol]
                    assert ok or not v.windows, f"{st.visit_id} starts at {st.start_s}"
                    start = max(t, min(e for e, _ in ok)) if ok else t
                    assert st.start_s >= t - tol
                    t = max(start, st.start_s) + v.service_s
                    seen_visits.append(st.visit_id)
                else:
                    t = st.end_s
                k += 1
            if s is not None:
                t += s.length_m / (crew.speed_mps if s.deadhead else serve_speed)
        assert t <= route.end_s + tol
        if crew.shift_s is not None:
            assert route.end_s - route.start_s <= crew.shift_s
        if crew.end_s is not None:
            assert route.end_s <= crew.end_s
        if crew.max_distance_m is not None:
            assert route.distance_m <= crew.max_distance_m + 0.1 * len(route.steps)
        durations.append(t - route.start_s)
    for sid in required:
        row = by_id.loc[sid]
        two_way = G.has_edge(row["v"], row["u"]) and row["u"] != row["v"]
        expected = 2 if sides == "both" and two_way else 1
        assert len(served.get(sid, [])) == expected, f"segment {sid} served {served.get(sid)}"
        if expected == 2:
            assert set(served[sid]) == {(row["u"], row["v"]), (row["v"], row["u"])}
    assert set(served) <= set(required)
    assert sorted(seen_visits) == sorted(windows)
    return durations


def round_trip_s(G, depot, row, speed, serve_speed):
    dist = nx.single_source_dijkstra_path_length(G, depot, weight="length")
    back = {n: nx.shortest_path_length(G, n, depot, weight="length") for n in (row.u, row.v)}
    best = math.inf
    for a, b in ((row.u, row.v), (row.v, row.u)):
        if G.has_edge(a, b):
            best = min(best, dist[a] / speed + row.length_m / serve_speed + back[b] / speed)
    return best


# --------------------------------------------------------------------------- shifts


def test_shift_limit_splits_the_streets(street):
    G, seg = street
    crews = [Crew("chief", count=5, speed_mps=1.0, shift_s=1500)]
    plan = plan_shifts(G, seg, depot=1000, crews=crews, settings=FAST)
    assert len(plan.routes) >= math.ceil(seg["length_m"].sum() / 1500)
    durations = check_plan(G, seg, plan, crews=crews)
    assert max(durations) <= 1500 + 10


def test_capacity_with_demand_per_segment(street):
    G, seg = street
    demand = {sid: 1.0 + (n % 3) for n, sid in enumerate(seg["segment_id"])}
    crews = [Crew("sweeper", count=12, speed_mps=5.0, service_speed_mps=2.0, capacity=8)]
    plan = plan_shifts(G, seg, depot=1000, crews=crews, demand=demand, settings=FAST)
    assert len(plan.routes) >= math.ceil(sum(demand.values()) / 8)
    check_plan(G, seg, plan, crews=crews, demand=demand)
    assert all(r.load <= 8 for r in plan.routes)


def test_reload_node_lets_one_sweeper_make_several_trips(street):
    G, seg = street
    demand = dict.fromkeys(seg["segment_id"], 2.0)
    crews = [Crew("sweeper", count=1, speed_mps=5.0, capacity=10, reload_nodes=(1033,))]
    plan = plan_shifts(G, seg, depot=1000, crews=crews, demand=demand, reload_s=300,
                       settings=FAST)
    assert len(plan.routes) == 1
    route = plan.routes[0]
    reloads = [s for s in route.stops if s.kind == "reload"]
    assert len(reloads) >= math.ceil(2 * len(seg) / 10) - 1
    assert all(s.node == 1033 and s.end_s - s.start_s == pytest.approx(300) for s in reloads)
    check_plan(G, seg, plan, crews=crews, demand=demand)


def test_both_sides_serves_each_direction_once(street):
    G, seg = street
    crews = [Crew("sweeper", count=3, speed_mps=5.0)]
    plan = plan_shifts(G, seg, depot=1000, crews=crews, sides="both", settings=FAST)
    check_plan(G, seg, plan, crews=crews, sides="both")


def test_one_way_streets_are_served_in_their_direction():
    G = grid(3, 3, oneway=frozenset({(1000, 1010), (1010, 1020), (1001, 1011)}))
    seg = roads.segments_from_graph(G)
    crews = [Crew("car", count=2, speed_mps=8.0)]
    plan = plan_shifts(G, seg, depot=1011, crews=crews, settings=FAST)
    check_plan(G, seg, plan, crews=crews)
    served = {(s.u, s.v) for r in plan.routes for s in r.steps if not s.deadhead}
    assert {(1000, 1010), (1010, 1020), (1001, 1011)} <= served


# --------------------------------------------------------------------------- time windows


def test_school_gate_posts_and_inspections_keep_their_windows(street):
    G, seg = street
    gate = school_gate_visits("school-7", 1022)
    inspection = PointVisit("restaurant-3", 1031, service_s=900,
                            windows=((clock("09:00"), clock("09:30")),), kind="restaurant")
    kiosk = PointVisit("kiosk-1", 1013, service_s=300,
                       windows=((clock("08:00"), clock("08:10")), (clock("15:00"),
                                                                   clock("15:10"))))
    visits = [*gate, inspection, kiosk]
    crews = [Crew("chief", count=3, speed_mps=1.2, start_s=clock("07:00"),
                  end_s=clock("18:00"), shift_s=4 * 3600)]
    plan = plan_shifts(G, seg, depot=1000, crews=crews, visits=visits, settings=FAST)
    check_plan(G, seg, plan, crews=crews, visits=visits)
    stops = {s.visit_id: s for r in plan.routes for s in r.stops}
    assert stops["school-7-1"].start_s == clock("07:10")
    assert stops["school-7-1"].end_s == clock("07:50")
    assert stops["school-7-2"].start_s == clock("16:30")
    assert stops["school-7-2"].end_s == clock("17:30")
    assert clock("09:00") <= stops["restaurant-3"].start_s <= clock("09:30")
    k = stops["kiosk-1"].start_s
    assert clock("08:00") <= k <= clock("08:10") or clock("15:00") <= k <= clock("15:10")


def test_clock_and_school_hours_reject_bad_times():
    assert clock("07:10") == 7 * 3600 + 600
    assert clock("16:30:15") == 16 * 3600 + 1815
    with pytest.raises(ValueError):
        clock("7h10")
    with pytest.raises(ValueError):
        school_gate_visits("s", 1, hours=(("08:00", "07:00"),))


# --------------------------------------------------------------------------- bad input


def test_segment_beyond_the_shift_names_segment_and_field(street):
    G, seg = street
    crews = [Crew("chief", count=9, speed_mps=1.0, shift_s=500)]
    with pytest.raises(CapacityError) as err:
        plan_shifts(G, seg, depot=1000, crews=crews, settings=FAST)
    assert err.value.field == "shift_s"
    named = next(sid for sid in seg["segment_id"] if f"segment {sid}:" in str(err.value))
    row = seg.set_index("segment_id").loc[named]
    row = row.copy()
    row["u"], row["v"] = row["u"], row["v"]
    assert round_trip_s(G, 1000, row, 1.0, 1.0) > 500
    # every segment before it in id order fits
    for sid in sorted(seg["segment_id"]):
        if sid == named:
            break
        assert round_trip_s(G, 1000, seg.set_index("segment_id").loc[sid], 1.0, 1.0) <= 501


def test_demand_above_capacity_names_segment_and_field(street):
    G, seg = street
    sid = sorted(seg["segment_id"])[3]
    demand = {sid: 12.0}
    with pytest.raises(CapacityError) as err:
        plan_shifts(G, seg, depot=1000, crews=[Crew(capacity=10, count=3)], demand=demand,
                    settings=FAST)
    assert err.value.field == "capacity" and sid in str(err.value)


def test_distance_limit_names_segment_and_field(street):
    G, seg = street
    with pytest.raises(CapacityError) as err:
        plan_shifts(G, seg, depot=1000, crews=[Crew(count=30, max_distance_m=400)],
                    settings=FAST)
    assert err.value.field == "max_distance_m"


def test_too_few_crews_for_the_work(street):
    G, seg = street
    with pytest.raises(CapacityError) as err:
        plan_shifts(G, seg, depot=1000, crews=[Crew(count=1, speed_mps=1.0, shift_s=1900)],
                    settings=FAST)
    assert err.value.field == "count"


def test_visit_outside_any_crew_hours(street):
    G, seg = street
    late = PointVisit("night-1", 1033, 600, ((clock("06:00"), clock("06:30")),))
    with pytest.raises(CapacityError) as err:
        plan_shifts(G, seg, depot=1000, crews=[Crew(start_s=clock("07:00"))],
                    visits=[late], settings=FAST)
    assert err.value.field == "window"


def test_segments_breaking_the_contract_are_refused_on_entry(street):
    from patrolgeo.errors import SegmentsError

    G, seg = street
    with pytest.raises(SegmentsError) as err:
        plan_shifts(G, seg.drop(columns="key"), depot=1000, crews=[Crew()], settings=FAST)
    assert err.value.field == "key"
    with pytest.raises(SegmentsError):
        weekly_plan(G, seg.drop(columns="u"), dict.fromkeys(seg["segment_id"], 1),
                    depot=1000, crews=[Crew()], settings=FAST)


def test_unknown_segment_id(street):
    G, seg = street
    with pytest.raises(InputRowError) as err:
        plan_shifts(G, seg, depot=1000, crews=[Crew()], required=["nope"], settings=FAST)
    assert err.value.field == "segment_id"


# --------------------------------------------------------------------------- optimum, balance


def exhaustive_optimum(G, seg, depot, demand, capacity):
    """Least total length of routes serving every segment once (any direction)."""
    dist = dict(nx.all_pairs_dijkstra_path_length(G, weight="length"))
    tasks = []
    for row in seg.itertuples():
        arcs = [(a, b) for a, b in ((row.u, row.v), (row.v, row.u)) if G.has_edge(a, b)]
        tasks.append((arcs, row.length_m, demand[row.segment_id]))
    best = math.inf
    for order in itertools.permutations(range(len(tasks))):
        for pick in itertools.product(*(range(len(tasks[i][0])) for i in order)):
            arcs = [tasks[i][0][p] for i, p in zip(order, pick, strict=True)]
            n = len(arcs)
            value = [0.0] + [math.inf] * n
            for i in range(n):
                load, cost = 0.0, 0.0
                for j in range(i, n):
                    load += tasks[order[j]][2]
                    if load > capacity:
                        break
                    cost += dist[depot][arcs[j][0]] if j == i else dist[arcs[j - 1][1]][arcs[j][0]]
                    cost += tasks[order[j]][1]
                    value[j + 1] = min(value[j + 1], value[i] + cost + dist[arcs[j][1]][depot])
            best = min(best, value[n])
    return best


def test_small_street_instance_reaches_the_exhaustive_optimum():
    G = grid(3, 2)
    seg = roads.segments_from_graph(G)
    part = seg.iloc[[0, 2, 3, 5, 6]]
    demand = dict(zip(part["segment_id"], [2.0, 3.0, 1.0, 2.0, 3.0], strict=True))
    crews = [Crew("sweeper", count=5, capacity=5)]
    plan = plan_shifts(G, seg, depot=1000, crews=crews, required=list(part["segment_id"]),
                       demand=demand, settings=SearchSettings(iterations=150))
    check_plan(G, seg, plan, crews=crews, required=part["segment_id"], demand=demand)
    optimum = exhaustive_optimum(G, part, 1000, demand, 5)
    assert plan.distance_m == pytest.approx(optimum, abs=0.5)


def test_balance_lowers_the_longest_route(street):
    G, seg = street
    crews = [Crew("chief", count=3, speed_mps=1.0)]
    plain = plan_shifts(G, seg, depot=1011, crews=crews, settings=FAST)
    balanced = plan_shifts(G, seg, depot=1011, crews=crews, balance="distance",
                           settings=FAST)
    check_plan(G, seg, balanced, crews=crews)
    assert balanced.longest_m < plain.longest_m
    # no route can be shorter than an equal share of the street length
    assert balanced.longest_m >= seg["length_m"].sum() / 3
    assert balanced.stats["balance_rounds"] >= 1


def test_same_seed_gives_the_same_plan(street):
    G, seg = street
    crews = [Crew("chief", count=4, speed_mps=1.0, shift_s=2500)]
    a = plan_shifts(G, seg, depot=1000, crews=crews, settings=FAST)
    b = plan_shifts(G, seg, depot=1000, crews=crews, settings=FAST)
    assert [r.steps for r in a.routes] == [r.steps for r in b.routes]


def test_to_route_gives_traversals_in_walk_order(street):
    G, seg = street
    plan = plan_shifts(G, seg, depot=1000, crews=[Crew(count=2)], settings=FAST)
    route = plan.routes[0]
    plain = to_route(route)
    assert plain[0][1] == 1000 and plain[-1][2] == 1000
    assert [t[4] for t in plain] == [s.deadhead for s in route.steps]

    class Traversal:
        def __init__(self, **kw):
            self.__dict__.update(kw)

    built = to_route(route, Traversal)
    assert [(t.segment_id, t.u, t.v, t.key, t.deadhead, t.length_m) for t in built] == plain


# --------------------------------------------------------------------------- weekly plans


def test_visit_patterns_are_evenly_spread():
    for days in (5, 6, 7):
        for f in range(1, days + 1):
            for pattern in visit_patterns(f, days):
                assert len(pattern) == f
                gaps = [(b - a) % days or days
                        for a, b in zip(pattern, pattern[1:] + pattern[:1], strict=True)]
                assert max(gaps) - min(gaps) <= 1
    assert (0, 2, 4) in visit_patterns(3, 7)


def test_spread_visits_balances_days_close_to_the_exhaustive_optimum():
    freq = {"a": 3, "b": 2, "c": 2, "d": 1, "e": 1, "f": 5}
    work = {"a": 4.0, "b": 7.0, "c": 3.0, "d": 9.0, "e": 2.0, "f": 1.0}
    days = 7
    chosen = spread_visits(freq, work, days=days)
    assert {k: len(v) for k, v in chosen.items()} == freq

    def peak(assign):
        loads = [0.0] * days
        for sid, pattern in assign.items():
            for d in pattern:
                loads[d] += work[sid]
        return max(loads)

    options = {sid: visit_patterns(f, days) for sid, f in freq.items()}
    optimum = min(peak(dict(zip(options, combo, strict=True)))
                  for combo in itertools.product(*options.values()))
    assert peak(chosen) <= optimum + max(work.values()) / 2


def test_spread_visits_rejects_bad_frequencies():
    with pytest.raises(InputRowError) as err:
        spread_visits({"a": 9}, {"a": 1.0}, days=7)
    assert err.value.field == "visits_per_week"
    with pytest.raises(InputRowError):
        spread_visits({"a": 1.5}, {"a": 1.0})


def test_weekly_plan_gives_each_segment_its_visits(street):
    G, seg = street
    ids = sorted(seg["segment_id"])
    freq = {sid: (7, 3, 2, 1, 0)[n % 5] for n, sid in enumerate(ids)}
    crews = [Crew("chief", count=2, speed_mps=1.2)]
    gate = {d: school_gate_visits(f"school-{d}", 1022) for d in range(5)}
    week = weekly_plan(G, seg, freq, depot=1000, crews=crews, visits_by_day=gate,
                       settings=SearchSettings(iterations=40))
    counts = dict.fromkeys(ids, 0)
    for day, plan in enumerate(week.days):
        assert plan is not None
        todo = [sid for sid in ids if day in week.assignment.get(sid, ())]
        check_plan(G, seg, plan, crews=crews, required=todo, visits=gate.get(day, ()))
        for r in plan.routes:
            for sid in r.served:
                counts[sid] += 1
    assert counts == freq
    length = seg.set_index("segment_id")["length_m"]
    assert max(week.day_loads) - min(week.day_loads) <= 2 * length.max() + 1e-6


# --------------------------------------------------------------------------- real data


def test_helsinki_territory_with_shifts_and_a_school_gate(helsinki_walk, helsinki_walk_segments):
    G, seg = helsinki_walk, helsinki_walk_segments
    centre = seg.geometry.union_all().centroid
    depot = nearest_node(G, centre.x, centre.y)
    near = seg[seg.geometry.distance(centre) < 120]
    assert 10 <= len(near) <= 120
    crews = [Crew("chief", count=3, speed_mps=1.2, service_speed_mps=0.8,
                  start_s=clock("07:00"), end_s=clock("18:00"), shift_s=2 * 3600)]
    gate = school_gate_visits("gate", nearest_node(G, centre.x + 80, centre.y))
    plan = plan_shifts(G, seg, depot=depot, crews=crews, required=list(near["segment_id"]),
                       visits=gate, settings=SearchSettings(iterations=60))
    check_plan(G, seg, plan, crews=crews, required=near["segment_id"], visits=gate)
    # the street routes also pass the routing stage's verifier, together covering the
    # territory: each route closed at the depot, edges touching, lengths from geometry
    from patrolgeo.routing import verify_route

    served = set()
    for shift in plan.routes:
        route = as_route(shift, segments=seg)
        mine = {t.segment_id for t in route.traversals if not t.deadhead}
        served |= mine
        check = verify_route(G, mine, route, closed=True, segments=seg, start=depot)
        assert check.ok, check.violations[:3]
    assert served == set(near["segment_id"])


def test_the_independent_check_catches_broken_plans(street):
    from dataclasses import replace as dc_replace

    G, seg = street
    crews = [Crew("chief", count=4, speed_mps=1.0, shift_s=2500)]
    plan = plan_shifts(G, seg, depot=1000, crews=crews, settings=FAST)
    route = plan.routes[0]
    steps = list(route.steps)
    i = next(k for k, s in enumerate(steps) if not s.deadhead)
    for broken in (
        steps[:i] + steps[i + 1:],  # a step missing: walk broken
        [*steps[:i], dc_replace(steps[i], deadhead=True), *steps[i + 1:]],  # not served
        [*steps[:i], dc_replace(steps[i], length_m=steps[i].length_m + 5), *steps[i + 1:]],
    ):
        route.steps = broken
        with pytest.raises(AssertionError):
            check_plan(G, seg, plan, crews=crews)
    route.steps = steps
    route.end_s = route.start_s + 2600
    with pytest.raises(AssertionError):
        check_plan(G, seg, plan, crews=crews)
