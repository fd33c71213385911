"""``patrolgeo route``: a postman route over the streets of a file, checked, then written."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from patrolgeo import defaults, pipeline, roads
from patrolgeo.cli.app import (
    BasemapOption,
    BboxOption,
    KeepComponentsOption,
    LangOption,
    ModeOption,
    NetworkOption,
    NetworkRulesOption,
    OfflineOption,
    OutOption,
    app,
    cli_run,
    network_options,
    report,
)
from patrolgeo.errors import AreaError, InputRowError, RoutingError
from patrolgeo.labels import pick

SegmentsOption = Annotated[Path | None, typer.Option(
    "--segments", help="CSV with a segment_id column: the segments to serve (default all)")]
StartOption = Annotated[str | None, typer.Option(
    "--start", help="station as LAT,LON in degrees (snapped to the network)")]


def parse_start(text: str | None, lang: str = "zh") -> tuple[float, float] | None:
    """Parse ``"LAT,LON"`` in degrees.

    Parameters
    ----------
    text
        The option's text, or None.
    lang
        Language of the error message.

    Returns
    -------
    tuple of float or None
        ``(lat, lon)``, or None without a text.

    Raises
    ------
    RoutingError
        When the text is not two numbers in range.
    """
    if text is None:
        return None
    try:
        lat, lon = (float(x) for x in text.split(","))
    except ValueError as exc:
        raise RoutingError(pick(f"起点 {text!r} 不是 纬度,经度", f"start {text!r} is not LAT,LON",
                                lang),
                           field="--start") from exc
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise RoutingError(pick(f"起点 {text!r} 超出经纬度范围",
                                f"start {text!r} is out of range", lang),
                           field="--start")
    return lat, lon


@app.command("route")
def route_command(
    osm: Annotated[Path | None, typer.Option("--osm", help="OSM file (.osm, .osm.bz2, "
                                             ".osm.pbf) or a .graphml cache")] = None,
    segments: SegmentsOption = None,
    mode: ModeOption = defaults.MODE,
    network: NetworkOption = defaults.NETWORK,
    keep_components: KeepComponentsOption = False,
    network_rules: NetworkRulesOption = None,
    start: StartOption = None,
    bbox: BboxOption = None,
    open_route: Annotated[bool, typer.Option("--open", help="end anywhere (no return)")]
    = False,
    both_sides: Annotated[bool, typer.Option("--both-sides", help="serve both sides of "
                                             "two-way streets (sweeping)")] = False,
    speed: Annotated[float | None, typer.Option("--speed", help="km/h (default per mode)")]
    = None,
    out: OutOption = Path(defaults.ROUTE_OUT),
    basemap: BasemapOption = defaults.BASEMAP,
    offline: OfflineOption = defaults.OFFLINE,
    lang: LangOption = defaults.LANG,
) -> None:
    """Compute an optimal patrol route (postman route); write GeoJSON, GPX, steps and a map."""
    with cli_run(lang) as step:
        if osm is None:
            raise AreaError(pick("请给出 --osm", "give --osm", lang), field="--osm")
        where = parse_start(start, lang)
        area = roads.parse_bbox(bbox) if bbox else None
        map_options = pipeline.MapOptions(basemap, offline)
        if segments is not None and not segments.is_file():
            raise InputRowError(pick("文件不存在", "file not found", lang), file=segments)
        step(pick("读取路网", "Loading road network", lang))
        net_options = network_options(network, keep_components, network_rules)
        result = pipeline.load_roads(osm, bbox=area, mode=mode,
                                     network=net_options)
        required = pipeline.read_required_segments(segments, result.segments) \
            if segments is not None else None
        step(pick("计算路线", "Computing the route", lang))
        planned = pipeline.plan_route(result, required, mode=mode, start=where,
                                      closed=not open_route, both_sides=both_sides,
                                      speed_kmh=speed)
        outputs = pipeline.RunOutputs()
        step(pick("写出结果", "Writing outputs", lang))
        pipeline.write_route(planned, out, outputs, segments=result.segments,
                             map_options=map_options, lang=lang)
        pipeline.write_excluded(result, out, outputs, lang)
    print(pipeline.excluded_note(result, lang))
    route = planned.route
    note = planned.unreachable_note(lang)
    if note is not None:
        print(note)
    print(planned.steps(lang)[0])
    print(pick(f"下界 {route.lower_bound_m / 1000:.2f} 公里，差距 {route.gap_pct:.2f}%；"
               f"校验通过（{planned.check.covered}/{planned.check.required} 个必经路段）",
               f"lower bound {route.lower_bound_m / 1000:.2f} km, gap {route.gap_pct:.2f}%; "
               f"checked ({planned.check.covered}/{planned.check.required} required segments)",
               lang))
    report(outputs.files, lang)
