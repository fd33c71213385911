"""The route verb: one checked postman route, and its files."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd

from patrolgeo import (
    defaults,
)
from patrolgeo.errors import InputRowError
from patrolgeo.labels import Text, label
from patrolgeo.outputs import maps
from patrolgeo.outputs.files import write_csv, write_geojson, write_text
from patrolgeo.outputs.route import route_gpx, route_table, step_records, turn_by_turn
from patrolgeo.outputs.sheet import route_sheet
from patrolgeo.pipeline._common import (
    DEFAULT_MAP_OPTIONS,
    MapOptions,
    RoadsResult,
    RunOutputs,
)
from patrolgeo.routing import Route, RouteCheck, postman_route, verify_route

#: The file listing the required segments a route leaves out (next to the route files).
UNREACHABLE_FILE = "unreachable.csv"


def unreachable_file_name(name: str = "route") -> str:
    """The unreachable list's file name for route files named ``name``."""
    return UNREACHABLE_FILE if name == "route" else f"{name}_{UNREACHABLE_FILE}"


@dataclass
class RouteResult:
    """A computed route and its independent check."""

    route: Route
    check: RouteCheck

    def steps(self, lang: str = defaults.LANG) -> list[str]:
        """The turn-by-turn lines of the route in ``lang``."""
        return turn_by_turn(self.route, lang)

    def unreachable_note(self, lang: str = defaults.LANG,
                         file: str = UNREACHABLE_FILE) -> str | None:
        """One line on the required segments left out (count, km, why), or None.

        Parameters
        ----------
        lang
            Language of the line.
        file
            The file that lists them (named in the line).
        """
        table = self.route.unreachable_table()
        if table.empty:
            return None
        counts = table["reason"].value_counts(sort=False)
        reasons = label("route_unreachable", "separator", lang).join(
            label("route_unreachable", "reason_count", lang).format(
                reason=label("route_unreachable", code, lang), count=int(n))
            for code, n in sorted(counts.items()))
        return label("route_unreachable", "summary", lang).format(
            count=len(table), km=float(table["length_m"].sum()) / 1000, reasons=reasons,
            file=file)


def read_required_segments(path: str | Path, segments: gpd.GeoDataFrame) -> list[str]:
    """Read the segment ids to serve from a CSV with a ``segment_id`` column.

    Parameters
    ----------
    path
        The CSV file (UTF-8, UTF-8 with BOM, or GB18030 as Chinese Excel saves it).
    segments
        The network's segments, to check the ids against.

    Returns
    -------
    list of str
        The ids in file order, each once.

    Raises
    ------
    InputRowError
        Missing or unreadable file, no ``segment_id`` column, or an id (named with its
        row) that is not a segment of the network.
    """
    from patrolgeo.labels import Text
    from patrolgeo.readers import read_frame

    path = Path(path)
    table = read_frame(path)  # UTF-8, UTF-8 with BOM or GB18030, like every table input
    if "segment_id" not in table.columns:
        raise InputRowError(Text("缺少 segment_id 列", "no segment_id column"), file=path,
                            field="segment_id")
    ids = table["segment_id"].str.strip()
    known = set(segments["segment_id"].astype(str))
    for row, sid in enumerate(ids, start=2):  # line 1 is the header
        if not sid:
            raise InputRowError(Text("segment_id 为空", "empty segment_id"), file=path, row=row,
                                field="segment_id")
        if sid not in known:
            raise InputRowError(Text(f"路段 {sid} 不在路网中", f"segment {sid} is not in the "
                                     "network"), file=path, row=row, field="segment_id")
    return list(dict.fromkeys(ids))


def plan_route(
    result: RoadsResult,
    required: list[str] | None = None,
    *,
    mode: str = "walk",
    start: tuple[float, float] | None = None,
    closed: bool = True,
    both_sides: bool = False,
    speed_kmh: float | None = None,
) -> RouteResult:
    """Compute a postman route and check it independently before anything is written.

    Required segments that one-way streets make unreachable are left out (listed in
    ``route.unreachable_ids``); a route failing the check raises ``RoutingError``.
    """
    route = postman_route(result.graph, result.segments, required, mode=mode, start=start,
                          closed=closed, both_sides=both_sides, speed_kmh=speed_kmh,
                          on_unreachable="skip")
    check = verify_route(result.graph, route.required_ids, route, closed=closed,
                         both_sides=both_sides, segments=result.segments,
                         start=route.start_node if route.traversals else None)
    check.raise_if_invalid()
    return RouteResult(route, check)


def write_route(result: RouteResult, out: str | Path, outputs: RunOutputs,
                name: str = "route", *, segments: gpd.GeoDataFrame | None = None,
                map_options: MapOptions = DEFAULT_MAP_OPTIONS,
                lang: str = defaults.LANG) -> None:
    """Write the route as GeoJSON, GPX, turn-by-turn text, CSV, a map and a route sheet.

    The GeoJSON and CSV hold one row per traversal; the map (given the ``segments``)
    shows the route over the segments it serves; words are in ``lang``. Required
    segments the route leaves out are listed in ``unreachable.csv``
    (:func:`unreachable_file_name`; columns ``segment_id, way_id, road_name, highway,
    length_m, reason``) whenever there are some. The printable sheet is
    ``<name>_sheet.html``; the steps carry the same numbers in every file.
    """
    out = Path(out)
    steps = result.steps(lang)
    gpx = route_gpx(result.route, lang=lang)
    table = result.route.to_geodataframe()
    served = None
    if segments is not None:
        served = segments[segments["segment_id"].isin(set(result.route.required_ids))]
        fmap = maps.chief_map(served, route_table(result.route),
                              steps=step_records(result.route, lang), summary=steps[0],
                              gpx=gpx, basemap=map_options.basemap,
                              offline=map_options.offline, lang=lang)
        outputs.add(Text("路线地图", "Route map"),
                    maps.save_map(fmap, out / f"{name}.html", offline=map_options.offline))
    outputs.add(Text("路线 GeoJSON", "Route GeoJSON"),
                write_geojson(table, out / f"{name}.geojson"))
    outputs.add(Text("路线 GPX 轨迹", "Route GPX track"),
                write_text(gpx, out / f"{name}.gpx"))
    outputs.add(Text("路线逐段指引", "Route turn-by-turn"),
                write_text("\n".join(steps) + "\n", out / f"{name}_steps.txt"))
    outputs.add(Text("路线明细 CSV", "Route traversals CSV"), write_csv(table, out / f"{name}.csv"))
    outputs.add(Text("路线单（可打印）", "Route sheet (printable)"),
                write_text(route_sheet(result.route, territory=served, lang=lang),
                           out / f"{name}_sheet.html"))
    left_out = result.route.unreachable_table()
    if not left_out.empty:
        outputs.add(label("route_unreachable", "output", lang),
                    write_csv(left_out, out / unreachable_file_name(name)))
