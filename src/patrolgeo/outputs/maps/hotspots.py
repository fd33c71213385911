"""The hotspot map: hot streets and hot areas on segments, a heatmap, clustered reports.

Segments are coloured by ``hot_kind`` (hot street, hot area, both, cold area), reports are
clustered per category with a week slider. One legend (a ``.pg-legend`` ``<details>``,
closed on windows narrower than 600 px) keys both the hot-spot kinds and the category
colours; the layer list folds up on narrow windows too.
"""

from __future__ import annotations

import functools
import json
from typing import TYPE_CHECKING, Any, ClassVar

import geopandas as gpd
import numpy as np
import pandas as pd

from patrolgeo.issues import DEFAULT_FDR, HOT_KINDS, gi_class_label, hot_kind_label
from patrolgeo.labels import DEFAULT_LANG, label, pick
from patrolgeo.outputs.maps._base import (
    OTHER_COLOUR,
    base_map,
    display_geojson,
    fold_on_narrow_screens,
    geojson_popup,
    latlon_bounds,
    map_script,
    popup_fields,
    root_figure,
    styled_geojson,
    to_display_crs,
)

if TYPE_CHECKING:
    import folium

#: Gi* class colours, from hot red to cold blue.
GI_COLOURS = {
    "hot_99": "#b2182b", "hot_95": "#ef8a62", "hot_90": "#fdae61",
    "not_significant": "#bdbdbd",
    "cold_90": "#abd9e9", "cold_95": "#67a9cf", "cold_99": "#2166ac",
}

#: Colours of the combined hot-spot kinds: hot streets dark red, hot areas orange, cold
#: areas blue, the rest grey.
HOT_KIND_COLOURS = {
    "street_area": "#7f0000", "street": "#d7301f", "area": "#fc8d59",
    "cold_area": "#4575b4", "none": "#bdbdbd",
}

#: Line weights of the kinds: a hot street is drawn thickest.
HOT_KIND_WEIGHTS = {"street_area": 7, "street": 7, "area": 5, "cold_area": 4, "none": 2}

#: Below this window width (px) the legend and the layer list start folded.
NARROW_PX = 600

#: Marker colours of issue categories, in the categories' sorted order (then repeating).
CATEGORY_COLOURS = ("#e41a1c", "#377eb8", "#4daf4a", "#984ea3", "#ff7f00", "#a65628",
                    "#f781bf", "#999999", "#66c2a5", "#fc8d62")

#: Heatmap radius and blur in pixels.
_HEAT_RADIUS, _HEAT_BLUR = 14, 18
#: Decimal places of report coordinates (about 1 m).
_POINT_DECIMALS = 5

_POPUP = [("road_name", "road_name"), ("issue_count", "issue_count"),
          ("gi_name", "gi_name"), ("trend_label", "trend_label"), ("segment_id", "segment_id")]

#: Popup rows of the two inferences: column -> ``issue_map`` label code.
_HOT_POPUP = [("hot_name", "hot_name"), ("_expected", "expected"), ("_street_q", "street_q"),
              ("_gi_q", "gi_q")]

#: Folds the layer list on a narrow window (Leaflet fixes ``collapsed`` when the control
#: is added, so it is added again folded).
_FOLD_LAYERS_JS = """
if (window.innerWidth < %(px)d) {
  const control = %(control)s;
  control.options.collapsed = true;
  control.remove();
  control.addTo({map});
}
"""

_ISSUE_LAYERS_JS = """
{% macro script(this, kwargs) %}
(function() {
  const map = {{ this._parent.get_name() }};
  const control = {{ this.control }};
  const data = {{ this.payload }};
  const groups = data.categories.map((name, i) => {
    const g = L.markerClusterGroup({chunkedLoading: true});
    g.addTo(map);
    control.addOverlay(g, name);
    return g;
  });
  function setWeek(week) {
    groups.forEach(g => g.clearLayers());
    const perGroup = groups.map(() => []);
    for (const r of data.reports) {
      if (week >= 0 && r[3] !== week) continue;
      const m = L.circleMarker([r[0], r[1]], {radius: 6, color: data.colours[r[2]],
                                               weight: 1, fillOpacity: 0.8});
      m.bindPopup(r[4]);
      perGroup[r[2]].push(m);
    }
    groups.forEach((g, i) => g.addLayers(perGroup[i]));
    const label = document.getElementById(data.labelId);
    if (label) label.textContent = week >= 0 ? data.weeks[week] : data.allWeeks;
  }
  const slider = L.control({position: 'topright'});
  slider.onAdd = function() {
    const div = L.DomUtil.create('div', 'patrolgeo-week-slider');
    div.style.cssText = 'background:white;padding:6px 8px;border-radius:6px;' +
      'font:12px sans-serif;box-shadow:0 1px 4px rgba(0,0,0,.3)';
    div.innerHTML = '<b>' + data.title + '</b><br><input type="range" min="-1" max="' +
      (data.weeks.length - 1) + '" value="-1" step="1" style="width:180px">' +
      '<br><span id="' + data.labelId + '"></span>';
    L.DomEvent.disableClickPropagation(div);
    div.querySelector('input').addEventListener('input', e => setWeek(Number(e.target.value)));
    return div;
  };
  slider.addTo(map);
  setWeek(-1);
  window.patrolgeoIssues = {groups: groups, setWeek: setWeek, weeks: data.weeks};
})();
{% endmacro %}
"""

_CLUSTER_CDN = "https://cdnjs.cloudflare.com/ajax/libs/leaflet.markercluster/1.1.0/"


@functools.cache
def _issue_layers_class() -> type:
    """The element class of the clustered issue layers, made on first use."""
    from branca.element import MacroElement
    from folium.elements import JSCSSMixin
    from jinja2 import Template

    class _IssueLayers(JSCSSMixin, MacroElement):
        """Clustered issue markers, one layer per category, filtered by a week slider.

        Reports travel as one compact JSON array and markers are built in the browser,
        which keeps a map of many thousand reports small. ``window.patrolgeoIssues``
        exposes the groups and ``setWeek`` for tests.
        """

        _template = Template(_ISSUE_LAYERS_JS)

        # branca's JSCSSMixin annotates these as instance variables; they are class data
        default_js: ClassVar[list[tuple[str, str]]] = [  # type: ignore[misc]
            ("leaflet.markercluster", _CLUSTER_CDN + "leaflet.markercluster.js")]
        default_css: ClassVar[list[tuple[str, str]]] = [  # type: ignore[misc]
            ("markerclustercss", _CLUSTER_CDN + "MarkerCluster.css"),
            ("markerclusterdefaultcss", _CLUSTER_CDN + "MarkerCluster.Default.css"),
        ]

        def __init__(self, payload: dict[str, Any], control: Any) -> None:
            super().__init__()
            self._name = "IssueLayers"
            self.payload = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
            self.control = control.get_name()

    return _IssueLayers


def _report_payload(reports: gpd.GeoDataFrame, lat: np.ndarray, lon: np.ndarray,
                    category_col: str, time_col: str, lang: str) -> dict[str, Any]:
    """The reports as the compact array the page builds markers from, with its words."""
    times = pd.to_datetime(reports[time_col])
    week_start = (times.dt.tz_localize(None) if times.dt.tz is not None else times)
    week_start = (week_start - pd.to_timedelta(week_start.dt.weekday, unit="D")).dt.date
    weeks = sorted(set(week_start))
    week_index = {w: i for i, w in enumerate(weeks)}
    category = reports[category_col].astype(str)
    categories = sorted(category.unique())
    cat_index = {c: i for i, c in enumerate(categories)}
    when = times.dt.strftime("%Y-%m-%d %H:%M")
    popups = [f"<b>{c}</b><br>{t}" for c, t in zip(category, when, strict=True)]
    return {
        "categories": [pick(f"问题：{c}", f"Issues: {c}", lang) for c in categories],
        "colours": [CATEGORY_COLOURS[i % len(CATEGORY_COLOURS)]
                    for i in range(len(categories))],
        "weeks": [pick(f"{w:%Y-%m-%d} 起一周", f"week of {w:%Y-%m-%d}", lang) for w in weeks],
        "allWeeks": pick("全部周", "all weeks", lang),
        "title": pick("按周查看", "Week", lang),
        "labelId": "patrolgeo-week-label",
        "reports": [
            [float(a), float(b), cat_index[c], week_index[w], p]
            for a, b, c, w, p in zip(lat, lon, category, week_start, popups, strict=True)
        ],
    }


def _add_reports(fmap: folium.Map, control: folium.LayerControl, reports: gpd.GeoDataFrame,
                 category_col: str, time_col: str, basemap: str, lang: str
                 ) -> list[tuple[str, str]]:
    """Add the heatmap, the layer control and the clustered, week-filtered markers.

    Returns the ``(category, colour)`` rows of the legend.
    """
    from folium.plugins import HeatMap

    pts = to_display_crs(reports, basemap)
    lat = np.round(pts.geometry.y.to_numpy(), _POINT_DECIMALS)
    lon = np.round(pts.geometry.x.to_numpy(), _POINT_DECIMALS)
    HeatMap(np.column_stack([lat, lon]).tolist(), name=pick("问题热力图", "Issue heatmap", lang),
            radius=_HEAT_RADIUS, blur=_HEAT_BLUR, show=False).add_to(fmap)
    payload = _report_payload(reports, lat, lon, category_col, time_col, lang)
    control.add_to(fmap)
    fmap.add_child(_issue_layers_class()(payload, control))
    names = sorted(reports[category_col].astype(str).unique())
    return [(name, payload["colours"][i]) for i, name in enumerate(names)]


def _legend(kinds: list[tuple[str, str]], categories: list[tuple[str, str]], fdr: float,
            lang: str) -> Any:
    """The map's one legend: hot-spot kinds (lines) and issue categories (dots).

    A ``<details class="pg-legend">``, open on wide windows and folded below
    :data:`NARROW_PX` (the house contract for legends and layer lists).
    """
    from branca.element import Element

    def rows(items: list[tuple[str, str]], dot: bool) -> str:
        shape = ("width:10px;height:10px;border-radius:50%" if dot
                 else "width:18px;height:5px")
        return "".join(
            f'<div><span style="display:inline-block;{shape};background:{colour};'
            f'margin-right:6px;vertical-align:middle"></span>{text}</div>'
            for text, colour in items)

    kinds_title = label("issue_map", "kinds", lang).format(fdr=f"{fdr:.0%}")
    body = f"<b>{kinds_title}</b>{rows(kinds, dot=False)}"
    if categories:
        body += f'<b>{label("issue_map", "categories", lang)}</b>{rows(categories, dot=True)}'
    return Element(
        '<details class="pg-legend patrolgeo-legend" open style="position:fixed;bottom:24px;'
        "left:12px;z-index:9999;background:white;padding:8px 10px;border-radius:6px;"
        "font:12px sans-serif;max-height:45vh;overflow:auto;box-shadow:0 1px 4px "
        f'rgba(0,0,0,.3)"><summary><b>{label("issue_map", "legend", lang)}</b></summary>'
        f"{body}</details>"
        f"<script>if (window.innerWidth < {NARROW_PX}) document.querySelectorAll("
        "'details.pg-legend').forEach(function (d) { d.open = false; });</script>")


#: Height of the synthetic-data banner and its margin, CSS px (controls go below it).
SYNTHETIC_BANNER_PX = 48


def _synthetic_banner(lang: str) -> Any:
    """The banner saying the map is built from synthetic reports."""
    from branca.element import Element

    return Element(
        '<div class="patrolgeo-synthetic" style="position:fixed;top:10px;left:60px;'
        "z-index:9999;background:#fff3cd;border:1px solid #d39e00;padding:4px 8px;"
        f'font:13px sans-serif">{pick("演示用合成问题数据", "Synthetic demo reports", lang)}'
        "</div>")


def hotspot_map(
    segments: gpd.GeoDataFrame,
    reports: gpd.GeoDataFrame | None = None,
    *,
    category_col: str = "category",
    time_col: str = "reported_at",
    synthetic: bool = False,
    basemap: str = "osm",
    offline: bool = False,
    lang: str = DEFAULT_LANG,
) -> folium.Map:
    """Hot streets and hot areas on segments, a heatmap and clustered issue markers.

    Parameters
    ----------
    segments
        Segments with ``hot_kind`` (or, from older runs, ``gi_class`` alone) and, when
        present, ``issue_count``, ``street_expected``, ``street_q``, ``gi_q``,
        ``trend_label``.
    reports
        Issue reports as points (any CRS) with ``category_col`` and ``time_col``; shown
        as a heatmap and as markers clustered per category, with a week slider.
    category_col, time_col
        The category and report-time columns of ``reports``.
    synthetic
        Label the map as built from synthetic reports.
    basemap, offline
        See :func:`patrolgeo.outputs.maps.base_map`.
    lang
        Language of the map's words.

    Returns
    -------
    folium.Map
        The map.
    """
    import folium

    shown = _styled_segments(segments, lang)
    fields, aliases = popup_fields(shown, _POPUP, lang)
    hot_fields = [(c, label("issue_map", code, lang)) for c, code in _HOT_POPUP
                  if c in shown.columns]
    fields = [fields[0], *[c for c, _ in hot_fields], *fields[1:]] if fields else fields
    aliases = [aliases[0], *[a for _, a in hot_fields], *aliases[1:]] if aliases else aliases
    fmap = base_map(latlon_bounds(segments, basemap), basemap=basemap, offline=offline,
                    lang=lang)
    title = label("issue_map", "title", lang)
    styled_geojson(display_geojson(shown, [*fields, "_c", "_w"], basemap=basemap),
                   name=title, popup=geojson_popup(fields, aliases)).add_to(fmap)
    control = folium.LayerControl(collapsed=False)
    categories: list[tuple[str, str]] = []
    if reports is not None and len(reports):
        categories = _add_reports(fmap, control, reports, category_col, time_col, basemap,
                                  lang)
    else:
        control.add_to(fmap)
    fmap.add_child(map_script(_FOLD_LAYERS_JS % {"px": NARROW_PX,
                                                 "control": control.get_name()}))
    present = set(shown["_kind"])
    kinds = [(hot_kind_label(k, lang), HOT_KIND_COLOURS[k]) for k in HOT_KINDS
             if k in present or k in ("street", "area")]
    fdr = float(segments.attrs.get("fdr", DEFAULT_FDR))
    root_figure(fmap).html.add_child(_legend(kinds, categories, fdr, lang))
    if synthetic:
        root_figure(fmap).html.add_child(_synthetic_banner(lang))
        # on a phone the banner spans the top: the week slider goes below it
        fold_on_narrow_screens(fmap, top_offset_px=SYNTHETIC_BANNER_PX)
    return fmap


def _styled_segments(segments: gpd.GeoDataFrame, lang: str) -> gpd.GeoDataFrame:
    """Segments with their kind, colour, weight and the popup's words and numbers."""
    if "hot_kind" in segments.columns:
        kind = segments["hot_kind"].astype(str)
    else:  # a table from before hot streets: its Gi* classes are hot/cold areas
        gi = segments["gi_class"].astype(str)
        kind = pd.Series(np.where(gi.str.startswith("hot"), "area",
                                  np.where(gi.str.startswith("cold"), "cold_area", "none")),
                         index=segments.index)
    extra: dict[str, Any] = {
        "_kind": kind,
        "_c": kind.map(HOT_KIND_COLOURS).fillna(OTHER_COLOUR),
        "_w": kind.map(HOT_KIND_WEIGHTS).fillna(2),
        "hot_name": kind.map(lambda k: hot_kind_label(k, lang)),
        "gi_name": segments["gi_class"].map(lambda c: gi_class_label(c, lang)),
    }
    for column, shown in (("street_expected", "_expected"), ("street_q", "_street_q"),
                          ("gi_q", "_gi_q")):
        if column in segments.columns:
            digits = 1 if column == "street_expected" else 3
            extra[shown] = [_number(v, digits) for v in segments[column]]
    return segments.assign(**extra)


def _number(value: float, digits: int) -> str:
    """A number for a popup: fixed decimals, or scientific when it is tiny."""
    if value != 0 and abs(value) < 10 ** -digits:
        return f"{value:.1e}"
    return f"{value:.{digits}f}"
