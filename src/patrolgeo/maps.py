"""HTML maps (folium) of what the other stages computed; this module computes no route.

Every map is one HTML file. ``offline=True`` inlines every script and style sheet
(Leaflet and its plugins, from the ``folium-offline`` package) and draws no tiles, so a
patrol lead can open it on a phone with no signal; the road network itself is the base.
Basemaps: OpenStreetMap (default), AMap/Gaode (GCJ-02: every overlay coordinate is
converted from WGS-84 with ``coordTransform``) and Tianditu (CGCS2000, which matches
WGS-84 at map scale). The attribution always names OpenStreetMap's contributors.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

import coordTransform
import folium
import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
import shapely
from branca.element import Element, MacroElement
from folium.elements import JSCSSMixin
from folium.utilities import JsCode
from jinja2 import Template

from patrolgeo import ATTRIBUTION
from patrolgeo.errors import ConfigError
from patrolgeo.i18n import tr
from patrolgeo.io import WGS84, write_text
from patrolgeo.issues.hotspots import gi_class_label

OSM_ATTRIBUTION = (
    '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors'
)


@dataclass(frozen=True)
class Basemap:
    """A tile source and the datum its tiles are drawn in."""

    name: str
    label_zh: str
    label_en: str
    tiles: str
    attribution: str
    datum: str  # "wgs84" or "gcj02"
    subdomains: str = "abc"
    max_zoom: int = 19

    @property
    def label(self) -> str:
        return tr(self.label_zh, self.label_en)


BASEMAPS: dict[str, Basemap] = {
    "osm": Basemap("osm", "OpenStreetMap 底图", "OpenStreetMap",
                   "https://tile.openstreetmap.org/{z}/{x}/{y}.png", OSM_ATTRIBUTION, "wgs84",
                   subdomains=""),
    "amap": Basemap("amap", "高德地图", "AMap (Gaode)",
                    "https://webrd0{s}.is.autonavi.com/appmaptile?lang=zh_cn&size=1&scale=1"
                    "&style=8&x={x}&y={y}&z={z}",
                    f"&copy; 高德地图 AutoNavi | 数据 {OSM_ATTRIBUTION}", "gcj02",
                    subdomains="1234", max_zoom=18),
    "tianditu": Basemap("tianditu", "天地图", "Tianditu",
                        "https://t{s}.tianditu.gov.cn/vec_w/wmts?SERVICE=WMTS&REQUEST=GetTile"
                        "&VERSION=1.0.0&LAYER=vec&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles"
                        "&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}&tk={key}",
                        f"&copy; 天地图 Tianditu | 数据 {OSM_ATTRIBUTION}", "wgs84",
                        subdomains="01234567", max_zoom=18),
}

#: Colours of highway classes, most important first; anything else is grey.
HIGHWAY_COLOURS = {
    "motorway": "#e31a1c", "trunk": "#e31a1c", "primary": "#fd8d3c", "secondary": "#fdbf6f",
    "tertiary": "#ffff33", "unclassified": "#6a3d9a", "residential": "#1f78b4",
    "living_street": "#a6cee3", "service": "#b2df8a", "pedestrian": "#33a02c",
    "footway": "#66c2a5", "cycleway": "#8dd3c7", "path": "#b15928", "steps": "#fb9a99",
    "track": "#cab2d6",
}
OTHER_COLOUR = "#888888"

#: Territory colours: distinct, readable on a light basemap; neighbours never share one.
TERRITORY_COLOURS = (
    "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#17becf",
    "#bcbd22", "#7f7f7f", "#393b79", "#637939",
)


def highway_label(highway: str) -> str:
    """Return the user-facing name of a highway class."""
    names = {
        "motorway": ("高速公路", "Motorway"), "trunk": ("快速路", "Trunk"),
        "primary": ("主干路", "Primary"), "secondary": ("次干路", "Secondary"),
        "tertiary": ("支路(三级)", "Tertiary"), "unclassified": ("未分级道路", "Unclassified"),
        "residential": ("居住区道路", "Residential"),
        "living_street": ("生活街道", "Living street"), "service": ("服务道路", "Service"),
        "pedestrian": ("步行街", "Pedestrian"), "footway": ("人行道", "Footway"),
        "cycleway": ("自行车道", "Cycleway"), "path": ("小路", "Path"),
        "steps": ("台阶", "Steps"), "track": ("机耕路", "Track"),
    }
    zh, en = names.get(highway, (highway, highway))
    return tr(zh, en)


# --------------------------------------------------------------------------- coordinates


def wgs84_to_gcj02(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Convert WGS-84 to GCJ-02 (the datum of AMap and Tencent tiles), vectorised.

    Points outside China are returned unchanged, as the GCJ-02 rules define.
    """
    lon = np.asarray(lon, dtype=float)
    lat = np.asarray(lat, dtype=float)
    if lon.size == 0:
        return lon, lat
    out_lon, out_lat = coordTransform.wgs84_to_gcj02(lon, lat)
    return np.asarray(out_lon, dtype=float), np.asarray(out_lat, dtype=float)


def check_basemap(basemap: str) -> None:
    """Raise :class:`ConfigError` unless ``basemap`` names a known basemap."""
    if basemap not in BASEMAPS:
        raise ConfigError(f"unknown basemap {basemap!r}; choose one of {', '.join(BASEMAPS)}",
                          field="basemap")


def to_display_crs(gdf: gpd.GeoDataFrame, basemap: str = "osm") -> gpd.GeoDataFrame:
    """Return ``gdf`` in the datum of ``basemap``'s tiles (WGS-84 or GCJ-02 degrees)."""
    check_basemap(basemap)
    out = gdf.to_crs(WGS84) if gdf.crs is not None else gdf
    if BASEMAPS[basemap].datum == "gcj02":
        def shift(coords: np.ndarray) -> np.ndarray:
            lon, lat = wgs84_to_gcj02(coords[:, 0], coords[:, 1])
            return np.column_stack([lon, lat])

        out = out.set_geometry(shapely.transform(out.geometry.values, shift))
    return out


def display_geojson(
    gdf: gpd.GeoDataFrame,
    columns: list[str],
    *,
    basemap: str = "osm",
    tolerance_m: float = 1.0,
) -> dict[str, Any]:
    """GeoJSON for display: simplified in metres, in the basemap's datum, ~1 m precision."""
    shown = gdf[[*columns, gdf.geometry.name]].copy()
    if shown.crs is not None and shown.crs.is_projected and tolerance_m > 0:
        shown = shown.set_geometry(shown.geometry.simplify(tolerance_m))
    shown = to_display_crs(shown, basemap)
    coarse = shapely.set_precision(shown.geometry.values, 1e-5)
    # a piece shorter than the ~1 m grid would vanish: keep it at a finer grid
    fine = shapely.set_precision(shown.geometry.values, 1e-7)
    shown = shown.set_geometry(np.where(shapely.is_empty(coarse), fine, coarse))
    return json.loads(shown.to_json(drop_id=True, ensure_ascii=False))


def latlon_bounds(gdf: gpd.GeoDataFrame, basemap: str = "osm") -> list[list[float]]:
    """``[[south, west], [north, east]]`` of ``gdf`` in the basemap's datum."""
    west, south, east, north = to_display_crs(gdf[[gdf.geometry.name]], basemap).total_bounds
    return [[float(south), float(west)], [float(north), float(east)]]


# --------------------------------------------------------------------------- maps


class _MapScript(MacroElement):
    """JavaScript run once the map exists; ``{map}`` stands for the map's variable."""

    _template = Template(
        "{% macro script(this, kwargs) %}"
        "{{ this.code.replace('{map}', this._parent.get_name()) }}"
        "{% endmacro %}"
    )

    def __init__(self, code: str) -> None:
        super().__init__()
        self._name = "MapScript"
        self.code = code


def base_map(
    bounds: list[list[float]],
    *,
    basemap: str = "osm",
    offline: bool = False,
    tianditu_key: str | None = None,
) -> folium.Map:
    """An empty map fitted to ``bounds`` with the chosen basemap (none when offline).

    Parameters
    ----------
    bounds
        ``[[south, west], [north, east]]`` in the basemap's datum.
    basemap
        ``"osm"``, ``"amap"`` or ``"tianditu"``.
    offline
        Draw no tiles (nothing to fetch); the overlays are the map.
    tianditu_key
        The Tianditu API key (``tk``) the Tianditu basemap needs.
    """
    check_basemap(basemap)
    fmap = folium.Map(tiles=None, control_scale=False, prefer_canvas=False, zoom_control=True)
    source = BASEMAPS[basemap]
    # clustering needs a maximum zoom, which otherwise only a tile layer would give
    fmap.add_child(_MapScript(f"{{map}}.setMaxZoom({source.max_zoom});"
                              "L.control.scale({imperial: false}).addTo({map});"))
    if not offline:
        url = source.tiles.replace("{key}", tianditu_key or "")
        folium.TileLayer(url, name=source.label, attr=source.attribution,
                         subdomains=source.subdomains or "abc", max_zoom=source.max_zoom,
                         max_native_zoom=source.max_zoom).add_to(fmap)
    else:
        fmap.get_root().header.add_child(Element(
            "<style>.leaflet-container{background:#f4f3ef !important}</style>"))
        # with no tiles nothing else credits the data: say it in Leaflet's own control
        fmap.add_child(_MapScript(
            "{map}.attributionControl.addAttribution(" + json.dumps(OSM_ATTRIBUTION) + ");"
        ))
    fmap.fit_bounds(bounds)
    return fmap


def legend(title: str, items: list[tuple[str, str]], *, position: str = "bottomleft") -> Element:
    """A fixed legend box of ``(label, colour)`` rows."""
    rows = "".join(
        f'<div><span style="display:inline-block;width:18px;height:4px;background:{colour};'
        f'margin-right:6px;vertical-align:middle"></span>{label}</div>'
        for label, colour in items
    )
    side = "left:12px" if position.endswith("left") else "right:12px"
    return Element(
        f'<div class="patrolgeo-legend" style="position:fixed;bottom:24px;{side};z-index:9999;'
        "background:white;padding:8px 10px;border-radius:6px;font:12px sans-serif;"
        "max-height:45vh;overflow:auto;"
        f'box-shadow:0 1px 4px rgba(0,0,0,.3)"><b>{title}</b>{rows}</div>'
    )


_STYLE_FROM_PROPERTIES = JsCode(
    "function(feature, layer) {"
    " const p = feature.properties;"
    " layer.setStyle({color: p._c || '#3388ff', weight: p._w || 3, opacity: p._o || 0.9,"
    " dashArray: p._d || null});"
    "}"
)


def styled_geojson(data: dict[str, Any], *, name: str, popup=None, tooltip=None,
                   show: bool = True) -> folium.GeoJson:
    """A GeoJSON layer styled in the browser from feature properties.

    ``_c`` (colour), ``_w`` (weight), ``_o`` (opacity) and ``_d`` (dash) are read per
    feature; unlike folium's ``style_function``, no per-feature style table is written
    into the page, which keeps district maps small.
    """
    return folium.GeoJson(data, name=name, popup=popup, tooltip=tooltip, show=show,
                          on_each_feature=_STYLE_FROM_PROPERTIES)


def classified_map(
    segments: gpd.GeoDataFrame,
    column: str,
    colours: dict[Any, str],
    labels: dict[Any, str],
    *,
    title: str,
    popup: list[tuple[str, str, str]],
    basemap: str = "osm",
    offline: bool = False,
) -> folium.Map:
    """Segments coloured by the classes of ``column``, with a legend and popups.

    Parameters
    ----------
    colours, labels
        Colour and user-facing label of each class, in legend order; other classes are
        grey and labelled "other".
    popup
        ``(column, Chinese alias, English alias)`` of the popup rows, where present.
    """
    shown = segments.assign(_c=segments[column].map(colours).fillna(OTHER_COLOUR).astype(str),
                            length_m=segments["length_m"].round(1))
    fields, aliases = _popup_fields(shown, popup)
    fmap = base_map(latlon_bounds(segments, basemap), basemap=basemap, offline=offline)
    styled_geojson(display_geojson(shown, [*fields, "_c"], basemap=basemap), name=title,
                   popup=folium.GeoJsonPopup(fields=fields, aliases=aliases)).add_to(fmap)
    values = set(segments[column])
    items = [(labels[c], colours[c]) for c in colours if c in values]
    if values - set(colours):
        items.append((tr("其他", "Other"), OTHER_COLOUR))
    fmap.get_root().html.add_child(legend(title, items))
    folium.LayerControl().add_to(fmap)
    return fmap


def segments_map(
    segments: gpd.GeoDataFrame,
    *,
    basemap: str = "osm",
    offline: bool = False,
) -> folium.Map:
    """Segments coloured by road class (OSM highway), with a legend and popups."""
    return classified_map(
        segments.assign(highway_label=segments["highway"].map(highway_label)),
        "highway", HIGHWAY_COLOURS, {h: highway_label(h) for h in HIGHWAY_COLOURS},
        title=tr("道路等级", "Road class"),
        popup=[("road_name", "道路", "Road"), ("highway_label", "等级", "Class"),
               ("length_m", "长度(米)", "Length (m)"), ("segment_id", "分段编号", "Segment id")],
        basemap=basemap, offline=offline,
    )


GRADE_COLOURS = {1: "#d7191c", 2: "#fdae61", 3: "#a6d96a", 4: "#2c7bb6"}


def grade_map(
    segments: gpd.GeoDataFrame,
    *,
    basemap: str = "osm",
    offline: bool = False,
) -> folium.Map:
    """Segments coloured by cleaning grade (一级 … 四级) with their plan figures."""
    labels = {g: tr(z, e) for g, z, e in [(1, "一级", "Grade 1"), (2, "二级", "Grade 2"),
                                            (3, "三级", "Grade 3"), (4, "四级", "Grade 4")]}
    shown = segments.assign(
        grade_text=segments["grade"].map(labels),
        **{c: segments[c].round(1) for c in ("workload", "crew_hours_week") if c in segments},
    )
    return classified_map(
        shown, "grade", GRADE_COLOURS, labels, title=tr("保洁等级", "Cleaning grade"),
        popup=[("road_name", "道路", "Road"), ("grade_text", "保洁等级", "Cleaning grade"),
               ("crew_hours_week", "保洁工时(小时/周)", "Crew hours/week"),
               ("workload", "路长巡查(分钟/周)", "Chief patrol (min/week)"),
               ("length_m", "长度(米)", "Length (m)"), ("segment_id", "分段编号", "Segment id")],
        basemap=basemap, offline=offline,
    )


# --------------------------------------------------------------------------- territories


def territory_colours(segments: gpd.GeoDataFrame, chief_col: str = "chief_id") -> dict[Any, str]:
    """Colour territories so that two territories meeting at a node never share a colour.

    Up to the palette's size every territory gets a colour of its own. Beyond it,
    territories are adjacent when segments of both end at one graph node and the
    territory graph is coloured with DSatur (networkx), which needs few colours on such
    planar-like graphs; past the palette, further colours are spread evenly in hue.
    """
    ends = pd.concat([
        segments[[chief_col, "u"]].rename(columns={"u": "node"}),
        segments[[chief_col, "v"]].rename(columns={"v": "node"}),
    ]).drop_duplicates()
    shared = ends.merge(ends, on="node")
    shared = shared[shared[f"{chief_col}_x"] != shared[f"{chief_col}_y"]]
    adjacency = nx.Graph()
    adjacency.add_nodes_from(sorted(segments[chief_col].unique(), key=str))
    adjacency.add_edges_from(zip(shared[f"{chief_col}_x"], shared[f"{chief_col}_y"],
                                 strict=True))
    palette = list(TERRITORY_COLOURS)
    if adjacency.number_of_nodes() <= len(palette):
        # few enough chiefs for a colour each: the legend then names one territory a colour
        return {chief: palette[i] for i, chief in enumerate(adjacency.nodes)}
    colouring = nx.greedy_color(adjacency, strategy="DSATUR")
    n_colours = max(colouring.values(), default=-1) + 1
    for i in range(len(palette), n_colours):
        hue = (i * 0.618033988749895) % 1.0
        palette.append("#{:02x}{:02x}{:02x}".format(*(int(255 * c) for c in _hsv(hue, .65, .8))))
    return {chief: palette[c] for chief, c in colouring.items()}


def _hsv(h: float, s: float, v: float) -> tuple[float, float, float]:
    import colorsys

    return colorsys.hsv_to_rgb(h, s, v)


def _popup_fields(segments: gpd.GeoDataFrame, wanted: list[tuple[str, str, str]]):
    present = [(col, tr(zh, en)) for col, zh, en in wanted if col in segments.columns]
    return [c for c, _ in present], [a for _, a in present]


def overview_map(
    segments: gpd.GeoDataFrame,
    summary: pd.DataFrame | None = None,
    *,
    chief_col: str = "chief_id",
    basemap: str = "osm",
    offline: bool = False,
) -> folium.Map:
    """Territories of all chiefs in distinct colours, with a legend and segment popups.

    Parameters
    ----------
    segments
        Segments with ``chief_col`` and, when present, ``grade``, ``plan_summary``,
        ``workload`` and ``issue_count`` (shown in popups).
    summary
        One row per chief: ``chief_col`` and optionally ``chief_name``, ``km``,
        ``workload`` (shown in the legend).
    """
    colours = territory_colours(segments, chief_col)
    shown = segments.assign(
        _c=segments[chief_col].map(colours), _w=4,
        length_m=segments["length_m"].round(1),
        **({"workload": segments["workload"].round(1)} if "workload" in segments else {}),
    )
    fields, aliases = _popup_fields(shown, [
        ("road_name", "道路", "Road"), (chief_col, "路长", "Road chief"),
        ("grade", "保洁等级", "Cleaning grade"), ("plan_summary", "一路一策", "Road plan"),
        ("workload", "工作量(分钟/周)", "Workload (min/week)"),
        ("issue_count", "问题数", "Issues"), ("length_m", "长度(米)", "Length (m)"),
        ("segment_id", "分段编号", "Segment id"),
    ])
    fmap = base_map(latlon_bounds(segments, basemap), basemap=basemap, offline=offline)
    rows = summary.set_index(chief_col) if summary is not None else None
    items = []
    for chief in sorted(colours, key=str):
        part = shown[shown[chief_col] == chief]
        label = str(chief)
        if rows is not None and chief in rows.index:
            row = rows.loc[chief]
            name = row.get("chief_name", None)
            label = f"{name} ({chief})" if isinstance(name, str) and name else str(chief)
            km = row.get("km", part["length_m"].sum() / 1000)
            label += tr(f" · {km:.1f} 公里", f" · {km:.1f} km")
            if "workload" in row and pd.notna(row["workload"]):
                label += tr(f" · {row['workload']:.0f} 分钟/周", f" · {row['workload']:.0f} min/wk")
        else:
            label += tr(f" · {part['length_m'].sum() / 1000:.1f} 公里",
                        f" · {part['length_m'].sum() / 1000:.1f} km")
        items.append((label, colours[chief]))
        styled_geojson(
            display_geojson(part, [*fields, "_c", "_w"], basemap=basemap),
            name=tr(f"路长 {chief}", f"Chief {chief}"),
            popup=folium.GeoJsonPopup(fields=fields, aliases=aliases),
        ).add_to(fmap)
    fmap.get_root().html.add_child(legend(tr("路长责任区", "Road-chief territories"), items))
    folium.LayerControl(collapsed=True).add_to(fmap)
    return fmap


# --------------------------------------------------------------------------- hotspots

GI_COLOURS = {
    "hot_99": "#b2182b", "hot_95": "#ef8a62", "hot_90": "#fdae61",
    "not_significant": "#bdbdbd",
    "cold_90": "#abd9e9", "cold_95": "#67a9cf", "cold_99": "#2166ac",
}


class _IssueLayers(JSCSSMixin, MacroElement):
    """Clustered issue markers, one layer per category, filtered by a week slider.

    Reports travel as one compact JSON array and markers are built in the browser,
    which keeps a map of many thousand reports small. ``window.patrolgeoIssues`` exposes
    the groups and ``setWeek`` for tests.
    """

    _template = Template("""
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
""")

    default_js: ClassVar[list[tuple[str, str]]] = [("leaflet.markercluster",
                   "https://cdnjs.cloudflare.com/ajax/libs/leaflet.markercluster/1.1.0/"
                   "leaflet.markercluster.js")]
    default_css: ClassVar[list[tuple[str, str]]] = [
        ("markerclustercss",
         "https://cdnjs.cloudflare.com/ajax/libs/leaflet.markercluster/1.1.0/MarkerCluster.css"),
        ("markerclusterdefaultcss",
         "https://cdnjs.cloudflare.com/ajax/libs/leaflet.markercluster/1.1.0/"
         "MarkerCluster.Default.css"),
    ]

    def __init__(self, payload: dict[str, Any], control: folium.LayerControl) -> None:
        super().__init__()
        self._name = "IssueLayers"
        self.payload = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
        self.control = control.get_name()


CATEGORY_COLOURS = ("#e41a1c", "#377eb8", "#4daf4a", "#984ea3", "#ff7f00", "#a65628",
                    "#f781bf", "#999999", "#66c2a5", "#fc8d62")


def hotspot_map(
    segments: gpd.GeoDataFrame,
    reports: gpd.GeoDataFrame | None = None,
    *,
    category_col: str = "category",
    time_col: str = "reported_at",
    synthetic: bool = False,
    basemap: str = "osm",
    offline: bool = False,
) -> folium.Map:
    """Gi* hot and cold spots on segments, a heatmap and clustered issue markers.

    Parameters
    ----------
    segments
        Segments with ``gi_class`` and, when present, ``issue_count``, ``trend_label``.
    reports
        Issue reports as points (any CRS) with ``category_col`` and ``time_col``; shown
        as a heatmap and as markers clustered per category, with a week slider.
    synthetic
        Label the map as built from synthetic reports.
    """
    from folium.plugins import HeatMap

    shown = segments.assign(_c=segments["gi_class"].map(GI_COLOURS).fillna(OTHER_COLOUR),
                            _w=np.where(segments["gi_class"] == "not_significant", 2, 5),
                            gi_name=segments["gi_class"].map(gi_class_label))
    fields, aliases = _popup_fields(shown, [
        ("road_name", "道路", "Road"), ("gi_name", "热点分析", "Hot spot analysis"),
        ("issue_count", "问题数", "Issues"), ("trend_label", "趋势", "Trend"),
        ("segment_id", "分段编号", "Segment id"),
    ])
    fmap = base_map(latlon_bounds(segments, basemap), basemap=basemap, offline=offline)
    styled_geojson(display_geojson(shown, [*fields, "_c", "_w"], basemap=basemap),
                   name=tr("热点分析 (Gi*)", "Hot spots (Gi*)"),
                   popup=folium.GeoJsonPopup(fields=fields, aliases=aliases)).add_to(fmap)
    control = folium.LayerControl(collapsed=False)
    if reports is not None and len(reports):
        pts = to_display_crs(reports, basemap)
        lat = np.round(pts.geometry.y.to_numpy(), 5)
        lon = np.round(pts.geometry.x.to_numpy(), 5)
        HeatMap(np.column_stack([lat, lon]).tolist(), name=tr("问题热力图", "Issue heatmap"),
                radius=14, blur=18, show=False).add_to(fmap)
        times = pd.to_datetime(reports[time_col])
        week_start = (times.dt.tz_localize(None) if times.dt.tz is not None else times)
        week_start = (week_start - pd.to_timedelta(week_start.dt.weekday, unit="D")).dt.date
        weeks = sorted(set(week_start))
        week_index = {w: i for i, w in enumerate(weeks)}
        categories = sorted(reports[category_col].astype(str).unique())
        cat_index = {c: i for i, c in enumerate(categories)}
        when = times.dt.strftime("%Y-%m-%d %H:%M")
        popups = [
            f"<b>{c}</b><br>{t}" for c, t in zip(reports[category_col].astype(str), when,
                                                   strict=True)
        ]
        payload = {
            "categories": [tr(f"问题：{c}", f"Issues: {c}") for c in categories],
            "colours": [CATEGORY_COLOURS[i % len(CATEGORY_COLOURS)]
                        for i in range(len(categories))],
            "weeks": [tr(f"{w:%Y-%m-%d} 起一周", f"week of {w:%Y-%m-%d}") for w in weeks],
            "allWeeks": tr("全部周", "all weeks"),
            "title": tr("按周查看", "Week"),
            "labelId": "patrolgeo-week-label",
            "reports": [
                [float(a), float(b), cat_index[c], week_index[w], p]
                for a, b, c, w, p in zip(lat, lon, reports[category_col].astype(str),
                                         week_start, popups, strict=True)
            ],
        }
        control.add_to(fmap)
        fmap.add_child(_IssueLayers(payload, control))
    else:
        control.add_to(fmap)
    present = [c for c in GI_COLOURS if c in set(segments["gi_class"])]
    fmap.get_root().html.add_child(
        legend(tr("热点分析 (Gi*)", "Hot spots (Gi*)"),
               [(gi_class_label(c), GI_COLOURS[c]) for c in present]))
    if synthetic:
        fmap.get_root().html.add_child(Element(
            '<div class="patrolgeo-synthetic" style="position:fixed;top:10px;left:60px;'
            "z-index:9999;background:#fff3cd;border:1px solid #d39e00;padding:4px 8px;"
            f'font:13px sans-serif">{tr("演示用合成问题数据", "Synthetic demo reports")}</div>'))
    return fmap


# --------------------------------------------------------------------------- chief maps

ROUTE_COLOUR = "#d7301f"
DEADHEAD_COLOUR = "#636363"


def _arrow_points(route: gpd.GeoDataFrame, basemap: str, every_m: float) -> list[list[float]]:
    """``[lat, lon, bearing°]`` at the middle of every traversal of at least ``every_m``."""
    long_enough = route[route["length_m"] >= every_m]
    if long_enough.empty:
        return []
    lines = long_enough.geometry
    mid = to_display_crs(gpd.GeoDataFrame(geometry=lines.interpolate(0.5, normalized=True)),
                         basemap).geometry
    ahead = to_display_crs(gpd.GeoDataFrame(geometry=lines.interpolate(0.55, normalized=True)),
                           basemap).geometry
    # bearing in screen terms: scale longitude differences by cos(latitude)
    dx = (ahead.x - mid.x) * np.cos(np.radians(mid.y))
    dy = ahead.y - mid.y
    bearing = (np.degrees(np.arctan2(dx, dy)) + 360) % 360
    return [[round(float(a), 5), round(float(b), 5), round(float(c))]
            for a, b, c in zip(mid.y, mid.x, bearing, strict=True)]


def _turn_panel(title: str, instructions: list[str], gpx: str | None, gpx_name: str) -> Element:
    import base64
    import html as html_lib

    items = "".join(f"<li>{html_lib.escape(text)}</li>" for text in instructions)
    link = ""
    if gpx is not None:
        data = base64.b64encode(gpx.encode("utf-8")).decode("ascii")
        link = (f'<a class="patrolgeo-gpx" download="{html_lib.escape(gpx_name)}" '
                f'href="data:application/gpx+xml;base64,{data}">'
                f"{tr('下载 GPX 轨迹', 'Download GPX track')}</a>")
    return Element(
        '<details class="patrolgeo-turns" open style="position:fixed;top:10px;left:56px;'
        "z-index:9999;background:white;max-width:min(360px,70vw);max-height:55vh;"
        "overflow:auto;padding:6px 10px;border-radius:6px;font:12px sans-serif;"
        'box-shadow:0 1px 4px rgba(0,0,0,.3)">'
        f"<summary><b>{html_lib.escape(title)}</b></summary>{link}"
        f'<ol style="list-style:none;padding-left:4px">{items}</ol></details>'
    )


def chief_map(
    territory: gpd.GeoDataFrame,
    route: gpd.GeoDataFrame | None = None,
    *,
    chief: str = "",
    instructions: list[str] | None = None,
    gpx: str | None = None,
    points: gpd.GeoDataFrame | None = None,
    colour: str = TERRITORY_COLOURS[0],
    basemap: str = "osm",
    offline: bool = False,
    arrow_every_m: float = 40.0,
) -> folium.Map:
    """One chief's territory and patrol route, drawn in order, with a turn list and GPX.

    Parameters
    ----------
    territory
        The chief's segments.
    route
        The route as one row per traversal, in order (``Route.to_geodataframe()``):
        ``seq, road_name, deadhead, length_m, cum_m`` and each line oriented the way it
        is travelled. Service is drawn solid, deadhead dashed; arrows show the direction.
    instructions
        Turn-by-turn lines, shown as a numbered list.
    gpx
        The route as GPX text, offered as a download link inside the page.
    points
        Point visits (school-gate posts, inspections) with ``name`` and optionally
        ``kind`` and ``time_window``.
    """
    fmap = base_map(latlon_bounds(territory, basemap), basemap=basemap, offline=offline)
    shown = territory.assign(_c=colour, _w=7, _o=0.35, length_m=territory["length_m"].round(1))
    fields, aliases = _popup_fields(shown, [
        ("road_name", "道路", "Road"), ("grade", "保洁等级", "Cleaning grade"),
        ("length_m", "长度(米)", "Length (m)"), ("segment_id", "分段编号", "Segment id"),
    ])
    styled_geojson(display_geojson(shown, [*fields, "_c", "_w", "_o"], basemap=basemap),
                   name=tr("责任区", "Territory"),
                   popup=folium.GeoJsonPopup(fields=fields, aliases=aliases)).add_to(fmap)
    if route is not None and len(route):
        drawn = route.assign(
            _c=np.where(route["deadhead"], DEADHEAD_COLOUR, ROUTE_COLOUR), _w=3, _o=0.95,
            _d=np.where(route["deadhead"], "6 6", ""),
            kind=np.where(route["deadhead"], tr("空驶/转场", "Deadhead"), tr("巡查", "Patrol")),
            km=(route["cum_m"] / 1000).round(2),
        )
        rfields, raliases = _popup_fields(drawn, [
            ("seq", "顺序", "Step"), ("road_name", "道路", "Road"), ("kind", "类型", "Kind"),
            ("km", "累计公里", "Cumulative km"),
        ])
        styled_geojson(display_geojson(drawn, [*rfields, "_c", "_w", "_o", "_d"],
                                       basemap=basemap, tolerance_m=0.5),
                       name=tr("巡查路线", "Patrol route"),
                       popup=folium.GeoJsonPopup(fields=rfields, aliases=raliases)).add_to(fmap)
        arrows = _arrow_points(drawn, basemap, arrow_every_m)
        fmap.add_child(_MapScript(
            "(function(){const g=L.layerGroup();"
            f"for(const a of {json.dumps(arrows)}){{"
            "L.marker([a[0],a[1]],{interactive:false,icon:L.divIcon({className:'patrolgeo-arrow',"
            "iconSize:[14,14],html:'<div style=\"transform:rotate('+a[2]+'deg);color:"
            f"{ROUTE_COLOUR};font:bold 14px sans-serif;line-height:14px;text-align:center\">"
            "&#9650;</div>'})}).addTo(g);}"
            "g.addTo({map});window.patrolgeoArrows=g;})();"
        ))
        first = to_display_crs(route.iloc[[0]][[route.geometry.name]], basemap).geometry.iloc[0]
        last = to_display_crs(route.iloc[[-1]][[route.geometry.name]], basemap).geometry.iloc[0]
        start = first.coords[0]
        end = last.coords[-1]
        closed = np.allclose(start, end)
        folium.CircleMarker([start[1], start[0]], radius=9, color="#1a9641", fill=True,
                            fill_opacity=1, weight=3,
                            tooltip=tr("起点/终点", "Start/end") if closed else tr("起点", "Start"),
                            ).add_to(fmap)
        if not closed:
            folium.CircleMarker([end[1], end[0]], radius=9, color="#d7191c", fill=True,
                                fill_opacity=1, weight=3, tooltip=tr("终点", "End")).add_to(fmap)
    if points is not None and len(points):
        shown_points = to_display_crs(points, basemap)
        group = folium.FeatureGroup(name=tr("定点任务", "Point visits"))
        for row in shown_points.itertuples():
            text = str(getattr(row, "name", ""))
            for extra in ("kind", "time_window"):
                value = getattr(row, extra, None)
                if value is not None and str(value):
                    text += f"<br>{value}"
            folium.CircleMarker([row.geometry.y, row.geometry.x], radius=7, color="#2b83ba",
                                fill=True, fill_opacity=0.9, popup=text).add_to(group)
        group.add_to(fmap)
    if instructions is not None or gpx is not None:
        title = tr(f"路长 {chief} 巡查路线", f"Road chief {chief}: patrol route")
        fmap.get_root().html.add_child(
            _turn_panel(title, instructions or [], gpx, f"route-{chief or 'chief'}.gpx"))
    fmap.get_root().html.add_child(legend(tr("图例", "Legend"), [
        (tr("责任区", "Territory"), colour), (tr("巡查路线", "Patrol route"), ROUTE_COLOUR),
        (tr("空驶/转场 (虚线)", "Deadhead (dashed)"), DEADHEAD_COLOUR),
    ]))
    folium.LayerControl(collapsed=True).add_to(fmap)
    return fmap


# --------------------------------------------------------------------------- saving

_SCRIPT_TAG = re.compile(r'<script\s+src="(https?://[^"]+)"\s*>\s*</script>')
_LINK_TAG = re.compile(r'<link\s+rel="stylesheet"\s+href="(https?://[^"]+)"\s*/?>')
_ELEMENT_ID = re.compile(r"(?<=_)[0-9a-f]{32}(?![0-9a-f])")
#: Style sheets that only bring icon fonts (fetched from the network at draw time); the
#: offline maps use no font icons, so these are dropped rather than left to fail.
_FONT_ONLY_CSS = ("fontawesome", "bootstrap-glyphicons", "bootstrap.min.css",
                  "leaflet.awesome.rotate", "leaflet.awesome-markers",
                  "bootstrap.bundle.min.js", "leaflet.awesome-markers.js")


class OfflineAssetError(RuntimeError):
    """A map uses a script or style that no bundled offline copy exists for."""


def _offline_assets() -> dict[str, str]:
    from offlinefolium.elements import _res

    return _res


def inline_assets(html: str) -> str:
    """Replace every ``<script src>`` and style-sheet link with the bundled file's text."""
    assets = _offline_assets()

    def content(url: str) -> str | None:
        if any(part in url for part in _FONT_ONLY_CSS):
            return None
        if url not in assets:
            raise OfflineAssetError(f"no offline copy of {url}")
        return assets[url]

    def script(match: re.Match[str]) -> str:
        text = content(match.group(1))
        if text is None:
            return ""
        return "<script>" + text.replace("</script", "<\\/script") + "</script>"

    def style(match: re.Match[str]) -> str:
        text = content(match.group(1))
        return "" if text is None else "<style>" + text + "</style>"

    html = _SCRIPT_TAG.sub(script, html)
    return _LINK_TAG.sub(style, html)


def render_map(fmap: folium.Map, *, offline: bool = False) -> str:
    """Render a map to HTML with stable element ids (byte-identical across runs)."""
    html = fmap.get_root().render()
    ids: dict[str, str] = {}
    html = _ELEMENT_ID.sub(lambda m: ids.setdefault(m.group(0), f"{len(ids):032x}"), html)
    if offline:
        html = inline_assets(html)
    return html


def save_map(fmap: folium.Map, path: str | Path, *, offline: bool = False) -> Path:
    """Write a folium map to one HTML file atomically (self-contained when ``offline``)."""
    return write_text(render_map(fmap, offline=offline), path)


def index_page(links: list[tuple[str, str]], title: str) -> str:
    """Return an HTML page linking the maps and files a run wrote."""
    items = "\n".join(f'<li><a href="{href}">{label}</a></li>' for label, href in links)
    return (
        f'<!doctype html><html lang="{tr("zh", "en")}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{title}</title></head><body style=\"font-family:sans-serif\">"
        f"<h1>{title}</h1><ul>{items}</ul><p><small>{ATTRIBUTION}</small></p></body></html>"
    )
