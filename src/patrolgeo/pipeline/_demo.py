"""The demo: every stage on the packaged district, written under one folder."""

from __future__ import annotations

from pathlib import Path

from patrolgeo import (
    defaults,
    issues,
    roads,
    territories,
)
from patrolgeo.labels import Text, pick
from patrolgeo.outputs import maps
from patrolgeo.outputs.files import write_text
from patrolgeo.pipeline._common import (
    DEFAULT_MAP_OPTIONS,
    DEFAULT_NETWORK_OPTIONS,
    MapOptions,
    NetworkOptions,
    RunOutputs,
    Step,
    _no_step,
    demo_osm_path,
    load_roads,
    write_roads,
)
from patrolgeo.pipeline._issues import (
    analyse_issues,
    synthetic_issues,
    write_hotspots,
)
from patrolgeo.pipeline._plans import plan_from_osm, write_plans
from patrolgeo.pipeline._shifts import plan_shift_tables, write_shifts
from patrolgeo.pipeline._territories import write_territories


def run_demo(
    out: str | Path = defaults.DEMO_OUT,
    *,
    osm: str | Path | None = None,
    mode: str = defaults.MODE,
    network: NetworkOptions = DEFAULT_NETWORK_OPTIONS,
    map_options: MapOptions = DEFAULT_MAP_OPTIONS,
    step: Step = _no_step,
    lang: str = defaults.LANG,
) -> RunOutputs:
    """Run the whole pipeline on the demo data (or ``osm``) and write under ``out``.

    Everything is computed before anything is written, so bad input leaves no output.

    Parameters
    ----------
    out
        The output folder.
    osm
        An OSM file instead of the packaged demo district (Guixi).
    mode
        Travel mode of the network.
    network
        Which streets: the responsibility network by default.
    map_options
        Basemap and offline bundling.
    step
        Called with a :class:`~patrolgeo.labels.Text` before each slow step.
    lang
        Language of every output's words.

    Returns
    -------
    RunOutputs
        The files written.
    """
    osm = Path(osm) if osm is not None else demo_osm_path()
    step(Text(f"读取路网 {osm.name}", f"Loading road network {osm.name}"))
    result = load_roads(osm, mode=mode, network=network)
    step(Text("合成问题上报并分析热点（演示数据）", "Synthetic reports and hotspots (demo data)"))
    synthetic = synthetic_issues(osm, result.segments, weeks=defaults.DEMO_SYNTHETIC_WEEKS,
                                 seed=defaults.SEED, bad_rows=defaults.DEMO_SYNTHETIC_BAD_ROWS)
    issues_result = analyse_issues(result.segments,
                                   issues.reports_from_frame(synthetic, "synthetic_reports.csv"),
                                   bounds=roads.file_bounds(osm), lang=lang)
    issues_result.synthetic_input = synthetic
    step(Text("道路分级与保洁方案", "Grading roads and planning their cleaning"))
    # synthetic reports must not reach the plans or the territories: their issue load
    # would raise patrols and move boundaries on made-up hotspots
    plan = plan_from_osm(result, osm)
    chiefs = defaults.DEMO_CHIEFS
    step(Text(f"划分 {chiefs} 个路长片区", f"Dividing the roads among {chiefs} chiefs"))
    terr = territories.assign_territories(result.graph, plan.segments, chiefs)
    terr = territories.with_routes(
        terr, territories.territory_routes(result.graph, terr, result.segments))
    step(Text("规划班次路线", "Planning shift routes"))
    centre = result.segments.to_crs("EPSG:4326").geometry.union_all().centroid
    # a school-gate post about 80 m east of the depot
    shift_tables = plan_shift_tables(
        result, school_gates=[(centre.x + defaults.DEMO_SCHOOL_GATE_EAST_DEG, centre.y)],
        radius_m=defaults.DEMO_SHIFT_RADIUS_M, shift_hours=defaults.DEMO_SHIFT_HOURS,
        service_speed_mps=defaults.DEMO_SHIFT_SERVICE_SPEED_MPS,
        iterations=defaults.DEMO_SHIFT_ITERATIONS, lang=lang)
    outputs = RunOutputs()
    step(Text("写出结果", "Writing outputs"))
    out = Path(out)
    write_roads(result, out, outputs, map_options, lang=lang)
    write_hotspots(issues_result, out, outputs, map_options, lang=lang)
    write_plans(plan, out, outputs, map_options, lang=lang)
    write_territories(terr, out / "territories", outputs, map_options, lang=lang,
                      plans=plan.sections)
    write_shifts(shift_tables, out / "shifts", outputs)
    index = write_text(maps.run_index(out, outputs.rendered(lang),
                                      pick("patrolgeo 演示", "patrolgeo demo", lang), lang),
                       out / "index.html")
    outputs.add(Text("目录页", "Index page"), index)
    return outputs
