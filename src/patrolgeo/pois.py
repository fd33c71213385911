"""Points of interest and bus routes from the same OSM file as the roads.

Plans grade roads by what lines them (shops, restaurants, markets, schools, hospitals,
stations) and by bus routes; synthetic issue reports follow the same context. Both read
it here, with pyosmium, from any OSM file the road loader accepts.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import osmium
import shapely
from shapely.geometry import Polygon, box

from patrolgeo.errors import OSMFileError
from patrolgeo.roads import file_bounds

#: POI kinds and the tags that make them, checked in order (first match wins).
POI_RULES: tuple[tuple[str, str, frozenset[str] | None], ...] = (
    ("market", "amenity", frozenset({"marketplace"})),
    ("market", "shop", frozenset({"supermarket", "mall", "department_store", "greengrocer"})),
    ("restaurant", "amenity", frozenset({"restaurant", "fast_food", "cafe", "food_court", "bar",
                                         "pub", "ice_cream", "biergarten"})),
    ("school", "amenity", frozenset({"school", "kindergarten", "college", "university"})),
    ("hospital", "amenity", frozenset({"hospital", "clinic", "doctors", "pharmacy"})),
    ("station", "railway", frozenset({"station", "halt", "subway_entrance", "tram_stop"})),
    ("station", "public_transport", frozenset({"station"})),
    ("station", "amenity", frozenset({"bus_station", "ferry_terminal"})),
    ("bus_stop", "highway", frozenset({"bus_stop"})),
    ("bus_stop", "public_transport", frozenset({"platform", "stop_position"})),
    ("venue", "amenity", frozenset({"theatre", "cinema", "community_centre", "arts_centre",
                                    "place_of_worship", "townhall"})),
    ("venue", "leisure", frozenset({"stadium", "sports_centre", "park"})),
    ("waste", "amenity", frozenset({"recycling", "waste_disposal", "waste_basket", "toilets"})),
    ("shop", "shop", None),
    ("office", "office", None),
)

POI_KINDS = tuple(dict.fromkeys(kind for kind, _, _ in POI_RULES))


def poi_kind(tags: dict[str, str]) -> str | None:
    """Return the POI kind of an OSM object's tags, or ``None`` if it is not a POI."""
    for kind, key, values in POI_RULES:
        value = tags.get(key)
        if value is not None and (values is None or value in values):
            return kind
    return None


class _POIHandler(osmium.SimpleHandler):
    def __init__(self) -> None:
        super().__init__()
        self.rows: list[dict] = []
        self.bus_ways: dict[int, set[str]] = {}

    def _add(self, osm_type: str, osm_id: int, tags: dict[str, str], geom) -> None:
        kind = poi_kind(tags)
        if kind is None:
            return
        self.rows.append({
            "osm_type": osm_type, "osm_id": osm_id, "kind": kind,
            "name": tags.get("name:zh") or tags.get("name"),
            "tag": next((f"{k}={tags[k]}" for _, k, _ in POI_RULES if k in tags), ""),
            "geometry": geom,
        })

    def node(self, n) -> None:
        if len(n.tags) and n.location.valid():
            self._add("node", n.id, dict(n.tags), shapely.Point(n.location.lon, n.location.lat))

    def way(self, w) -> None:
        if not len(w.tags):
            return
        tags = dict(w.tags)
        if poi_kind(tags) is None:
            return
        try:
            coords = [(nd.lon, nd.lat) for nd in w.nodes]
        except osmium.InvalidLocationError:
            return
        if len(coords) >= 2:
            self._add("way", w.id, tags, shapely.LineString(coords).centroid)

    def relation(self, r) -> None:
        tags = dict(r.tags)
        if tags.get("type") == "route" and tags.get("route") in {"bus", "trolleybus"}:
            ref = tags.get("ref") or tags.get("name") or str(r.id)
            for member in r.members:
                if member.type == "w":
                    self.bus_ways.setdefault(member.ref, set()).add(ref)


def read_context(
    path: str | Path,
    *,
    bbox: tuple[float, float, float, float] | None = None,
    polygon: Polygon | None = None,
) -> tuple[gpd.GeoDataFrame, dict[int, set[str]]]:
    """Read points of interest and bus-route ways from an OSM file.

    Parameters
    ----------
    path
        ``.osm``, ``.osm.bz2`` or ``.osm.pbf``.
    bbox, polygon
        Optional area in WGS-84 to keep; defaults to the file's declared bounds.

    Returns
    -------
    pois
        GeoDataFrame in EPSG:4326 with ``osm_type, osm_id, kind, name, tag, geometry``
        (areas are reduced to their centroid), sorted by ``osm_type, osm_id``.
    bus_ways
        ``{way id: {route ref, ...}}`` for every way that a bus route relation uses.
    """
    path = Path(path)
    if not path.exists():
        raise OSMFileError("file not found", file=path)
    handler = _POIHandler()
    try:
        handler.apply_file(str(path), locations=True)
    except RuntimeError as exc:
        raise OSMFileError(f"corrupt or unreadable OSM data: {exc}", file=path) from exc
    pois = gpd.GeoDataFrame(
        handler.rows or None,
        columns=["osm_type", "osm_id", "kind", "name", "tag", "geometry"],
        geometry="geometry", crs="EPSG:4326",
    )
    area = polygon if polygon is not None else (box(*bbox) if bbox is not None else None)
    if area is None and (declared := file_bounds(path)) is not None:
        area = box(*declared)
    if area is not None and len(pois):
        pois = pois[pois.geometry.within(area)]
    pois = pois.sort_values(["osm_type", "osm_id"]).reset_index(drop=True)
    return pois, handler.bus_ways
