"""The cleaning-grade map: segments coloured by grade (一级 … 四级) with their plan figures."""

from __future__ import annotations

from typing import TYPE_CHECKING

import geopandas as gpd

from patrolgeo.labels import DEFAULT_LANG, label, pick
from patrolgeo.outputs.maps._base import AUTO, classified_map

if TYPE_CHECKING:
    import folium

#: Grade colours: red for the most demanding grade 1 to blue for grade 4.
GRADE_COLOURS = {1: "#d7191c", 2: "#fdae61", 3: "#a6d96a", 4: "#2c7bb6"}

#: Popup rows of the grade map: ``(column, map_field code)``.
_POPUP = [("road_name", "road_name"), ("section_text", "section_label"),
          ("section_id", "section_id"), ("grade_text", "grade"),
          ("crew_hours_week", "crew_hours_week"), ("workload", "chief_patrol"),
          ("length_m", "length_m"), ("segment_id", "segment_id")]


def grade_map(
    segments: gpd.GeoDataFrame,
    *,
    basemap: str = AUTO,
    offline: bool = False,
    lang: str = DEFAULT_LANG,
) -> folium.Map:
    """Segments coloured by cleaning grade (一级 … 四级) with their plan figures.

    Parameters
    ----------
    segments
        Segments with ``grade`` (1 … 4), ``length_m`` and optionally ``section_id``,
        ``section_no``, ``workload`` and ``crew_hours_week`` (as
        :attr:`patrolgeo.plans.PlanResult.segments` has them). The popup names the
        road and its section (路段).
    basemap, offline
        See :func:`patrolgeo.outputs.maps.base_map`.
    lang
        Language of the map's words.

    Returns
    -------
    folium.Map
        The map.
    """
    grade_labels = {g: label("grade", g, lang) for g in GRADE_COLOURS}
    if "section_id" in segments:
        numbers = segments["section_no"] if "section_no" in segments else segments["section_id"]
        section = [pick(f"第{n}段", f"section {n}", lang) for n in numbers]
    else:
        section = [""] * len(segments)
    shown = segments.assign(
        grade_text=segments["grade"].map(grade_labels), section_text=section,
        **{c: segments[c].round(1) for c in ("workload", "crew_hours_week") if c in segments},
    )
    return classified_map(
        shown, "grade", GRADE_COLOURS, grade_labels,
        title=pick("保洁等级", "Cleaning grade", lang), popup=_POPUP,
        basemap=basemap, offline=offline, lang=lang,
    )
