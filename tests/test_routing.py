"""Postman routes: optimal lengths checked against independent methods, and real data."""

from __future__ import annotations

import itertools

import networkx as nx
import numpy as np
import pandas as pd
import pytest
from scipy.optimize import LinearConstraint, milp

from conftest import shared_file
from patrolgeo.errors import RoutingError
from patrolgeo.routing import Route, postman_route, verify_route
from routing_builders import lengths_of, make_network, random_connected

# --------------------------------------------------------------------------- independent optima


def _pairings(items):
    if not items:
        yield []
        return
    first, rest = items[0], items[1:]
    for i, other in enumerate(rest):
        for tail in _pairings(rest[:i] + rest[i + 1:]):
            yield [(first, other), *tail]


def _undirected(edges):
    H = nx.MultiGraph()
    for u, v, w in edges:
        H.add_edge(u, v, weight=w)
    return H


def brute_force_cpp(edges, start=None, closed=True):
    """Chinese postman by enumerating every pairing of odd nodes (no matching code)."""
    H = _undirected(edges)
    dist = dict(nx.all_pairs_dijkstra_path_length(H, weight="weight"))
    odd = [v for v in H if H.degree(v) % 2 == 1]
    total = sum(w for *_, w in edges)

    def best_pairing(nodes):
        return min(sum(dist[a][b] for a, b in p) for p in _pairings(sorted(nodes)))

    if closed:
        return total + (best_pairing(odd) if odd else 0.0)
    best = np.inf
    for end in H.nodes:
        ends = set(odd) ^ {start} ^ {end}
        best = min(best, total + (best_pairing(list(ends)) if ends else 0.0))
    return best


def brute_force_rural(edges, required_idx):
    """Rural postman by trying 0, 1 or 2 runs on every street (tiny graphs only)."""
    best = np.inf
    choices = [(1, 2) if i in required_idx else (0, 1, 2) for i in range(len(edges))]
    for counts in itertools.product(*choices):
        H = nx.MultiGraph()
        for (u, v, _), c in zip(edges, counts, strict=True):
            for _ in range(c):
                H.add_edge(u, v)
        if any(d % 2 for _, d in H.degree()) or not nx.is_connected(H):
            continue
        best = min(best, sum(w * c for (_, _, w), c in zip(edges, counts, strict=True)))
    return best


def integer_program(edges, oneway, *, both_sides=False):
    """Directed or mixed postman as an integer program (HiGHS through scipy)."""
    arcs = []  # (tail, head, weight, edge index)
    for i, ((u, v, w), one) in enumerate(zip(edges, oneway, strict=True)):
        arcs.append((u, v, w, i))
        if not one:
            arcs.append((v, u, w, i))
    nodes = sorted({a for e in edges for a in e[:2]})
    pos = {n: k for k, n in enumerate(nodes)}
    balance = np.zeros((len(nodes), len(arcs)))
    for j, (t, h, _, _) in enumerate(arcs):
        balance[pos[t], j] -= 1
        balance[pos[h], j] += 1
    cover_rows = []
    for i, one in enumerate(oneway):
        idx = [j for j, a in enumerate(arcs) if a[3] == i]
        if one or not both_sides:
            row = np.zeros(len(arcs))
            row[idx] = 1
            cover_rows.append(row)
        else:
            for j in idx:
                row = np.zeros(len(arcs))
                row[j] = 1
                cover_rows.append(row)
    constraints = [LinearConstraint(balance, 0, 0),
                   LinearConstraint(np.array(cover_rows), 1, np.inf)]
    cost = np.array([a[2] for a in arcs])
    res = milp(cost, constraints=constraints, integrality=np.ones(len(arcs)))
    assert res.success
    return float(res.fun)


def check(G, segments, route, **kwargs):
    report = verify_route(G, route.required_ids, route, segments=segments,
                          both_sides=route.both_sides, **kwargs)
    assert report.ok, report.violations
    return report


# --------------------------------------------------------------------------- published values


def _sleeping_giant(required_only):
    edges_csv = shared_file("postman_problems/edgelist_sleeping_giant.csv")
    nodes_csv = shared_file("postman_problems/nodelist_sleeping_giant.csv")
    edges = pd.read_csv(edges_csv)
    nodes = pd.read_csv(nodes_csv)
    edges["required"] = edges["required"].astype(int)
    if required_only:
        edges = edges[edges["required"] == 1]
    coords = {r.id: (float(r.X), float(r.Y)) for r in nodes.itertuples()}
    for n in set(edges["node1"]) | set(edges["node2"]):
        coords.setdefault(n, (0.0, 0.0))
    triples = list(zip(edges["node1"], edges["node2"], edges["distance"], strict=True))
    G, seg = make_network(triples, coords, names=list(edges["trail"]))
    required = [sid for sid, r in zip(seg["segment_id"], edges["required"], strict=True) if r]
    return G, seg, required


def test_sleeping_giant_chinese_postman_is_published_optimum():
    G, seg, required = _sleeping_giant(required_only=True)
    route = postman_route(G, seg, required, start="b_end_east")
    assert route.total_length_m == pytest.approx(33.25, abs=0.005)  # miles here
    assert route.optimal and route.lower_bound_m == pytest.approx(route.total_length_m)
    assert route.traversals[0].u == "b_end_east" and route.traversals[-1].v == "b_end_east"
    assert route.service_length_m == pytest.approx(26.01, abs=0.005)
    check(G, seg, route, start="b_end_east", length_tolerance=None)


def test_sleeping_giant_rural_postman_beats_published_heuristic():
    G, seg, required = _sleeping_giant(required_only=False)
    route = postman_route(G, seg, required, start="b_end_east")
    assert route.total_length_m <= 32.12 + 1e-9
    assert route.lower_bound_m <= route.total_length_m + 1e-9
    check(G, seg, route, start="b_end_east", length_tolerance=None)


def test_seven_bridges():
    path = shared_file("postman_problems/edgelist_seven_bridges.csv")
    edges = pd.read_csv(path)
    coords = {"A": (0, 0), "B": (0, 10), "C": (0, -10), "D": (10, 0)}
    G, seg = make_network(list(zip(edges["node1"], edges["node2"], edges["distance"],
                                   strict=True)), coords)
    route = postman_route(G, seg, start="D")
    assert route.total_length_m == pytest.approx(39)
    check(G, seg, route, start="D", length_tolerance=None)


# --------------------------------------------------------------------------- exact optima


@pytest.mark.parametrize("seed", range(12))
def test_undirected_postman_equals_brute_force(seed):
    rng = np.random.default_rng(seed)
    edges, coords, _ = random_connected(rng, int(rng.integers(5, 10)), int(rng.integers(8, 16)),
                                        loops=seed % 3 == 0)
    G, seg = make_network(edges, coords)
    edges = lengths_of(G, seg)
    route = postman_route(G, seg)
    assert route.total_length_m == pytest.approx(brute_force_cpp(edges), abs=1e-3)
    assert route.optimal and route.gap_pct < 1e-6
    check(G, seg, route)


@pytest.mark.parametrize("seed", range(6))
def test_open_undirected_postman_equals_brute_force(seed):
    rng = np.random.default_rng(100 + seed)
    edges, coords, _ = random_connected(rng, 7, 11)
    G, seg = make_network(edges, coords)
    edges = lengths_of(G, seg)
    route = postman_route(G, seg, start=0, closed=False)
    assert route.traversals[0].u == 0
    assert route.total_length_m == pytest.approx(brute_force_cpp(edges, start=0, closed=False),
                                                 abs=1e-3)
    check(G, seg, route, closed=False, start=0)


@pytest.mark.parametrize("seed", range(8))
def test_directed_postman_equals_integer_program(seed):
    rng = np.random.default_rng(200 + seed)
    edges, coords, oneway = random_connected(rng, 8, 14, oneway_share=0.6)
    oneway = [True] * len(edges) if seed % 2 else oneway
    if seed % 2:
        # every street one-way: make it strongly connected with a ring of one-way streets
        n = len(coords)
        ring = [(i, (i + 1) % n, None) for i in range(n)]
        edges = ring + edges
        oneway = [True] * len(edges)
        G, seg = make_network(edges, coords, oneway=oneway)
        edges = lengths_of(G, seg)
        route = postman_route(G, seg, mode="drive")
        optimum = integer_program(edges, oneway)
    else:
        G, seg = make_network(edges, coords, oneway=oneway)
        edges = lengths_of(G, seg)
        route = postman_route(G, seg, mode="drive", both_sides=True)
        optimum = integer_program(edges, oneway, both_sides=True)
    assert route.total_length_m == pytest.approx(optimum, abs=1e-3)
    assert route.optimal
    check(G, seg, route)


@pytest.mark.parametrize("seed", range(8))
def test_mixed_postman_is_bounded_by_integer_program(seed):
    rng = np.random.default_rng(300 + seed)
    edges, coords, oneway = random_connected(rng, 9, 16, oneway_share=0.5)
    G, seg = make_network(edges, coords, oneway=oneway)
    edges = lengths_of(G, seg)
    route = postman_route(G, seg, mode="drive")
    optimum = integer_program(edges, oneway)
    assert route.lower_bound_m <= optimum + 1e-6 <= route.total_length_m + 2e-6
    assert route.total_length_m <= 1.25 * optimum
    check(G, seg, route)


@pytest.mark.parametrize("seed", range(6))
def test_rural_postman_is_bounded_by_brute_force(seed):
    rng = np.random.default_rng(400 + seed)
    edges, coords, _ = random_connected(rng, 7, 9)
    required = sorted(rng.choice(len(edges), size=4, replace=False).tolist())
    G, seg = make_network(edges, coords)
    edges = lengths_of(G, seg)
    ids = [f"s{i:03d}" for i in required]
    route = postman_route(G, seg, ids)
    optimum = brute_force_rural(edges, set(required))
    assert route.lower_bound_m <= optimum + 1e-6 <= route.total_length_m + 2e-6
    assert route.total_length_m <= 1.2 * optimum
    check(G, seg, route)


def test_streets_longer_than_the_matching_weight_limit_stay_exact():
    # 2**24 - 1 mm is 16.8 km: longer streets are split into chains for pymatching
    coords = {0: (0, 0), 1: (30000, 0), 2: (30000, 20000), 3: (0, 20000), 4: (15000, 10000)}
    edges = [(0, 1, 30000.0), (1, 2, 20000.0), (2, 3, 30000.0), (3, 0, 20000.0),
             (0, 4, 18000.0), (4, 2, 18000.0), (1, 3, 36000.5)]
    G, seg = make_network(edges, coords)
    route = postman_route(G, seg)
    assert route.total_length_m == pytest.approx(brute_force_cpp(edges), abs=1e-3)
    check(G, seg, route, length_tolerance=None)


# --------------------------------------------------------------------------- following the route


def _naive_uturns(route):
    H = nx.MultiGraph()
    for t in route.traversals:
        H.add_edge(t.u, t.v, sid=t.segment_id)
    circuit = list(nx.eulerian_circuit(H, source=route.start_node, keys=True))
    sids = [H.edges[u, v, k]["sid"] for u, v, k in circuit]
    return sum(a == b for a, b in itertools.pairwise(sids))


def test_circuit_prefers_going_on_to_u_turns(helsinki_walk, helsinki_walk_segments):
    route = postman_route(helsinki_walk, helsinki_walk_segments)
    ours = sum(a.segment_id == b.segment_id
               for a, b in itertools.pairwise(route.traversals))
    assert ours <= route.u_turns
    assert route.u_turns < _naive_uturns(route)
    # U-turns at dead ends cannot be avoided; hardly any others remain
    assert route.u_turns - route.dead_end_u_turns <= 0.02 * len(route.traversals)


def test_ring_road_has_no_u_turn():
    coords = {i: (100 * np.cos(i * np.pi / 4), 100 * np.sin(i * np.pi / 4)) for i in range(8)}
    edges = [(i, (i + 1) % 8, 80.0) for i in range(8)]
    G, seg = make_network(edges, coords)
    route = postman_route(G, seg, start=3)
    assert route.u_turns == 0 and len(route.traversals) == 8


def test_route_table_for_maps(helsinki_walk, helsinki_walk_segments):
    ids = helsinki_walk_segments["segment_id"].iloc[:300]
    route = postman_route(helsinki_walk, helsinki_walk_segments, ids, mode="walk")
    gdf = route.to_geodataframe()
    assert len(gdf) == len(route.traversals) and gdf.crs == helsinki_walk_segments.crs
    assert gdf.crs.is_projected
    assert gdf["cum_m"].iloc[-1] == pytest.approx(route.total_length_m, abs=0.05)
    assert gdf["time_s"].is_monotonic_increasing
    # each line runs the way it is driven: it starts at the node the traversal leaves
    first = gdf.geometry.iloc[0].coords[0]
    node = helsinki_walk.nodes[gdf["u"].iloc[0]]
    assert np.hypot(first[0] - node["x"], first[1] - node["y"]) < 0.5
    assert set(gdf["segment_id"]) >= set(ids)
    assert route.deadhead_length_m == pytest.approx(
        gdf.loc[gdf["deadhead"], "length_m"].sum(), abs=0.1)
    assert route.service_length_m == pytest.approx(
        helsinki_walk_segments.set_index("segment_id").loc[ids, "length_m"].sum(), abs=0.01)


# --------------------------------------------------------------------------- real data


@pytest.mark.parametrize("kwargs", [{}, {"closed": False}, {"both_sides": True}])
def test_helsinki_walk_routes_verify(helsinki_walk, helsinki_walk_segments, kwargs):
    route = postman_route(helsinki_walk, helsinki_walk_segments, mode="walk",
                          start=(60.1675, 24.9427), **kwargs)
    assert isinstance(route, Route) and route.start_snap_m < 200
    check(helsinki_walk, helsinki_walk_segments, route, closed=kwargs.get("closed", True),
          start=route.start_node)
    if not kwargs.get("both_sides"):
        assert route.optimal


def test_helsinki_drive_routes_verify(helsinki_drive):
    from patrolgeo import roads

    seg = roads.segments_from_graph(helsinki_drive)
    with pytest.raises(RoutingError, match="cannot be reached"):
        postman_route(helsinki_drive, seg, mode="drive")
    for kwargs in ({}, {"both_sides": True}, {"closed": False}):
        route = postman_route(helsinki_drive, seg, mode="drive", on_unreachable="skip",
                              **kwargs)
        assert route.unreachable_ids and route.respect_oneway
        assert route.lower_bound_m <= route.total_length_m
        assert route.gap_pct < 20
        check(helsinki_drive, seg, route, closed=kwargs.get("closed", True))


def test_guixi_routes_verify(guixi_walk, guixi_segments, guixi_osm):
    from patrolgeo import roads

    route = postman_route(guixi_walk, guixi_segments, mode="walk")
    assert route.optimal
    check(guixi_walk, guixi_segments, route)
    # a territory: the streets named 信州路 and 南大街, travelling on any street
    names = guixi_segments["road_name"].astype(str)
    ids = guixi_segments.loc[names.str.contains("信州路|南大街"), "segment_id"]
    assert len(ids) > 5
    route = postman_route(guixi_walk, guixi_segments, ids, mode="walk")
    assert route.lower_bound_m <= route.total_length_m
    check(guixi_walk, guixi_segments, route)
    drive = roads.load_graph(guixi_osm, mode="drive")
    dseg = roads.segments_from_graph(drive)
    route = postman_route(drive, dseg, mode="drive", on_unreachable="skip")
    check(drive, dseg, route)


# --------------------------------------------------------------------------- bad input


def test_bad_requests_raise_routing_errors(helsinki_walk, helsinki_walk_segments):
    with pytest.raises(RoutingError, match="not in the network") as err:
        postman_route(helsinki_walk, helsinki_walk_segments, ["no-such-segment"])
    assert err.value.field == "segment_id"
    with pytest.raises(RoutingError, match="from the routable network"):
        postman_route(helsinki_walk, helsinki_walk_segments, start=(28.3, 117.2))
    with pytest.raises(RoutingError, match="latitude"):
        postman_route(helsinki_walk, helsinki_walk_segments, start=(200.0, 24.9))
    with pytest.raises(RoutingError, match="unknown mode"):
        postman_route(helsinki_walk, helsinki_walk_segments, mode="boat")
    empty = postman_route(helsinki_walk, helsinki_walk_segments, [])
    assert empty.traversals == [] and empty.total_length_m == 0


def test_verifier_finds_every_violation():
    rng = np.random.default_rng(7)
    edges, coords, oneway = random_connected(rng, 8, 14, oneway_share=0.5)
    G, seg = make_network(edges, coords, oneway=oneway)
    route = postman_route(G, seg, mode="drive")
    assert verify_route(G, None, route, segments=seg).ok
    edges_seq = route.edges()
    # drop one run: a gap, and perhaps a street left out
    broken = edges_seq[:3] + edges_seq[4:]
    report = verify_route(G, None, broken, segments=seg)
    assert not report.ok and any("starts at" in v or "开始" in v or "不相接" in v
                                 for v in report.messages("zh") + report.messages("en"))
    assert "gap" in {v.code for v in report.violations}
    # run a one-way street backwards
    one = seg[seg["oneway"]].iloc[0]
    report = verify_route(G, None, [(one.v, one.u, None)], segments=seg, closed=False)
    assert not report.ok
    # an open route where a closed one is asked for, and a missing street
    report = verify_route(G, None, edges_seq[:-1], segments=seg)
    assert (not report.ok and report.covered < report.required) or not report.ok
    # node sequences (how other tools report routes) are accepted
    nodes = route.nodes()
    assert verify_route(G, None, nodes, segments=seg).ok
    # a wrong stated length is caught
    route.traversals[0].length_m += 50
    report = verify_route(G, None, route, segments=seg)
    assert not report.ok
    assert "traversal_length" in {v.code for v in report.violations}
    with pytest.raises(RoutingError) as info:
        report.raise_if_invalid()
    assert info.value.one_line("en").startswith("route: route check failed: traversal 1 ")
    assert "路线校验未通过" in info.value.one_line("zh")


@pytest.mark.parametrize("seed", range(4))
def test_exact_mode_reaches_the_rural_optimum(seed):
    rng = np.random.default_rng(500 + seed)
    edges, coords, _ = random_connected(rng, 8, 10)
    G, seg = make_network(edges, coords)
    edges = lengths_of(G, seg)
    # required streets far apart in the spanning tree: several pieces
    required = [0, 3, 6, 9]
    ids = [f"s{i:03d}" for i in required]
    heuristic = postman_route(G, seg, ids)
    exact = postman_route(G, seg, ids, exact=True)
    optimum = brute_force_rural(edges, set(required))
    assert exact.total_length_m == pytest.approx(optimum, abs=1e-3)
    assert exact.optimal and exact.total_length_m <= heuristic.total_length_m + 1e-6
    assert heuristic.lower_bound_m <= optimum + 1e-6
    check(G, seg, exact)


@pytest.mark.parametrize("seed", range(4))
def test_exact_mode_reaches_the_mixed_optimum(seed):
    rng = np.random.default_rng(600 + seed)
    edges, coords, oneway = random_connected(rng, 9, 16, oneway_share=0.5)
    G, seg = make_network(edges, coords, oneway=oneway)
    edges = lengths_of(G, seg)
    route = postman_route(G, seg, mode="drive", exact=True)
    assert route.total_length_m == pytest.approx(integer_program(edges, oneway), abs=1e-3)
    assert route.optimal
    check(G, seg, route)


OPTIONS = [{"mode": "walk"}, {"mode": "walk", "closed": False, "start": 3},
           {"mode": "walk", "both_sides": True}, {"mode": "walk", "both_sides": True,
                                                    "closed": False},
           {"mode": "drive"}, {"mode": "drive", "closed": False},
           {"mode": "drive", "closed": False, "start": 2},
           {"mode": "drive", "both_sides": True}, {"mode": "drive", "exact": True}]


@pytest.mark.parametrize("seed", range(12))
def test_every_option_gives_a_valid_route(seed):
    rng = np.random.default_rng(900 + seed)
    edges, coords, oneway = random_connected(rng, 10, 18, oneway_share=0.4)
    G, seg = make_network(edges, coords, oneway=oneway)
    required = [f"s{i:03d}" for i in sorted(rng.choice(len(edges), size=6, replace=False))]
    for options in OPTIONS:
        route = postman_route(G, seg, required, **options)
        closed = options.get("closed", True)
        report = verify_route(G, required, route, segments=seg, closed=closed,
                              both_sides=options.get("both_sides", False),
                              start=route.start_node if "start" in options else None)
        assert report.ok, (options, report.violations)
        assert route.lower_bound_m <= route.total_length_m + 1e-6
        assert route.closed == closed


def test_a_segments_table_breaking_the_contract_is_a_segments_error():
    from patrolgeo.errors import SegmentsError

    coords = {"a": (0, 0), "b": (100, 0), "c": (100, 100)}
    G, seg = make_network([("a", "b", None), ("b", "c", None), ("c", "a", None)], coords)
    assert postman_route(G, seg).total_length_m > 0
    with pytest.raises(SegmentsError) as caught:
        postman_route(G, seg.drop(columns="oneway"))
    assert caught.value.field == "oneway"
    with pytest.raises(SegmentsError) as caught:
        postman_route(G, pd.concat([seg, seg.iloc[:1]]))
    assert caught.value.field == "segment_id"
    with pytest.raises(SegmentsError) as caught:
        postman_route(G, seg.set_crs("EPSG:4326", allow_override=True))
    assert caught.value.field == "crs"
