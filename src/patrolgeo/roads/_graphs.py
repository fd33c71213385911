"""Finishing and caching road graphs: clip, largest component, simplify, project."""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path
from typing import Any

import networkx as nx
import osmnx as ox
from shapely.geometry import Polygon

from patrolgeo.errors import AreaError, EmptyNetworkError, OSMFileError
from patrolgeo.roads._links import add_boundary_links, mark_cut_ends
from patrolgeo.roads._read import _first_line


def _finish_graph(
    G: nx.MultiDiGraph,
    area: Polygon | None,
    source: str,
    *,
    keep_components: bool = False,
    keep_ways: Collection[int] = (),
    dropped: list[dict[str, Any]] | None = None,
    boundary_links: bool = False,
) -> nx.MultiDiGraph:
    """Clip, keep the largest component, simplify (one segment per way) and project.

    Parameters
    ----------
    G
        The unsimplified graph in degrees, as osmnx builds it.
    area
        Clip to this WGS-84 polygon (ways cut away by it are not losses: not recorded).
    source
        Names the data in errors and in ``G.graph["source"]``.
    keep_components
        Keep every weakly connected piece, not only the largest.
    keep_ways
        Way ids whose pieces are kept whatever their size (``include_ways``).
    dropped
        When given, one excluded-way record (reason ``component``) per way of the
        dropped pieces is appended to it.
    boundary_links
        Where clipping cut one-way roads, add the legal detours outside the area
        (:func:`patrolgeo.roads._links.add_boundary_links`; drive and bike graphs).
    """
    if len(G) == 0 or G.number_of_edges() == 0:
        raise EmptyNetworkError("no roads of this mode in the data", file=source)
    full = G
    if area is not None:
        try:
            G = ox.truncate.truncate_graph_polygon(G, area, truncate_by_edge=False)
        except ValueError as exc:
            raise AreaError("the area holds no road nodes of the data", file=source,
                            field="bbox") from exc
        if len(G) == 0 or G.number_of_edges() == 0:
            raise AreaError("the area holds no roads of the data", file=source, field="bbox")
    if not keep_components:
        G = _main_components(G, set(keep_ways), dropped)
    if G.number_of_edges() == 0:
        raise EmptyNetworkError("the network has no edges after clipping", file=source)
    if boundary_links and area is not None:
        G = nx.MultiDiGraph(G)  # a subgraph view is frozen
        mark_cut_ends(G, full, area)
        add_boundary_links(G, full, area)
    # one segment never spans two OSM ways, so its id can name the way it belongs to
    G = ox.simplify_graph(G, edge_attrs_differ=["osmid"])
    G = ox.project_graph(G)
    G.graph["source"] = source
    return G


def _main_components(G: nx.MultiDiGraph, keep_ways: set[int],
                     dropped: list[dict[str, Any]] | None) -> nx.MultiDiGraph:
    """Keep the largest weakly connected piece (and pieces holding ``keep_ways``)."""
    if nx.is_weakly_connected(G):
        return G
    pieces = list(nx.weakly_connected_components(G))
    largest = max(pieces, key=len)  # as osmnx's largest_component picks it
    kept = set(largest)
    if keep_ways:
        for piece in pieces:
            if piece is not largest and any(
                    d.get("osmid") in keep_ways for _, _, d in G.edges(piece, data=True)):
                kept |= piece
    if dropped is not None:
        lost = sorted((p for p in pieces if not p <= kept), key=lambda p: (-len(p), min(p)))
        for number, piece in enumerate(lost, start=1):
            dropped.extend(_component_records(G, piece, f"piece {number}"))
    return nx.MultiDiGraph(G.subgraph(kept))


def _component_records(G: nx.MultiDiGraph, nodes: set[int], detail: str
                       ) -> list[dict[str, Any]]:
    """One record per way of the edges among ``nodes``: name, class, length (metres).

    ``detail`` numbers the dropped piece (largest first), so the ways of one piece can
    be told apart from another's.
    """
    seen: set[tuple[int, int, int]] = set()
    records: dict[int, dict[str, Any]] = {}
    for u, v, data in G.edges(nodes, data=True):
        way = int(data.get("osmid", -1))
        key = (way, min(u, v), max(u, v))
        if key in seen:  # the two directions of a two-way piece
            continue
        seen.add(key)
        rec = records.setdefault(way, {
            "way_id": way, "name": str(data.get("name:zh") or data.get("name") or ""),
            "highway": str(data.get("highway", "")), "length_m": 0.0,
            "reason": "component", "detail": detail,
        })
        rec["length_m"] += float(data.get("length", 0.0))
    return list(records.values())


def load_graphml(path: str | Path) -> nx.MultiDiGraph:
    """Load a graph saved by :func:`save_graphml`, projecting it if it is in degrees."""
    path = Path(path)
    try:
        G = ox.load_graphml(path)
    except Exception as exc:
        raise OSMFileError(f"unreadable GraphML cache: {_first_line(exc)}", file=path) from exc
    if G.number_of_edges() == 0:
        raise EmptyNetworkError("the GraphML file holds no roads", file=path)
    if ox.projection.is_projected(G.graph.get("crs")) is False:
        G = ox.project_graph(G)
    G.graph.setdefault("source", str(path))
    return G
