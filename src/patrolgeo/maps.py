"""HTML maps (folium) of what the other stages computed; this module computes no route."""

from __future__ import annotations

import json
from pathlib import Path

import folium
import geopandas as gpd
import shapely
from branca.element import Element

from patrolgeo import ATTRIBUTION
from patrolgeo.i18n import tr
from patrolgeo.io import WGS84, write_text

#: Colours of highway classes, most important first; anything else is grey.
HIGHWAY_COLOURS = {
    "motorway": "#e31a1c", "trunk": "#e31a1c", "primary": "#fd8d3c", "secondary": "#fdbf6f",
    "tertiary": "#ffff33", "unclassified": "#6a3d9a", "residential": "#1f78b4",
    "living_street": "#a6cee3", "service": "#b2df8a", "pedestrian": "#33a02c",
    "footway": "#66c2a5", "cycleway": "#8dd3c7", "path": "#b15928", "steps": "#fb9a99",
    "track": "#cab2d6",
}
OTHER_COLOUR = "#888888"


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


def _display_geojson(gdf: gpd.GeoDataFrame, columns: list[str], tolerance_m: float = 1.0) -> dict:
    """GeoJSON for display: simplified in metres, then rounded to about 1 m in degrees."""
    shown = gdf[[*columns, gdf.geometry.name]].copy()
    if shown.crs is not None and shown.crs.is_projected:
        shown = shown.set_geometry(shown.geometry.simplify(tolerance_m))
    shown = shown.to_crs(WGS84)
    shown = shown.set_geometry(shapely.set_precision(shown.geometry.values, 1e-5))
    return json.loads(shown.to_json(drop_id=True))


def _legend(title: str, items: list[tuple[str, str]]) -> Element:
    rows = "".join(
        f'<div><span style="display:inline-block;width:18px;height:4px;background:{colour};'
        f'margin-right:6px;vertical-align:middle"></span>{label}</div>'
        for label, colour in items
    )
    return Element(
        '<div class="patrolgeo-legend" style="position:fixed;bottom:24px;left:12px;z-index:9999;'
        'background:white;padding:8px 10px;border-radius:6px;font:12px sans-serif;'
        f'box-shadow:0 1px 4px rgba(0,0,0,.3)"><b>{title}</b>{rows}</div>'
    )


def segments_map(segments: gpd.GeoDataFrame, *, title: str | None = None) -> folium.Map:
    """Draw segments coloured by road class, with a legend and segment popups."""
    data = _display_geojson(
        segments.assign(
            length_m=segments["length_m"].round(1),
            highway_label=segments["highway"].map(highway_label),
        ),
        ["segment_id", "road_name", "highway", "highway_label", "length_m"],
    )
    west, south, east, north = segments.to_crs(WGS84).total_bounds
    fmap = folium.Map(tiles=None, control_scale=True, prefer_canvas=True)
    folium.TileLayer("OpenStreetMap", name=tr("OpenStreetMap 底图", "OpenStreetMap"),
                     attr=ATTRIBUTION).add_to(fmap)
    folium.GeoJson(
        data,
        name=title or tr("道路分段", "Road segments"),
        style_function=lambda f: {
            "color": HIGHWAY_COLOURS.get(f["properties"]["highway"], OTHER_COLOUR),
            "weight": 3, "opacity": 0.9,
        },
        popup=folium.GeoJsonPopup(
            fields=["road_name", "highway_label", "length_m", "segment_id"],
            aliases=[tr("道路", "Road"), tr("等级", "Class"), tr("长度(米)", "Length (m)"),
                     tr("分段编号", "Segment id")],
        ),
    ).add_to(fmap)
    present = [h for h in HIGHWAY_COLOURS if h in set(segments["highway"])]
    items = [(highway_label(h), HIGHWAY_COLOURS[h]) for h in present]
    if set(segments["highway"]) - set(HIGHWAY_COLOURS):
        items.append((tr("其他", "Other"), OTHER_COLOUR))
    fmap.get_root().html.add_child(_legend(tr("道路等级", "Road class"), items))
    folium.LayerControl().add_to(fmap)
    fmap.fit_bounds([[south, west], [north, east]])
    return fmap


def save_map(fmap: folium.Map, path: str | Path) -> Path:
    """Write a folium map to an HTML file atomically."""
    return write_text(fmap.get_root().render(), path)


def index_page(links: list[tuple[str, str]], title: str) -> str:
    """Return an HTML page linking the maps and files a run wrote."""
    items = "\n".join(f'<li><a href="{href}">{label}</a></li>' for label, href in links)
    return (
        f'<!doctype html><html lang="{tr("zh", "en")}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{title}</title></head><body style=\"font-family:sans-serif\">"
        f"<h1>{title}</h1><ul>{items}</ul><p><small>{ATTRIBUTION}</small></p></body></html>"
    )
