"""The map verb: every map the inputs allow, and an index page."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd

from patrolgeo import (
    defaults,
    issues,
    roads,
)
from patrolgeo.errors import InputRowError
from patrolgeo.labels import Text, pick
from patrolgeo.outputs import maps
from patrolgeo.outputs.files import write_text
from patrolgeo.outputs.route import route_gpx, route_table, step_records
from patrolgeo.pipeline._common import (
    DEFAULT_MAP_OPTIONS,
    MapOptions,
    RoadsResult,
    RunOutputs,
    Step,
    _no_step,
)
from patrolgeo.pipeline._issues import (
    IssuesResult,
)
from patrolgeo.pipeline._plans import plan_from_osm
from patrolgeo.pipeline._route import plan_route


def _territory_maps(
    result: RoadsResult,
    seg: gpd.GeoDataFrame,
    assignment: pd.DataFrame,
    view: dict[str, Any],
    step: Step,
) -> list[tuple[Text, str, Any]]:
    """Draw the territory overview and one routed map per chief of ``assignment``."""
    chief_of = assignment.set_index("segment_id")["chief_id"].astype(str)
    unknown = sorted(set(chief_of.index) - set(seg["segment_id"]))
    if unknown:
        raise InputRowError(f"unknown segment {unknown[0]} (not in this network)",
                            file=assignment.attrs.get("source"), field="segment_id")
    mine = seg[seg["segment_id"].isin(chief_of.index)].copy()
    mine["chief_id"] = mine["segment_id"].map(chief_of)
    summary = mine.groupby("chief_id").agg(
        km=("length_m", lambda x: x.sum() / 1000),
        **({"workload": ("workload", "sum")} if "workload" in mine else {}),
    ).reset_index()
    drawn = [(Text("路长片区总览图", "Territory overview map"), "territories.html",
              maps.overview_map(mine, summary, **view))]
    colours = maps.territory_colours(mine)
    for chief, own in mine.groupby("chief_id", sort=True):
        step(Text(f"路长 {chief} 巡查路线", f"Routing chief {chief}"))
        routed = plan_route(result, own["segment_id"].tolist(),
                            mode=result.graph.graph.get("mode", defaults.MODE))
        lang = view["lang"]
        gpx = route_gpx(routed.route, lang=lang)
        drawn.append((Text(f"路长 {chief} 巡查地图", f"Road chief {chief} map"),
                      f"chief_{chief}.html",
                      maps.chief_map(own, route_table(routed.route), chief=str(chief),
                                     steps=step_records(routed.route, lang),
                                     summary=routed.steps(lang)[0], gpx=gpx,
                                     colour=colours[chief], **view)))
    return drawn


def draw_maps(
    result: RoadsResult,
    out: str | Path,
    *,
    osm: str | Path | None = None,
    assignment: pd.DataFrame | None = None,
    issues_result: IssuesResult | None = None,
    map_options: MapOptions = DEFAULT_MAP_OPTIONS,
    step: Step = _no_step,
    lang: str = defaults.LANG,
) -> RunOutputs:
    """Draw every map the inputs allow and an index page (what ``patrolgeo map`` runs).

    Always the road-class map; the cleaning-grade map when ``osm`` is an OSM file; the
    territory overview and one map per chief (with a checked patrol route, turn list and
    GPX) when an ``assignment`` (``segment_id, chief_id``) is given; the hotspot map when
    ``issues_result`` is given. Everything is computed before anything is written.

    Parameters
    ----------
    result
        The loaded network.
    out
        The output folder.
    osm
        The OSM file the network came from (for the grades).
    assignment
        ``segment_id, chief_id`` rows (``attrs["source"]``: the file, for errors).
    issues_result
        Analysed issue reports.
    map_options
        Basemap and offline bundling.
    step
        Called with a :class:`~patrolgeo.labels.Text` before each slow step.
    lang
        Language of the maps and the index page.

    Returns
    -------
    RunOutputs
        The files written, labelled with :class:`~patrolgeo.labels.Text`.

    Raises
    ------
    InputRowError
        When ``assignment`` names a segment that is not in the network.
    """
    seg = result.segments
    view: dict[str, Any] = {"basemap": map_options.basemap, "offline": map_options.offline,
                            "lang": lang}
    drawn: list[tuple[Text, str, Any]] = [
        (Text("道路等级地图", "Road class map"), "segments.html", maps.segments_map(seg, **view))]
    if osm is not None and not Path(osm).name.lower().endswith(roads.GRAPHML_SUFFIXES):
        step(Text("道路分级", "Grading roads"))
        seg = plan_from_osm(result, osm).segments
        drawn.append((Text("保洁等级地图", "Cleaning grade map"), "grades.html",
                      maps.grade_map(seg, **view)))
    if assignment is not None:
        drawn += _territory_maps(result, seg, assignment, view, step)
    if issues_result is not None:
        drawn.append((Text("热点地图", "Hotspot map"), "hotspots.html",
                      maps.hotspot_map(issues.label_hotspots(issues_result.hotspots.segments,
                                                             lang), issues_result.snapped,
                                       synthetic=issues_result.synthetic, **view)))
    out = Path(out)
    outputs = RunOutputs()
    for label, name, fmap in drawn:
        outputs.add(label, maps.save_map(fmap, out / name, offline=map_options.offline))
    outputs.add(Text("目录页", "Index page"),
                write_text(maps.run_index(out, outputs.rendered(lang),
                                          pick("patrolgeo 地图", "patrolgeo maps", lang), lang),
                           out / "index.html"))
    return outputs
