"""Loading a road graph from an OSM file, a GraphML cache, or a download.

Files are read with pyosmium, filtered to the ways of the chosen mode with osmnx's own
network filters, and handed to ``osmnx.graph_from_xml``; so the XML and the PBF of one
area give the same graph, and a file gives the same network as an osmnx download of the
same area.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import networkx as nx
import osmnx as ox
from shapely.geometry import Polygon, box

from patrolgeo.errors import AreaError, EmptyNetworkError, OSMFileError
from patrolgeo.roads._areas import _area_polygon
from patrolgeo.roads._download import DEFAULT_CACHE_DIR, graph_from_osm
from patrolgeo.roads._export import write_osm_xml
from patrolgeo.roads._filters import network_filter, way_passes
from patrolgeo.roads._graphs import _finish_graph, load_graphml
from patrolgeo.roads._oneway import apply_oneway_law
from patrolgeo.roads._read import (
    EXTRA_WAY_TAGS,
    GRAPHML_SUFFIXES,
    PBF_SUFFIXES,
    XML_SUFFIXES,
    _suffix,
    _way_tags,
    file_bounds,
    read_osm_ways,
)


def graph_from_file(
    path: str | Path,
    *,
    mode: str = "walk",
    bbox: tuple[float, float, float, float] | None = None,
    polygon: Polygon | None = None,
    clip_to_bounds: bool = True,
) -> nx.MultiDiGraph:
    """Load a projected road graph from an OSM file.

    Parameters
    ----------
    path
        ``.osm``, ``.osm.bz2``, ``.osm.gz``, ``.osm.pbf`` or a ``.graphml`` cache.
    mode
        ``"walk"``, ``"bike"`` or ``"drive"``; selects ways with osmnx's network filter
        and whether one-way streets bind (``drive`` and ``bike`` respect them).
    bbox
        Optional ``(west, south, east, north)`` in degrees to clip to.
    polygon
        Optional clipping polygon in WGS-84 (takes precedence over ``bbox``).
    clip_to_bounds
        Clip to the bounds in the file header when no area is given: exports from the
        OSM website carry whole ways running far past the requested bounds.

    Returns
    -------
    networkx.MultiDiGraph
        Simplified graph in a local UTM CRS; node ids are OSM node ids; edges carry
        ``osmid`` (the way id), ``length`` in metres and ``geometry``.
    """
    path = Path(path)
    if not path.exists():
        raise OSMFileError("file not found", file=path)
    if not path.is_file():
        raise OSMFileError("not a file", file=path)
    suffix = _suffix(path)
    if suffix in GRAPHML_SUFFIXES:
        return load_graphml(path)
    if suffix not in XML_SUFFIXES + PBF_SUFFIXES:
        raise OSMFileError(
            f"unknown file type {suffix or path.name!r}: use .osm, .osm.bz2, .osm.pbf or "
            ".graphml", file=path,
        )
    conditions = network_filter(mode)
    area = _area_polygon(bbox, polygon)
    declared = file_bounds(path)
    if area is not None and declared is not None and not area.intersects(box(*declared)):
        raise AreaError(f"area {tuple(round(x, 5) for x in area.bounds)} lies outside the "
                        f"data bounds {tuple(round(x, 5) for x in declared)}",
                        file=path, field="bbox")
    if area is None and clip_to_bounds and declared is not None:
        area = box(*declared)
    extract = read_osm_ways(path, lambda tags: way_passes(tags, conditions))
    if not extract.ways:
        raise EmptyNetworkError(f"no {mode} roads in the file", file=path)
    apply_oneway_law(extract, mode)
    with tempfile.TemporaryDirectory(prefix="patrolgeo-") as tmp, _way_tags(EXTRA_WAY_TAGS):
        xml_path = write_osm_xml(extract, Path(tmp) / "roads.osm")
        G = ox.graph_from_xml(xml_path, bidirectional=mode == "walk", simplify=False,
                              retain_all=True)
    G.graph["mode"] = mode
    return _finish_graph(G, area, str(path))


def load_graph(
    source: str | Path | None = None,
    *,
    place: str | None = None,
    bbox: tuple[float, float, float, float] | None = None,
    polygon: Polygon | None = None,
    mode: str = "walk",
    cache_dir: str | Path | None = DEFAULT_CACHE_DIR,
) -> nx.MultiDiGraph:
    """Load a road graph from a file, or download it when no file is given.

    With ``source`` a file is read and ``bbox``/``polygon`` clip it; without one,
    ``place``, ``bbox`` or ``polygon`` is downloaded by osmnx (cached).
    """
    if source is not None:
        if place is not None:
            raise AreaError("give either a file or a place, not both", field="place")
        return graph_from_file(source, mode=mode, bbox=bbox, polygon=polygon)
    return graph_from_osm(place=place, bbox=bbox, polygon=polygon, mode=mode,
                          cache_dir=cache_dir)
