"""The ``roads`` and ``demo`` verbs."""

from __future__ import annotations

from pathlib import Path

from patrolgeo import defaults, pipeline
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
from patrolgeo.labels import Text, label
from patrolgeo.outputs.files import check_output_folder


@app.command("roads")
def roads_command(
    osm: OsmOption = None,
    place: PlaceOption = None,
    bbox: BboxOption = None,
    mode: ModeOption = defaults.MODE,
    network: NetworkOption = defaults.NETWORK,
    keep_components: KeepComponentsOption = False,
    network_rules: NetworkRulesOption = None,
    out: OutOption = Path(defaults.ROADS_OUT),
    basemap: BasemapOption = defaults.BASEMAP,
    offline: OfflineOption = defaults.OFFLINE,
    lang: LangOption = defaults.LANG,
) -> None:
    """Load a road network and write segments, roads and a road-class map."""
    with cli_run(lang) as run:
        area = network_area(osm, place, bbox)
        map_options = pipeline.MapOptions(basemap, offline)
        check_output_folder(out)
        run.step(label("cli", "loading_network", lang))
        net_options = network_options(network, keep_components, network_rules)
        result = pipeline.load_roads(osm, place=place, bbox=area, mode=mode,
                                     network=net_options)
        run.step(label("cli", "writing_outputs", lang))
        with pipeline.staged_run(out) as (folder, outputs):
            pipeline.write_roads(result, folder, outputs, map_options, lang=lang)
    km = result.segments["length_m"].sum() / 1000
    n_segments, n_roads = len(result.segments), result.roads.shape[0]
    run.say(Text(f"{n_segments} 个分段，{n_roads} 条道路，共 {km:.1f} 公里",
                 f"{n_segments} segments, {n_roads} roads, {km:.1f} km"))
    run.say(pipeline.excluded_note(result, lang))
    report(outputs.files, lang)


@app.command("demo")
def demo_command(
    osm: OsmOption = None,
    mode: ModeOption = defaults.MODE,
    network: NetworkOption = defaults.NETWORK,
    keep_components: KeepComponentsOption = False,
    network_rules: NetworkRulesOption = None,
    out: OutOption = Path(defaults.DEMO_OUT),
    basemap: BasemapOption = defaults.BASEMAP,
    offline: OfflineOption = defaults.OFFLINE,
    lang: LangOption = defaults.LANG,
) -> None:
    """Run the whole pipeline on a Chinese district that ships with the install (贵溪市)."""
    with cli_run(lang) as run:
        net_options = network_options(network, keep_components, network_rules)
        map_options = pipeline.MapOptions(basemap, offline)
        with pipeline.staged_run(out) as (folder, outputs):
            written = pipeline.run_demo(folder, osm=osm, mode=mode, network=net_options,
                                        map_options=map_options, step=run.step, lang=lang)
            outputs.files.extend(written.files)
    report(outputs.files, lang)
