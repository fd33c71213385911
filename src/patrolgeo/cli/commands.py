"""The CLI verbs."""

from __future__ import annotations

from pathlib import Path

from patrolgeo import pipeline
from patrolgeo.cli.app import (
    BasemapOption,
    BboxOption,
    LangOption,
    ModeOption,
    OfflineOption,
    OsmOption,
    OutOption,
    PlaceOption,
    app,
    cli_run,
    network_area,
    report,
)
from patrolgeo.i18n import tr


@app.command("roads")
def roads_command(
    osm: OsmOption = None,
    place: PlaceOption = None,
    bbox: BboxOption = None,
    mode: ModeOption = "walk",
    out: OutOption = Path("maps/roads"),
    basemap: BasemapOption = "osm",
    offline: OfflineOption = False,
    lang: LangOption = "zh",
) -> None:
    """Load a road network and write segments, roads and a road-class map."""
    with cli_run(lang) as step:
        area = network_area(osm, place, bbox)
        map_options = pipeline.MapOptions(basemap, offline)
        step(tr("读取路网", "Loading road network"))
        result = pipeline.load_roads(osm, place=place, bbox=area, mode=mode)
        outputs = pipeline.RunOutputs()
        step(tr("写出结果", "Writing outputs"))
        pipeline.write_roads(result, out, outputs, map_options)
    step_summary = tr(
        f"{len(result.segments)} 个分段，{result.roads.shape[0]} 条道路，"
        f"共 {result.segments['length_m'].sum() / 1000:.1f} 公里",
        f"{len(result.segments)} segments, {result.roads.shape[0]} roads, "
        f"{result.segments['length_m'].sum() / 1000:.1f} km",
    )
    print(step_summary)
    report(outputs.files)


@app.command("demo")
def demo_command(
    osm: OsmOption = None,
    mode: ModeOption = "walk",
    out: OutOption = Path("maps/demo"),
    basemap: BasemapOption = "osm",
    offline: OfflineOption = False,
    lang: LangOption = "zh",
) -> None:
    """Run the whole pipeline on real OSM data that ships with the install (Helsinki)."""
    with cli_run(lang) as step:
        outputs = pipeline.run_demo(out, osm=osm, mode=mode,
                                    map_options=pipeline.MapOptions(basemap, offline), step=step)
    report(outputs.files)
