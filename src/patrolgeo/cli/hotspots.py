"""The ``hotspots`` verb: issue reports -> snapped reports, rejects, hotspots, issue load."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from patrolgeo import defaults, issues, pipeline
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
from patrolgeo.labels import Text, pick


@app.command("hotspots")
def hotspots_command(
    issues_files: Annotated[list[Path], typer.Option(
        "--issues", help="reports: CSV, GeoJSON or Open311 JSON (repeat for several)")],
    osm: OsmOption = None,
    place: PlaceOption = None,
    bbox: BboxOption = None,
    mode: ModeOption = defaults.MODE,
    network: NetworkOption = defaults.NETWORK,
    keep_components: KeepComponentsOption = False,
    network_rules: NetworkRulesOption = None,
    out: OutOption = Path(defaults.HOTSPOTS_OUT),
    taxonomy: Annotated[Path | None, typer.Option(
        "--taxonomy", help="categories and kinds (.toml/.json/.csv); default GB/T 30428.2")
    ] = None,
    crs: Annotated[str, typer.Option(
        "--crs", help="coordinates of the reports: wgs84 | gcj02 (AMap/Tencent) | bd09")
    ] = defaults.ISSUES_CRS,
    tz: Annotated[str, typer.Option("--tz", help="time zone of local report times")
                  ] = defaults.ISSUES_TZ,
    max_distance: Annotated[float, typer.Option(
        "--max-distance", help="largest report-to-segment distance in metres")
    ] = issues.DEFAULT_MAX_DISTANCE_M,
    value: Annotated[str, typer.Option(
        "--value", help="classical Gi* and trends with --gi-pvalue normal|permutation on: "
        "rate (EB issues per km) | count")] = defaults.HOTSPOT_VALUE,
    gi_pvalue: Annotated[str, typer.Option(
        "--gi-pvalue", help="hot areas: model (neighbourhood count against its length) | "
        "normal (classical Gi* z) | permutation (total permutation)")] = "model",
    permutations: Annotated[int, typer.Option(
        "--permutations", help="Gi* permutations (with --gi-pvalue permutation)")
    ] = issues.DEFAULT_PERMUTATIONS,
    fdr: Annotated[float, typer.Option(
        "--fdr", help="false discovery rate of hot streets and hot areas")
    ] = issues.DEFAULT_FDR,
    as_of: Annotated[str | None, typer.Option(
        "--as-of", help="reference time: later reports are rejected (default now; a date "
        "means the end of that day)")] = None,
    earliest: Annotated[str, typer.Option(
        "--earliest", help="reports before this date are rejected")
    ] = issues.DEFAULT_EARLIEST,
    seed: Annotated[int, typer.Option("--seed", help="random seed of the permutations")]
    = defaults.SEED,
    assignment: Annotated[Path | None, typer.Option(
        "--assignments", "--assignment",
        help="CSV segment_id,chief_id (assignments.csv) for per-chief totals")] = None,
    basemap: BasemapOption = defaults.BASEMAP,
    offline: OfflineOption = defaults.OFFLINE,
    lang: LangOption = defaults.LANG,
) -> None:
    """Take in issue reports, snap them to road segments, find hotspots and trends."""
    with cli_run(lang) as step:
        checks.time_zone(tz, "--tz")
        area = network_area(osm, place, bbox)
        map_options = pipeline.MapOptions(basemap, offline)
        chosen = issues.load_taxonomy(taxonomy)
        chiefs = pipeline.read_assignment(assignment) if assignment else None
        raw = issues.read_raw(issues_files)
        step(pick("读取路网", "Loading road network", lang))
        net_options = network_options(network, keep_components, network_rules)
        net = pipeline.load_roads(osm, place=place, bbox=area, mode=mode,
                                  network=net_options)
        bounds = tuple(net.segments.to_crs("EPSG:4326").total_bounds)
        result = pipeline.analyse_issues(
            net.segments, raw, taxonomy=chosen, crs=crs, tz=tz, bounds=bounds,
            max_distance_m=max_distance, value=value, gi_pvalue=gi_pvalue,
            permutations=permutations, seed=seed, fdr=fdr, as_of=as_of, earliest=earliest,
            assignment=chiefs, step=step, lang=lang)
        outputs = pipeline.RunOutputs()
        step(pick("写出结果", "Writing outputs", lang))
        pipeline.write_hotspots(result, out, outputs, map_options, lang=lang)
        pipeline.write_excluded(net, out, outputs, lang)
    seg = result.hotspots.segments
    snapped = result.snapped
    streets = int(seg["street_hot"].sum())
    areas = int(seg["hot_kind"].isin(["area", "street_area"]).sum())
    cold = int((seg["hot_kind"] == "cold_area").sum())
    level = f"{fdr:.0%}"
    print(Text(
        f"读入 {result.intake.n_read} 行：有效 {len(snapped)}，被拒 "
        f"{result.intake.n_rejected_rows}；路网外 {int((~snapped['on_network']).sum())}；"
        f"热点路段 {streets}，热点区域分段 {areas}，冷点区域分段 {cold}"
        f"（错误发现率 {level}）",
        f"{result.intake.n_read} rows read: {len(snapped)} kept, "
        f"{result.intake.n_rejected_rows} rejected; {int((~snapped['on_network']).sum())} "
        f"off the network; {streets} hot streets, {areas} segments in hot areas, {cold} in "
        f"cold areas (false discovery rate {level})").render(lang))
    if result.synthetic:
        print(pick("注意：输入为合成数据，仅供演示",
                   "note: the reports are synthetic, for demonstration only", lang))
    print(pipeline.excluded_note(net, lang))
    report(outputs.files, lang)
