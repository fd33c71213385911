"""The assign verb: territories per road chief with their routes, and their files."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from patrolgeo import (
    defaults,
    roads,
    territories,
)
from patrolgeo.errors import InputRowError
from patrolgeo.labels import Text, pick
from patrolgeo.outputs import maps
from patrolgeo.outputs.files import write_csv, write_gpkg, write_text
from patrolgeo.outputs.route import route_gpx, route_table, step_records, turn_by_turn
from patrolgeo.outputs.sheet import route_sheet
from patrolgeo.pipeline._common import (
    DEFAULT_MAP_OPTIONS,
    DEFAULT_NETWORK_OPTIONS,
    MapOptions,
    NetworkOptions,
    RoadsResult,
    RunOutputs,
    Step,
    _no_step,
    load_roads,
)
from patrolgeo.pipeline._plans import plan_from_osm

if TYPE_CHECKING:
    import pandas as pd


def assign(
    osm: str | Path | None = None,
    *,
    place: str | None = None,
    bbox: tuple[float, float, float, float] | None = None,
    mode: str = defaults.MODE,
    network: NetworkOptions = DEFAULT_NETWORK_OPTIONS,
    chiefs: int | None = None,
    stations: str | Path | None = None,
    pins: str | Path | None = None,
    previous: str | Path | None = None,
    seed: int = 0,
    tolerance: float = territories.DEFAULT_TOLERANCE,
    road_share: float = territories.DEFAULT_ROAD_SHARE,
    step: Step = _no_step,
    lang: str = "zh",
) -> tuple[RoadsResult, territories.Territories]:
    """Load a network and divide it among road chiefs (what ``patrolgeo assign`` runs).

    The CSV inputs are read and checked before the network is loaded, so a bad row fails
    fast. Patrol routes per territory are added when the routing stage is available.
    ``lang`` is the language of the progress messages given to ``step``.
    """
    station_table = territories.read_stations(stations) if stations is not None else None
    pin_table = territories.read_pins(pins) if pins is not None else None
    previous_table = territories.read_assignment(previous) if previous is not None else None
    step(pick("读取路网", "Loading road network", lang))
    result = load_roads(osm, place=place, bbox=bbox, mode=mode, network=network)
    segments = result.segments
    if previous_table is not None and not previous_table["segment_id"].astype(str).isin(
            segments["segment_id"].astype(str)).any():
        raise InputRowError(Text("上一版分配与本路网没有一个相同的路段：是否是另一个区的文件？",
                                 "the previous assignment shares no segment with this network: "
                                 "is it another district's file?"),
                            file=previous, field="segment_id")
    if osm is not None and not Path(osm).name.lower().endswith(roads.GRAPHML_SUFFIXES):
        # balance on the plans' workload (grade-dependent patrol minutes), not length
        step(pick("道路分级与保洁方案", "Grading roads and planning their cleaning", lang))
        segments = plan_from_osm(result, osm, bbox=bbox).segments
    step(pick("划分路长片区", "Dividing the roads among chiefs", lang))
    terr = territories.assign_territories(
        result.graph, segments, chiefs, stations=station_table, pins=pin_table,
        previous=previous_table, seed=seed, tolerance=tolerance, road_share=road_share)
    step(pick("规划各片区巡查路线", "Routing each territory", lang))
    terr = territories.with_routes(
        terr, territories.territory_routes(result.graph, terr, result.segments))
    return result, terr


def write_territories(terr: territories.Territories, out: str | Path,
                      outputs: RunOutputs, map_options: MapOptions = DEFAULT_MAP_OPTIONS,
                      lang: str = defaults.LANG, *, plans: pd.DataFrame | None = None) -> None:
    """Write the territories' files and add them to ``outputs``.

    ``assignments.csv``, ``chiefs.csv``, ``territories.gpkg``, ``moved.csv`` (after a
    re-assignment), the overview map ``territories.html`` and, with routes, each chief's
    map, GPX track, turn-by-turn steps and printable route sheet (``chief_<id>_sheet.html``,
    with the grades of the chief's roads when ``plans`` is given); the map, the steps
    file, the GPX route points and the sheet number the steps alike.

    Parameters
    ----------
    terr
        The assignment, from :func:`assign`.
    out
        Folder to write into.
    outputs
        Collects ``(label, path)`` of every file written.
    map_options
        Basemap and offline choice of the maps.
    lang
        Language of the labels in ``outputs``, the maps and the GPX track names.
    plans
        The plan table (``PlanResult.sections``), for the route sheets.
    """
    from patrolgeo.labels import check_lang, label

    check_lang(lang)

    def words(code: str, **values: str) -> str:
        return label("territory_output", code, lang).format(**values)

    out = Path(out)
    outputs.add(words("assignments"),
                write_csv(territories.assignment_table(terr), out / "assignments.csv"))
    outputs.add(words("chiefs"),
                write_csv(territories.summary_table(terr), out / "chiefs.csv"))
    outputs.add(words("gpkg"),
                write_gpkg(terr.assignment, out / "territories.gpkg", layer="territories"))
    if terr.assignment["previous_chief"].notna().any():
        outputs.add(words("moved"), write_csv(terr.moved, out / "moved.csv"))
    fmap = maps.overview_map(terr.assignment, territories.summary_table(terr),
                             basemap=map_options.basemap, offline=map_options.offline,
                             lang=lang)
    outputs.add(words("overview"),
                maps.save_map(fmap, out / "territories.html", offline=map_options.offline))
    if terr.routes is None:
        return
    colours = maps.territory_colours(terr.assignment)
    for chief, route in terr.routes.routes.items():
        own = terr.assignment[terr.assignment["chief_id"] == chief]
        gpx = route_gpx(route, name=words("gpx_name", chief=chief), lang=lang)
        steps = turn_by_turn(route, lang)
        chief_map = maps.chief_map(own, route_table(route), chief=chief,
                                   steps=step_records(route, lang), summary=steps[0], gpx=gpx,
                                   colour=colours[chief], basemap=map_options.basemap,
                                   offline=map_options.offline, lang=lang)
        outputs.add(words("chief_map", chief=chief),
                    maps.save_map(chief_map, out / f"chief_{chief}.html",
                                  offline=map_options.offline))
        outputs.add(words("chief_gpx", chief=chief),
                    write_text(gpx, out / f"chief_{chief}.gpx"))
        outputs.add(words("chief_steps", chief=chief),
                    write_text("\n".join(steps) + "\n", out / f"chief_{chief}_steps.txt"))
        outputs.add(Text(f"路长 {chief} 路线单（可打印）", f"Road chief {chief} route sheet "
                         "(printable)"),
                    write_text(route_sheet(route, chief=chief, territory=own, plans=plans,
                                           lang=lang), out / f"chief_{chief}_sheet.html"))
