"""The route a road chief follows: ordered traversals of segments, and its totals."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

#: Default speeds per mode in km/h: foot patrol, e-bike patrol, sweeper / patrol car.
SPEEDS_KMH = {"walk": 4.0, "bike": 12.0, "drive": 15.0}

#: Columns of :meth:`Route.unreachable_table` (the ``unreachable.csv`` of a route).
UNREACHABLE_COLUMNS = ("segment_id", "way_id", "road_name", "highway", "length_m", "reason")

#: Why a required segment was left out (``route_unreachable`` label table): its ends
#: lie on the route's piece of the network but one-way streets let no vehicle both in
#: and out; or it lies on another piece, joined to the route's by no street at all.
UNREACHABLE_ONE_WAY = "one_way_unreachable"
UNREACHABLE_DISCONNECTED = "disconnected"
#: ... or a one-way road that leads across the area's boundary (or comes in over it),
#: where the data holds no legal way round outside (no boundary link could be built).
UNREACHABLE_BOUNDARY = "boundary_dead_end"

#: What a traversal runs on (:attr:`Traversal.kind`): a street of the network; a
#: boundary link (a legal detour outside the area, on real roads, to turn round); a
#: transfer leg between pieces of the network no street joins (a straight line).
KIND_STREET = "street"
KIND_OUTSIDE = "outside"
KIND_TRANSFER = "transfer"


@dataclass(slots=True)
class Traversal:
    """One run along one segment.

    Attributes
    ----------
    segment_id
        The segment run.
    u, v, key
        The directed graph edge used (``key`` is None when walking against a one-way
        street that has no edge that way in the graph).
    deadhead
        True for a run that only travels (the segment is not served on it).
    length_m
        Length of the run in metres.
    forward
        Whether the run follows the segment's own ``u -> v`` direction.
    road_name
        Name of the road (for instructions).
    cum_m
        Distance from the start to the end of this run, in metres.
    time_s
        Time from the start to the end of this run at the mode's speed, in seconds
        (transfer legs included, at the same speed).
    kind
        :data:`KIND_STREET`, :data:`KIND_OUTSIDE` (``segment_id`` names a boundary
        link of ``Route.links``) or :data:`KIND_TRANSFER` (a straight leg between
        pieces, ``key`` None; its length is not in ``cum_m``).
    """

    segment_id: str
    u: int
    v: int
    key: int | None
    deadhead: bool
    length_m: float
    forward: bool = True
    road_name: str | None = None
    cum_m: float = 0.0
    time_s: float = 0.0
    kind: str = KIND_STREET


@dataclass
class Route:
    """A postman route: the traversals in order, how it was found, and its totals.

    ``lower_bound_m`` is a proven lower bound on the length of any route covering the
    same segments under the same rules; ``optimal`` says the route meets it (up to
    millimetre rounding). On a network in several pieces the route serves ``pieces``
    of them, joined by transfer legs; ``links`` holds the lines of the boundary links
    and transfer legs it runs (``segment_id, kind, u, v, length_m, via_ways,
    via_nodes, geometry``).
    """

    traversals: list[Traversal]
    closed: bool
    mode: str
    start_node: int | None = None
    end_node: int | None = None
    lower_bound_m: float = 0.0
    optimal: bool = False
    method: str = ""
    speed_mps: float = SPEEDS_KMH["walk"] / 3.6
    u_turns: int = 0
    dead_end_u_turns: int = 0
    respect_oneway: bool = False
    both_sides: bool = False
    required_ids: tuple[str, ...] = ()
    unreachable_ids: tuple[str, ...] = ()
    boundary_ids: tuple[str, ...] = ()
    start_snap_m: float | None = None
    seconds: float = 0.0
    crs: Any = None
    segments: gpd.GeoDataFrame | None = field(default=None, repr=False)
    links: gpd.GeoDataFrame | None = field(default=None, repr=False)
    pieces: int = 1

    # ------------------------------------------------------------------ totals
    @property
    def total_length_m(self) -> float:
        """Length of the route on roads in metres (transfer legs are not counted)."""
        return float(sum(t.length_m for t in self.traversals if t.kind != KIND_TRANSFER))

    @property
    def transfer_length_m(self) -> float:
        """Length of the transfer legs between pieces (straight lines), in metres."""
        return float(sum(t.length_m for t in self.traversals if t.kind == KIND_TRANSFER))

    @property
    def transfers(self) -> int:
        """Number of transfer legs."""
        return sum(1 for t in self.traversals if t.kind == KIND_TRANSFER)

    @property
    def outside_length_m(self) -> float:
        """Length driven on boundary links (outside the area, to turn round), metres."""
        return float(sum(t.length_m for t in self.traversals if t.kind == KIND_OUTSIDE))

    @property
    def service_length_m(self) -> float:
        """Length of the service runs (each required segment, or side, once)."""
        return float(sum(t.length_m for t in self.traversals if not t.deadhead))

    @property
    def deadhead_length_m(self) -> float:
        """Length run without service (travel between or along served streets)."""
        return float(sum(t.length_m for t in self.traversals
                         if t.deadhead and t.kind != KIND_TRANSFER))

    @property
    def deadhead_pct(self) -> float:
        """Deadhead share of the route length, in percent."""
        total = self.total_length_m
        return 100.0 * self.deadhead_length_m / total if total > 0 else 0.0

    @property
    def gap_pct(self) -> float:
        """How far the route is above its lower bound, in percent."""
        if self.lower_bound_m <= 0:
            return 0.0
        return max(0.0, 100.0 * (self.total_length_m - self.lower_bound_m) / self.lower_bound_m)

    @property
    def duration_s(self) -> float:
        """Time for the whole route (transfers included) at the mode's speed, seconds."""
        metres = self.total_length_m + self.transfer_length_m
        return metres / self.speed_mps if self.speed_mps > 0 else 0.0

    def edges(self) -> list[tuple[int, int, int | None]]:
        """Return the directed graph edges ``(u, v, key)`` in order."""
        return [(t.u, t.v, t.key) for t in self.traversals]

    def nodes(self) -> list[int]:
        """Return the nodes visited in order (start, then the end of every traversal)."""
        if not self.traversals:
            return [] if self.start_node is None else [self.start_node]
        return [self.traversals[0].u, *(t.v for t in self.traversals)]

    def summary(self) -> dict[str, Any]:
        """Totals as a plain dict (for tables and JSON)."""
        return {
            "mode": self.mode,
            "closed": self.closed,
            "traversals": len(self.traversals),
            "required_segments": len(self.required_ids),
            "unreachable_segments": len(self.unreachable_ids),
            "total_km": round(self.total_length_m / 1000, 4),
            "service_km": round(self.service_length_m / 1000, 4),
            "deadhead_km": round(self.deadhead_length_m / 1000, 4),
            "deadhead_pct": round(self.deadhead_pct, 2),
            "lower_bound_km": round(self.lower_bound_m / 1000, 4),
            "gap_pct": round(self.gap_pct, 3),
            "optimal": self.optimal,
            "u_turns": self.u_turns,
            "dead_end_u_turns": self.dead_end_u_turns,
            "duration_h": round(self.duration_s / 3600, 3),
            "method": self.method,
            "pieces": self.pieces,
            "transfers": self.transfers,
            "transfer_km": round(self.transfer_length_m / 1000, 4),
            "outside_km": round(self.outside_length_m / 1000, 4),
        }

    def unreachable_table(self) -> pd.DataFrame:
        """The required segments left out, one row each, with why.

        Returns
        -------
        pandas.DataFrame
            Columns :data:`UNREACHABLE_COLUMNS`, sorted by ``segment_id``; ``reason`` is
            :data:`UNREACHABLE_ONE_WAY`, :data:`UNREACHABLE_BOUNDARY` (listed in
            ``boundary_ids``: the one-way trouble is the area's boundary) or
            :data:`UNREACHABLE_DISCONNECTED` (the segment shares no street-connected
            piece with the route).
        """
        ids = list(self.unreachable_ids)
        if not ids:
            return pd.DataFrame({c: pd.Series(dtype=object) for c in UNREACHABLE_COLUMNS})
        if self.segments is None:
            raise ValueError("this route carries no segments table")
        table = self.segments.set_index(self.segments["segment_id"].astype(str))
        rows = table.loc[ids]
        reachable_nodes = self._connected_nodes(table)
        joined = rows["u"].isin(reachable_nodes) | rows["v"].isin(reachable_nodes)
        way = rows["osm_way_id"] if "osm_way_id" in rows else pd.Series(pd.NA, index=rows.index)
        reason = np.where(joined.to_numpy(), UNREACHABLE_ONE_WAY, UNREACHABLE_DISCONNECTED)
        reason = np.where(np.isin(ids, list(self.boundary_ids)), UNREACHABLE_BOUNDARY, reason)
        return pd.DataFrame({
            "segment_id": ids,
            "way_id": pd.array(way.to_numpy(), dtype="Int64"),
            "road_name": rows["road_name"].to_numpy() if "road_name" in rows else "",
            "highway": rows["highway"].to_numpy() if "highway" in rows else "",
            "length_m": rows["length_m"].astype(float).round(2).to_numpy(),
            "reason": reason,
        }).sort_values("segment_id", ignore_index=True)

    def _connected_nodes(self, table: pd.DataFrame) -> set[Any]:
        """Nodes joined to the route's streets in any direction (one-way or not)."""
        from scipy.sparse import coo_matrix
        from scipy.sparse.csgraph import connected_components

        visited = {t.u for t in self.traversals} | {t.v for t in self.traversals}
        if not visited and self.start_node is not None:
            visited = {self.start_node}
        nodes = pd.Index(pd.unique(pd.concat([table["u"], table["v"]], ignore_index=True)))
        on_route = [nodes.get_loc(n) for n in visited if n in nodes]
        if not on_route:
            return set()
        a, b = nodes.get_indexer(table["u"]), nodes.get_indexer(table["v"])
        adjacency = coo_matrix((np.ones(len(a)), (a, b)), shape=(len(nodes), len(nodes)))
        _, label = connected_components(adjacency, directed=False)
        return set(nodes[np.isin(label, label[on_route])])

    @property
    def unreachable_length_m(self) -> float:
        """Length of the required segments left out, in metres."""
        if not self.unreachable_ids or self.segments is None:
            return 0.0
        lengths = self.segments.set_index(self.segments["segment_id"].astype(str))["length_m"]
        return float(lengths.loc[list(self.unreachable_ids)].sum())

    # ------------------------------------------------------------------ geometry
    def geometries(self) -> np.ndarray:
        """Return the line of every traversal, oriented the way it is run (graph CRS)."""
        if self.segments is None:
            raise ValueError("this route carries no segment geometries")
        lines = self.segments.set_index("segment_id").geometry
        if self.links is not None and len(self.links):
            lines = pd.concat([lines, self.links.set_index("segment_id").geometry])
        ids = [t.segment_id for t in self.traversals]
        geoms = lines.loc[ids].to_numpy() if ids else np.zeros(0, dtype=object)
        forward = np.fromiter((t.forward for t in self.traversals), bool, len(ids))
        return np.where(forward, geoms, shapely.reverse(geoms)) if len(ids) else geoms

    def to_geodataframe(self) -> gpd.GeoDataFrame:
        """One row per traversal, in order, in the projected CRS of the segments.

        Columns: ``seq, segment_id, road_name, direction, deadhead, kind, length_m, cum_m,
        time_s, cum_time_min, u, v, key, geometry``; each line runs the way it is driven
        (``kind``: ``street``, ``outside`` for a boundary link, ``transfer`` for a
        straight leg between pieces).
        """
        rows = pd.DataFrame({
            "seq": np.arange(1, len(self.traversals) + 1),
            "segment_id": [t.segment_id for t in self.traversals],
            "road_name": [t.road_name for t in self.traversals],
            "direction": ["forward" if t.forward else "backward" for t in self.traversals],
            "deadhead": [t.deadhead for t in self.traversals],
            "kind": [t.kind for t in self.traversals],
            "length_m": [round(t.length_m, 2) for t in self.traversals],
            "cum_m": [round(t.cum_m, 2) for t in self.traversals],
            "time_s": [round(t.time_s, 1) for t in self.traversals],
            "u": [t.u for t in self.traversals],
            "v": [t.v for t in self.traversals],
            "key": pd.array([t.key for t in self.traversals], dtype="Int64"),
        })
        rows["cum_time_min"] = (rows["time_s"] / 60).round(2)
        geoms = self.geometries() if self.segments is not None else None
        return gpd.GeoDataFrame(rows, geometry=geoms, crs=self.crs)
