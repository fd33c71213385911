"""Downloading road graphs from OpenStreetMap with osmnx, cached as GraphML."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import networkx as nx
import osmnx as ox
from shapely.geometry import Polygon

from patrolgeo.errors import AreaError, DownloadError, EmptyNetworkError
from patrolgeo.roads._areas import check_bbox
from patrolgeo.roads._export import save_graphml
from patrolgeo.roads._filters import network_filter
from patrolgeo.roads._graphs import _finish_graph, load_graphml
from patrolgeo.roads._read import EXTRA_WAY_TAGS, _first_line, _way_tags

#: Where downloaded graphs are cached (relative to the working directory).
DEFAULT_CACHE_DIR = Path("data/roads")


def _download_key(kind: str, query: Any, mode: str) -> str:
    """Hash a download request to a short stable key (names its cache file)."""
    text = json.dumps({"kind": kind, "query": query, "mode": mode}, sort_keys=True,
                      ensure_ascii=False)
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:16]


def graph_from_osm(
    *,
    place: str | None = None,
    bbox: tuple[float, float, float, float] | None = None,
    polygon: Polygon | None = None,
    mode: str = "walk",
    cache_dir: str | Path | None = DEFAULT_CACHE_DIR,
) -> nx.MultiDiGraph:
    """Download a projected road graph from OpenStreetMap with osmnx (needs network).

    The finished graph is cached as GraphML under ``cache_dir`` (``data/roads/`` by
    default) and read from there on later calls, so a district is fetched once.

    Parameters
    ----------
    place
        A geocodable place name, e.g. ``"济阳区, 济南市, 山东省"``.
    bbox
        ``(west, south, east, north)`` in degrees.
    polygon
        A WGS-84 polygon.
    mode
        ``"walk"``, ``"bike"`` or ``"drive"``.
    cache_dir
        Where finished graphs are cached; ``None`` disables the cache.
    """
    network_filter(mode)
    if sum(x is not None for x in (place, bbox, polygon)) != 1:
        raise AreaError("give exactly one of place, bbox or polygon", field="area")
    query: Any
    if bbox is not None:
        check_bbox(bbox)
        kind, query = "bbox", list(bbox)
    elif polygon is not None:
        kind, query = "polygon", polygon.wkt
    else:
        kind, query = "place", place
    cache_file = None
    if cache_dir is not None:
        cache_file = Path(cache_dir) / f"{kind}-{mode}-{_download_key(kind, query, mode)}.graphml"
        if cache_file.exists():
            return load_graphml(cache_file)
    try:
        with _way_tags(EXTRA_WAY_TAGS):
            if kind == "bbox":
                assert bbox is not None
                G = ox.graph_from_bbox(bbox, network_type=mode, simplify=False, retain_all=True)
            elif kind == "polygon":
                G = ox.graph_from_polygon(polygon, network_type=mode, simplify=False,
                                          retain_all=True)
            else:
                assert place is not None
                G = ox.graph_from_place(place, network_type=mode, simplify=False,
                                        retain_all=True)
    except (ox._errors.InsufficientResponseError, ValueError, TypeError) as exc:
        raise EmptyNetworkError(f"OpenStreetMap returned no {mode} roads: {_first_line(exc)}",
                                field=kind) from exc
    except Exception as exc:  # requests' connection errors and the like
        raise DownloadError(f"download failed: {_first_line(exc)}", field=kind) from exc
    G.graph["mode"] = mode
    G = _finish_graph(G, None, f"osm:{kind}:{query}")
    if cache_file is not None:
        save_graphml(G, cache_file)
    return G
