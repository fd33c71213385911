"""The hotspot map: Gi* classes on segments, a heatmap, clustered reports with a week slider."""

from __future__ import annotations

import functools
import json
from typing import TYPE_CHECKING, Any, ClassVar

import geopandas as gpd
import numpy as np
import pandas as pd

from patrolgeo.issues import gi_class_label
from patrolgeo.labels import DEFAULT_LANG, pick
from patrolgeo.outputs.maps._base import (
    OTHER_COLOUR,
    base_map,
    display_geojson,
    geojson_popup,
    latlon_bounds,
    legend,
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

#: Marker colours of issue categories, in the categories' sorted order (then repeating).
CATEGORY_COLOURS = ("#e41a1c", "#377eb8", "#4daf4a", "#984ea3", "#ff7f00", "#a65628",
                    "#f781bf", "#999999", "#66c2a5", "#fc8d62")

#: Line weights: significant segments stand out from the rest.
_SIGNIFICANT_WEIGHT, _PLAIN_WEIGHT = 5, 2
#: Heatmap radius and blur in pixels.
_HEAT_RADIUS, _HEAT_BLUR = 14, 18
#: Decimal places of report coordinates (about 1 m).
_POINT_DECIMALS = 5

_POPUP = [("road_name", "road_name"), ("gi_name", "gi_name"), ("issue_count", "issue_count"),
          ("trend_label", "trend_label"), ("segment_id", "segment_id")]

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
                 category_col: str, time_col: str, basemap: str, lang: str) -> None:
    """Add the heatmap, the layer control and the clustered, week-filtered markers."""
    from folium.plugins import HeatMap

    pts = to_display_crs(reports, basemap)
    lat = np.round(pts.geometry.y.to_numpy(), _POINT_DECIMALS)
    lon = np.round(pts.geometry.x.to_numpy(), _POINT_DECIMALS)
    HeatMap(np.column_stack([lat, lon]).tolist(), name=pick("问题热力图", "Issue heatmap", lang),
            radius=_HEAT_RADIUS, blur=_HEAT_BLUR, show=False).add_to(fmap)
    payload = _report_payload(reports, lat, lon, category_col, time_col, lang)
    control.add_to(fmap)
    fmap.add_child(_issue_layers_class()(payload, control))


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
    """Gi* hot and cold spots on segments, a heatmap and clustered issue markers.

    Parameters
    ----------
    segments
        Segments with ``gi_class`` and, when present, ``issue_count``, ``trend_label``.
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

    plain = segments["gi_class"] == "not_significant"
    shown = segments.assign(_c=segments["gi_class"].map(GI_COLOURS).fillna(OTHER_COLOUR),
                            _w=np.where(plain, _PLAIN_WEIGHT, _SIGNIFICANT_WEIGHT),
                            gi_name=segments["gi_class"].map(lambda c: gi_class_label(c, lang)))
    fields, aliases = popup_fields(shown, _POPUP, lang)
    fmap = base_map(latlon_bounds(segments, basemap), basemap=basemap, offline=offline,
                    lang=lang)
    title = pick("热点分析 (Gi*)", "Hot spots (Gi*)", lang)
    styled_geojson(display_geojson(shown, [*fields, "_c", "_w"], basemap=basemap),
                   name=title, popup=geojson_popup(fields, aliases)).add_to(fmap)
    control = folium.LayerControl(collapsed=False)
    if reports is not None and len(reports):
        _add_reports(fmap, control, reports, category_col, time_col, basemap, lang)
    else:
        control.add_to(fmap)
    present = [c for c in GI_COLOURS if c in set(segments["gi_class"])]
    root_figure(fmap).html.add_child(
        legend(title, [(gi_class_label(c, lang), GI_COLOURS[c]) for c in present]))
    if synthetic:
        root_figure(fmap).html.add_child(_synthetic_banner(lang))
    return fmap
