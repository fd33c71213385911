"""Finishing and caching road graphs: clip, largest component, simplify, project."""

from __future__ import annotations

from pathlib import Path

import networkx as nx
import osmnx as ox
from shapely.geometry import Polygon

from patrolgeo.errors import AreaError, EmptyNetworkError, OSMFileError
from patrolgeo.roads._read import _first_line


def _finish_graph(G: nx.MultiDiGraph, area: Polygon | None, source: str) -> nx.MultiDiGraph:
    """Clip, keep the largest component, simplify (one segment per way) and project."""
    if len(G) == 0 or G.number_of_edges() == 0:
        raise EmptyNetworkError("no roads of this mode in the data", file=source)
    if area is not None:
        try:
            G = ox.truncate.truncate_graph_polygon(G, area, truncate_by_edge=False)
        except ValueError as exc:
            raise AreaError("the area holds no road nodes of the data", file=source,
                            field="bbox") from exc
        if len(G) == 0 or G.number_of_edges() == 0:
            raise AreaError("the area holds no roads of the data", file=source, field="bbox")
    G = ox.truncate.largest_component(G, strongly=False)
    if G.number_of_edges() == 0:
        raise EmptyNetworkError("the network has no edges after clipping", file=source)
    # one segment never spans two OSM ways, so its id can name the way it belongs to
    G = ox.simplify_graph(G, edge_attrs_differ=["osmid"])
    G = ox.project_graph(G)
    G.graph["source"] = source
    return G


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
