"""Roads from segments: named roads, context names for unnamed pieces, short pieces joined.

How segments become roads (:func:`name_roads`):

1. **Named roads.** Segments of one OSM name (``name:zh``, ``name``, ``ref``) that share
   a node or lie within ``gap_m`` of each other are one road (dual carriageways, short
   gaps at junctions); far-apart pieces of one name are separate roads.
2. **Unnamed pieces** (the segments of one unnamed way that share nodes, continued
   through nodes where they meet just one other unnamed segment of their class) get a
   name from context (:mod:`patrolgeo.roads._context_names`): ``信州路辅路``,
   ``贵溪市第九中学内道路``, ``建设路至信州路段``, ``近信州路无名路``; pieces of one context
   name form one road like named ones (near-pieces only through shared nodes, the
   pieces inside one area all together). Pieces without context stay
   ``无名路-<way id>``.
3. **Short pieces join the road they serve.** A road shorter than ``min_road_m``, and
   an unnamed link (``*_link``) touching a named road, joins the neighbouring road it
   shares a node with: OSM-named before context-named before unnamed, then one of the
   same or a more important class, then the longest, then the least id. This repeats
   until no road is shorter than ``min_road_m``, except **isolated pieces that share no
   node with any other road** (they have nothing to join).
4. **Ids.** A road's id is its name (``南大街``); further roads of the same name are
   numbered ``南大街-2``, ``南大街-3`` … in the order of their least segment id (OSM names
   before context names of the same text). Everything is computed in segment-id order,
   so ids never depend on row order.

A segment that joined another road has ``name_source="merged"`` and the serving road's
``road_id``; its ``road_name`` stays its own OSM name where it had one (a short named
bridge keeps ``XX桥``), else it is the serving road's name. A road's own name is that of
its members that did not join it (:func:`road_names`).
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from patrolgeo.roads._context_names import (
    BETWEEN,
    CONTEXT_CODES,
    CYCLE_TRACK,
    INSIDE,
    MERGED,
    SIDE_ROAD,
    SIDEWALK,
    NamedNet,
    piece_contexts,
)

UNNAMED_PREFIX = "无名路"

#: Pieces of one road name closer than this (metres) are one road: dual carriageways
#: and short gaps at junctions, but not two streets of one name across a district.
ROAD_GAP_M = 60.0

#: No road is shorter than this (metres) unless it touches no other road: a piece this
#: short (a crossing, a slip, a stub between two junctions) is part of the street it
#: serves, not a road a chief is given (issue 12's target).
MIN_ROAD_M = 30.0

#: Highway classes from most to least important; used to pick a road's class.
HIGHWAY_RANK = (
    "motorway", "trunk", "primary", "secondary", "tertiary", "motorway_link", "trunk_link",
    "primary_link", "secondary_link", "tertiary_link", "unclassified", "residential",
    "living_street", "service", "pedestrian", "track", "busway", "road", "cycleway",
    "footway", "bridleway", "path", "steps", "corridor",
)
_RANK = {h: i for i, h in enumerate(HIGHWAY_RANK)}

#: The ``name_source`` values that are OSM name tags.
OSM_NAME_SOURCES = ("name:zh", "name", "ref")
#: Context names whose pieces join over gaps up to ``gap_m`` (both sides of a road,
#: two carriageways between the same roads); near-pieces join only through nodes.
_GAP_JOINING = (SIDE_ROAD, SIDEWALK, CYCLE_TRACK, BETWEEN)

# tiers of a road's name, best first when a short road picks where to go
_OSM, _CONTEXT, _FALLBACK = 2, 1, 0


def _components(n: int, key: np.ndarray, u: np.ndarray, v: np.ndarray,
                extra: list[tuple[np.ndarray, np.ndarray]]) -> np.ndarray:
    """Components of ``n`` segments: same ``key`` sharing an end node, or an extra pair.

    A key of ``-1`` joins nothing through nodes.
    """
    key = np.where(key < 0, -1 - np.arange(n), key)
    ends = pd.DataFrame({"seg": np.concatenate([np.arange(n)] * 2),
                         "key": np.concatenate([key, key]),
                         "node": np.concatenate([u, v])})
    # one vertex per segment, plus one per (key, end node)
    junction = n + ends.groupby(["key", "node"], sort=False).ngroup().to_numpy()
    rows = [ends["seg"].to_numpy(), *[a for a, _ in extra]]
    cols = [junction, *[b for _, b in extra]]
    size = int(junction.max()) + 1 if n else 0
    graph = coo_matrix((np.ones(sum(len(r) for r in rows)),
                        (np.concatenate(rows), np.concatenate(cols))), shape=(size, size))
    labels = connected_components(graph, directed=False)[1][:n]
    return pd.factorize(labels)[0]  # numbered by least segment (rows are in id order)


def _within(geoms: np.ndarray, key: np.ndarray, mask: np.ndarray,
            gap_m: float | None) -> tuple[np.ndarray, np.ndarray]:
    """Pairs of ``mask`` segments of one key lying within ``gap_m`` of each other."""
    idx = np.flatnonzero(mask)
    if gap_m is None or not len(idx):
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    left, right = shapely.STRtree(geoms[idx]).query(geoms[idx], predicate="dwithin",
                                                    distance=gap_m)
    same = key[idx[left]] == key[idx[right]]
    return idx[left[same]], idx[right[same]]


def _continuations(u: np.ndarray, v: np.ndarray, unnamed: np.ndarray,
                   highway: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Pairs of unnamed segments of one class that alone meet at a node."""
    n = len(u)
    ends = pd.DataFrame({"seg": np.concatenate([np.arange(n)] * 2),
                         "node": np.concatenate([u, v])})
    ends = ends[ends.groupby("node")["seg"].transform("size") == 2]
    pairs = ends.merge(ends, on="node")
    pairs = pairs[pairs["seg_x"] < pairs["seg_y"]]
    a, b = pairs["seg_x"].to_numpy(), pairs["seg_y"].to_numpy()
    keep = unnamed[a] & unnamed[b] & (highway[a] == highway[b])
    return a[keep], b[keep]


def _compact(labels: np.ndarray) -> np.ndarray:
    """Renumber the non-negative labels 0, 1, … in order of first appearance."""
    out = np.full(len(labels), -1, dtype=np.int64)
    keep = labels >= 0
    out[keep] = pd.factorize(labels[keep])[0]
    return out


def _named_mask(seg: pd.DataFrame) -> np.ndarray:
    named = seg["road_name"].notna().to_numpy().copy()
    if "name_source" in seg.columns:
        source = seg["name_source"].fillna("").astype(str)
        named &= ~(source.isin([*CONTEXT_CODES, MERGED, ""])).to_numpy()
    return named


def _majority_rank(road: np.ndarray, rank: np.ndarray, length: np.ndarray,
                   n_roads: int) -> np.ndarray:
    """The rank of the class carrying most of each road's length (ties: better)."""
    table = pd.DataFrame({"road": road, "rank": rank, "length": length})
    by = table.groupby(["road", "rank"], as_index=False)["length"].sum()
    by = by.sort_values(["road", "length", "rank"], ascending=[True, False, True])
    out = np.full(n_roads, len(HIGHWAY_RANK), dtype=np.int64)
    first = by.drop_duplicates("road")
    out[first["road"].to_numpy()] = first["rank"].to_numpy()
    return out


def _neighbours(road: np.ndarray, u: np.ndarray, v: np.ndarray) -> pd.DataFrame:
    """``(road, other)`` pairs of roads sharing an end node."""
    ends = pd.DataFrame({"node": np.concatenate([u, v]),
                         "road": np.concatenate([road, road])}).drop_duplicates()
    pairs = ends.merge(ends, on="node", suffixes=("", "_n"))
    pairs = pairs[pairs["road"] != pairs["road_n"]]
    return pairs[["road", "road_n"]].drop_duplicates().rename(columns={"road_n": "other"})


def _merge_short(road: np.ndarray, u: np.ndarray, v: np.ndarray, length: np.ndarray,
                 tier: np.ndarray, rank: np.ndarray, must_join: np.ndarray,
                 min_road_m: float) -> np.ndarray:
    """The serving road of each segment once short roads (and links) joined neighbours."""
    road = road.copy()
    n_roads = len(tier)
    while True:
        r_len = np.bincount(road, weights=length, minlength=n_roads)
        pairs = _neighbours(road, u, v)
        x, y = pairs["road"].to_numpy(), pairs["other"].to_numpy()
        moving = (r_len[x] < min_road_m) | (must_join[x] & (tier[y] == _OSM))
        if not moving.any():
            return road
        x, y = x[moving], y[moving]
        choice = pd.DataFrame({"x": x, "y": y, "tier": -tier[y],
                               "cls": (rank[y] > rank[x]).astype(int), "len": -r_len[y]})
        choice = choice.sort_values(["x", "tier", "cls", "len", "y"]).drop_duplicates("x")
        target = np.full(n_roads, -1, dtype=np.int64)
        target[choice["x"].to_numpy()] = choice["y"].to_numpy()
        src = np.flatnonzero(target >= 0)
        graph = coo_matrix((np.ones(len(src)), (src, target[src])), shape=(n_roads, n_roads))
        comp = connected_components(graph, directed=False)[1]
        # the root of a chain is the road that stays; a cycle keeps its best member
        score = pd.DataFrame({"comp": comp, "stays": target < 0, "tier": tier,
                              "len": r_len, "road": np.arange(n_roads)})
        score = score.sort_values(["comp", "stays", "tier", "len", "road"],
                                  ascending=[True, False, False, False, True])
        root_of = score.drop_duplicates("comp").set_index("comp")["road"]
        road = root_of.reindex(comp).to_numpy()[road]


def _number(base: np.ndarray, tier: np.ndarray, roots: np.ndarray) -> dict[int, str]:
    """Road ids: the name, then ``name-2``, ``name-3`` … by tier and least segment."""
    table = pd.DataFrame({"root": roots, "base": base[roots], "tier": -tier[roots]})
    table = table.sort_values(["base", "tier", "root"])
    nth = table.groupby("base").cumcount().to_numpy()
    return {int(r): b if k == 0 else f"{b}-{k + 1}"
            for r, b, k in zip(table["root"], table["base"], nth, strict=True)}


def name_roads(segments: gpd.GeoDataFrame, *, gap_m: float = ROAD_GAP_M,
               areas: gpd.GeoDataFrame | None = None,
               min_road_m: float = MIN_ROAD_M) -> pd.DataFrame:
    """Group segments into roads and name them (see the module docstring).

    Parameters
    ----------
    segments
        A projected segments table as :func:`segments_from_graph` builds it before
        naming: ``segment_id, road_name`` (the OSM name, or missing), ``name_source``
        (the OSM tag, ``""`` for unnamed), ``highway, length_m, osm_way_id, u, v,
        geometry``; any row order.
    gap_m
        Pieces of one name closer than this are one road.
    areas
        Named areas in WGS-84 (``osm_type, osm_id, kind, name, closed, geometry``) for
        ``context:inside``; ``None`` for none.
    min_road_m
        Roads shorter than this join a neighbour.

    Returns
    -------
    pandas.DataFrame
        ``road_id, road_name, name_source`` per segment, aligned with ``segments``.
    """
    order = np.argsort(segments["segment_id"].astype(str).to_numpy(), kind="stable")
    seg = segments.iloc[order]
    n = len(seg)
    u = seg["u"].to_numpy(dtype=np.int64)
    v = seg["v"].to_numpy(dtype=np.int64)
    geoms = seg.geometry.to_numpy()
    length = seg["length_m"].to_numpy(dtype=float)
    highway = seg["highway"].astype(str).to_numpy(dtype=object)
    rank = np.array([_RANK.get(h, len(HIGHWAY_RANK)) for h in highway], dtype=np.int64)
    named = _named_mask(seg)
    name = seg["road_name"].to_numpy(dtype=object)
    source = (seg["name_source"].fillna("").astype(str).to_numpy(dtype=object)
              if "name_source" in seg.columns else np.full(n, "name", dtype=object))
    way = seg["osm_way_id"].to_numpy()

    # 1. named roads
    name_key = np.where(named, pd.factorize(np.where(named, name, ""))[0], -1)
    group = _components(n, name_key, u, v, [_within(geoms, name_key, named, gap_m)])
    group = _compact(np.where(named, group, -1))
    group_name = np.empty(group.max(initial=-1) + 1, dtype=object)
    group_name[group[named]] = name[named]

    # 2. unnamed pieces and their context
    way_key = np.where(named, -1, pd.factorize(way)[0])
    piece = _compact(np.where(named, -1, _components(
        n, way_key, u, v, [_continuations(u, v, ~named, highway)])))
    net = NamedNet(geoms=geoms, u=u, v=v, length=length, rank=rank, highway=highway,
                   group=group, group_name=group_name.astype(str), piece=piece,
                   n_pieces=int(piece.max(initial=-1)) + 1)
    projected = None if areas is None else areas.to_crs(seg.crs)
    context = piece_contexts(net, projected)
    return _finish(seg, order, net, context, way, name, source, min_road_m, gap_m,
                   segments.index)


def _context_roads(net: NamedNet, context: pd.DataFrame, gap_m: float | None
                   ) -> tuple[np.ndarray, np.ndarray]:
    """Context road of each segment (``-1`` elsewhere), and each segment's context row."""
    n = len(net.piece)
    row = np.full(n, -1, dtype=np.int64)
    has = (net.piece >= 0) & np.isin(net.piece, context.index.to_numpy())
    position = pd.Series(np.arange(len(context)), index=context.index)
    row[has] = position.reindex(net.piece[has]).to_numpy()
    # a row of -1 reads the sentinel appended at the end
    key = np.append(pd.factorize(context["join"])[0], -1)[row]
    code = np.append(context["code"].to_numpy(dtype=object), "")[row]
    # pieces of one key join through nodes; side roads and links over gaps; the pieces
    # inside one area all together
    gap_pairs = _within(net.geoms, key, has & np.isin(code, _GAP_JOINING), gap_m)
    inside = np.flatnonzero(has & (code == INSIDE))
    inside = inside[np.argsort(key[inside], kind="stable")]
    chain = key[inside[1:]] == key[inside[:-1]]
    extra = [gap_pairs, (inside[1:][chain], inside[:-1][chain])]
    comp = _components(n, key, net.u, net.v, extra)
    return _compact(np.where(has, comp, -1)), row


def _finish(seg: pd.DataFrame, order: np.ndarray, net: NamedNet, context: pd.DataFrame,
            way: np.ndarray, name: np.ndarray, source: np.ndarray, min_road_m: float,
            gap_m: float | None, index: pd.Index) -> pd.DataFrame:
    """Roads of the named, context-named and fallback segments; merge; number."""
    n = len(seg)
    named = net.group >= 0
    ctx_road, ctx_row = _context_roads(net, context, gap_m)
    in_ctx = ctx_road >= 0
    n_named = int(net.group.max(initial=-1)) + 1
    n_ctx = int(ctx_road.max(initial=-1)) + 1
    road = np.where(named, net.group, np.where(in_ctx, n_named + ctx_road,
                                               n_named + n_ctx + np.maximum(net.piece, 0)))
    road = pd.factorize(road)[0]  # by least segment id
    n_roads = int(road.max(initial=-1)) + 1
    tier = np.zeros(n_roads, dtype=np.int64)
    tier[road[in_ctx]] = _CONTEXT
    tier[road[named]] = _OSM
    base = np.empty(n_roads, dtype=object)
    ctx_names = np.append(context["name"].to_numpy(dtype=object), "")
    base[road[in_ctx]] = ctx_names[ctx_row[in_ctx]]
    base[road[named]] = name[named]
    # an unnamed piece's base is its least way id
    fallback = np.flatnonzero(~named & ~in_ctx)
    if len(fallback):
        least = pd.Series(way[fallback].astype(np.int64)).groupby(road[fallback]).min()
        base[least.index.to_numpy()] = [f"{UNNAMED_PREFIX}-{w}" for w in least]
    rank = _majority_rank(road, net.rank, net.length, n_roads)
    link = np.array([h.endswith("_link") for h in (*HIGHWAY_RANK, "")])
    must_join = (tier < _OSM) & link[rank]
    served = _merge_short(road, net.u, net.v, net.length, tier, rank, must_join, min_road_m)
    ids = _number(base, tier, np.unique(served))
    road_id = np.array([ids[int(r)] for r in served], dtype=object)
    display = {r: (ids[r] if tier[r] == _FALLBACK else base[r]) for r in ids}
    merged = served != road
    own = np.where(named, name, np.where(in_ctx, base[road], road_id))
    road_name = np.where(merged & ~named, [display[int(r)] for r in served], own)
    ctx_code = np.append(context["code"].to_numpy(dtype=object), "")[ctx_row]
    name_source = np.where(merged, MERGED, np.where(named, source, ctx_code))
    out = pd.DataFrame({"road_id": road_id, "road_name": road_name,
                        "name_source": name_source})
    result = pd.DataFrame(index=range(n), columns=out.columns, dtype=object)
    result.iloc[order] = out.to_numpy()
    result.index = index
    return result


def assign_roads(segments: gpd.GeoDataFrame, *, gap_m: float = ROAD_GAP_M,
                 areas: gpd.GeoDataFrame | None = None,
                 min_road_m: float = MIN_ROAD_M) -> pd.Series:
    """Each segment's ``road_id`` (the ``road_id`` column of :func:`name_roads`)."""
    return name_roads(segments, gap_m=gap_m, areas=areas, min_road_m=min_road_m)["road_id"]


def road_names(segments: pd.DataFrame) -> pd.Series:
    """Each road's own name, indexed by ``road_id`` (sorted).

    The name its members that did not join from elsewhere (``name_source`` other than
    ``"merged"``) carry over the most length; ties go to the least name. A segments
    table without ``name_source`` counts every member.
    """
    table = pd.DataFrame({"road_id": segments["road_id"].to_numpy(),
                          "road_name": segments["road_name"].astype(str).to_numpy(),
                          "length": segments["length_m"].to_numpy(dtype=float)})
    if "name_source" in segments.columns:
        own = segments["name_source"].fillna("").astype(str).ne(MERGED).to_numpy()
        keep = own | ~pd.Series(own).groupby(table["road_id"]).transform("any").to_numpy()
        table = table[keep]
    by = table.groupby(["road_id", "road_name"], as_index=False)["length"].sum()
    by = by.sort_values(["road_id", "length", "road_name"], ascending=[True, False, True])
    return by.drop_duplicates("road_id").set_index("road_id")["road_name"]
