"""Points of interest and bus routes from the same OSM file as the roads.

Plans grade roads by what lines them (shops, restaurants, markets, schools, hospitals,
stations) and by bus routes; synthetic issue reports follow the same context. Both read
it here, with pyosmium, from any OSM file the road loader accepts.

Besides points, :func:`read_evidence` keeps the outlines of tagged areas (a market hall,
a station area relation, ``landuse=retail``, ``building=retail``), because a shop
frontage or a station approach is measured to the outline, not to its centroid, and in
many Chinese extracts commercial land is mapped as areas rather than as shop nodes.

It also keeps the outlines of closed compounds (campuses of schools, universities,
colleges and kindergartens, military land, prisons): a venue, school or hospital inside
one (a university's sports ground tagged ``leisure=stadium``, its clinic, its auditorium)
serves the compound, not the street, and is marked ``public = False``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import osmium
import pandas as pd
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
    # a metro or light-rail station is a station, but not a railway station's approach
    ("station", "station", frozenset({"subway", "light_rail", "monorail"})),
    ("station", "railway", frozenset({"station", "halt", "subway_entrance"})),
    ("station", "public_transport", frozenset({"station"})),
    ("station", "amenity", frozenset({"bus_station", "ferry_terminal"})),
    ("bus_stop", "highway", frozenset({"bus_stop"})),
    ("bus_stop", "railway", frozenset({"tram_stop"})),  # a stop on the street, as a bus's
    ("bus_stop", "public_transport", frozenset({"platform", "stop_position"})),
    ("venue", "amenity", frozenset({"theatre", "cinema", "community_centre", "arts_centre",
                                    "place_of_worship", "townhall"})),
    ("venue", "leisure", frozenset({"stadium", "sports_centre", "park"})),
    ("waste", "amenity", frozenset({"recycling", "waste_disposal", "waste_basket", "toilets"})),
    ("shop", "shop", None),
    ("office", "office", None),
)

POI_KINDS = tuple(dict.fromkeys(kind for kind, _, _ in POI_RULES))

#: Areas that are evidence of commercial frontage without being POIs of their own.
AREA_RULES: tuple[tuple[str, str, frozenset[str] | None], ...] = (
    ("shop", "landuse", frozenset({"retail"})),
    ("shop", "building", frozenset({"retail", "kiosk", "supermarket"})),
    ("commercial", "landuse", frozenset({"commercial"})),
    ("commercial", "building", frozenset({"commercial"})),
)

#: Every kind an area may have: the POI kinds, then ``commercial``.
AREA_KINDS = tuple(dict.fromkeys([*POI_KINDS, *(kind for kind, _, _ in AREA_RULES)]))

#: Closed compounds: what lies inside serves the compound, not the public street.
COMPOUND_RULES: tuple[tuple[str, str, frozenset[str] | None], ...] = (
    ("campus", "amenity", frozenset({"school", "kindergarten", "college", "university"})),
    ("campus", "landuse", frozenset({"education"})),
    ("military", "landuse", frozenset({"military"})),
    ("military", "military", None),
    ("prison", "amenity", frozenset({"prison"})),
)

#: POI kinds that are not public when inside a compound of :data:`COMPOUND_RULES` (a
#: campus stadium, sports centre, theatre, clinic or affiliated school)
PRIVATE_WITHIN_KINDS = frozenset({"venue", "school", "hospital"})

#: Tags of highway ways kept for the plans (sidewalks, widths, one-way carriageways).
ROAD_TAGS = ("highway", "oneway", "junction", "lanes", "width", "est_width", "sidewalk",
             "sidewalk:both", "sidewalk:left", "sidewalk:right", "footway")


def _match(
    tags: dict[str, str], rules: tuple[tuple[str, str, frozenset[str] | None], ...]
) -> tuple[str, str] | None:
    for kind, key, values in rules:
        value = tags.get(key)
        if value is not None and (values is None or value in values):
            return kind, f"{key}={value}"
    return None


def poi_kind(tags: dict[str, str]) -> str | None:
    """Return the POI kind of an OSM object's tags, or ``None`` if it is not a POI."""
    found = _match(tags, POI_RULES)
    return found[0] if found else None


def area_kind(tags: dict[str, str]) -> str | None:
    """Return the kind of a tagged area: its POI kind, else ``shop``/``commercial`` land."""
    found = _match(tags, (*POI_RULES, *AREA_RULES))
    return found[0] if found else None


def compound_kind(tags: dict[str, str]) -> str | None:
    """Return the compound kind of an area's tags (``campus``, ``military``, ``prison``)."""
    found = _match(tags, COMPOUND_RULES)
    return found[0] if found else None


def _row(osm_type: str, osm_id: int, tags: dict[str, str], geom, *, areas: bool = False,
         rules: tuple[tuple[str, str, frozenset[str] | None], ...] | None = None
         ) -> dict | None:
    if rules is None:
        rules = (*POI_RULES, *AREA_RULES) if areas else POI_RULES
    found = _match(tags, rules)
    if found is None:
        return None
    return {
        "osm_type": osm_type, "osm_id": osm_id, "kind": found[0],
        "name": tags.get("name:zh") or tags.get("name"),
        "tag": found[1],  # the tag that made the kind
        "geometry": geom,
    }


class _POIHandler(osmium.SimpleHandler):
    def __init__(self) -> None:
        super().__init__()
        self._wkb = osmium.geom.WKBFactory()
        self.rows: list[dict] = []
        self.area_rows: list[dict] = []
        self.compound_rows: list[dict] = []
        self.bus_ways: dict[int, set[str]] = {}
        self.road_tags: dict[int, dict[str, str]] = {}

    def _add(self, osm_type: str, osm_id: int, tags: dict[str, str], geom) -> None:
        row = _row(osm_type, osm_id, tags, geom)
        if row is not None:
            self.rows.append(row)

    def node(self, n) -> None:
        if len(n.tags) and n.location.valid():
            self._add("node", n.id, dict(n.tags), shapely.Point(n.location.lon, n.location.lat))

    def way(self, w) -> None:
        if not len(w.tags):
            return
        tags = dict(w.tags)
        if "highway" in tags:
            self.road_tags[w.id] = {k: tags[k] for k in ROAD_TAGS if k in tags}
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

    def area(self, a) -> None:
        # having this method makes pyosmium assemble areas (reading the file twice)
        tags = dict(a.tags)
        compound = compound_kind(tags) is not None
        if area_kind(tags) is None and not compound:
            return
        try:
            geom = shapely.from_wkb(self._wkb.create_multipolygon(a))
        except (RuntimeError, shapely.errors.GEOSException):
            return  # an outline the extract cuts open cannot be assembled
        osm_type = "way" if a.from_way() else "relation"
        if compound:
            outline = _row(osm_type, a.orig_id(), tags, geom, rules=COMPOUND_RULES)
            assert outline is not None  # compound_kind matched the same rules
            self.compound_rows.append(outline)
        if area_kind(tags) is None:
            return
        row = _row(osm_type, a.orig_id(), tags, geom, areas=True)
        assert row is not None  # area_kind matched the same rules
        self.area_rows.append(row)
        if osm_type == "relation":
            # a POI mapped as a multipolygon relation (a station area, a campus)
            self._add(osm_type, a.orig_id(), tags, geom.centroid)


@dataclass
class OSMEvidence:
    """What an OSM file says about the roads' surroundings, for plans and issues.

    Attributes
    ----------
    pois
        Points of interest in EPSG:4326: ``osm_type, osm_id, kind, name, tag, public,
        geometry`` (areas reduced to their centroid). ``public`` is ``False`` for a POI
        of :data:`PRIVATE_WITHIN_KINDS` inside a compound other than itself.
    areas
        Tagged areas in EPSG:4326 with the same columns and their outlines: POIs mapped
        as areas, and commercial land (``landuse=retail|commercial``,
        ``building=retail|commercial|kiosk|supermarket``) of kind ``shop`` or
        ``commercial``; an area is inside a compound when its representative point is.
    bus_ways
        ``{way id: {route ref, ...}}`` for every way a bus route relation uses.
    road_tags
        ``{way id: {tag: value}}`` of every highway way, limited to :data:`ROAD_TAGS`.
    """

    pois: gpd.GeoDataFrame
    areas: gpd.GeoDataFrame
    bus_ways: dict[int, set[str]] = field(default_factory=dict)
    road_tags: dict[int, dict[str, str]] = field(default_factory=dict)
    compounds: gpd.GeoDataFrame | None = None
    """Closed compounds (:data:`COMPOUND_RULES`) in EPSG:4326: ``osm_type, osm_id, kind``
    (``campus``, ``military``, ``prison``), ``name, tag, geometry``."""


_COLUMNS = ["osm_type", "osm_id", "kind", "name", "tag", "geometry"]


def _frame(rows: list[dict]) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(rows or None, columns=_COLUMNS, geometry="geometry",
                            crs="EPSG:4326")


def _area_of(
    path: Path,
    bbox: tuple[float, float, float, float] | None,
    polygon: Polygon | None,
) -> Polygon | None:
    if polygon is not None:
        return polygon
    if bbox is not None:
        return box(*bbox)
    declared = file_bounds(path)
    return box(*declared) if declared is not None else None


def _read(path: str | Path) -> tuple[Path, _POIHandler]:
    path = Path(path)
    if not path.exists():
        raise OSMFileError("file not found", file=path)
    if not path.is_file():
        raise OSMFileError("not a file", file=path)
    handler = _POIHandler()
    try:
        handler.apply_file(str(path), locations=True)
    except RuntimeError as exc:
        raise OSMFileError(f"corrupt or unreadable OSM data: {exc}", file=path) from exc
    return path, handler


def _points_within(pois: gpd.GeoDataFrame, area: Polygon | None) -> gpd.GeoDataFrame:
    if area is not None and len(pois):
        pois = pois[pois.geometry.within(area)]
    return pois.sort_values(["osm_type", "osm_id"]).reset_index(drop=True)


def mark_public(features: gpd.GeoDataFrame, compounds: gpd.GeoDataFrame
                ) -> gpd.GeoDataFrame:
    """Add ``public``: ``False`` for a venue, school or hospital inside another's compound.

    Parameters
    ----------
    features
        POIs or areas (``osm_type, osm_id, kind, geometry``), in the CRS of ``compounds``.
    compounds
        Compound outlines (:attr:`OSMEvidence.compounds`).

    Returns
    -------
    geopandas.GeoDataFrame
        ``features`` with a boolean ``public`` column.
    """
    out = features.copy()
    public = pd.Series(True, index=out.index)
    if len(out) and len(compounds):
        tree = shapely.STRtree(compounds.geometry.values)
        points = shapely.point_on_surface(out.geometry.values)
        inside, where = tree.query(points, predicate="within")
        own = ((out["osm_type"].to_numpy()[inside] == compounds["osm_type"].to_numpy()[where])
               & (out["osm_id"].to_numpy()[inside] == compounds["osm_id"].to_numpy()[where]))
        inside = inside[~own]
        private = np.zeros(len(out), dtype=bool)
        private[inside] = True
        private &= out["kind"].isin(PRIVATE_WITHIN_KINDS).to_numpy()
        public[:] = ~private
    out["public"] = public.to_numpy(dtype=bool)
    return out


def read_evidence(
    path: str | Path,
    *,
    bbox: tuple[float, float, float, float] | None = None,
    polygon: Polygon | None = None,
) -> OSMEvidence:
    """Read POIs, tagged areas, bus-route ways and road tags from an OSM file.

    Parameters
    ----------
    path
        ``.osm``, ``.osm.bz2`` or ``.osm.pbf``.
    bbox, polygon
        Optional area in WGS-84 to keep; defaults to the file's declared bounds. Points
        must lie within it, areas must touch it.

    Returns
    -------
    OSMEvidence
    """
    path, handler = _read(path)
    area = _area_of(path, bbox, polygon)
    areas = _frame(handler.area_rows)
    if area is not None and len(areas):
        areas = areas[areas.geometry.intersects(area)]
    areas = areas.sort_values(["osm_type", "osm_id"]).reset_index(drop=True)
    compounds = _frame(handler.compound_rows)
    if area is not None and len(compounds):
        compounds = compounds[compounds.geometry.intersects(area)]
    compounds = compounds.sort_values(["osm_type", "osm_id"]).reset_index(drop=True)
    return OSMEvidence(
        pois=mark_public(_points_within(_frame(handler.rows), area), compounds),
        areas=mark_public(areas, compounds),
        bus_ways=handler.bus_ways,
        road_tags=handler.road_tags,
        compounds=compounds,
    )


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
        GeoDataFrame in EPSG:4326 with ``osm_type, osm_id, kind, name, tag, public,
        geometry``
        (areas, including multipolygon relations, are reduced to their centroid), sorted
        by ``osm_type, osm_id``; ``tag`` is the tag that made the kind.
    bus_ways
        ``{way id: {route ref, ...}}`` for every way that a bus route relation uses.
    """
    found = read_evidence(path, bbox=bbox, polygon=polygon)
    return found.pois, found.bus_ways
