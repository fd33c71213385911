"""Compound areas (campuses, 小区, works, barracks) read from an OSM file, and ways inside.

One pyosmium pass with area assembly reads closed ways and multipolygon relations tagged
as compounds (:class:`~patrolgeo.roads._network.CompoundRules`), the gate nodes and the
nodes of highway ways. An area is *closed* when its kind is always closed (schools,
campuses, military land, prisons) or when a barrier is evidenced (the outline carries
``barrier=*`` or a closed ``access``, or a gate on a road lies near the outline). A way
is *inside* a closed compound when at least ``min_share`` of its length lies inside the
outline shrunk by ``inward_buffer_m``. Geometry is measured in the local UTM zone.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import geopandas as gpd
import osmium
import shapely
from pyproj import CRS
from shapely.geometry.base import BaseGeometry
from shapely.ops import unary_union

from patrolgeo.errors import OSMFileError
from patrolgeo.roads._network import CompoundRules, matches
from patrolgeo.roads._read import _first_line

AREA_COLUMNS = ("osm_type", "osm_id", "kind", "name", "closed", "geometry")
"""Columns of the compound areas table (WGS-84)."""

#: square metres in a hectare (the compound size limit is stated in hectares)
M2_PER_HA = 10_000.0


@dataclass
class _Candidate:
    osm_type: str
    osm_id: int
    kind: str
    name: str
    always: bool  # always closed, or closed only with barrier evidence
    outline_closed: bool  # the outline itself carries barrier=* or a closed access
    geometry: BaseGeometry


def _kind(tag: str) -> str:
    """``"amenity=university"`` -> ``"university"``; ``military=*`` -> ``"military"``."""
    key, value = tag.split("=", 1)
    return "military" if key == "military" else value


def local_utm(geometry: BaseGeometry) -> CRS:
    """Return the UTM CRS of the zone holding ``geometry``'s centre (WGS-84 input)."""
    centre = geometry.centroid if not geometry.is_empty else shapely.Point(0, 0)
    return cast(CRS, gpd.GeoSeries([centre], crs=4326).estimate_utm_crs())


def _scan(path: Path, compound: CompoundRules, access_closed: frozenset[str]
          ) -> tuple[list[_Candidate], dict[int, tuple[float, float]], set[int]]:
    """Compound candidates, gate nodes ``{id: (lon, lat)}`` and highway way nodes."""
    wkb = osmium.geom.WKBFactory()
    candidates: list[_Candidate] = []
    gates: dict[int, tuple[float, float]] = {}
    road_nodes: set[int] = set()
    processor = osmium.FileProcessor(str(path)).with_areas(
        osmium.filter.KeyFilter(*{k for t in (compound.always_closed, compound.closed_if_barrier)
                                  for k in t}))
    for obj in processor:
        if isinstance(obj, osmium.osm.Node):
            if obj.tags.get("barrier") in compound.gates and obj.location.valid():
                gates[obj.id] = (obj.location.lon, obj.location.lat)
        elif isinstance(obj, osmium.osm.Way):
            if "highway" in obj.tags:
                road_nodes.update(n.ref for n in obj.nodes)
        elif isinstance(obj, osmium.osm.Area):
            found = _candidate(obj, compound, access_closed, wkb)
            if found is not None:
                candidates.append(found)
    return candidates, gates, road_nodes


def _candidate(area: Any, compound: CompoundRules, access_closed: frozenset[str],
               wkb: Any) -> _Candidate | None:
    """The compound candidate of one assembled area, if its tags make it one."""
    tags = dict(area.tags)
    always = matches(tags, compound.always_closed)
    tag = always or matches(tags, compound.closed_if_barrier)
    if tag is None:
        return None
    try:
        geom = shapely.from_wkb(wkb.create_multipolygon(area))
    except (RuntimeError, shapely.errors.GEOSException):
        return None  # an outline the extract cuts open cannot be assembled
    outline_closed = "barrier" in tags or tags.get("access") in access_closed
    return _Candidate(
        osm_type="way" if area.from_way() else "relation", osm_id=area.orig_id(),
        kind=_kind(tag), name=tags.get("name:zh") or tags.get("name") or "",
        always=always is not None, outline_closed=outline_closed, geometry=geom,
    )


def read_areas(path: str | Path, compound: CompoundRules,
               access_closed: Iterable[str] = ("private", "no")) -> gpd.GeoDataFrame:
    """Read the compound areas of an OSM file and decide which are closed.

    Parameters
    ----------
    path
        An OSM file (XML or PBF).
    compound
        The compound rules (kinds, gates, limits).
    access_closed
        ``access`` values that close an outline (``[access].closed`` of the rules).

    Returns
    -------
    geopandas.GeoDataFrame
        WGS-84, columns :data:`AREA_COLUMNS`, one row per closed area and per named open
        one (an open 小区's name still names its lanes), sorted by ``(osm_type, osm_id)``.
    """
    path = Path(path)
    try:
        try:
            candidates, gates, road_nodes = _scan(path, compound, frozenset(access_closed))
        except RuntimeError as exc:
            if "out of order" not in str(exc):
                raise
            # area assembly needs ids in order, as every OSM export has them; a file
            # written by hand (or a test) is read through a sorted copy
            with tempfile.TemporaryDirectory(prefix="patrolgeo-") as tmp:
                sorted_copy = _sorted_copy(path, Path(tmp) / "sorted.osm")
                candidates, gates, road_nodes = _scan(sorted_copy, compound,
                                                      frozenset(access_closed))
    except RuntimeError as exc:
        raise OSMFileError(f"corrupt or unreadable OSM data: {_first_line(exc)}",
                           file=path) from exc
    rows: list[dict[str, Any]] = []
    if candidates:
        crs = local_utm(unary_union([c.geometry.envelope for c in candidates]))
        outlines = gpd.GeoSeries([c.geometry for c in candidates], crs=4326).to_crs(crs)
        road_gates = [g for g in gates if g in road_nodes]
        gate_points = gpd.GeoSeries([shapely.Point(gates[g]) for g in road_gates],
                                    crs=4326).to_crs(crs)
        tree = shapely.STRtree(list(gate_points))
        for cand, outline in zip(candidates, outlines, strict=True):
            closed = cand.always or _barrier_evidenced(cand, outline, tree, compound)
            if closed or cand.name:
                rows.append({"osm_type": cand.osm_type, "osm_id": cand.osm_id,
                             "kind": cand.kind, "name": cand.name, "closed": bool(closed),
                             "geometry": cand.geometry})
    frame = gpd.GeoDataFrame(rows or None, columns=list(AREA_COLUMNS), geometry="geometry",
                             crs="EPSG:4326")
    frame = frame.astype({"osm_id": "int64", "closed": "bool"})
    return frame.sort_values(["osm_type", "osm_id"]).reset_index(drop=True)


def _sorted_copy(path: Path, out: Path) -> Path:
    """Write the nodes, ways and relations of ``path`` to ``out`` sorted by type and id."""
    mutable = osmium.osm.mutable
    nodes: list[tuple[int, Any]] = []
    ways: list[tuple[int, Any]] = []
    relations: list[tuple[int, Any]] = []
    for obj in osmium.FileProcessor(str(path)):
        tags = dict(obj.tags)
        if isinstance(obj, osmium.osm.Node):
            nodes.append((obj.id, mutable.Node(
                id=obj.id, location=(obj.location.lon, obj.location.lat), tags=tags)))
        elif isinstance(obj, osmium.osm.Way):
            ways.append((obj.id, mutable.Way(id=obj.id, nodes=[n.ref for n in obj.nodes],
                                             tags=tags)))
        elif isinstance(obj, osmium.osm.Relation):
            members = [(m.type, m.ref, m.role) for m in obj.members]
            relations.append((obj.id, mutable.Relation(id=obj.id, members=members, tags=tags)))
    writer = osmium.SimpleWriter(str(out))
    try:
        for _, node in sorted(nodes, key=lambda item: item[0]):
            writer.add_node(node)
        for _, way in sorted(ways, key=lambda item: item[0]):
            writer.add_way(way)
        for _, rel in sorted(relations, key=lambda item: item[0]):
            writer.add_relation(rel)
    finally:
        writer.close()
    return out


def _barrier_evidenced(cand: _Candidate, outline: BaseGeometry, gates: shapely.STRtree,
                       compound: CompoundRules) -> bool:
    """Whether a compound that needs a barrier has one (and is not a whole neighbourhood)."""
    if outline.area > compound.max_barrier_area_ha * M2_PER_HA:
        return False
    if cand.outline_closed:
        return True
    near = gates.query(outline.boundary, predicate="dwithin", distance=compound.gate_distance_m)
    return len(near) > 0


def ways_inside(
    lines: Mapping[int, tuple[BaseGeometry, str]],
    areas: gpd.GeoDataFrame,
    compound: CompoundRules,
) -> dict[int, str]:
    """Return ``{way id: detail}`` for the ways lying inside a closed compound.

    Parameters
    ----------
    lines
        ``{way id: (WGS-84 line, highway class)}`` of the ways to judge.
    areas
        From :func:`read_areas`; only ``closed`` rows count.
    compound
        ``min_share``, ``inward_buffer_m`` and ``public_classes`` (never inside).

    Returns
    -------
    dict
        The detail names the compound holding most of the way: its name, else
        ``"<kind> <osm_type>/<osm_id>"``.
    """
    closed = areas[areas["closed"]]
    judged = {w: lg for w, lg in lines.items() if lg[1] not in compound.public_classes}
    if closed.empty or not judged:
        return {}
    crs = local_utm(unary_union(list(closed.geometry.envelope)))
    shrunk = [g.buffer(-compound.inward_buffer_m) if compound.inward_buffer_m else g
              for g in closed.geometry.to_crs(crs)]
    labels = [name or f"{kind} {t}/{i}" for name, kind, t, i in
              zip(closed["name"], closed["kind"], closed["osm_type"], closed["osm_id"],
                  strict=True)]
    tree = shapely.STRtree(shrunk)
    ids = list(judged)
    projected = gpd.GeoSeries([judged[w][0] for w in ids], crs=4326).to_crs(crs)
    out: dict[int, str] = {}
    for way_id, line in zip(ids, projected, strict=True):
        if line.length <= 0:
            continue
        hits = tree.query(line, predicate="intersects")
        if len(hits) == 0:
            continue
        pieces = [line.intersection(shrunk[i]).length for i in hits]
        inside = line.intersection(unary_union([shrunk[i] for i in hits])).length
        if inside >= compound.min_share * line.length:
            out[way_id] = labels[int(hits[max(range(len(hits)), key=pieces.__getitem__)])]
    return out
