"""Boundary links (turning round outside the area) and routes over networks in pieces."""

from __future__ import annotations

import itertools
import math

import networkx as nx
import pytest
from shapely.geometry import Point, box

from oneway_check import AGAINST, ALONG, allowed_directions, check_route
from osm_builders import write_osm
from patrolgeo import roads, routing
from patrolgeo.outputs.route import route_gpx, turn_by_turn
from patrolgeo.routing.steps import route_steps

STREET = {"highway": "residential"}
BOUNDS = (120.0, 30.0, 120.004, 30.003)  # west, south, east, north

#: an inside ring; a dual carriageway running east out of the area (101 out, 102 in);
#: outside the bounds, a street joining the two carriageways' far ends
NODES = {1: (30.001, 120.0005), 2: (30.001, 120.002), 3: (30.002, 120.002),
         4: (30.002, 120.0005), 5: (30.001, 120.0035), 6: (30.001, 120.006),
         7: (30.0014, 120.006), 8: (30.0014, 120.0035), 9: (30.0012, 120.007)}
DUAL = {"highway": "secondary", "oneway": "yes"}
WAYS = {100: ([1, 2, 3, 4, 1], {**STREET, "name": "环路"}),
        101: ([2, 5, 6], {**DUAL, "name": "大道"}),
        102: ([7, 8, 3], {**DUAL, "name": "大道"})}
TURNING = {103: ([6, 9, 7], {**STREET, "name": "区外路"})}


def _osm(tmp_path, turning=True):
    ways = {**WAYS, **(TURNING if turning else {})}
    return write_osm(tmp_path / "dual.osm", NODES, ways, bounds=BOUNDS)


def _route(osm, mode="drive", **kwargs):
    net = roads.load_network(osm, network=mode, mode=mode, keep_components=kwargs.pop(
        "keep_components", False))
    segments = roads.segments_from_graph(net.graph)
    return net.graph, segments, routing.postman_route(net.graph, segments, mode=mode,
                                                      on_unreachable="skip", **kwargs)


def _links(G):
    return [(u, v, d) for u, v, d in G.edges(data=True) if d.get("outside")]


@pytest.mark.parametrize("mode", ["drive", "bike"])
def test_cut_dual_carriageway_gets_a_legal_link_outside(tmp_path, mode):
    osm = _osm(tmp_path)
    G, segments, route = _route(osm, mode)
    links = _links(G)
    assert len(links) == 1
    u, v, data = links[0]
    assert (u, v) == (5, 8)  # from the outbound carriageway's cut end to the inbound's
    nodes = [int(n) for n in data["via_nodes"].split(";")]
    ways = [int(w) for w in data["via_ways"].split(";")]
    assert nodes[0] == u and nodes[-1] == v
    # every inner node lies outside the area; every step follows its way legally
    area = box(*BOUNDS)
    for n in nodes[1:-1]:
        lat, lon = NODES[n]
        assert not area.contains(Point(lon, lat))
    for w, a, b in zip(ways, nodes, nodes[1:], strict=False):
        refs, tags = {**WAYS, **TURNING}[w]
        step = ALONG if refs.index(b) == refs.index(a) + 1 else AGAINST
        assert abs(refs.index(b) - refs.index(a)) == 1
        assert step in allowed_directions(tags, mode)
    # its length is the length of the path it follows
    expect = sum(_great_circle_m(NODES[a], NODES[b]) for a, b in itertools.pairwise(nodes))
    assert data["length"] == pytest.approx(expect, rel=0.01)
    # it is no segment, and the route covers both carriageways, legally
    assert not segments["segment_id"].str.startswith("outside").any()
    assert set(segments["osm_way_id"]) == {100, 101, 102}
    assert not route.unreachable_ids
    assert {t.segment_id for t in route.traversals} >= set(segments["segment_id"])
    assert any(t.kind == "outside" for t in route.traversals)
    assert check_route(osm, route) == []
    routing.verify_route(G, None, route, segments=segments).raise_if_invalid()
    text = "\n".join(turn_by_turn(route, "zh"))
    assert "出区掉头（区外" in text
    assert "leave the area and turn back" in "\n".join(turn_by_turn(route, "en"))


def _great_circle_m(a, b):
    """Great-circle metres between two (lat, lon) points."""
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = (math.sin((lat2 - lat1) / 2) ** 2
         + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2)
    return 2 * 6_371_009 * math.asin(math.sqrt(h))


def test_no_way_round_in_the_file_is_a_boundary_dead_end(tmp_path):
    osm = _osm(tmp_path, turning=False)
    G, segments, route = _route(osm)
    assert not _links(G)
    table = route.unreachable_table()
    dual = set(segments.loc[segments["osm_way_id"].isin([101, 102]), "segment_id"])
    assert set(table["segment_id"]) == dual
    assert set(table["reason"]) == {"boundary_dead_end"}


def test_walk_graphs_get_no_links(tmp_path):
    G, _, route = _route(_osm(tmp_path), "walk")
    assert not _links(G) and not route.unreachable_ids


# ------------------------------------------------------------------ the demo district


def _strong_part(G, start):
    return next(c for c in nx.strongly_connected_components(G) if start in c)


def test_demo_drive_route_serves_what_the_links_make_reachable(guixi_osm):
    net = roads.load_network(guixi_osm, network="city", mode="drive")
    G = net.graph
    segments = roads.segments_from_graph(G)
    route = routing.postman_route(G, segments, mode="drive", on_unreachable="skip")
    assert _links(G) and route.outside_length_m > 0
    assert check_route(guixi_osm, route) == []
    routing.verify_route(G, route.required_ids, route, segments=segments).raise_if_invalid()
    # independently, with networkx: the strongly connected part holding the start
    with_links = _strong_part(G, route.start_node)
    streets = nx.MultiDiGraph(G)
    streets.remove_edges_from([(u, v, k) for u, v, k, d in G.edges(keys=True, data=True)
                               if d.get("outside")])
    without = _strong_part(streets, route.start_node)
    by_id = segments.set_index("segment_id")

    def left_out(part):
        inside = by_id["u"].isin(part) & by_id["v"].isin(part)
        return set(by_id.index[~inside])

    assert set(route.unreachable_ids) == left_out(with_links)
    before, after = left_out(without), set(route.unreachable_ids)
    assert after < before
    km = by_id["length_m"]
    assert km[list(after)].sum() < km[list(before)].sum()
    driven = {t.segment_id for t in route.traversals}
    assert set(by_id.index) - after <= driven
    # each boundary dead end leads out over a cut end, or comes in over one
    boundary = {n for n, d in G.nodes(data=True) if d.get("boundary")}
    table = route.unreachable_table().set_index("segment_id")
    for sid in route.boundary_ids:
        u, v = by_id.loc[sid, ["u", "v"]]
        leads_out = u in nx.descendants(G, route.start_node) | {route.start_node} and \
            bool(boundary & (nx.descendants(G, v) | {v}))
        comes_in = bool(boundary & (nx.ancestors(G, u) | {u})) and \
            route.start_node in nx.descendants(G, v) | {v}
        assert leads_out or comes_in
        assert table.loc[sid, "reason"] == "boundary_dead_end"


# ------------------------------------------------------------------ keep_components


SQUARE = [(0.0, 0.0), (0.0, 0.002), (0.002, 0.002), (0.002, 0.0)]


def _two_pieces(tmp_path):
    nodes, ways = {}, {}
    for piece, dlon in ((0, 0.0), (1, 0.006)):
        ids = [10 * piece + i + 1 for i in range(4)]
        for n, (dlat, lon) in zip(ids, SQUARE, strict=True):
            nodes[n] = (30.0 + dlat, 120.0 + lon + dlon)
        ways[100 + 2 * piece] = (ids[:3], {**STREET, "name": f"片区{piece}路"})
        ways[101 + 2 * piece] = ([*ids[2:], ids[0]], {**STREET, "name": f"片区{piece}街"})
    return write_osm(tmp_path / "pieces.osm", nodes, ways)


def test_two_pieces_are_joined_by_one_straight_transfer(tmp_path):
    osm = _two_pieces(tmp_path)
    G, segments, route = _route(osm, "walk", keep_components=True, closed=False)
    assert nx.number_weakly_connected_components(G) == 2
    assert not route.unreachable_ids and route.pieces == 2
    assert {t.segment_id for t in route.traversals} >= set(segments["segment_id"])
    transfers = [t for t in route.traversals if t.kind == "transfer"]
    assert len(transfers) == 1 and route.transfers == 1
    leg = transfers[0]
    nu, nv = G.nodes[leg.u], G.nodes[leg.v]
    assert leg.length_m == pytest.approx(math.hypot(nu["x"] - nv["x"], nu["y"] - nv["y"]))
    assert route.transfer_length_m == pytest.approx(leg.length_m)
    # nearest piece point: no node of the second piece is nearer the departure point
    other = [n for n in G if not nx.has_path(G.to_undirected(), n, leg.u)]
    assert leg.v in other and all(
        math.hypot(G.nodes[n]["x"] - nu["x"], G.nodes[n]["y"] - nu["y"]) >= leg.length_m - 1e-6
        for n in other)
    # street km do not count it
    streets = sum(t.length_m for t in route.traversals if t.kind != "transfer")
    assert route.total_length_m == pytest.approx(streets)
    assert route.summary()["transfer_km"] == pytest.approx(leg.length_m / 1000, abs=1e-4)
    routing.verify_route(G, None, route, closed=False, segments=segments).raise_if_invalid()
    zh, en = turn_by_turn(route, "zh"), turn_by_turn(route, "en")
    assert any("转移至下一片区：直线" in line and "路网不连通" in line for line in zh)
    assert any("transfer to the next piece" in line for line in en)
    assert "2 pieces" in en[0]
    assert sum(s.kind == "transfer" for s in route_steps(route)) == 1
    # the GPX track breaks at the transfer: it claims no street there
    assert route_gpx(route).count("<trkseg>") == 2


def test_closed_route_over_pieces_returns_by_a_second_transfer(tmp_path):
    osm = _two_pieces(tmp_path)
    G, segments, route = _route(osm, "walk", keep_components=True)
    assert route.transfers == 2 and route.traversals[-1].v == route.traversals[0].u
    routing.verify_route(G, None, route, segments=segments).raise_if_invalid()
    assert "transfer back" in turn_by_turn(route, "en")[-2]


def test_link_pieces_false_keeps_the_old_main_piece_route(tmp_path):
    osm = _two_pieces(tmp_path)
    _, _, route = _route(osm, "walk", keep_components=True, link_pieces=False)
    assert route.transfers == 0 and route.pieces == 1
    assert set(route.unreachable_table()["reason"]) == {"disconnected"}


def test_verify_rejects_a_transfer_between_joined_nodes(tmp_path):
    osm = _two_pieces(tmp_path)
    G, segments, route = _route(osm, "walk", keep_components=True, closed=False)
    leg = next(i for i, t in enumerate(route.traversals) if t.kind == "transfer")
    # a transfer within one piece is a lie: a street joins its ends
    bad = route.traversals[leg]
    first = route.traversals[0].u
    same = next(n for n in G if n != first and nx.has_path(G.to_undirected(), n, first))
    route.traversals[leg] = type(bad)(bad.segment_id, first, same, None, True, 1.0,
                                      kind="transfer")
    check = routing.verify_route(G, None, route, closed=False, segments=segments)
    assert not check.ok
    assert any("joins nodes a street already joins" in m for m in check.messages("en"))
