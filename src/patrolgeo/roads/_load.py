"""Loading a road graph from an OSM file, a GraphML cache, or a download.

Files are read with pyosmium, filtered to the ways of the chosen mode with osmnx's own
network filters, and handed to ``osmnx.graph_from_xml``; so the XML and the PBF of one
area give the same graph, and a file gives the same network as an osmnx download of the
same area. The responsibility network (``network="city"``) lays the rules of
:mod:`patrolgeo.roads._network` over the mode's ways and lists every way it drops.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import networkx as nx
import osmnx as ox
import shapely
from pyproj import Geod
from shapely.geometry import LineString, Polygon, box

from patrolgeo.errors import AreaError, EmptyNetworkError, OSMFileError
from patrolgeo.roads._areas import _area_polygon
from patrolgeo.roads._compounds import AREA_COLUMNS, read_areas, ways_inside
from patrolgeo.roads._download import DEFAULT_CACHE_DIR, graph_from_osm
from patrolgeo.roads._export import write_osm_xml
from patrolgeo.roads._filters import TagCondition, network_filter, way_passes
from patrolgeo.roads._graphs import _finish_graph, load_graphml
from patrolgeo.roads._network import (
    MODE_BLIND_REASONS,
    NETWORKS,
    NetworkRules,
    RoadNetwork,
    excluded_frame,
    load_network_rules,
    neutral_tags,
    tag_verdict,
)
from patrolgeo.roads._oneway import apply_oneway_law
from patrolgeo.roads._read import (
    EXTRA_WAY_TAGS,
    GRAPHML_SUFFIXES,
    PBF_SUFFIXES,
    XML_SUFFIXES,
    OSMExtract,
    _suffix,
    _way_tags,
    file_bounds,
    read_osm_ways,
)

_GEOD = Geod(ellps="WGS84")

def _check_network(network: str | None, mode: str) -> str:
    """Return the network to build (``None``: the raw network of ``mode``)."""
    network_filter(mode)
    network = mode if network is None else network
    if network not in NETWORKS:
        raise AreaError(f"unknown network {network!r}; choose one of {', '.join(NETWORKS)}",
                        field="network")
    if network != "city" and network != mode:
        raise AreaError(f"network {network!r} is the raw network of another mode than "
                        f"{mode!r}; use network='city' or network={mode!r}", field="network")
    return network


def _rules_of(rules: NetworkRules | str | Path | None) -> NetworkRules:
    if isinstance(rules, NetworkRules):
        return rules
    return load_network_rules(rules)


def _checked_file(path: Path) -> str:
    """Return the known suffix of an input file, raising for a missing or unknown one."""
    if not path.exists():
        raise OSMFileError("file not found", file=path)
    if not path.is_file():
        raise OSMFileError("not a file", file=path)
    suffix = _suffix(path)
    if suffix not in XML_SUFFIXES + PBF_SUFFIXES + GRAPHML_SUFFIXES:
        raise OSMFileError(
            f"unknown file type {suffix or path.name!r}: use .osm, .osm.bz2, .osm.pbf or "
            ".graphml", file=path,
        )
    return suffix


def _file_area(path: Path, bbox: tuple[float, float, float, float] | None,
               polygon: Polygon | None, clip_to_bounds: bool) -> Polygon | None:
    """The clipping area: the polygon, the bbox, else the file's declared bounds."""
    area = _area_polygon(bbox, polygon)
    declared = file_bounds(path)
    if area is not None and declared is not None and not area.intersects(box(*declared)):
        raise AreaError(f"area {tuple(round(x, 5) for x in area.bounds)} lies outside the "
                        f"data bounds {tuple(round(x, 5) for x in declared)}",
                        file=path, field="bbox")
    if area is None and clip_to_bounds and declared is not None:
        area = box(*declared)
    return area


def _city_conditions(mode: str, rules: NetworkRules) -> list[TagCondition]:
    """The mode's filter as the city network applies it.

    With sidewalks folded into their street, a street tagged ``sidewalk=separate`` must
    stay: the city walk network drops osmnx's ``sidewalk*`` clauses.
    """
    conditions = network_filter(mode)
    if rules.keep_streets_with_separate_sidewalks:
        conditions = [c for c in conditions if not c.key.startswith("sidewalk")]
    return conditions


def _length_in(refs: list[int], nodes: dict[int, tuple[float, float, dict[str, str]]],
               area: Polygon | None) -> float:
    """Geodesic metres of a way's node-to-node steps with both ends inside ``area``.

    The graph keeps the nodes inside the area and the edges between them, so this is
    the part of the way the area holds.
    """
    lats = [nodes[r][0] for r in refs]
    lons = [nodes[r][1] for r in refs]
    inside = ([True] * len(refs) if area is None
              else list(shapely.intersects_xy(area, lons, lats)))
    total = 0.0
    for i in range(len(refs) - 1):
        if inside[i] and inside[i + 1]:
            total += _GEOD.line_length(lons[i:i + 2], lats[i:i + 2])
    return total


def _record(way_id: int, refs: list[int], tags: dict[str, str], extract: OSMExtract,
            area: Polygon | None, reason: str, detail: str) -> dict[str, Any] | None:
    length = _length_in(refs, extract.nodes, area)
    if length <= 0:
        return None  # the way lies outside the area asked for: not a loss
    return {"way_id": way_id, "name": tags.get("name:zh") or tags.get("name") or "",
            "highway": tags.get("highway", ""), "length_m": length, "reason": reason,
            "detail": detail}


def _apply_city_rules(extract: OSMExtract, mode: str, rules: NetworkRules,
                      areas: Any, area: Polygon | None) -> list[dict[str, Any]]:
    """Drop the ways the city rules exclude from ``extract``; return their records."""
    conditions = _city_conditions(mode, rules)
    records: list[dict[str, Any]] = []
    candidates: dict[int, tuple[LineString, str]] = {}
    for way_id, (refs, tags) in list(extract.ways.items()):
        passes = way_passes(tags, conditions)
        verdict = tag_verdict(way_id, tags, rules, mode)
        if passes and verdict is None:
            if way_id not in rules.include_ways:
                coords = [(extract.nodes[r][1], extract.nodes[r][0]) for r in refs]
                candidates[way_id] = (LineString(coords), tags.get("highway", ""))
            continue
        del extract.ways[way_id]
        listed = verdict is not None and (passes or (
            verdict[0] in MODE_BLIND_REASONS
            and way_passes(neutral_tags(tags, verdict[0], rules, mode), conditions)))
        if listed and verdict is not None:
            rec = _record(way_id, refs, tags, extract, area, *verdict)
            if rec is not None:
                records.append(rec)
    for way_id, detail in ways_inside(candidates, areas, rules.compound).items():
        refs, tags = extract.ways.pop(way_id)
        rec = _record(way_id, refs, tags, extract, area, "compound", detail)
        if rec is not None:
            records.append(rec)
    used = {r for refs, _ in extract.ways.values() for r in refs}
    extract.nodes = {n: v for n, v in extract.nodes.items() if n in used}
    return records


def _note_folded_links(records: list[dict[str, Any]], refs_of: dict[int, list[int]]) -> None:
    """Name the folded sidewalk a dropped piece hung from, in its ``detail``.

    A footway reached only over a sidewalk is cut off when the sidewalk is folded into
    its street; naming the sidewalk tells the user which way to ``include_ways`` (or to
    use ``keep_components``).
    """
    folded_at: dict[int, int] = {}
    for rec in records:
        if rec["reason"] == "sidewalk_folded":
            for node in refs_of.get(rec["way_id"], ()):
                folded_at.setdefault(node, rec["way_id"])
    for rec in records:
        if rec["reason"] == "component":
            touching = sorted({folded_at[n] for n in refs_of.get(rec["way_id"], ())
                               if n in folded_at})
            if touching:
                rec["detail"] += f", joined over sidewalk_folded way {touching[0]}"


def _network_from_file(path: Path, *, network: str, mode: str, area: Polygon | None,
                       rules: NetworkRules, keep_components: bool) -> RoadNetwork:
    """Build the network of an OSM file (XML or PBF), recording every dropped way."""
    areas = read_areas(path, rules.compound, rules.access_closed)
    if area is not None and not areas.empty:
        areas = areas[areas.intersects(area)].reset_index(drop=True)
    records: list[dict[str, Any]] = []
    refs_of: dict[int, list[int]] = {}
    if network == "city":
        extract = read_osm_ways(path, lambda tags: "highway" in tags)
        refs_of = {w: refs for w, (refs, _) in extract.ways.items()}
        records += _apply_city_rules(extract, mode, rules, areas, area)
    else:
        conditions = network_filter(mode)
        extract = read_osm_ways(path, lambda tags: way_passes(tags, conditions))
    if not extract.ways:
        what = "city" if network == "city" else mode
        raise EmptyNetworkError(f"no {what} roads in the file", file=path)
    records += apply_oneway_law(extract, mode)
    with tempfile.TemporaryDirectory(prefix="patrolgeo-") as tmp, _way_tags(EXTRA_WAY_TAGS):
        xml_path = write_osm_xml(extract, Path(tmp) / "roads.osm")
        G = ox.graph_from_xml(xml_path, bidirectional=mode == "walk", simplify=False,
                              retain_all=True)
    G.graph["mode"] = mode
    G = _finish_graph(G, area, str(path), keep_components=keep_components,
                      keep_ways=rules.include_ways if network == "city" else (),
                      dropped=records, boundary_links=mode != "walk")
    G.graph["network"] = network
    _note_folded_links(records, refs_of)
    return RoadNetwork(graph=G, excluded=excluded_frame(records), areas=areas)


def load_network(
    source: str | Path,
    *,
    network: str = "city",
    mode: str = "walk",
    bbox: tuple[float, float, float, float] | None = None,
    polygon: Polygon | None = None,
    rules: NetworkRules | str | Path | None = None,
    keep_components: bool = False,
    clip_to_bounds: bool = True,
) -> RoadNetwork:
    """Load a road network from a file, with every way it leaves out and why.

    Parameters
    ----------
    source
        ``.osm``, ``.osm.bz2``, ``.osm.gz``, ``.osm.pbf`` or a ``.graphml`` cache (a
        cache holds a finished graph: nothing is excluded, no areas).
    network
        ``"city"``: the responsibility network (the rules of ``network_rules.toml``
        over the ways of ``mode``'s osmnx filter); ``"walk"``, ``"bike"`` or
        ``"drive"``: osmnx's raw network of that mode (must equal ``mode``).
    mode
        The travel mode: which ways it can use and whether one-way streets bind.
    bbox, polygon
        Clip to this area (WGS-84); ways cut away by it are not listed.
    rules
        :class:`NetworkRules`, or a TOML file laid over the defaults.
    keep_components
        Keep every disconnected piece; otherwise all but the largest piece (and pieces
        holding an ``include_ways`` way) are dropped and listed as ``component``.
    clip_to_bounds
        Clip to the bounds in the file header when no area is given.

    Returns
    -------
    RoadNetwork
        ``graph``, ``excluded`` (:data:`EXCLUDED_COLUMNS`, by reason and way id) and
        ``areas`` (compound areas, WGS-84).
    """
    network = _check_network(network, mode)
    resolved = _rules_of(rules)
    path = Path(source)
    suffix = _checked_file(path)
    if suffix in GRAPHML_SUFFIXES:
        G = load_graphml(path)
        return RoadNetwork(graph=G, excluded=excluded_frame([]), areas=_no_areas())
    area = _file_area(path, bbox, polygon, clip_to_bounds)
    return _network_from_file(path, network=network, mode=mode, area=area, rules=resolved,
                              keep_components=keep_components)


def _no_areas() -> Any:
    import geopandas as gpd

    return gpd.GeoDataFrame(columns=list(AREA_COLUMNS), geometry="geometry", crs="EPSG:4326")


def graph_from_file(
    path: str | Path,
    *,
    mode: str = "walk",
    network: str | None = None,
    bbox: tuple[float, float, float, float] | None = None,
    polygon: Polygon | None = None,
    clip_to_bounds: bool = True,
    keep_components: bool = False,
    rules: NetworkRules | str | Path | None = None,
) -> nx.MultiDiGraph:
    """Load a projected road graph from an OSM file.

    Parameters
    ----------
    path
        ``.osm``, ``.osm.bz2``, ``.osm.gz``, ``.osm.pbf`` or a ``.graphml`` cache.
    mode
        ``"walk"``, ``"bike"`` or ``"drive"``; selects ways with osmnx's network filter
        and whether one-way streets bind (``drive`` and ``bike`` respect them).
    network
        ``"city"`` for the responsibility network, or the mode's name (the default,
        ``None``) for osmnx's raw network of the mode; see :func:`load_network`.
    bbox
        Optional ``(west, south, east, north)`` in degrees to clip to.
    polygon
        Optional clipping polygon in WGS-84 (takes precedence over ``bbox``).
    clip_to_bounds
        Clip to the bounds in the file header when no area is given: exports from the
        OSM website carry whole ways running far past the requested bounds.
    keep_components
        Keep every disconnected piece instead of the largest one.
    rules
        The city network's rules (:class:`NetworkRules` or a TOML file).

    Returns
    -------
    networkx.MultiDiGraph
        Simplified graph in a local UTM CRS; node ids are OSM node ids; edges carry
        ``osmid`` (the way id), ``length`` in metres and ``geometry``.
    """
    return load_network(path, network=_check_network(network, mode), mode=mode, bbox=bbox,
                        polygon=polygon, rules=rules, keep_components=keep_components,
                        clip_to_bounds=clip_to_bounds).graph


def load_graph(
    source: str | Path | None = None,
    *,
    place: str | None = None,
    bbox: tuple[float, float, float, float] | None = None,
    polygon: Polygon | None = None,
    mode: str = "walk",
    network: str | None = None,
    keep_components: bool = False,
    cache_dir: str | Path | None = DEFAULT_CACHE_DIR,
) -> nx.MultiDiGraph:
    """Load a road graph from a file, or download it when no file is given.

    With ``source`` a file is read and ``bbox``/``polygon`` clip it; without one,
    ``place``, ``bbox`` or ``polygon`` is downloaded by osmnx (cached). ``network`` is
    ``"city"`` or the mode's name (``None``: the mode's raw network); the city network
    needs a file (its compound rule reads areas and gates from it).
    """
    network = _check_network(network, mode)
    if source is not None:
        if place is not None:
            raise AreaError("give either a file or a place, not both", field="place")
        return graph_from_file(source, mode=mode, network=network, bbox=bbox,
                               polygon=polygon, keep_components=keep_components)
    if network == "city":
        raise AreaError("the city network is built from an OSM file (its rules read tags, "
                        "compound areas and gates the download does not carry): export the "
                        "area as .osm or .osm.pbf and pass the file, or download a raw "
                        f"network with network={mode!r}", field="network")
    if keep_components:
        raise AreaError("keep_components needs an OSM file; downloads keep the largest "
                        "piece", field="keep_components")
    G = graph_from_osm(place=place, bbox=bbox, polygon=polygon, mode=mode,
                       cache_dir=cache_dir)
    G.graph["network"] = mode
    return G
