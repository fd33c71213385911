"""``patrolgeo map``: draw every map the given inputs allow, with an index page."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from patrolgeo import defaults, issues, pipeline, territories
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
from patrolgeo.labels import label
from patrolgeo.outputs.files import check_output_folder


@app.command("map")
def map_command(
    osm: OsmOption = None,
    place: PlaceOption = None,
    bbox: BboxOption = None,
    mode: ModeOption = defaults.MODE,
    network: NetworkOption = defaults.NETWORK,
    keep_components: KeepComponentsOption = False,
    network_rules: NetworkRulesOption = None,
    assignments: Annotated[Path | None, typer.Option(
        "--assignments", help="assignments.csv (segment_id, chief_id): territory overview "
        "and one map per chief with its patrol route")] = None,
    issues_files: Annotated[list[Path] | None, typer.Option(
        "--issues", help="issue reports (CSV, GeoJSON, Open311): the hotspot map")] = None,
    out: OutOption = Path(defaults.MAP_OUT),
    basemap: BasemapOption = defaults.BASEMAP,
    offline: OfflineOption = defaults.OFFLINE,
    lang: LangOption = defaults.LANG,
) -> None:
    """Draw the road-class, grade, territory, per-chief and hotspot maps."""
    with cli_run(lang) as run:
        area = network_area(osm, place, bbox)
        map_options = pipeline.MapOptions(basemap, offline)
        assignment = territories.read_assignment(assignments) if assignments else None
        raw = issues.read_raw(issues_files) if issues_files else None
        check_output_folder(out)
        run.step(label("cli", "loading_network", lang))
        net_options = network_options(network, keep_components, network_rules)
        result = pipeline.load_roads(osm, place=place, bbox=area, mode=mode,
                                     network=net_options)
        found = None
        if raw is not None:
            bounds = tuple(result.segments.to_crs("EPSG:4326").total_bounds)
            found = pipeline.analyse_issues(result.segments, raw, bounds=bounds,
                                             step=run.step, lang=lang)
        with pipeline.staged_run(out) as (folder, outputs):
            drawn = pipeline.draw_maps(result, folder, osm=osm, assignment=assignment,
                                       issues_result=found, map_options=map_options,
                                       step=run.step, lang=lang)
            outputs.files.extend(drawn.files)
            pipeline.write_excluded(result, folder, outputs, lang)
    print(pipeline.excluded_note(result, lang))
    report(outputs.files, lang)
