"""``patrolgeo plan``: road grades and per-road cleaning plans (一路一策)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from patrolgeo import defaults, pipeline, plans, roads
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
    app,
    cli_run,
    network_options,
    report,
)
from patrolgeo.errors import OSMFileError
from patrolgeo.labels import pick
from patrolgeo.outputs.files import check_output_folder
from patrolgeo.outputs.plans import grade_label

RulesOption = Annotated[Path | None, typer.Option(
    "--rules", help="grading rules (TOML), laid over the shipped defaults")]
OverridesOption = Annotated[Path | None, typer.Option(
    "--overrides", help="per-road overrides (CSV: road_id, grade, chief_patrol, "
    "carriageway_m, sidewalk_m, reason); they always win")]


@app.command("plan")
def plan_command(
    osm: OsmOption = None,
    bbox: BboxOption = None,
    mode: ModeOption = defaults.MODE,
    network: NetworkOption = defaults.NETWORK,
    keep_components: KeepComponentsOption = False,
    network_rules: NetworkRulesOption = None,
    rules: RulesOption = None,
    overrides: OverridesOption = None,
    out: OutOption = Path(defaults.PLANS_OUT),
    basemap: BasemapOption = defaults.BASEMAP,
    offline: OfflineOption = defaults.OFFLINE,
    lang: LangOption = defaults.LANG,
) -> None:
    """Grade every road (一级 … 四级) and write its cleaning plan: CSV, xlsx, HTML, map."""
    with cli_run(lang) as step:
        if osm is None:
            raise OSMFileError(pick("请用 --osm 给出 OSM 文件（商铺、车站、公交线路都从中读取）",
                                  "give the OSM file with --osm (shops, stations and bus "
                                  "routes are read from it)", lang), field="--osm")
        area = roads.parse_bbox(bbox) if bbox else None
        map_options = pipeline.MapOptions(basemap, offline)
        check_output_folder(out)
        # bad rules or overrides fail before the slow steps
        step(pick("读取分级规则", "Reading grading rules", lang))
        rule_set = plans.load_rules(rules)
        override_rows = plans.read_overrides(overrides, rule_set) if overrides else None
        step(pick("读取路网", "Loading road network", lang))
        net_options = network_options(network, keep_components, network_rules)
        result = pipeline.load_roads(osm, bbox=area, mode=mode,
                                     network=net_options)
        step(pick("道路分级与保洁方案", "Grading roads and planning their cleaning", lang))
        plan = pipeline.plan_from_osm(result, osm, rules=rule_set, overrides=override_rows,
                                      bbox=area)
        step(pick("写出结果", "Writing outputs", lang))
        with pipeline.staged_run(out) as (folder, outputs):
            pipeline.write_plans(plan, folder, outputs, map_options, lang=lang)
            pipeline.write_excluded(result, folder, outputs, lang)
    print(pipeline.excluded_note(result, lang))
    mix = plan.grade_mix()
    for grade, row in mix.iterrows():
        label = grade_label(grade, lang) if grade in plans.GRADES else pick("合计", "total", lang)
        roads_n, km, share = int(row["roads"]), row["km"], row["share_km"]
        sections_n = int(row.get("sections", roads_n))
        crew, chief = row["crew_hours_week"], row["workload_h_week"]
        print(pick(f"{label}：{roads_n} 条道路 {sections_n} 个路段，{km:.2f} 公里（{share:.0%}），"
                 f"{crew:,.0f} 人·时/周，路长 {chief:,.1f} 小时/周",
                 f"{label}: {roads_n} road{'' if roads_n == 1 else 's'} in {sections_n} "
                 f"section{'' if sections_n == 1 else 's'}, {km:.2f} km ({share:.0%}), "
                 f"{crew:,.0f} crew-h/week, chiefs {chief:,.1f} h/week", lang))
    report(outputs.files, lang)
