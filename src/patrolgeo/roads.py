"""Road networks from OpenStreetMap: loading, stable segments and named roads.

A *segment* is one undirected street piece between intersections of the simplified
graph; a *road* is the segments sharing a name. Every later stage works on these.

Files (``.osm``, ``.osm.bz2``, ``.osm.pbf``) are read with pyosmium, filtered to the
ways of the chosen mode with osmnx's own network filters, and handed to
``osmnx.graph_from_xml``; so the XML and the PBF of one area give the same graph, and a
file gives the same network as an osmnx download of the same area.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import tempfile
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import networkx as nx
import numpy as np
import osmium
import osmnx as ox
import pandas as pd
import shapely
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components
from shapely.geometry import LineString, MultiLineString, Polygon, box
from shapely.ops import linemerge

from patrolgeo.errors import AreaError, DownloadError, EmptyNetworkError, OSMFileError

MODES = ("walk", "bike", "drive")
"""Travel modes: foot patrols, (e-)bike patrols, vehicles (sweepers, patrol cars)."""

XML_SUFFIXES = (".osm", ".osm.bz2", ".osm.gz", ".xml")
PBF_SUFFIXES = (".osm.pbf", ".pbf")
GRAPHML_SUFFIXES = (".graphml",)

#: Way tags kept on graph edges beyond osmnx's defaults (names, plan evidence).
EXTRA_WAY_TAGS = ("name:zh", "name:en", "sidewalk", "surface", "lit", "busway", "foot",
                  "bicycle", "motor_vehicle")

#: Highway classes from most to least important; used to pick a road's class.
HIGHWAY_RANK = (
    "motorway", "trunk", "primary", "secondary", "tertiary", "motorway_link", "trunk_link",
    "primary_link", "secondary_link", "tertiary_link", "unclassified", "residential",
    "living_street", "service", "pedestrian", "track", "busway", "road", "cycleway",
    "footway", "bridleway", "path", "steps", "corridor",
)

UNNAMED_PREFIX = "无名路"

SEGMENT_COLUMNS = [
    "segment_id", "road_id", "road_name", "highway", "oneway", "length_m", "lanes",
    "width_m", "name_source", "osm_way_id", "u", "v", "key", "geometry",
]

DEFAULT_CACHE_DIR = Path("data/roads")


# --------------------------------------------------------------------------- filters


@dataclass(frozen=True)
class TagCondition:
    """One clause of an Overpass way filter such as ``["highway"!~"footway|steps"]``."""

    key: str
    op: str  # "exists", "~" (must match) or "!~" (must not match)
    pattern: re.Pattern[str] | None = None

    def holds(self, tags: dict[str, str]) -> bool:
        """Tell whether a way with ``tags`` passes this clause, as Overpass would."""
        value = tags.get(self.key)
        if self.op == "exists":
            return value is not None
        assert self.pattern is not None
        if self.op == "~":
            return value is not None and self.pattern.search(value) is not None
        return value is None or self.pattern.search(value) is None


_CLAUSE = re.compile(r'\["([^"]+)"(?:\s*(!?~)\s*"([^"]*)")?\]')


def network_filter(mode: str) -> list[TagCondition]:
    """Return the way filter of ``mode``: osmnx's Overpass filter, parsed.

    Using osmnx's filter text keeps a file and a download of the same area identical.
    """
    if mode not in MODES:
        raise AreaError(f"unknown mode {mode!r}; choose one of {', '.join(MODES)}",
                        field="mode")
    text = ox._overpass._get_network_filter(mode)
    clauses = [
        TagCondition(key, op or "exists", re.compile(pat) if op else None)
        for key, op, pat in _CLAUSE.findall(text)
    ]
    if not clauses or clauses[0].key != "highway":  # pragma: no cover - osmnx changed
        raise RuntimeError(f"cannot parse osmnx network filter {text!r}")
    return clauses


def way_passes(tags: dict[str, str], conditions: Iterable[TagCondition]) -> bool:
    """Tell whether a way with ``tags`` passes every clause of a network filter."""
    return all(c.holds(tags) for c in conditions)


# --------------------------------------------------------------------------- reading


def _suffix(path: Path) -> str:
    name = path.name.lower()
    for suffix in (*PBF_SUFFIXES, *XML_SUFFIXES, *GRAPHML_SUFFIXES):
        if name.endswith(suffix):
            return suffix
    return path.suffix.lower()


def file_bounds(path: str | Path) -> tuple[float, float, float, float] | None:
    """Return the ``(west, south, east, north)`` bounds a file's header declares, if any."""
    path = Path(path)
    try:
        header_box = osmium.io.Reader(str(path), osmium.osm.osm_entity_bits.NOTHING).header().box()
    except RuntimeError as exc:
        raise OSMFileError(f"cannot read OSM file: {_first_line(exc)}", file=path) from exc
    if not header_box.valid():
        return None
    bl, tr_ = header_box.bottom_left, header_box.top_right
    return (bl.lon, bl.lat, tr_.lon, tr_.lat)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


@dataclass
class OSMExtract:
    """The nodes and ways of an OSM file kept by a filter, ready to write as OSM XML."""

    nodes: dict[int, tuple[float, float, dict[str, str]]]
    ways: dict[int, tuple[list[int], dict[str, str]]]


def read_osm_ways(
    path: str | Path,
    keep: Callable[[dict[str, str]], bool],
    node_tags: Iterable[str] = ("highway", "junction", "railway", "ref"),
) -> OSMExtract:
    """Read the ways passing ``keep`` and the nodes they use from an OSM file.

    Works on OSM XML (plain, bz2, gz) and PBF alike, through pyosmium.

    Parameters
    ----------
    path
        The OSM file.
    keep
        Predicate over a way's tags.
    node_tags
        Node tags to keep.

    Returns
    -------
    OSMExtract
    """
    path = Path(path)
    wanted_node_tags = set(node_tags)
    ways: dict[int, tuple[list[int], dict[str, str]]] = {}
    try:
        for way in osmium.FileProcessor(str(path), osmium.osm.WAY):
            tags = dict(way.tags)
            if keep(tags):
                ways[way.id] = ([n.ref for n in way.nodes], tags)
        needed = {ref for refs, _ in ways.values() for ref in refs}
        nodes: dict[int, tuple[float, float, dict[str, str]]] = {}
        for node in osmium.FileProcessor(str(path), osmium.osm.NODE):
            if node.id in needed and node.location.valid():
                tags = {t.k: t.v for t in node.tags if t.k in wanted_node_tags}
                nodes[node.id] = (node.location.lat, node.location.lon, tags)
    except RuntimeError as exc:
        raise OSMFileError(f"corrupt or unreadable OSM data: {_first_line(exc)}",
                           file=path) from exc
    # An extract may cut a way short of some of its nodes: keep its longest complete run.
    for way_id, (refs, tags) in list(ways.items()):
        if all(r in nodes for r in refs):
            continue
        runs: list[list[int]] = [[]]
        for ref in refs:
            if ref in nodes:
                runs[-1].append(ref)
            elif runs[-1]:
                runs.append([])
        best = max(runs, key=len)
        if len(best) >= 2:
            ways[way_id] = (best, tags)
        else:
            del ways[way_id]
    return OSMExtract(nodes=nodes, ways=ways)


def write_osm_xml(extract: OSMExtract, path: str | Path) -> Path:
    """Write an :class:`OSMExtract` as a minimal OSM XML file (for osmnx's XML reader)."""
    root = ET.Element("osm", version="0.6", generator="patrolgeo")
    for node_id in sorted(extract.nodes):
        lat, lon, tags = extract.nodes[node_id]
        el = ET.SubElement(root, "node", id=str(node_id), lat=repr(lat), lon=repr(lon))
        for k, v in tags.items():
            ET.SubElement(el, "tag", k=k, v=v)
    for way_id in sorted(extract.ways):
        refs, tags = extract.ways[way_id]
        el = ET.SubElement(root, "way", id=str(way_id))
        for ref in refs:
            ET.SubElement(el, "nd", ref=str(ref))
        for k, v in tags.items():
            ET.SubElement(el, "tag", k=k, v=v)
    ET.ElementTree(root).write(path, encoding="utf-8", xml_declaration=True)
    return Path(path)


@contextmanager
def _way_tags(extra: Iterable[str]) -> Iterator[None]:
    previous = list(ox.settings.useful_tags_way)
    ox.settings.useful_tags_way = list(dict.fromkeys([*previous, *extra]))
    try:
        yield
    finally:
        ox.settings.useful_tags_way = previous


# --------------------------------------------------------------------------- areas


def parse_bbox(text: str) -> tuple[float, float, float, float]:
    """Parse ``"west,south,east,north"`` in degrees (the order osmnx 2 uses)."""
    try:
        west, south, east, north = (float(x) for x in text.split(","))
    except ValueError as exc:
        raise AreaError(f"bbox {text!r} is not four numbers west,south,east,north",
                        field="bbox") from exc
    check_bbox((west, south, east, north))
    return (west, south, east, north)


def check_bbox(bbox: tuple[float, float, float, float]) -> None:
    """Raise :class:`AreaError` unless ``bbox`` is a valid west,south,east,north box."""
    west, south, east, north = bbox
    if not (-180 <= west < east <= 180 and -90 <= south < north <= 90):
        raise AreaError(
            f"bbox {bbox} is not west<east, south<north within ±180/±90 degrees", field="bbox"
        )


def _area_polygon(
    bbox: tuple[float, float, float, float] | None, polygon: Polygon | None
) -> Polygon | None:
    if polygon is not None:
        return polygon
    if bbox is not None:
        check_bbox(bbox)
        return box(*bbox)
    return None


# --------------------------------------------------------------------------- graphs


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
    with tempfile.TemporaryDirectory(prefix="patrolgeo-") as tmp, _way_tags(EXTRA_WAY_TAGS):
        xml_path = write_osm_xml(extract, Path(tmp) / "roads.osm")
        G = ox.graph_from_xml(xml_path, bidirectional=mode == "walk", simplify=False,
                              retain_all=True)
    G.graph["mode"] = mode
    return _finish_graph(G, area, str(path))


def _download_key(kind: str, query: Any, mode: str) -> str:
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
                G = ox.graph_from_bbox(bbox, network_type=mode, simplify=False, retain_all=True)
            elif kind == "polygon":
                G = ox.graph_from_polygon(polygon, network_type=mode, simplify=False,
                                          retain_all=True)
            else:
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


def save_graphml(G: nx.MultiDiGraph, path: str | Path) -> Path:
    """Save a graph as GraphML (atomically), to be read back with :func:`load_graphml`."""
    from patrolgeo.io import atomic_path

    with atomic_path(path, suffix=".graphml") as tmp:
        ox.save_graphml(G, tmp)
    return Path(path)


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


# --------------------------------------------------------------------------- segments


def _scalar(value: Any) -> Any:
    if isinstance(value, list):
        return value[0] if value else None
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


_NUMBER = re.compile(r"\d+(?:[.,]\d+)?")


def parse_number(value: Any) -> float | None:
    """Read the largest number in an OSM tag value such as ``"7 m"`` or ``"2;3"``."""
    value = _scalar(value)
    if value is None:
        return None
    found = [float(x.replace(",", ".")) for x in _NUMBER.findall(str(value))]
    return max(found) if found else None


def highway_class(value: Any) -> str:
    """Return the most important highway class of a tag value (a list after merging)."""
    values = value if isinstance(value, list) else [value]
    values = [str(v) for v in values if v is not None]
    if not values:
        return "road"
    ranked = [v for v in HIGHWAY_RANK if v in values]
    return ranked[0] if ranked else sorted(values)[0]


def road_name_of(data: dict[str, Any]) -> tuple[str | None, str]:
    """Return ``(name, source_tag)``: ``name:zh``, then ``name``, then ``ref``."""
    for tag in ("name:zh", "name", "ref"):
        value = _scalar(data.get(tag))
        if value is not None and str(value).strip():
            return str(value).strip(), tag
    return None, ""


def _fingerprint(coords: np.ndarray) -> tuple[float, ...]:
    rounded = np.round(coords, 2)
    forward = tuple(rounded.ravel())
    backward = tuple(rounded[::-1].ravel())
    return min(forward, backward)


def _edge_geometry(G: nx.MultiDiGraph, u: int, v: int, data: dict[str, Any]) -> LineString:
    geom = data.get("geometry")
    if geom is None:
        nu, nv = G.nodes[u], G.nodes[v]
        geom = LineString([(nu["x"], nu["y"]), (nv["x"], nv["y"])])
    return geom


def segments_from_graph(G: nx.MultiDiGraph, *, gap_m: float = 60.0) -> gpd.GeoDataFrame:
    """Cut a road graph into undirected segments with stable ids, grouped into roads.

    The two directed edges of a two-way street form one segment; a one-way street is one
    segment with ``oneway=True``. ``segment_id`` is ``"<way>-<a>-<b>"`` from the OSM way
    id and the OSM ids of the end nodes (``a <= b``), with a ``-<n>`` suffix only where
    one way joins the same two nodes twice; it never depends on row order.

    Parameters
    ----------
    G
        A projected graph from :func:`load_graph`.
    gap_m
        Pieces of one road name closer than this are one road (dual carriageways,
        short gaps); farther ones become separate roads.

    Returns
    -------
    geopandas.GeoDataFrame
        One row per segment, sorted by ``segment_id``, in the graph's CRS, with columns
        ``segment_id, road_id, road_name, highway, oneway, length_m, lanes, width_m,
        name_source, osm_way_id, u, v, key, geometry``. ``u, v, key`` name one directed
        graph edge of the segment (for a one-way street, its only edge).
    """
    groups: dict[tuple[Any, ...], list[tuple[int, int, int, dict[str, Any]]]] = {}
    for u, v, k, data in G.edges(keys=True, data=True):
        geom = _edge_geometry(G, u, v, data)
        a, b = (u, v) if u <= v else (v, u)
        way = _scalar(data.get("osmid"))
        groups.setdefault((way, a, b, _fingerprint(np.asarray(geom.coords))), []).append(
            (u, v, k, data)
        )
    if not groups:
        raise EmptyNetworkError("the graph has no edges", file=G.graph.get("source"))

    rows = []
    by_base: dict[str, list[tuple[tuple[Any, ...], dict[str, Any]]]] = {}
    for group_key, edges in groups.items():
        way, a, b, fingerprint = group_key
        # the canonical edge runs from the lower node id (for loops: the lower key)
        edges.sort(key=lambda e: (e[0] != a, e[2]))
        u, v, k, data = edges[0]
        geom = _edge_geometry(G, u, v, data)
        name, source = road_name_of(data)
        directions = {(e[0], e[1]) for e in edges}
        oneway = len(edges) == 1 or (len(directions) == 1 and u != v)
        row = {
            "road_name": name,
            "highway": highway_class(data.get("highway")),
            "oneway": bool(oneway),
            "length_m": float(data.get("length", geom.length)),
            "lanes": parse_number(data.get("lanes")),
            "width_m": parse_number(data.get("width", data.get("est_width"))),
            "name_source": source,
            "osm_way_id": int(way) if way is not None else None,
            "u": u,
            "v": v,
            "key": k,
            "geometry": geom,
        }
        base = f"{way}-{a}-{b}"
        by_base.setdefault(base, []).append((fingerprint, row))
    for base, members in by_base.items():
        members.sort(key=lambda m: m[0])
        for n, (_, row) in enumerate(members):
            row["segment_id"] = base if n == 0 else f"{base}-{n}"
            rows.append(row)

    seg = gpd.GeoDataFrame(rows, geometry="geometry", crs=G.graph.get("crs"))
    seg = seg.sort_values("segment_id", kind="stable").reset_index(drop=True)
    seg["road_id"] = assign_roads(seg, gap_m=gap_m)
    seg["road_name"] = seg["road_name"].where(seg["road_name"].notna(), seg["road_id"])
    return seg[SEGMENT_COLUMNS]


def assign_roads(segments: gpd.GeoDataFrame, *, gap_m: float = 60.0) -> pd.Series:
    """Group segments into roads and return each segment's ``road_id``.

    Named segments join when they share a node or lie within ``gap_m`` of each other;
    a name whose pieces stay apart gives several roads (``"南大街"``, ``"南大街-2"``,
    numbered by their least segment id). An unnamed way is a road of its own, labelled
    ``"无名路-<way id>"``; its pieces join only through shared nodes.
    """
    n = len(segments)
    named = segments["road_name"].notna().to_numpy()
    keys = segments["road_name"].where(
        named, UNNAMED_PREFIX + "-" + segments["osm_way_id"].astype("Int64").astype(str)
    ).to_numpy(dtype=object)
    key_codes, key_names = pd.factorize(keys, sort=True)
    # one vertex per segment, plus one per (road key, end node): segments of one key that
    # share an end node meet at that vertex
    ends = pd.DataFrame({
        "seg": np.concatenate([np.arange(n), np.arange(n)]),
        "key": np.concatenate([key_codes, key_codes]),
        "node": np.concatenate([segments["u"].to_numpy(), segments["v"].to_numpy()]),
    })
    junction = n + ends.groupby(["key", "node"], sort=False).ngroup().to_numpy()
    rows = [ends["seg"].to_numpy(), junction]
    cols = [junction, ends["seg"].to_numpy()]
    if gap_m is not None and named.any():
        idx = np.flatnonzero(named)
        geoms = segments.geometry.to_numpy()[idx]
        left, right = shapely.STRtree(geoms).query(geoms, predicate="dwithin", distance=gap_m)
        same = key_codes[idx[left]] == key_codes[idx[right]]
        rows.append(idx[left[same]])
        cols.append(idx[right[same]])
    size = int(junction.max()) + 1 if n else 0
    graph = coo_matrix(
        (np.ones(sum(len(r) for r in rows)), (np.concatenate(rows), np.concatenate(cols))),
        shape=(size, size),
    )
    piece = connected_components(graph, directed=False)[1][:n]
    table = pd.DataFrame({"key": key_codes, "piece": piece,
                          "segment_id": segments["segment_id"].to_numpy()})
    first = table.groupby("piece")["segment_id"].min().rename("first")
    pieces = table[["key", "piece"]].drop_duplicates().join(first, on="piece")
    pieces = pieces.sort_values(["key", "first"])
    pieces["n"] = pieces.groupby("key").cumcount()
    names = key_names[pieces["key"].to_numpy()]
    pieces["road_id"] = [name if k == 0 else f"{name}-{k + 1}"
                         for name, k in zip(names, pieces["n"], strict=True)]
    road_id = table["piece"].map(pieces.set_index("piece")["road_id"])
    return pd.Series(road_id.to_numpy(), index=segments.index, dtype=object)


def roads_from_segments(segments: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Aggregate segments into one row per road.

    Returns
    -------
    geopandas.GeoDataFrame
        ``road_id, road_name, highway, n_segments, length_m, geometry`` (merged lines),
        sorted by ``road_id``; ``highway`` is the class carrying most of the length.
    """
    rows = []
    for road_id, part in segments.groupby("road_id", sort=True):
        by_class = part.groupby("highway")["length_m"].sum()
        top = by_class[by_class == by_class.max()].index
        merged = linemerge(MultiLineString(list(part.geometry)))
        rows.append({
            "road_id": road_id,
            "road_name": part["road_name"].iloc[0],
            "highway": highway_class(list(top)),
            "n_segments": len(part),
            "length_m": float(part["length_m"].sum()),
            "geometry": merged,
        })
    return gpd.GeoDataFrame(rows, geometry="geometry", crs=segments.crs)


def undirected_length(G: nx.MultiDiGraph) -> float:
    """Total street length in metres, counting each two-way street once."""
    return float(sum(d["length"] for _, _, d in ox.convert.to_undirected(G).edges(data=True)))
