"""The ``assign`` verb: divide a district's roads among road chiefs."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from patrolgeo import defaults, pipeline, territories
from patrolgeo.cli import checks
from patrolgeo.cli.app import (
    BasemapOption,
    BboxOption,
    KeepComponentsOption,
    LangOption,
    ModeOption,
    NetworkOption,
    NetworkRulesOption,
    OfflineOption,
    OsmOption,
    OutOption,
    PlaceOption,
    app,
    cli_run,
    network_area,
    network_options,
    report,
)
from patrolgeo.errors import CapacityError
from patrolgeo.labels import pick
from patrolgeo.outputs.files import check_output_folder

#: Most road chiefs one district takes (a large district has a few hundred).
MAX_CHIEFS = 5000


@app.command("assign")
def assign_command(
    osm: OsmOption = None,
    place: PlaceOption = None,
    bbox: BboxOption = None,
    mode: ModeOption = defaults.MODE,
    network: NetworkOption = defaults.NETWORK,
    keep_components: KeepComponentsOption = False,
    network_rules: NetworkRulesOption = None,
    chiefs: Annotated[int | None, typer.Option(
        "--chiefs", help="路长人数 / number of road chiefs (default: stations, previous)")] = None,
    stations: Annotated[Path | None, typer.Option(
        "--stations", help="CSV chief_id,lat,lon[,capacity]: chief stations (anchors)")] = None,
    pins: Annotated[Path | None, typer.Option(
        "--pins", help="CSV segment_id,chief_id: assignments that must hold")] = None,
    previous: Annotated[Path | None, typer.Option(
        "--previous", help="a previous assignments.csv to change as little as possible")] = None,
    seed: Annotated[int, typer.Option("--seed", help="random seed (METIS)")] = defaults.SEED,
    tolerance: Annotated[float, typer.Option(
        "--tolerance", help="allowed workload deviation from target, e.g. 0.05")] = (
        territories.DEFAULT_TOLERANCE),
    road_share: Annotated[float, typer.Option(
        "--road-share", help="a named road stays whole unless longer than this share of a "
        "territory")] = territories.DEFAULT_ROAD_SHARE,
    out: OutOption = Path(defaults.ASSIGN_OUT),
    basemap: BasemapOption = defaults.BASEMAP,
    offline: OfflineOption = defaults.OFFLINE,
    lang: LangOption = defaults.LANG,
) -> None:
    """Divide the road segments among road chiefs: connected, balanced, compact territories."""
    with cli_run(lang) as step:
        area = network_area(osm, place, bbox)
        if chiefs is None and stations is None and previous is None:
            raise CapacityError(pick("请给出 --chiefs（或 --stations / --previous）",
                                   "give --chiefs (or --stations / --previous)", lang),
                                field="--chiefs")
        if chiefs is not None:
            checks.at_least(chiefs, "--chiefs", 1, most=MAX_CHIEFS)
        checks.share(tolerance, "--tolerance")
        checks.share(road_share, "--road-share")
        check_output_folder(out)
        net_options = network_options(network, keep_components, network_rules)
        loaded, terr = pipeline.assign(osm, place=place, bbox=area, mode=mode,
                                       network=net_options, chiefs=chiefs,
                                       stations=stations, pins=pins, previous=previous,
                                       seed=seed, tolerance=tolerance, road_share=road_share,
                                       step=step, lang=lang)
        step(pick("写出结果", "Writing outputs", lang))
        with pipeline.staged_run(out) as (folder, outputs):
            pipeline.write_territories(terr, folder, outputs,
                                       pipeline.MapOptions(basemap, offline), lang=lang)
            pipeline.write_excluded(loaded, folder, outputs, lang)
    print(pipeline.excluded_note(loaded, lang))
    stats = terr.stats
    print(pick(
        f"{stats.k} 个路长片区：工作量最大/平均 {stats.imbalance + 1:.3f}，"
        f"连通 {stats.connected}/{stats.k}，切断相邻分段对 {stats.cut_pairs}，"
        f"被拆分的整路 {stats.roads_split}",
        f"{stats.k} territories: workload max/mean {stats.imbalance + 1:.3f}, "
        f"connected {stats.connected}/{stats.k}, cut segment pairs {stats.cut_pairs}, "
        f"whole roads split {stats.roads_split}", lang))
    if previous is not None:
        print(pick(f"沿用 {stats.kept} 个分段，变动 {stats.moved} 个，新增 {stats.new} 个",
                 f"{stats.kept} segments kept their chief, {stats.moved} moved, "
                 f"{stats.new} new", lang))
    routes = terr.routes
    if routes is not None:
        print(pick(f"最长路线 {routes.longest_route_m / 1000:.2f} 公里；空驶合计 "
                 f"{routes.total_deadhead_m / 1000:.2f} 公里（全区单条路线空驶 "
                 f"{routes.whole_area_deadhead_m / 1000:.2f} 公里）",
                 f"longest route {routes.longest_route_m / 1000:.2f} km; total deadhead "
                 f"{routes.total_deadhead_m / 1000:.2f} km (one route over the whole area: "
                 f"{routes.whole_area_deadhead_m / 1000:.2f} km)", lang))
    for note in stats.notes:
        print(pick("注意：", "note: ", lang) + territories.note_text(note, lang), file=sys.stderr)
    report(outputs.files, lang)
