"""What every map shares: the page (language, viewport, background), layers, legends.

Basemaps, their datum and display GeoJSON are in :mod:`._basemaps` (re-exported here).
folium (and its branca elements) is imported inside the functions that draw, never when
this module is imported.
"""

from __future__ import annotations

import functools
import json
from typing import TYPE_CHECKING, Any, cast

import geopandas as gpd

from patrolgeo.labels import DEFAULT_LANG, check_lang, label, pick
from patrolgeo.outputs.maps import _basemaps
from patrolgeo.outputs.maps._basemaps import (
    AUTO,
    BASEMAP_CHOICES,
    BASEMAPS,
    DISPLAY_GRID_DEG,
    DISPLAY_TOLERANCE_M,
    FINE_GRID_DEG,
    OSM_ATTRIBUTION,
    OTHER_COLOUR,
    TIANDITU_KEY_ENV,
    Basemap,
    check_basemap,
    display_geojson,
    inside_china,
    latlon_bounds,
    resolve_basemap,
    tianditu_key,
    to_display_crs,
    wgs84_to_gcj02,
)

__all__ = [
    "AUTO", "BASEMAPS", "BASEMAP_CHOICES", "DISPLAY_GRID_DEG", "DISPLAY_TOLERANCE_M",
    "FINE_GRID_DEG", "MAP_BACKGROUND", "NARROW_SCREEN_PX", "OSM_ATTRIBUTION", "OTHER_COLOUR",
    "TIANDITU_KEY_ENV", "Basemap",
    "base_map", "check_basemap", "classified_map", "display_geojson", "fold_on_narrow_screens",
    "geojson_popup", "html_lang", "inside_china", "latlon_bounds", "layer_control", "legend",
    "map_script", "popup_fields", "resolve_basemap", "root_figure", "styled_geojson",
    "tianditu_key", "to_display_crs", "wgs84_to_gcj02",
]

if TYPE_CHECKING:
    import folium
    from branca.element import Element, Figure

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


#: Below this window width (CSS pixels) legends and layer lists open folded: a phone
#: (390 px iPhone, 360 px Android) has no room beside the map for them.
NARROW_SCREEN_PX = 600
#: The map's background where no tile is drawn (``offline``, or tiles that fail to
#: load): a light neutral on which every overlay colour stays readable.
MAP_BACKGROUND = "#f4f3ef"

#: The page around a map: branca's figure template with a language and a viewport that
#: lets a phone user zoom the page (folium's own viewport forbids it; render_map drops it).
_PAGE_TEMPLATE = (
    "<!DOCTYPE html>\n"
    '<html lang="{{ this.pg_lang }}">\n'
    "<head>\n"
    '<meta charset="utf-8">\n'
    '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
    "{% if this.title %}<title>{{this.title}}</title>{% endif %}"
    "    {{this.header.render(**kwargs)}}\n"
    "</head>\n"
    "<body>\n"
    "    {{this.html.render(**kwargs)}}\n"
    "</body>\n"
    "<script>\n"
    "    {{this.script.render(**kwargs)}}\n"
    "</script>\n"
    "</html>\n"
)

_PAGE_CSS = (
    "<style>.leaflet-container{background:%(bg)s !important}"
    ".pg-legend{position:fixed;bottom:24px;z-index:9999;background:#fff;padding:6px 10px;"
    "border-radius:6px;font:12px/1.5 sans-serif;max-height:45vh;overflow:auto;"
    "max-width:calc(100vw - 24px);box-sizing:border-box;box-shadow:0 1px 4px rgba(0,0,0,.3)}"
    ".pg-legend>summary{cursor:pointer;font-weight:bold}"
    ".pg-legend .pg-swatch{display:inline-block;width:18px;height:4px;margin-right:6px;"
    "vertical-align:middle}"
    # on a phone the attribution wraps to two lines and the scale sits above it
    # on a phone: legends at the top left below the zoom buttons, clear of the
    # attribution (which stays: the licence asks for it); no scale bar to collide with it
    "@media (max-width:%(max)dpx){.pg-legend{bottom:auto;top:84px;left:10px;"
    "max-height:35vh;max-width:70vw}"
    ".leaflet-control-scale{display:none}"
    ".leaflet-control-attribution{font-size:9px;max-width:75vw}"
    ".leaflet-top.leaflet-right{top:%(top)dpx}}</style>"
)

# body script (Leaflet is loaded in the head): layer lists made after it fold on narrow
# screens, legends are closed once the page is parsed
_FOLD_JS = (
    "<script>(function(){"
    "const narrow=window.matchMedia('(max-width: %(max)dpx)').matches;"
    "if(!narrow)return;"
    "L.Control.Layers.addInitHook(function(){this.options.collapsed=true;});"
    "document.addEventListener('DOMContentLoaded',function(){"
    "document.querySelectorAll('details.pg-legend,details.patrolgeo-turns')"
    ".forEach(function(d){d.open=false;});"
    "});})();</script>"
)


def html_lang(lang: str) -> str:
    """The HTML ``lang`` attribute of a page in ``lang``.

    Parameters
    ----------
    lang
        ``"zh"`` or ``"en"``.

    Returns
    -------
    str
        ``"zh-CN"`` or ``"en"``.

    Examples
    --------
    >>> html_lang("zh"), html_lang("en")
    ('zh-CN', 'en')
    """
    return {"zh": "zh-CN", "en": "en"}[check_lang(lang)]


def fold_on_narrow_screens(fmap: folium.Map, *, top_offset_px: int = 0) -> None:
    """Fold the map's legends and layer lists on screens narrower than 600 px.

    Every ``.pg-legend`` (a ``<details>``, see :func:`legend`) is closed when the page
    opens on a narrow screen, and every layer control (folium's ``LayerControl``, even one
    made with ``collapsed=False``) opens as its button; wider screens keep them open.
    :func:`base_map` calls it; calling it again replaces the earlier call, so a map with a
    banner along its top can move the top-right controls below it.

    Parameters
    ----------
    fmap
        The map.
    top_offset_px
        On narrow screens, the distance of the top-right controls (layer list, sliders)
        from the top of the page: the height of a banner or title drawn there.
    """
    from branca.element import Element

    figure = root_figure(fmap)
    values = {"bg": MAP_BACKGROUND, "max": NARROW_SCREEN_PX - 1, "top": int(top_offset_px)}
    figure.header.add_child(Element(_PAGE_CSS % values), name="pg_page_css")
    figure.html.add_child(Element(_FOLD_JS % values), name="pg_fold_js")


def _set_page(fmap: folium.Map, lang: str, title: str | None) -> None:
    """Give the map's page its language, viewport and title (see :data:`_PAGE_TEMPLATE`)."""
    from jinja2 import Template

    figure = root_figure(fmap)
    figure._template = Template(_PAGE_TEMPLATE)
    figure.pg_lang = html_lang(lang)  # type: ignore[attr-defined]
    if title:
        figure.title = title


def base_map(
    bounds: list[list[float]],
    *,
    basemap: str = AUTO,
    offline: bool = False,
    tianditu_key: str | None = None,
    lang: str = DEFAULT_LANG,
    title: str | None = None,
) -> folium.Map:
    """An empty map fitted to ``bounds`` on a plain background, with tiles unless offline.

    The page always carries Leaflet and its plugins inline (:func:`render_map`); tiles
    are optional: where they cannot load, the overlays draw on a neutral background.

    Parameters
    ----------
    bounds
        ``[[south, west], [north, east]]`` in the basemap's datum.
    basemap
        ``"auto"`` (:func:`resolve_basemap` on ``bounds``), ``"osm"``, ``"amap"`` or
        ``"tianditu"``.
    offline
        Draw no tiles (nothing to fetch); the overlays are the map.
    tianditu_key
        The Tianditu API key (``tk``); by default the ``TIANDITU_KEY`` environment
        variable.
    lang
        Language of the page (its ``lang`` attribute) and of the tile layer's name.
    title
        The page's title (the browser tab).

    Returns
    -------
    folium.Map
        The map.

    Raises
    ------
    ConfigError
        For an unknown basemap, or Tianditu tiles without a key.
    """
    import folium

    source = BASEMAPS[resolve_basemap(basemap, bounds)]
    key = _basemaps.tianditu_key(tianditu_key) if source.name == "tianditu" and not offline else ""
    fmap = folium.Map(tiles=None, control_scale=False, prefer_canvas=False, zoom_control=True)
    _set_page(fmap, lang, title)
    fold_on_narrow_screens(fmap)
    # clustering needs a maximum zoom, which otherwise only a tile layer would give
    fmap.add_child(map_script(f"{{map}}.setMaxZoom({source.max_zoom});"
                              "L.control.scale({imperial: false}).addTo({map});"))
    if not offline:
        folium.TileLayer(source.tiles.replace("{key}", key), name=source.label(lang),
                         attr=source.attribution, subdomains=source.subdomains or "abc",
                         max_zoom=source.max_zoom, max_native_zoom=source.max_zoom).add_to(fmap)
    else:
        # with no tiles nothing else credits the data: say it in Leaflet's own control
        fmap.add_child(map_script(
            "{map}.attributionControl.addAttribution(" + json.dumps(OSM_ATTRIBUTION) + ");"
        ))
    fmap.fit_bounds(bounds)
    return fmap


def legend(title: str, items: list[tuple[str, str]], *, position: str = "bottomleft") -> Element:
    """A legend of ``(label, colour)`` rows: a ``<details class="pg-legend">`` box.

    Open on wide screens, closed (its title only) on narrow ones
    (:func:`fold_on_narrow_screens`, which :func:`base_map` calls).

    Parameters
    ----------
    title
        The legend's heading (the ``<summary>``).
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
        f'<div><span class="pg-swatch" style="background:{colour}"></span>{text}</div>'
        for text, colour in items
    )
    side = "left:12px" if position.endswith("left") else "right:12px"
    return Element(f'<details class="pg-legend" open style="{side}">'
                   f"<summary>{title}</summary>{rows}</details>")


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
    basemap: str = AUTO,
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
    basemap = resolve_basemap(basemap, segments)
    fmap = base_map(latlon_bounds(segments, basemap), basemap=basemap, offline=offline,
                    lang=lang, title=title)
    styled_geojson(display_geojson(shown, [*fields, "_c"], basemap=basemap), name=title,
                   popup=geojson_popup(fields, aliases)).add_to(fmap)
    values = set(segments[column])
    items = [(class_labels[c], colours[c]) for c in colours if c in values]
    if values - set(colours):
        items.append((pick("其他", "Other", lang), OTHER_COLOUR))
    root_figure(fmap).html.add_child(legend(title, items))
    layer_control(fmap, collapsed=True)
    return fmap
