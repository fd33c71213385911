"""Boundary links: where clipping cut a one-way road, the legal way out and back in.

An OSM export carries whole ways running past its bounds; the loader clips them, so
the two one-way carriageways of a dual road cut by the boundary end there: a vehicle
can drive in along one but not out along the other. A real driver turns round outside
the area on real roads. A *boundary link* is that detour: the shortest legal path (one
way rules kept) through the unclipped graph, outside the area (within
:data:`BOUNDARY_LINK_MARGIN_M` of it), from a cut end the clipped network cannot leave
to another cut end, or into a cut end it cannot enter. It is added to the clipped graph
as one edge flagged ``outside=True`` with the path's real geometry and length, the way
ids (``via_ways``) and node ids (``via_nodes``) it follows, as ``;``-joined strings. It
is never a segment (:func:`patrolgeo.roads.segments_from_graph` skips it): routes may
drive it, never have to.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Iterable
from typing import Any

import networkx as nx
import shapely
from shapely.geometry import LineString, Polygon

#: How far past the area a turning path may go (metres): a driver turns round at the
#: next junction or roundabout, well within 2 km on a city's dual carriageways.
BOUNDARY_LINK_MARGIN_M = 2000.0

#: Metres per degree of latitude (the margin is laid around the area in degrees).
_M_PER_DEG = 111_320.0

#: The edge attribute flagging a boundary link (and the graph attribute counting them).
OUTSIDE = "outside"


def is_outside(data: dict[str, Any]) -> bool:
    """Whether an edge's attributes mark it as a boundary link (not a street of the area)."""
    value = data.get(OUTSIDE, False)
    return value is True or str(value).lower() == "true"


def _margin_area(area: Polygon, margin_m: float) -> Polygon:
    lat = (area.bounds[1] + area.bounds[3]) / 2
    # degrees of longitude are shorter: buffer by the longitude degrees (the wider one)
    return area.buffer(margin_m / (_M_PER_DEG * max(math.cos(math.radians(lat)), 0.1)))


def _outside_nodes(G_full: nx.MultiDiGraph, area: Polygon, margin_m: float) -> set[Any]:
    """Nodes of the unclipped graph outside the area and within the margin of it."""
    nodes = list(G_full.nodes)
    xs = [G_full.nodes[n]["x"] for n in nodes]
    ys = [G_full.nodes[n]["y"] for n in nodes]
    inside = shapely.intersects_xy(area, xs, ys)
    near = (shapely.intersects_xy(_margin_area(area, margin_m), xs, ys)
            if math.isfinite(margin_m) else [True] * len(nodes))
    return {n for n, i, m in zip(nodes, inside, near, strict=True) if m and not i}


def _unstuck(G: nx.MultiDiGraph) -> set[Any]:
    """Nodes in the largest strongly connected piece of their weakly connected piece."""
    good: set[Any] = set()
    for piece in nx.weakly_connected_components(G):
        sub = G.subgraph(piece)
        good |= max(nx.strongly_connected_components(sub), key=len)
    return good


def _search(G_full: nx.MultiDiGraph, source: Any, targets: set[Any], passable: set[Any],
            reverse: bool) -> list[tuple[Any, Any, int]] | None:
    """Shortest path from ``source`` through ``passable`` nodes to one of ``targets``.

    Returns its edges ``(u, v, key)`` in driving order, or None. With ``reverse`` the
    search runs against the edges (a path *into* ``source``).
    """
    dist = {source: 0.0}
    back: dict[Any, tuple[Any, Any, int]] = {}
    heap = [(0.0, 0, source)]
    tie = 1
    adjacency = G_full._pred if reverse else G_full._succ
    while heap:
        d, _, node = heapq.heappop(heap)
        if d > dist.get(node, math.inf):
            continue
        if node != source and node in targets:
            edges = []
            while node != source:
                edges.append(back[node])
                u, v, _k = back[node]
                node = v if reverse else u
            return edges if reverse else edges[::-1]
        if node != source and node not in passable:
            continue
        for nxt, keyed in adjacency[node].items():
            if nxt not in passable and nxt not in targets:
                continue
            key, data = min(keyed.items(), key=lambda kd: float(kd[1].get("length", 0.0)))
            nd = d + float(data.get("length", 0.0))
            if nd < dist.get(nxt, math.inf):
                dist[nxt] = nd
                back[nxt] = (nxt, node, key) if reverse else (node, nxt, key)
                heapq.heappush(heap, (nd, tie, nxt))
                tie += 1
    return None


def _link_attrs(G_full: nx.MultiDiGraph, path: list[tuple[Any, Any, int]], number: int
                ) -> dict[str, Any]:
    nodes = [path[0][0], *(v for _, v, _ in path)]
    ways = [G_full[u][v][k].get("osmid") for u, v, k in path]
    ways = [w[0] if isinstance(w, list) else w for w in ways]
    coords = [(G_full.nodes[n]["x"], G_full.nodes[n]["y"]) for n in nodes]
    return {
        "osmid": -number,  # a way id of its own: simplification keeps the link's ends
        OUTSIDE: True,
        "highway": "outside",
        "oneway": True,
        "reversed": False,
        "length": float(sum(float(G_full[u][v][k].get("length", 0.0)) for u, v, k in path)),
        "geometry": LineString(coords),
        "via_ways": ";".join(str(int(w)) for w in ways),
        "via_nodes": ";".join(str(int(n)) for n in nodes),
    }


def _cut_ends(G_full: nx.MultiDiGraph, kept: set[Any], outside: set[Any]
              ) -> tuple[set[Any], set[Any]]:
    """Kept nodes with an edge out to (``exits``) or in from (``entries``) the outside."""
    exits = {n for n in kept if any(m in outside for m in G_full._succ[n])}
    entries = {n for n in kept if any(m in outside for m in G_full._pred[n])}
    return exits, entries


#: The node attribute marking a cut end: ``"exit"``, ``"entry"`` or ``"both"`` (a way
#: of the file leaves, enters, or both, the area there).
BOUNDARY = "boundary"


def mark_cut_ends(G: nx.MultiDiGraph, G_full: nx.MultiDiGraph, area: Polygon) -> None:
    """Mark the nodes of ``G`` where clipping cut a way of ``G_full`` (``boundary``)."""
    far = _outside_nodes(G_full, area, math.inf)
    for n in G.nodes:
        out = any(m in far for m in G_full._succ[n])
        into = any(m in far for m in G_full._pred[n])
        if out or into:
            G.nodes[n][BOUNDARY] = "both" if out and into else ("exit" if out else "entry")


def add_boundary_links(G: nx.MultiDiGraph, G_full: nx.MultiDiGraph, area: Polygon, *,
                       margin_m: float = BOUNDARY_LINK_MARGIN_M) -> int:
    """Add a boundary link at every cut end a vehicle cannot both reach and leave.

    Parameters
    ----------
    G
        The clipped, unsimplified graph in degrees (changed in place).
    G_full
        The unclipped graph it was clipped from (same node ids, directed by one-way law).
    area
        The clipping polygon (WGS-84).
    margin_m
        How far outside the area the links may run.

    Returns
    -------
    int
        The number of links added.
    """
    outside = _outside_nodes(G_full, area, margin_m)
    kept = set(G.nodes)
    exits, entries = _cut_ends(G_full, kept, outside)
    added = 0
    # first the ways out: a cut end one can arrive at but not leave, to the nearest cut
    # end that lets one back in; then the ways in, to the cut ends still not reachable
    for reverse, ends, targets in ((False, exits, entries), (True, entries, exits)):
        good = _unstuck(G)
        for end in sorted(n for n in ends if n not in good):
            path = _search(G_full, end, targets - {end}, outside, reverse)
            if path is None:
                continue
            added += 1
            G.add_edge(path[0][0], path[-1][1], **_link_attrs(G_full, path, added))
    G.graph["boundary_links"] = added
    return added


def outside_edges(G: nx.MultiDiGraph) -> Iterable[tuple[Any, Any, Any, dict[str, Any]]]:
    """The boundary links of a graph: ``(u, v, key, data)``."""
    return ((u, v, k, d) for u, v, k, d in G.edges(keys=True, data=True) if is_outside(d))
