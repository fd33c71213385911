"""Readable names for unnamed pieces of road, from what lies around them.

An unnamed *piece* is a connected run of unnamed segments (the pieces of one OSM way
that share nodes, continued through nodes where it meets only one other unnamed
segment of its class). Each piece is named by the first of these rules that fits, and
the rule's code becomes the segments' ``name_source``:

``context:side_road`` / ``context:sidewalk`` / ``context:cycle_track``
    a minor vehicle road (service, unclassified, residential …), a footway or path, or a
    cycleway running alongside one named road, within :data:`SIDE_ROAD_M` of it and
    within :data:`PARALLEL_DEG` of its direction, for at least :data:`SIDE_SHARE` of its
    length: ``信州路辅路``, ``信州路人行道``, ``信州路非机动车道``;
``context:inside``
    at least :data:`INSIDE_SHARE` of its length inside one named area (a compound, a
    school, a park): ``贵溪市第九中学内道路``;
``context:between``
    a through piece (two ends) whose ends meet two different named roads:
    ``建设路至信州路段`` (the two names in Unicode order, so the name does not depend on
    the direction the way was drawn);
``context:near``
    touching one named road, or within :data:`NEAR_M` of one: ``近信州路无名路``.

Everything else stays ``无名路-<way id>`` (``name_source`` empty). The words are the
``context_name`` label table (:mod:`patrolgeo.labels._names`); the core writes the
Chinese name (the language of the data) and :func:`context_road_name` renders the same
parts in another language, :func:`split_context_name` recovers the parts from a
Chinese name (as written to a file), and :func:`road_name_in` does both for a writer.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from patrolgeo.labels import DEFAULT_LANG, check_lang, label

SIDE_ROAD = "context:side_road"
SIDEWALK = "context:sidewalk"
CYCLE_TRACK = "context:cycle_track"
INSIDE = "context:inside"
BETWEEN = "context:between"
NEAR = "context:near"
#: A segment that joined the road it serves (see :mod:`patrolgeo.roads._names`).
MERGED = "merged"
#: Every context code, most preferred first.
CONTEXT_CODES = (SIDE_ROAD, SIDEWALK, CYCLE_TRACK, INSIDE, BETWEEN, NEAR)
#: The ``context_name`` code of a piece left without context.
UNNAMED = "unnamed"

#: A side road (辅路), sidewalk or cycle track lies within this of its road's centre
#: line: a carriageway half-width plus a verge; a parallel street of a block away
#: (60–100 m in Chinese towns, 40 m at least in Helsinki's centre) stays apart.
SIDE_ROAD_M = 30.0
#: Directions within this many degrees count as "running alongside": drawn side roads
#: and sidewalks follow their road within a few degrees, a street leaving it at a
#: junction turns by far more.
PARALLEL_DEG = 20.0
#: The share of a piece's length that must run alongside one road, or lie inside one
#: area, for the piece to take its name ("for most of its length").
SIDE_SHARE = 0.6
INSIDE_SHARE = 0.6
#: A piece touching no named road still "lies near" one within this distance: about
#: a block's depth, the distance over which a patrol would call it by that road.
NEAR_M = 100.0
#: Sample spacing along pieces when measuring shares: 5 m resolves a 30 m piece in six
#: samples and keeps Helsinki's 80 km at 16 000 points (one STRtree query).
SAMPLE_STEP_M = 5.0
#: Half the baseline of the local direction at a sample point (metres).
TANGENT_M = 1.0
#: A sample projecting within this of a named road's loose end is its continuation,
#: not a piece alongside it.
END_EPS_M = 0.5

#: Classes that can be a side road (辅路) of a named road.
SIDE_ROAD_CLASSES = frozenset({"service", "unclassified", "residential", "living_street",
                               "track", "road", "busway"})
#: Classes that can be a named road's sidewalk.
SIDEWALK_CLASSES = frozenset({"footway", "path", "pedestrian", "steps", "corridor",
                              "bridleway"})
#: Classes that can be a named road's cycle track.
CYCLE_CLASSES = frozenset({"cycleway"})


def context_road_name(source: str, parts: Sequence[str], lang: str = DEFAULT_LANG) -> str:
    """Compose the name of a piece named from context, in ``lang``.

    Parameters
    ----------
    source
        A context code (``"context:side_road"`` …) or ``"unnamed"``.
    parts
        The names filling the template: ``(a,)`` or, for ``context:between``, ``(a, b)``.
    lang
        ``"zh"`` (what the core writes as ``road_name``) or ``"en"``.

    Examples
    --------
    >>> context_road_name("context:side_road", ["信州路"])
    '信州路辅路'
    >>> context_road_name("context:between", ["建设路", "信州路"], "en")
    '建设路 to 信州路 link'
    """
    template = label("context_name", source, check_lang(lang))
    return template.format(**dict(zip("ab", parts, strict=False)))


def _pattern(source: str) -> re.Pattern[str]:
    template = label("context_name", source, "zh")
    pieces = re.split(r"(\{[ab]\})", template)
    return re.compile("".join(f"(?P<{p[1]}>.+?)" if p in ("{a}", "{b}") else re.escape(p)
                              for p in pieces) + "$")


def split_context_name(source: str, name: str,
                       known: set[str] | frozenset[str] = frozenset()) -> tuple[str, ...] | None:
    """Recover the parts of a Chinese context name, or ``None`` when it does not fit.

    Where a part itself holds the template's words (a road called ``至善路``), the split
    whose parts are all in ``known`` (e.g. the road names of the table) wins, else the
    shortest first part.

    Examples
    --------
    >>> split_context_name("context:between", "建设路至信州路段")
    ('建设路', '信州路')
    """
    pattern = _pattern(source)
    found = pattern.match(name)
    if found is None:
        return None
    parts = tuple(v for _, v in sorted(found.groupdict().items()))
    if len(parts) == 2 and known and not set(parts) <= known:
        # try every split of the text between the template words
        template = label("context_name", source, "zh")
        middle = template.split("{a}")[1].split("{b}")[0]
        head, tail = template.split("{a}")[0], template.split("{b}")[1]
        body = name[len(head):len(name) - len(tail)]
        at = body.find(middle)
        while at >= 0:
            a, b = body[:at], body[at + len(middle):]
            if a in known and b in known:
                return a, b
            at = body.find(middle, at + 1)
    return parts


def road_name_in(road_name: str, name_source: str, lang: str = DEFAULT_LANG) -> str:
    """A segment's or road's name in ``lang``: context names are re-composed.

    OSM names stay as they are (they are names, not words); a context name is rendered
    from its parts; a fallback ``无名路-<way>`` becomes ``unnamed road <way>``.

    Examples
    --------
    >>> road_name_in("近复兴路无名路", "context:near", "en")
    'unnamed road near 复兴路'
    >>> road_name_in("无名路-13", "", "en")
    'unnamed road 13'
    """
    if check_lang(lang) == "zh":
        return road_name
    if name_source in CONTEXT_CODES:
        parts = split_context_name(name_source, road_name)
        if parts is not None:
            return context_road_name(name_source, parts, lang)
    if name_source == "":
        parts = split_context_name(UNNAMED, road_name)
        if parts is not None:
            return context_road_name(UNNAMED, parts, lang)
    return road_name


@dataclass
class NamedNet:
    """Arrays of one segments table (in segment-id order) that the rules read.

    ``group`` is the named road of each OSM-named segment (``-1`` for unnamed ones),
    ``piece`` the unnamed piece of each unnamed segment (``-1`` for named ones).
    """

    geoms: np.ndarray
    u: np.ndarray
    v: np.ndarray
    length: np.ndarray
    rank: np.ndarray  # class rank, lower = more important
    highway: np.ndarray
    group: np.ndarray
    group_name: np.ndarray  # the OSM name of each named road
    piece: np.ndarray
    n_pieces: int

    def group_order(self) -> np.ndarray:
        """Named roads ranked best first: class, then length, then name."""
        named = self.group >= 0
        n = len(self.group_name)
        length = np.bincount(self.group[named], weights=self.length[named], minlength=n)
        rank = np.full(n, np.iinfo(np.int64).max)
        np.minimum.at(rank, self.group[named], self.rank[named])
        order = np.lexsort((self.group_name.astype(str), -length, rank))
        place = np.empty(n, dtype=np.int64)
        place[order] = np.arange(n)
        return place


@dataclass
class _Samples:
    seg: np.ndarray
    points: np.ndarray
    tangent: np.ndarray
    weight: np.ndarray


def _tangent(geoms: np.ndarray, at: np.ndarray) -> np.ndarray:
    """Unit direction of each line at distance ``at`` along it."""
    total = shapely.length(geoms)
    a = shapely.line_interpolate_point(geoms, np.clip(at - TANGENT_M, 0, total))
    b = shapely.line_interpolate_point(geoms, np.clip(at + TANGENT_M, 0, total))
    d = shapely.get_coordinates(b) - shapely.get_coordinates(a)
    norm = np.hypot(d[:, 0], d[:, 1])
    return d / np.where(norm > 0, norm, 1.0)[:, None]


def _samples(net: NamedNet, which: np.ndarray) -> _Samples:
    """Points every :data:`SAMPLE_STEP_M` along the segments ``which``."""
    geoms = net.geoms[which]
    total = shapely.length(geoms)
    n = np.maximum(1, np.ceil(total / SAMPLE_STEP_M)).astype(np.int64)
    owner = np.repeat(np.arange(len(which)), n)
    k = np.arange(int(n.sum())) - np.repeat(np.cumsum(n) - n, n)
    at = (k + 0.5) * (total / n)[owner]
    lines = geoms[owner]
    return _Samples(seg=which[owner], points=shapely.line_interpolate_point(lines, at),
                    tangent=_tangent(lines, at), weight=(net.length[which] / n)[owner])


def _piece_class(net: NamedNet) -> np.ndarray:
    """The class carrying most of each piece's length (ties: the more important)."""
    un = net.piece >= 0
    table = pd.DataFrame({"piece": net.piece[un], "highway": net.highway[un],
                          "rank": net.rank[un], "length": net.length[un]})
    by = table.groupby(["piece", "highway", "rank"], as_index=False)["length"].sum()
    by = by.sort_values(["piece", "length", "rank"], ascending=[True, False, True])
    out = np.full(net.n_pieces, "", dtype=object)
    first = by.drop_duplicates("piece")
    out[first["piece"].to_numpy()] = first["highway"].to_numpy()
    return out


def _piece_lines(net: NamedNet) -> np.ndarray:
    """Each piece as one (multi)line."""
    un = np.flatnonzero(net.piece >= 0)
    un = un[np.argsort(net.piece[un], kind="stable")]
    return shapely.multilinestrings(net.geoms[un], indices=net.piece[un])


def _piece_length(net: NamedNet) -> np.ndarray:
    un = net.piece >= 0
    return np.bincount(net.piece[un], weights=net.length[un], minlength=net.n_pieces)


def _best_share(piece: np.ndarray, key: np.ndarray, weight: np.ndarray, total: np.ndarray,
                tie: np.ndarray, threshold: float) -> pd.DataFrame:
    """Per piece, the key covering the largest share of its length (≥ ``threshold``)."""
    table = pd.DataFrame({"piece": piece, "key": key, "w": weight, "tie": tie})
    share = table.groupby(["piece", "key"], as_index=False).agg(w=("w", "sum"),
                                                                 tie=("tie", "first"))
    share["share"] = share["w"] / total[share["piece"].to_numpy()]
    share = share[share["share"] >= threshold - 1e-9]
    share = share.sort_values(["piece", "share", "tie", "key"],
                              ascending=[True, False, True, True])
    return share.drop_duplicates("piece").set_index("piece")


def _road_ends(net: NamedNet) -> tuple[np.ndarray, np.ndarray]:
    """Whether each named segment's first / last point is a loose end of its road."""
    named = np.flatnonzero(net.group >= 0)
    ends = pd.DataFrame({"g": np.concatenate([net.group[named]] * 2),
                         "node": np.concatenate([net.u[named], net.v[named]])})
    count = ends.groupby(["g", "node"]).size()
    n = len(named)
    per = count.reindex(pd.MultiIndex.from_frame(ends)).to_numpy()
    loose_u = np.zeros(len(net.group), dtype=bool)
    loose_v = np.zeros(len(net.group), dtype=bool)
    loose_u[named] = per[:n] == 1
    loose_v[named] = per[n:] == 1
    return loose_u, loose_v


def side_names(net: NamedNet) -> pd.DataFrame:
    """Pieces running alongside one named road: ``code`` and ``a`` (its name) per piece."""
    kind = _piece_class(net)
    code = np.full(net.n_pieces, None, dtype=object)
    code[np.isin(kind, list(SIDE_ROAD_CLASSES))] = SIDE_ROAD
    code[np.isin(kind, list(SIDEWALK_CLASSES))] = SIDEWALK
    code[np.isin(kind, list(CYCLE_CLASSES))] = CYCLE_TRACK
    # a piece of -1 (a named segment) reads the ``None`` appended at the end
    which = np.flatnonzero(pd.notna(np.append(code, [None])[net.piece]))
    named = np.flatnonzero(net.group >= 0)
    if not len(which) or not len(named):
        return pd.DataFrame(columns=["code", "a"])
    s = _samples(net, which)
    hit, j = shapely.STRtree(net.geoms[named]).query(s.points, predicate="dwithin",
                                                     distance=SIDE_ROAD_M)
    seg = named[j]
    along = shapely.line_locate_point(net.geoms[seg], s.points[hit])
    cos = np.abs(np.einsum("ij,ij->i", s.tangent[hit], _tangent(net.geoms[seg], along)))
    loose_u, loose_v = _road_ends(net)
    total = shapely.length(net.geoms[seg])
    at_end = ((along <= END_EPS_M) & loose_u[seg]) | ((along >= total - END_EPS_M)
                                                       & loose_v[seg])
    ok = (cos >= math.cos(math.radians(PARALLEL_DEG))) & ~at_end
    name = net.group_name[net.group[seg[ok]]]
    pairs = pd.DataFrame({"sample": hit[ok], "name": name}).drop_duplicates()
    sample = pairs["sample"].to_numpy()
    piece = net.piece[s.seg[sample]]
    best = _best_share(piece, pairs["name"].to_numpy(), s.weight[sample], _piece_length(net),
                       np.zeros(len(sample)), SIDE_SHARE)
    return pd.DataFrame({"code": code[best.index.to_numpy()], "a": best["key"].to_numpy()},
                        index=best.index)


def inside_names(net: NamedNet, areas: gpd.GeoDataFrame | None) -> pd.DataFrame:
    """Pieces mostly inside one named area: ``a`` (its name) and ``area`` (its key)."""
    empty = pd.DataFrame(columns=["a", "area"])
    if areas is None or not len(areas):
        return empty
    areas = areas[areas["name"].notna() & (areas["name"].astype(str).str.strip() != "")]
    polygonal = shapely.get_type_id(areas.geometry.values)
    areas = areas[np.isin(polygonal, (3, 6))]  # Polygon, MultiPolygon
    which = np.flatnonzero(net.piece >= 0)
    if not len(areas) or not len(which):
        return empty
    s = _samples(net, which)
    polys = areas.geometry.values
    hit, j = shapely.STRtree(polys).query(s.points, predicate="within")
    key = (areas["osm_type"].astype(str) + "/" + areas["osm_id"].astype(str)).to_numpy()
    piece = net.piece[s.seg[hit]]
    best = _best_share(piece, key[j], s.weight[hit], _piece_length(net),
                       shapely.area(polys)[j], INSIDE_SHARE)
    name_of = dict(zip(key, areas["name"].astype(str).str.strip(), strict=True))
    return pd.DataFrame({"a": [name_of[k] for k in best["key"]], "area": best["key"]},
                        index=best.index)


def _touching(net: NamedNet) -> pd.DataFrame:
    """``(piece, node, group)`` for every node a piece shares with a named road."""
    un = np.flatnonzero(net.piece >= 0)
    named = np.flatnonzero(net.group >= 0)
    pieces = pd.DataFrame({"piece": np.concatenate([net.piece[un]] * 2),
                           "node": np.concatenate([net.u[un], net.v[un]])})
    roads = pd.DataFrame({"group": np.concatenate([net.group[named]] * 2),
                          "node": np.concatenate([net.u[named], net.v[named]])})
    return pieces.drop_duplicates().merge(roads.drop_duplicates(), on="node")


def _piece_ends(net: NamedNet) -> pd.DataFrame:
    """``(piece, node)`` of each loose end of a piece (a node it meets only once)."""
    un = np.flatnonzero(net.piece >= 0)
    ends = pd.DataFrame({"piece": np.concatenate([net.piece[un]] * 2),
                         "node": np.concatenate([net.u[un], net.v[un]])})
    count = ends.value_counts().rename("n").reset_index()
    return count[count["n"] == 1][["piece", "node"]]


def between_names(net: NamedNet) -> pd.DataFrame:
    """Through pieces whose two ends meet two different named roads: ``a``, ``b``."""
    ends = _piece_ends(net)
    ends = ends[ends.groupby("piece")["node"].transform("size") == 2]
    touch = _touching(net).merge(ends, on=["piece", "node"])
    if not len(touch):
        return pd.DataFrame(columns=["a", "b"])
    touch["place"] = net.group_order()[touch["group"].to_numpy()]
    touch["name"] = net.group_name[touch["group"].to_numpy()]
    touch = touch.sort_values(["piece", "node", "place"])
    rows = {}
    for piece, part in touch.groupby("piece", sort=True):
        per_end = [list(dict.fromkeys(p["name"])) for _, p in part.groupby("node", sort=True)]
        if len(per_end) != 2:
            continue
        first, second = per_end
        pair = _two_names(first, second)
        if pair is not None:
            rows[piece] = sorted(pair)
    return pd.DataFrame.from_dict(rows, orient="index", columns=["a", "b"])


def _two_names(first: list[str], second: list[str]) -> tuple[str, str] | None:
    """The best name at each end such that the two differ (best-first lists)."""
    options = [(i + j, a, b) for i, a in enumerate(first) for j, b in enumerate(second)
               if a != b]
    if not options:
        return None
    _, a, b = min(options)
    return a, b


def near_names(net: NamedNet) -> pd.DataFrame:
    """Pieces touching a named road, or within :data:`NEAR_M` of one: ``a`` per piece."""
    place = net.group_order()
    touch = _touching(net)
    rows: dict[int, str] = {}
    if len(touch):
        touch["place"] = place[touch["group"].to_numpy()]
        best = touch.sort_values(["piece", "place"]).drop_duplicates("piece")
        rows.update(zip(best["piece"], net.group_name[best["group"].to_numpy()], strict=True))
    named = np.flatnonzero(net.group >= 0)
    left = np.setdiff1d(np.arange(net.n_pieces), np.fromiter(rows, dtype=np.int64))
    if len(left) and len(named):
        lines = _piece_lines(net)[left]
        hit, j = shapely.STRtree(net.geoms[named]).query_nearest(
            lines, max_distance=NEAR_M, all_matches=True)
        if len(hit):
            dist = shapely.distance(lines[hit], net.geoms[named[j]])
            table = pd.DataFrame({"piece": left[hit], "d": np.round(dist, 3),
                                  "place": place[net.group[named[j]]],
                                  "group": net.group[named[j]]})
            best = table.sort_values(["piece", "d", "place"]).drop_duplicates("piece")
            rows.update(zip(best["piece"], net.group_name[best["group"].to_numpy()],
                            strict=True))
    return pd.DataFrame.from_dict(rows, orient="index", columns=["a"])


def piece_contexts(net: NamedNet, areas: gpd.GeoDataFrame | None) -> pd.DataFrame:
    """The context name of every piece that has one.

    Returns
    -------
    pandas.DataFrame
        Indexed by piece: ``code`` (a context code), ``a``, ``b`` (the parts; ``b`` is
        ``None`` but for ``context:between``), ``name`` (the Chinese name) and ``join``
        (pieces with equal ``join`` keys may form one road: the name, and the area for
        ``context:inside``).
    """
    found: dict[int, tuple[str, str, str | None, str]] = {}
    for piece, row in side_names(net).iterrows():
        found[int(piece)] = (row["code"], row["a"], None, "")
    for piece, row in inside_names(net, areas).iterrows():
        found.setdefault(int(piece), (INSIDE, row["a"], None, row["area"]))
    for piece, row in between_names(net).iterrows():
        found.setdefault(int(piece), (BETWEEN, row["a"], row["b"], ""))
    for piece, row in near_names(net).iterrows():
        found.setdefault(int(piece), (NEAR, row["a"], None, ""))
    table = pd.DataFrame([found[p] for p in sorted(found)], index=sorted(found),
                         columns=["code", "a", "b", "area"], dtype=object)
    table["name"] = [context_road_name(c, [a] if b is None else [a, b], "zh")
                     for c, a, b in zip(table["code"], table["a"], table["b"], strict=True)]
    table["join"] = [f"{name}\x00{area}" for name, area in
                     zip(table["name"], table["area"], strict=True)]
    return table.drop(columns="area")
