"""The responsibility network: each exclusion rule, the overrides, compounds, components.

Expected values are recomputed here from the tags and node coordinates written (or, on
real data, read with a small reader of our own), never taken from the code under test.
"""

from __future__ import annotations

import itertools
import math
import xml.etree.ElementTree as ET
from pathlib import Path

import networkx as nx
import osmium
import pytest

from osm_builders import write_osm as _write_osm
from patrolgeo import roads
from patrolgeo.errors import AreaError, ConfigError
from patrolgeo.labels import label

# --------------------------------------------------------------------------- helpers

LAT0, LON0, STEP = 30.0, 120.0, 0.001


def write_osm(path: Path, nodes: dict, ways: dict, **kwargs) -> Path:
    """Write OSM XML with ids in order, as real files have them (area assembly needs it)."""
    return _write_osm(path, dict(sorted(nodes.items())), dict(sorted(ways.items())), **kwargs)


def haversine(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Metres between two (lat, lon) points on a 6 371 km sphere."""
    (la1, lo1), (la2, lo2) = (tuple(map(math.radians, p)) for p in (a, b))
    h = math.sin((la2 - la1) / 2) ** 2 + math.cos(la1) * math.cos(la2) * math.sin(
        (lo2 - lo1) / 2) ** 2
    return 2 * 6_371_009 * math.asin(math.sqrt(h))


def way_length(refs, nodes) -> float:
    return sum(haversine(nodes[a], nodes[b]) for a, b in itertools.pairwise(refs))


def grid(n: int = 4) -> tuple[dict, dict]:
    """An n x n grid of residential streets; node ids 1000.., way ids 100.. and 200.."""
    nodes = {1000 + i * n + j: (LAT0 + i * STEP, LON0 + j * STEP)
             for i in range(n) for j in range(n)}
    ways = {}
    for i in range(n):
        ways[100 + i] = ([1000 + i * n + j for j in range(n)],
                         {"highway": "residential", "name": f"横{i}路"})
        ways[200 + i] = ([1000 + j * n + i for j in range(n)],
                         {"highway": "residential", "name": f"纵{i}路"})
    return nodes, ways


def spur(nodes, ways, way_id, start, tags, dlat=-0.0006, dlon=0.0002):
    """Add a two-node way from grid node ``start`` to a new node beside it."""
    new = 5000 + way_id
    lat, lon = nodes[start]
    nodes[new] = (lat + dlat, lon + dlon)
    ways[way_id] = ([start, new], tags)


def edge_ways(G) -> set[int]:
    """The OSM ways the graph's edges run on (a boundary link: the ways it follows)."""
    ways = set()
    for _, _, d in G.edges(data=True):
        if d.get("outside"):
            ways.update(int(w) for w in str(d["via_ways"]).split(";"))
        else:
            ways.add(int(d["osmid"]))
    return ways


def excluded_row(net, way_id):
    rows = net.excluded[net.excluded["way_id"] == way_id]
    assert len(rows) == 1, f"way {way_id}: {len(rows)} excluded rows"
    return rows.iloc[0]


# --------------------------------------------------------------------------- tag rules


RULE_WAYS = {
    301: ({"highway": "motorway"}, "motorway", "highway=motorway"),
    302: ({"highway": "motorway_link"}, "motorway", "highway=motorway_link"),
    303: ({"highway": "residential", "access": "private"}, "access", "access=private"),
    304: ({"highway": "residential", "access": "no"}, "access", "access=no"),
    305: ({"highway": "residential", "foot": "no"}, "access", "foot=no"),
    306: ({"highway": "service", "service": "driveway"}, "service_minor", "service=driveway"),
    307: ({"highway": "service", "service": "parking_aisle"}, "service_minor",
          "service=parking_aisle"),
    308: ({"highway": "footway", "footway": "sidewalk"}, "sidewalk_folded", "footway=sidewalk"),
    309: ({"highway": "footway", "footway": "crossing"}, "sidewalk_folded", "footway=crossing"),
    310: ({"highway": "path", "is_sidepath": "yes"}, "sidewalk_folded", "is_sidepath=yes"),
    311: ({"highway": "construction"}, "construction", "highway=construction"),
    312: ({"highway": "proposed"}, "construction", "highway=proposed"),
    313: ({"highway": "track"}, "class", "highway=track"),
}
#: ways the city keeps although a rule looks close
KEPT_WAYS = {
    320: {"highway": "footway", "access": "no", "foot": "yes"},  # foot beats access
    321: {"highway": "service", "service": "alley"},  # back alleys stay
    322: {"highway": "residential", "cycleway": "sidewalk"},  # a street is not folded
    323: {"highway": "residential", "sidewalk": "separate"},  # its sidewalks are folded
    324: {"highway": "service"},
}


def rules_osm() -> tuple[dict, dict]:
    """The grid with one spur per rule way and per kept way."""
    nodes, ways = grid()
    for way_id, (tags, _, _) in RULE_WAYS.items():
        spur(nodes, ways, way_id, 1000 + way_id - 301, tags)
    for way_id, tags in KEPT_WAYS.items():
        spur(nodes, ways, way_id, 1000 + way_id - 320, tags, dlat=0.0004)
    return nodes, ways


@pytest.fixture
def rules_file(tmp_path) -> Path:
    return write_osm(tmp_path / "rules.osm", *rules_osm())


def test_each_tag_rule_excludes_with_its_reason_detail_and_length(rules_file):
    net = roads.load_network(rules_file, mode="walk")
    nodes, ways = rules_osm()
    kept = edge_ways(net.graph)
    assert net.graph.graph["network"] == "city" and net.graph.graph["mode"] == "walk"
    for way_id, (_, reason, detail) in RULE_WAYS.items():
        assert way_id not in kept
        row = excluded_row(net, way_id)
        assert (row["reason"], row["detail"]) == (reason, detail)
        expected = way_length(ways[way_id][0], nodes)
        assert row["length_m"] == pytest.approx(expected, rel=5e-3)
    for way_id in KEPT_WAYS:
        assert way_id in kept, f"way {way_id} ({KEPT_WAYS[way_id]}) was dropped"
    assert set(net.excluded["way_id"]) == set(RULE_WAYS)
    assert tuple(net.excluded.columns) == roads.EXCLUDED_COLUMNS
    ordered = net.excluded.sort_values(["reason", "way_id"])
    assert list(ordered["way_id"]) == list(net.excluded["way_id"])


def test_mode_blind_reasons_are_listed_and_mode_only_ways_are_not(rules_file):
    # drive: osmnx's filter drops footways and service roads (not losses of a drive
    # network), but a motorway, a road under construction and a private road are listed
    net = roads.load_network(rules_file, mode="drive")
    listed = dict(zip(net.excluded["way_id"], net.excluded["reason"], strict=True))
    assert listed == {301: "motorway", 302: "motorway", 303: "access", 304: "access",
                      311: "construction", 312: "construction"}
    kept = edge_ways(net.graph)
    assert {305, 322, 323} <= kept  # foot=no does not close a street to cars
    assert not kept & {306, 307, 308, 309, 310, 313, 320, 321, 324}


def test_raw_mode_network_takes_what_osmnx_takes(rules_file):
    net = roads.load_network(rules_file, network="walk", mode="walk")
    kept = edge_ways(net.graph)
    # osmnx's walk filter: no motorways, private or foot=no ways, construction, cycleways,
    # sidewalk=separate streets; everything else stays, sidewalks and driveways included
    assert {306, 307, 308, 309, 310, 313, 320, 321, 322, 324} <= kept
    assert not kept & {301, 302, 303, 305, 311, 312, 323}
    assert net.excluded.empty
    assert net.graph.graph["network"] == "walk"


def test_overrides_include_beats_every_rule_and_exclude_drops(rules_file, tmp_path):
    user = tmp_path / "mine.toml"
    user.write_text("[overrides]\ninclude_ways = [306, 308, 304]\nexclude_ways = [100]\n",
                    encoding="utf-8")
    net = roads.load_network(rules_file, mode="walk", rules=user)
    kept = edge_ways(net.graph)
    assert {306, 308, 304} <= kept
    row = excluded_row(net, 100)
    assert (row["reason"], row["detail"]) == ("override", "exclude_ways")
    assert 100 not in kept
    # include_ways does not make a way of another mode usable: 308 is a footway
    drive = roads.load_network(rules_file, mode="drive", rules=user)
    assert 308 not in edge_ways(drive.graph)


def test_load_graph_and_graph_from_file_take_network(rules_file):
    city = roads.load_graph(rules_file, mode="walk", network="city")
    raw = roads.load_graph(rules_file, mode="walk")
    assert city.graph["network"] == "city" and raw.graph["network"] == "walk"
    assert 306 in edge_ways(raw) and 306 not in edge_ways(city)
    with pytest.raises(AreaError, match="unknown network"):
        roads.load_graph(rules_file, network="town")
    with pytest.raises(AreaError, match="another mode"):
        roads.graph_from_file(rules_file, mode="walk", network="drive")
    with pytest.raises(AreaError, match="city network is built from an OSM file"):
        roads.load_graph(place="贵溪市", network="city")


def test_bbox_clipped_ways_are_not_losses(tmp_path):
    nodes, ways = grid()
    spur(nodes, ways, 330, 1000, {"highway": "service", "service": "driveway"})
    nodes[9001], nodes[9002] = (LAT0 + 0.02, LON0), (LAT0 + 0.02, LON0 + 0.001)
    ways[331] = ([9001, 9002], {"highway": "service", "service": "driveway"})
    path = write_osm(tmp_path / "clip.osm", nodes, ways)
    whole = roads.load_network(path, mode="walk")
    assert set(whole.excluded["way_id"]) == {330, 331}
    clipped = roads.load_network(path, mode="walk",
                                 bbox=(LON0 - 0.001, LAT0 - 0.001, LON0 + 0.004, LAT0 + 0.004))
    assert set(clipped.excluded["way_id"]) == {330}


# --------------------------------------------------------------------------- compounds


def campus_file(tmp_path: Path, outline_tags: dict, *, gate: str | None = None) -> Path:
    """A 333 m square compound whose outline is the street around it, one road inside.

    ``gate``: ``"entrance"`` puts a gate on the inner road 3 m inside the outline,
    ``"far"`` one on a street 200 m away.
    """
    s = 0.003
    corners = {1: (LAT0, LON0), 2: (LAT0, LON0 + s), 3: (LAT0 + s, LON0 + s), 4: (LAT0 + s, LON0)}
    nodes = dict(corners)
    nodes[5] = (LAT0, LON0 + s / 2)  # the inner road's entrance on the bounding street
    nodes[6] = (LAT0 + 0.00003, LON0 + s / 2)  # 3 m inside
    nodes[7] = (LAT0 + s * 0.8, LON0 + s / 2)
    nodes[8], nodes[9] = (LAT0 - 0.002, LON0), (LAT0 - 0.002, LON0 + s)
    ways = {
        10: ([1, 5, 2, 3, 4, 1], {"highway": "residential", "name": "环校路"}),
        11: ([5, 6, 7], {"highway": "service", "name": "校内路"}),
        12: ([1, 8, 9, 2], {"highway": "residential", "name": "南路"}),
        13: ([11, 12, 13, 14, 11], outline_tags),
    }
    # the outline as separate nodes 0.3 m outside the street, as mappers draw it
    nodes.update({10 + k: (lat - 3e-6 if k < 3 else lat + 3e-6, lon) for k, (lat, lon) in
                  corners.items()})
    node_tags = {}
    if gate == "entrance":
        node_tags[6] = {"barrier": "gate"}
    elif gate == "far":
        node_tags[8] = {"barrier": "gate"}
    return write_osm(tmp_path / "campus.osm", nodes, ways, node_tags=node_tags)


def test_ways_inside_a_campus_are_excluded_and_its_bounding_street_stays(tmp_path):
    path = campus_file(tmp_path, {"amenity": "school", "name": "第一中学"})
    net = roads.load_network(path, mode="walk")
    row = excluded_row(net, 11)
    assert (row["reason"], row["detail"]) == ("compound", "第一中学")
    assert {10, 12} <= edge_ways(net.graph) and 11 not in edge_ways(net.graph)
    areas = net.areas
    assert list(areas.columns) == list(roads.AREA_COLUMNS)
    assert areas.crs.to_epsg() == 4326
    (area,) = areas.itertuples()
    assert (area.osm_type, area.osm_id, area.kind, area.name, area.closed) == (
        "way", 13, "school", "第一中学", True)


@pytest.mark.parametrize(("outline", "gate", "closed"), [
    ({"landuse": "residential", "name": "阳光小区"}, None, False),
    ({"landuse": "residential", "name": "阳光小区", "barrier": "wall"}, None, True),
    ({"landuse": "residential", "name": "阳光小区", "access": "private"}, None, True),
    ({"landuse": "residential", "name": "阳光小区"}, "entrance", True),
    ({"landuse": "residential", "name": "阳光小区"}, "far", False),
    ({"landuse": "industrial"}, "entrance", True),
])
def test_residential_compounds_close_only_with_a_barrier(tmp_path, outline, gate, closed):
    net = roads.load_network(campus_file(tmp_path, outline, gate=gate), mode="walk")
    assert (11 not in edge_ways(net.graph)) is closed
    assert list(net.areas["closed"]) == [closed]  # named open 小区 are listed for names
    if closed:
        assert excluded_row(net, 11)["reason"] == "compound"


def test_unnamed_open_compound_is_not_an_area(tmp_path):
    net = roads.load_network(campus_file(tmp_path, {"landuse": "residential"}), mode="walk")
    assert net.areas.empty and 11 in edge_ways(net.graph)


def test_compound_share_threshold(tmp_path):
    # the inner road is 80 % of the square deep: with min_share 0.99 it stays in
    path = campus_file(tmp_path, {"amenity": "university"})
    strict = tmp_path / "strict.toml"
    strict.write_text("[compound]\nmin_share = 0.99\n", encoding="utf-8")
    assert 11 not in edge_ways(roads.load_network(path, mode="walk").graph)
    assert 11 in edge_ways(roads.load_network(path, mode="walk", rules=strict).graph)


# --------------------------------------------------------------------------- components


def islands_file(tmp_path: Path) -> tuple[Path, dict, dict]:
    nodes, ways = grid()
    nodes.update({9001: (LAT0 + 0.01, LON0), 9002: (LAT0 + 0.01, LON0 + 0.002),
                  9003: (LAT0 + 0.011, LON0 + 0.002)})
    ways[400] = ([9001, 9002], {"highway": "residential", "name": "孤岛路"})
    ways[401] = ([9002, 9003], {"highway": "footway"})
    return write_osm(tmp_path / "islands.osm", nodes, ways), nodes, ways


def test_dropped_components_are_recorded(tmp_path):
    path, nodes, ways = islands_file(tmp_path)
    net = roads.load_network(path, mode="walk")
    assert not {400, 401} & edge_ways(net.graph)
    for way_id in (400, 401):
        row = excluded_row(net, way_id)
        assert (row["reason"], row["detail"]) == ("component", "piece 1")
        assert row["length_m"] == pytest.approx(way_length(ways[way_id][0], nodes), rel=5e-3)
    assert excluded_row(net, 400)["name"] == "孤岛路"
    assert excluded_row(net, 401)["highway"] == "footway"
    # the same in a raw network and in drive mode (one direction only counted once)
    drive = roads.load_network(path, mode="drive", network="drive")
    assert list(drive.excluded["way_id"]) == [400]
    assert drive.excluded["length_m"].iloc[0] == pytest.approx(
        way_length(ways[400][0], nodes), rel=5e-3)


def test_keep_components_keeps_every_piece(tmp_path):
    path, _, _ = islands_file(tmp_path)
    net = roads.load_network(path, mode="walk", keep_components=True)
    assert {400, 401} <= edge_ways(net.graph)
    assert net.excluded.empty
    assert {400, 401} <= edge_ways(roads.load_graph(path, keep_components=True))


def test_include_ways_keeps_its_piece(tmp_path):
    path, _, _ = islands_file(tmp_path)
    user = tmp_path / "keep.toml"
    user.write_text("[overrides]\ninclude_ways = [401]\n", encoding="utf-8")
    net = roads.load_network(path, mode="walk", rules=user)
    assert {400, 401} <= edge_ways(net.graph) and net.excluded.empty


# --------------------------------------------------------------------------- rules files


def test_default_rules_ship_with_the_package():
    rules = roads.load_network_rules()
    assert roads.default_network_rules_path().name == "network_rules.toml"
    assert {"motorway", "motorway_link"} == rules.motorway
    assert "track" not in rules.classes and "residential" in rules.classes
    assert rules.include_ways == rules.exclude_ways == frozenset()


@pytest.mark.parametrize(("text", "field", "message"), [
    ("[compund]\nmin_share = 0.5\n", "compund", "did you mean 'compound'"),
    ("[compound]\nmin_shar = 0.5\n", "compound.min_shar", "unknown key"),
    ("[compound]\nmin_share = 1.5\n", "compound.min_share", "between 0 and 1"),
    ("[compound]\nmin_share = \"most\"\n", "compound.min_share", "must be a number"),
    ("[overrides]\nexclude_ways = [\"12\"]\n", "overrides.exclude_ways", "OSM way ids"),
    ("[overrides]\ninclude_ways = [7]\nexclude_ways = [7]\n", "overrides.exclude_ways",
     "both"),
    ("[motorway]\nhighway = \"motorway\"\n", "motorway.highway", "list of non-empty strings"),
    ("version = 2\n", "version", "unsupported version"),
    ("[access.keys]\nboat = [\"boat\"]\n", "access.keys", "must be a table of"),
])
def test_bad_rules_name_file_line_and_field(tmp_path, text, field, message):
    path = tmp_path / "bad.toml"
    path.write_text("# my rules\n" + text, encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        roads.load_network_rules(path)
    err = info.value
    assert err.file == str(path) and err.field == field and message in str(err)
    assert err.row is not None and err.row >= 2


def test_unreadable_rules_files(tmp_path):
    with pytest.raises(ConfigError, match="not found"):
        roads.load_network_rules(tmp_path / "none.toml")
    bad = tmp_path / "broken.toml"
    bad.write_text("[overrides\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="not valid TOML") as info:
        roads.load_network_rules(bad)
    assert info.value.row == 1


def test_overlay_keeps_the_other_defaults(tmp_path):
    user = tmp_path / "one.toml"
    user.write_text("[service_minor]\nservice = [\"driveway\"]\n", encoding="utf-8")
    rules = roads.load_network_rules(user)
    assert rules.service_minor == {"driveway"}
    assert rules.compound == roads.load_network_rules().compound
    assert rules.sources[-1] == str(user)


# --------------------------------------------------------------------------- summary, labels


def test_excluded_summary_and_labels(rules_file):
    net = roads.load_network(rules_file, mode="walk")
    summary = roads.excluded_summary(net.excluded)
    by_reason = {r: (n, km) for r, n, km in summary}
    for reason in {r for _, r, _ in RULE_WAYS.values()}:
        ways = [w for w, (_, r, _) in RULE_WAYS.items() if r == reason]
        km = net.excluded.set_index("way_id").loc[ways, "length_m"].sum() / 1000
        assert by_reason[reason] == (len(ways), pytest.approx(km))
    assert [r for r, _, _ in summary] == [r for r in roads.REASONS if r in by_reason]
    for reason in roads.REASONS:
        assert label("excluded_reason", reason, "en") != reason
        assert label("excluded_reason", reason, "zh") != reason
    assert roads.excluded_summary(roads.excluded_frame([])) == []


# --------------------------------------------------------------------------- real data


class RawOSM:
    """Our own reader of an OSM file's highway ways: tags, node refs, node coordinates."""

    def __init__(self, path: Path) -> None:
        self.ways: dict[int, tuple[list[int], dict[str, str]]] = {}
        self.nodes: dict[int, tuple[float, float]] = {}
        self.bounds = None
        if path.suffix == ".osm":
            root = ET.parse(path).getroot()
            b = root.find("bounds")
            if b is not None:
                self.bounds = tuple(float(b.get(k)) for k in ("minlon", "minlat", "maxlon",
                                                              "maxlat"))
            for el in root.iter("node"):
                self.nodes[int(el.get("id"))] = (float(el.get("lat")), float(el.get("lon")))
            for el in root.iter("way"):
                tags = {t.get("k"): t.get("v") for t in el.iter("tag")}
                if "highway" in tags:
                    self.ways[int(el.get("id"))] = ([int(n.get("ref")) for n in el.iter("nd")],
                                                    tags)
        else:  # PBF: pyosmium's plain object stream, none of the code under test
            for obj in osmium.FileProcessor(str(path)):
                if obj.is_node() and obj.location.valid():
                    self.nodes[obj.id] = (obj.location.lat, obj.location.lon)
                elif obj.is_way() and "highway" in obj.tags:
                    self.ways[obj.id] = ([n.ref for n in obj.nodes], dict(obj.tags))
            header = osmium.io.Reader(str(path), osmium.osm.osm_entity_bits.NOTHING).header()
            box = header.box()
            if box.valid():
                self.bounds = (box.bottom_left.lon, box.bottom_left.lat, box.top_right.lon,
                               box.top_right.lat)

    def inside(self, ref: int) -> bool:
        if ref not in self.nodes:
            return False
        if self.bounds is None:
            return True
        lat, lon = self.nodes[ref]
        west, south, east, north = self.bounds
        return west <= lon <= east and south <= lat <= north

    def km_within_bounds(self, way_id: int) -> float:
        refs = self.ways[way_id][0]
        return sum(haversine(self.nodes[a], self.nodes[b])
                   for a, b in itertools.pairwise(refs)
                   if self.inside(a) and self.inside(b)) / 1000


def _network_km_by_class(G) -> dict[str, float]:
    seg = roads.segments_from_graph(G)
    return (seg.groupby("highway")["length_m"].sum() / 1000).round(2).to_dict()


def _unnamed_share(G) -> float:
    seg = roads.segments_from_graph(G)
    unnamed = seg["road_name"].str.startswith(roads.UNNAMED_PREFIX)
    return float(seg.loc[unnamed, "length_m"].sum() / seg["length_m"].sum())


ACCESS_KEYS = ("access", "foot", "bicycle", "vehicle", "motor_vehicle", "motorcar")


def _check_real(path: Path, mode: str, name: str) -> None:
    raw_osm = RawOSM(path)
    city = roads.load_network(path, mode=mode)
    raw = roads.load_network(path, mode=mode, network=mode)
    G = city.graph
    total = sum(_network_km_by_class(G).values())
    summary = roads.excluded_summary(city.excluded)
    print(f"\n{name} {mode}: city network {total:.2f} km "
          f"(raw {mode} {sum(_network_km_by_class(raw.graph).values()):.2f} km)")
    print("  km by class:", _network_km_by_class(G))
    print("  excluded (reason, ways, km):", [(r, n, round(km, 2)) for r, n, km in summary])
    print(f"  unnamed share: {_unnamed_share(G):.1%} of km "
          f"(raw {mode}: {_unnamed_share(raw.graph):.1%})")
    print(f"  compound areas: {len(city.areas)} ({int(city.areas['closed'].sum())} closed)")
    # no kept edge's way carries a tag the rules exclude (tags from our own reader)
    for way_id in edge_ways(G):
        tags = raw_osm.ways[way_id][1]
        assert not tags["highway"].startswith("motorway"), way_id
        assert tags.get("access") != "private" or any(
            tags.get(k) in ("yes", "permissive", "designated") for k in ACCESS_KEYS[1:]), way_id
        assert tags.get("service") not in ("driveway", "parking_aisle"), way_id
        assert tags.get("footway") not in ("sidewalk", "crossing"), way_id
    # motorway and construction: every such way within the bounds and without access
    # tags of its own is listed, with its length recomputed from the node coordinates
    for reason, classes in (("motorway", ("motorway", "motorway_link")),
                            ("construction", ("construction", "proposed"))):
        expected = {w: raw_osm.km_within_bounds(w) for w, (_, t) in raw_osm.ways.items()
                    if t["highway"] in classes and t.get("area") != "yes"
                    and not any(k in t for k in ACCESS_KEYS)}
        expected = {w: km for w, km in expected.items() if km > 0}
        got = city.excluded[city.excluded["reason"] == reason]
        assert set(expected) <= set(got["way_id"])
        got_km = got.set_index("way_id").loc[list(expected), "length_m"].sum() / 1000
        assert got_km == pytest.approx(sum(expected.values()), rel=5e-3, abs=1e-6)
    # no silent losses: every way of the raw mode network is kept or listed
    listed = set(city.excluded["way_id"])
    lost = edge_ways(raw.graph) - edge_ways(G) - listed
    assert not lost, f"ways of the raw {mode} network neither kept nor listed: {sorted(lost)}"
    # the summary adds up to the table and every reason is a known code
    assert sum(n for _, n, _ in summary) >= city.excluded["way_id"].nunique()
    assert set(city.excluded["reason"]) <= set(roads.REASONS)


@pytest.mark.parametrize("mode", ["walk", "drive"])
def test_guixi_city_network(guixi_osm, mode):
    _check_real(guixi_osm, mode, "Guixi")


@pytest.mark.parametrize("mode", ["walk", "drive"])
def test_helsinki_city_network(helsinki_pbf, mode):
    _check_real(helsinki_pbf, mode, "Helsinki")


def test_compounds_of_a_file_with_ids_out_of_order(tmp_path):
    # hand-written files may list ways out of id order; area assembly needs them sorted
    nodes = {1: (LAT0, LON0), 2: (LAT0, LON0 + 0.002), 3: (LAT0 + 0.002, LON0 + 0.002),
             4: (LAT0 + 0.002, LON0), 5: (LAT0 + 0.001, LON0 - 0.001),
             6: (LAT0 + 0.001, LON0 + 0.003)}
    ways = {20: ([5, 6], {"highway": "residential"}),
            10: ([1, 2, 3, 4, 1], {"amenity": "school", "name": "二中"})}
    path = _write_osm(tmp_path / "unsorted.osm", nodes, ways)
    net = roads.load_network(path, mode="walk")
    assert list(net.areas["name"]) == ["二中"] and 20 in edge_ways(net.graph)


def test_a_footway_hanging_from_a_folded_sidewalk_names_it(tmp_path):
    nodes, ways = grid()
    # a sidewalk beside the first street, joining it at both corners
    nodes[8003] = (LAT0 - 0.0008, LON0 + STEP / 2)
    nodes[8004] = (LAT0 - 0.0001, LON0 + STEP / 2)
    ways[500] = ([1000, 8004, 1001], {"highway": "footway", "footway": "sidewalk"})
    ways[501] = ([8004, 8003], {"highway": "footway"})
    net = roads.load_network(write_osm(tmp_path / "hang.osm", nodes, ways), mode="walk")
    assert excluded_row(net, 500)["reason"] == "sidewalk_folded"
    row = excluded_row(net, 501)
    assert row["reason"] == "component"
    assert row["detail"] == "piece 1, joined over sidewalk_folded way 500"
    # the user's way out: keep the sidewalk, and the footway is reached again
    user = tmp_path / "keep.toml"
    user.write_text("[overrides]\ninclude_ways = [500]\n", encoding="utf-8")
    kept = roads.load_network(tmp_path / "hang.osm", mode="walk", rules=user)
    assert {500, 501} <= edge_ways(kept.graph) and kept.excluded.empty
    assert len(list(nx.weakly_connected_components(kept.graph))) == 1
