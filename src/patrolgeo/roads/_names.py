"""Roads from segments: the pieces of one name that touch or lie close are one road."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

UNNAMED_PREFIX = "无名路"

#: Pieces of one road name closer than this (metres) are one road: dual carriageways
#: and short gaps at junctions, but not two streets of one name across a district.
ROAD_GAP_M = 60.0


def assign_roads(segments: gpd.GeoDataFrame, *, gap_m: float = ROAD_GAP_M) -> pd.Series:
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
