"""What every map shares: basemaps and their datum, display GeoJSON, layers, legends, saving.

folium (and its branca elements) is imported inside the functions that draw, never when
this module is imported.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

import coordTransform
import geopandas as gpd
import numpy as np
import shapely

from patrolgeo.errors import ConfigError
from patrolgeo.labels import DEFAULT_LANG, label, pick
from patrolgeo.outputs.files import WGS84

if TYPE_CHECKING:
    import folium
    from branca.element import Element, Figure

OSM_ATTRIBUTION = (
    '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors'
)


@dataclass(frozen=True)
class Basemap:
    """A tile source and the datum its tiles are drawn in.

    Parameters
    ----------
    name
        The code (``"osm"``, ``"amap"``, ``"tianditu"``); its words are in the
        ``basemap`` label table.
    tiles
        The tile URL template (``{key}`` stands for an API key).
    attribution
        The attribution shown on the map.
    datum
        ``"wgs84"`` or ``"gcj02"``: what overlay coordinates are converted to.
    subdomains, max_zoom
        Leaflet tile-layer options.
    """

    name: str
    tiles: str
    attribution: str
    datum: str  # "wgs84" or "gcj02"
    subdomains: str = "abc"
    max_zoom: int = 19

    def label(self, lang: str = DEFAULT_LANG) -> str:
        """The basemap's name in ``lang`` (the tile layer's name in the layer control)."""
        return label("basemap", self.name, lang)


BASEMAPS: dict[str, Basemap] = {
    "osm": Basemap("osm", "https://tile.openstreetmap.org/{z}/{x}/{y}.png", OSM_ATTRIBUTION,
                   "wgs84", subdomains=""),
    "amap": Basemap("amap",
                    "https://webrd0{s}.is.autonavi.com/appmaptile?lang=zh_cn&size=1&scale=1"
                    "&style=8&x={x}&y={y}&z={z}",
                    f"&copy; 高德地图 AutoNavi | 数据 {OSM_ATTRIBUTION}", "gcj02",
                    subdomains="1234", max_zoom=18),
    "tianditu": Basemap("tianditu",
                        "https://t{s}.tianditu.gov.cn/vec_w/wmts?SERVICE=WMTS&REQUEST=GetTile"
                        "&VERSION=1.0.0&LAYER=vec&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles"
                        "&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}&tk={key}",
                        f"&copy; 天地图 Tianditu | 数据 {OSM_ATTRIBUTION}", "wgs84",
                        subdomains="01234567", max_zoom=18),
}

#: Colour of a class that a map's palette does not name.
OTHER_COLOUR = "#888888"

#: Simplification tolerance of displayed lines, metres: invisible at street zoom levels.
DISPLAY_TOLERANCE_M = 1.0
#: Coordinate grid of displayed lines, degrees: about 1 m, which keeps files small.
DISPLAY_GRID_DEG = 1e-5
#: Finer grid for pieces that the 1 m grid would collapse to nothing.
FINE_GRID_DEG = 1e-7


# --------------------------------------------------------------------------- coordinates


def wgs84_to_gcj02(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Convert WGS-84 to GCJ-02 (the datum of AMap and Tencent tiles), vectorised.

    Points outside China are returned unchanged, as the GCJ-02 rules define.

    Parameters
    ----------
    lon, lat
        WGS-84 longitudes and latitudes in degrees.

    Returns
    -------
    tuple of numpy.ndarray
        GCJ-02 longitudes and latitudes.
    """
    lon = np.asarray(lon, dtype=float)
    lat = np.asarray(lat, dtype=float)
    if lon.size == 0:
        return lon, lat
    out_lon, out_lat = coordTransform.wgs84_to_gcj02(lon, lat)
    return np.asarray(out_lon, dtype=float), np.asarray(out_lat, dtype=float)


def check_basemap(basemap: str) -> None:
    """Check that ``basemap`` names a known basemap.

    Parameters
    ----------
    basemap
        A key of :data:`BASEMAPS`.

    Raises
    ------
    ConfigError
        For any other name.
    """
    if basemap not in BASEMAPS:
        raise ConfigError(f"unknown basemap {basemap!r}; choose one of {', '.join(BASEMAPS)}",
                          field="basemap")


def to_display_crs(gdf: gpd.GeoDataFrame, basemap: str = "osm") -> gpd.GeoDataFrame:
    """Return ``gdf`` in the datum of ``basemap``'s tiles (WGS-84 or GCJ-02 degrees).

    Parameters
    ----------
    gdf
        Features in any CRS (none: taken as WGS-84 degrees).
    basemap
        A key of :data:`BASEMAPS`.

    Returns
    -------
    geopandas.GeoDataFrame
        A copy in display coordinates.
    """
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
    tolerance_m: float = DISPLAY_TOLERANCE_M,
) -> dict[str, Any]:
    """GeoJSON for display: simplified in metres, in the basemap's datum, ~1 m precision.

    Parameters
    ----------
    gdf
        The features.
    columns
        The properties to keep.
    basemap
        A key of :data:`BASEMAPS`.
    tolerance_m
        Simplification tolerance in metres (projected input only; 0 keeps every vertex).

    Returns
    -------
    dict
        A GeoJSON FeatureCollection.
    """
    shown = gdf[[*columns, gdf.geometry.name]].copy()
    if shown.crs is not None and shown.crs.is_projected and tolerance_m > 0:
        shown = shown.set_geometry(shown.geometry.simplify(tolerance_m))
    shown = to_display_crs(shown, basemap)
    coarse = shapely.set_precision(shown.geometry.values, DISPLAY_GRID_DEG)
    # a piece shorter than the ~1 m grid would vanish: keep it at a finer grid
    fine = shapely.set_precision(shown.geometry.values, FINE_GRID_DEG)
    shown = shown.set_geometry(np.where(shapely.is_empty(coarse), fine, coarse))
    return json.loads(shown.to_json(drop_id=True, ensure_ascii=False))


def latlon_bounds(gdf: gpd.GeoDataFrame, basemap: str = "osm") -> list[list[float]]:
    """``[[south, west], [north, east]]`` of ``gdf`` in the basemap's datum.

    Parameters
    ----------
    gdf
        The features.
    basemap
        A key of :data:`BASEMAPS`.

    Returns
    -------
    list
        The bounds as Leaflet takes them.
    """
    west, south, east, north = to_display_crs(gdf[[gdf.geometry.name]], basemap).total_bounds
    return [[float(south), float(west)], [float(north), float(east)]]


# --------------------------------------------------------------------------- map elements


@functools.cache
def _map_script_class() -> type:
    """The branca element class of :func:`map_script`, made on first use."""
    from branca.element import MacroElement
    from jinja2 import Template

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

    return _MapScript


def map_script(code: str) -> Any:
    """A map child that runs ``code`` once the map exists (``{map}``: the map's variable).

    Parameters
    ----------
    code
        JavaScript.

    Returns
    -------
    branca.element.MacroElement
        The element, to add with ``fmap.add_child``.
    """
    return _map_script_class()(code)


def base_map(
    bounds: list[list[float]],
    *,
    basemap: str = "osm",
    offline: bool = False,
    tianditu_key: str | None = None,
    lang: str = DEFAULT_LANG,
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
    lang
        Language of the tile layer's name.

    Returns
    -------
    folium.Map
        The map.
    """
    import folium
    from branca.element import Element

    check_basemap(basemap)
    fmap = folium.Map(tiles=None, control_scale=False, prefer_canvas=False, zoom_control=True)
    source = BASEMAPS[basemap]
    # clustering needs a maximum zoom, which otherwise only a tile layer would give
    fmap.add_child(map_script(f"{{map}}.setMaxZoom({source.max_zoom});"
                              "L.control.scale({imperial: false}).addTo({map});"))
    if not offline:
        url = source.tiles.replace("{key}", tianditu_key or "")
        folium.TileLayer(url, name=source.label(lang), attr=source.attribution,
                         subdomains=source.subdomains or "abc", max_zoom=source.max_zoom,
                         max_native_zoom=source.max_zoom).add_to(fmap)
    else:
        root_figure(fmap).header.add_child(Element(
            "<style>.leaflet-container{background:#f4f3ef !important}</style>"))
        # with no tiles nothing else credits the data: say it in Leaflet's own control
        fmap.add_child(map_script(
            "{map}.attributionControl.addAttribution(" + json.dumps(OSM_ATTRIBUTION) + ");"
        ))
    fmap.fit_bounds(bounds)
    return fmap


def legend(title: str, items: list[tuple[str, str]], *, position: str = "bottomleft") -> Element:
    """A fixed legend box of ``(label, colour)`` rows.

    Parameters
    ----------
    title
        The legend's heading.
    items
        ``(label, colour)`` rows, in order.
    position
        ``"bottomleft"`` or ``"bottomright"``.

    Returns
    -------
    branca.element.Element
        The box, to add to the map's root HTML.
    """
    from branca.element import Element

    rows = "".join(
        f'<div><span style="display:inline-block;width:18px;height:4px;background:{colour};'
        f'margin-right:6px;vertical-align:middle"></span>{text}</div>'
        for text, colour in items
    )
    side = "left:12px" if position.endswith("left") else "right:12px"
    return Element(
        f'<div class="patrolgeo-legend" style="position:fixed;bottom:24px;{side};z-index:9999;'
        "background:white;padding:8px 10px;border-radius:6px;font:12px sans-serif;"
        "max-height:45vh;overflow:auto;"
        f'box-shadow:0 1px 4px rgba(0,0,0,.3)"><b>{title}</b>{rows}</div>'
    )


_STYLE_FROM_PROPERTIES = (
    "function(feature, layer) {"
    " const p = feature.properties;"
    " layer.setStyle({color: p._c || '#3388ff', weight: p._w || 3, opacity: p._o || 0.9,"
    " dashArray: p._d || null});"
    "}"
)


def styled_geojson(data: dict[str, Any], *, name: str, popup: Any = None, tooltip: Any = None,
                   show: bool = True) -> folium.GeoJson:
    """A GeoJSON layer styled in the browser from feature properties.

    ``_c`` (colour), ``_w`` (weight), ``_o`` (opacity) and ``_d`` (dash) are read per
    feature; unlike folium's ``style_function``, no per-feature style table is written
    into the page, which keeps district maps small.

    Parameters
    ----------
    data
        A GeoJSON FeatureCollection (:func:`display_geojson`).
    name
        The layer's name in the layer control.
    popup, tooltip
        folium popup and tooltip of each feature.
    show
        Whether the layer is on when the map opens.

    Returns
    -------
    folium.GeoJson
        The layer.
    """
    import folium
    from folium.utilities import JsCode

    return folium.GeoJson(data, name=name, popup=popup, tooltip=tooltip, show=show,
                          on_each_feature=JsCode(_STYLE_FROM_PROPERTIES))


def popup_fields(frame: gpd.GeoDataFrame, wanted: list[tuple[str, str]],
                 lang: str = DEFAULT_LANG) -> tuple[list[str], list[str]]:
    """The popup columns present in ``frame`` and their aliases in ``lang``.

    Parameters
    ----------
    frame
        The features shown.
    wanted
        ``(column, code)`` pairs, in popup order; the alias is the ``map_field`` label of
        ``code``.
    lang
        Language of the aliases.

    Returns
    -------
    fields, aliases
        The present columns and their aliases.
    """
    present = [(col, label("map_field", code, lang)) for col, code in wanted
               if col in frame.columns]
    return [c for c, _ in present], [a for _, a in present]


def geojson_popup(fields: list[str], aliases: list[str]) -> folium.GeoJsonPopup:
    """A folium popup of ``fields`` under ``aliases``.

    Parameters
    ----------
    fields, aliases
        What :func:`popup_fields` returns.

    Returns
    -------
    folium.GeoJsonPopup
        The popup.
    """
    import folium

    return folium.GeoJsonPopup(fields=fields, aliases=aliases)


def root_figure(fmap: folium.Map) -> Figure:
    """The branca figure a map is drawn into (where headers, legends and panels go).

    Parameters
    ----------
    fmap
        The map.

    Returns
    -------
    branca.element.Figure
        ``fmap.get_root()``: folium puts every map into a figure, which branca's typing
        only knows as an ``Element``.
    """
    return cast("Figure", fmap.get_root())


def layer_control(fmap: folium.Map, *, collapsed: bool = True) -> folium.LayerControl:
    """Add a layer control to ``fmap`` and return it.

    Parameters
    ----------
    fmap
        The map.
    collapsed
        Whether the control opens folded.

    Returns
    -------
    folium.LayerControl
        The control.
    """
    import folium

    control = folium.LayerControl(collapsed=collapsed)
    control.add_to(fmap)
    return control


def classified_map(
    segments: gpd.GeoDataFrame,
    column: str,
    colours: dict[Any, str],
    class_labels: dict[Any, str],
    *,
    title: str,
    popup: list[tuple[str, str]],
    basemap: str = "osm",
    offline: bool = False,
    lang: str = DEFAULT_LANG,
) -> folium.Map:
    """Segments coloured by the classes of ``column``, with a legend and popups.

    Parameters
    ----------
    segments
        Segments with ``column`` and ``length_m``.
    column
        The class column.
    colours, class_labels
        Colour and user-facing label of each class, in legend order; other classes are
        grey and labelled "other".
    title
        Name of the layer and heading of the legend.
    popup
        ``(column, map_field code)`` of the popup rows, where present.
    basemap, offline
        See :func:`base_map`.
    lang
        Language of the map's words.

    Returns
    -------
    folium.Map
        The map.
    """
    shown = segments.assign(_c=segments[column].map(colours).fillna(OTHER_COLOUR).astype(str),
                            length_m=segments["length_m"].round(1))
    fields, aliases = popup_fields(shown, popup, lang)
    fmap = base_map(latlon_bounds(segments, basemap), basemap=basemap, offline=offline,
                    lang=lang)
    styled_geojson(display_geojson(shown, [*fields, "_c"], basemap=basemap), name=title,
                   popup=geojson_popup(fields, aliases)).add_to(fmap)
    values = set(segments[column])
    items = [(class_labels[c], colours[c]) for c in colours if c in values]
    if values - set(colours):
        items.append((pick("其他", "Other", lang), OTHER_COLOUR))
    root_figure(fmap).html.add_child(legend(title, items))
    layer_control(fmap, collapsed=True)
    return fmap
