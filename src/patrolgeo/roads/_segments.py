"""Stable segments of a road graph, and roads aggregated from them.

A *segment* is one undirected street piece between intersections of the simplified
graph; a *road* is the segments sharing a name (see :mod:`patrolgeo.roads._names`).
"""

from __future__ import annotations

import math
import re
from typing import Any

import geopandas as gpd
import networkx as nx
import numpy as np
import osmnx as ox
from shapely.geometry import LineString, MultiLineString
from shapely.ops import linemerge

from patrolgeo.errors import EmptyNetworkError
from patrolgeo.roads._links import is_outside
from patrolgeo.roads._names import HIGHWAY_RANK, ROAD_GAP_M, name_roads, road_names
from patrolgeo.segments import SEGMENT_COLUMNS, validate_segments


def _scalar(value: Any) -> Any:
    """Return the first of a list (osmnx merges tag values), ``None`` for NaN."""
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


#: Decimals (of metres) a segment's coordinates are rounded to in its fingerprint: two
#: edges of one street drawn from one geometry agree to the centimetre.
FINGERPRINT_DECIMALS = 2


def _fingerprint(coords: np.ndarray) -> tuple[float, ...]:
    """Return the shape of a piece, the same whichever way it runs."""
    rounded = np.round(coords, FINGERPRINT_DECIMALS)
    forward = tuple(rounded.ravel())
    backward = tuple(rounded[::-1].ravel())
    return min(forward, backward)


def _edge_geometry(G: nx.MultiDiGraph, u: int, v: int, data: dict[str, Any]) -> LineString:
    """Return an edge's geometry, or the straight line between its nodes."""
    geom = data.get("geometry")
    if geom is None:
        nu, nv = G.nodes[u], G.nodes[v]
        geom = LineString([(nu["x"], nu["y"]), (nv["x"], nv["y"])])
    return geom


def segments_from_graph(G: nx.MultiDiGraph, *, gap_m: float = ROAD_GAP_M,
                        areas: gpd.GeoDataFrame | None = None) -> gpd.GeoDataFrame:
    """Cut a road graph into undirected segments with stable ids, grouped into roads.

    The two directed edges of a two-way street form one segment; a one-way street is one
    segment with ``oneway=True``. ``segment_id`` is ``"<way>-<a>-<b>"`` from the OSM way
    id and the OSM ids of the end nodes (``a <= b``), with a ``-<n>`` suffix only where
    one way joins the same two nodes twice; it never depends on row order. Boundary
    links (edges flagged ``outside``, see :mod:`patrolgeo.roads._links`) are skipped.

    Parameters
    ----------
    G
        A projected graph from :func:`load_graph`.
    gap_m
        Pieces of one road name closer than this are one road (dual carriageways,
        short gaps); farther ones become separate roads.
    areas
        Named areas (WGS-84; ``osm_type, osm_id, kind, name, closed, geometry``, e.g.
        ``RoadNetwork.areas``) that name the unnamed pieces inside them; ``None`` for none.

    Returns
    -------
    geopandas.GeoDataFrame
        One row per segment, sorted by ``segment_id``, in the graph's CRS, with columns
        ``segment_id, road_id, road_name, highway, oneway, length_m, lanes, width_m,
        name_source, osm_way_id, u, v, key, geometry``. ``u, v, key`` name one directed
        graph edge of the segment (for a one-way street, its only edge). Roads and
        names follow :func:`patrolgeo.roads._names.name_roads`: ``name_source`` is the
        OSM tag (``name:zh``, ``name``, ``ref``), a context code (``context:side_road``,
        ``context:sidewalk``, ``context:cycle_track``, ``context:inside``,
        ``context:between``, ``context:near``), ``"merged"`` (a short piece that joined
        the road it serves) or ``""`` (``无名路-<way id>``: no context).
    """
    groups: dict[tuple[Any, ...], list[tuple[int, int, int, dict[str, Any]]]] = {}
    for u, v, k, data in G.edges(keys=True, data=True):
        if is_outside(data):  # a boundary link: a way to turn round, not a street
            continue
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
    named = name_roads(seg, gap_m=gap_m, areas=areas)
    for column in ("road_id", "road_name", "name_source"):
        seg[column] = named[column].to_numpy()
    return seg[list(SEGMENT_COLUMNS)]


def roads_from_segments(segments: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Aggregate segments into one row per road.

    Returns
    -------
    geopandas.GeoDataFrame
        ``road_id, road_name, name_source, highway, n_segments, length_m, geometry``
        (merged lines), sorted by ``road_id``. ``road_name`` is the road's own name
        (:func:`patrolgeo.roads._names.road_names`: carried by most length among the
        members that did not join from elsewhere), ``name_source`` the source of that
        name, ``highway`` the class carrying most of the length.

    Raises
    ------
    SegmentsError
        ``segments`` lack a column this needs, or repeat a ``segment_id``.
    """
    validate_segments(segments, ("segment_id", "road_id", "road_name", "highway",
                                 "length_m", "geometry"), projected=False)
    names = road_names(segments)
    has_source = "name_source" in segments.columns
    rows = []
    for road_id, part in segments.groupby("road_id", sort=True):
        by_class = part.groupby("highway")["length_m"].sum()
        top = by_class[by_class == by_class.max()].index
        merged = linemerge(MultiLineString(list(part.geometry)))
        name = names[road_id]
        source = ""
        if has_source:
            own = part[(part["road_name"].astype(str) == name)
                       & (part["name_source"].fillna("") != "merged")]
            source = str(own["name_source"].fillna("").iloc[0]) if len(own) else "merged"
        rows.append({
            "road_id": road_id,
            "road_name": name,
            "name_source": source,
            "highway": highway_class(list(top)),
            "n_segments": len(part),
            "length_m": float(part["length_m"].sum()),
            "geometry": merged,
        })
    return gpd.GeoDataFrame(rows, geometry="geometry", crs=segments.crs)


def undirected_length(G: nx.MultiDiGraph) -> float:
    """Total street length in metres, counting each two-way street once."""
    return float(sum(d["length"] for _, _, d in ox.convert.to_undirected(G).edges(data=True)
                     if not is_outside(d)))
