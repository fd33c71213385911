"""The territory overview: every chief's segments in a colour of its own, with a legend."""

from __future__ import annotations

import colorsys
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import networkx as nx
import pandas as pd

from patrolgeo.labels import DEFAULT_LANG, pick
from patrolgeo.outputs.maps._base import (
    AUTO,
    base_map,
    display_geojson,
    geojson_popup,
    latlon_bounds,
    layer_control,
    legend,
    popup_fields,
    resolve_basemap,
    root_figure,
    styled_geojson,
)

if TYPE_CHECKING:
    import folium

#: Territory colours: distinct, readable on a light basemap; neighbours never share one.
TERRITORY_COLOURS = (
    "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#17becf",
    "#bcbd22", "#7f7f7f", "#393b79", "#637939",
)
#: Hue step of the colours past the palette: the golden ratio spreads hues evenly.
_GOLDEN_HUE_STEP = 0.618033988749895
#: Saturation and value of the colours past the palette.
_EXTRA_SATURATION, _EXTRA_VALUE = 0.65, 0.8

#: Popup rows of the overview (``chief_id`` stands for the chief column).
_POPUP = [("road_name", "road_name"), ("chief_id", "chief_id"), ("grade", "grade"),
          ("plan_summary", "plan_summary"), ("workload", "workload"),
          ("issue_count", "issue_count"), ("length_m", "length_m"),
          ("segment_id", "segment_id")]


def _territory_graph(segments: gpd.GeoDataFrame, chief_col: str) -> nx.Graph:
    """Chiefs as nodes, joined when segments of both end at one graph node."""
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
    return adjacency


def territory_colours(segments: gpd.GeoDataFrame, chief_col: str = "chief_id") -> dict[Any, str]:
    """Colour territories so that two territories meeting at a node never share a colour.

    Up to the palette's size every territory gets a colour of its own. Beyond it,
    territories are adjacent when segments of both end at one graph node and the
    territory graph is coloured with DSatur (networkx), which needs few colours on such
    planar-like graphs; past the palette, further colours are spread evenly in hue.

    Parameters
    ----------
    segments
        Segments with ``chief_col``, ``u`` and ``v``.
    chief_col
        The chief column.

    Returns
    -------
    dict
        ``{chief: "#rrggbb"}``.
    """
    adjacency = _territory_graph(segments, chief_col)
    palette = list(TERRITORY_COLOURS)
    if adjacency.number_of_nodes() <= len(palette):
        # few enough chiefs for a colour each: the legend then names one territory a colour
        return {chief: palette[i] for i, chief in enumerate(adjacency.nodes)}
    colouring = nx.greedy_color(adjacency, strategy="DSATUR")
    n_colours = max(colouring.values(), default=-1) + 1
    for i in range(len(palette), n_colours):
        hue = (i * _GOLDEN_HUE_STEP) % 1.0
        rgb = colorsys.hsv_to_rgb(hue, _EXTRA_SATURATION, _EXTRA_VALUE)
        palette.append("#{:02x}{:02x}{:02x}".format(*(int(255 * c) for c in rgb)))
    return {chief: palette[c] for chief, c in colouring.items()}


def _legend_label(chief: Any, part: gpd.GeoDataFrame, rows: pd.DataFrame | None,
                  lang: str) -> str:
    """A chief's legend row: name (id), km and, when known, weekly workload."""
    text = str(chief)
    if rows is None or chief not in rows.index:
        km = part["length_m"].sum() / 1000
        return text + pick(f" · {km:.1f} 公里", f" · {km:.1f} km", lang)
    row = rows.loc[chief]
    name = row.get("chief_name", None)
    text = f"{name} ({chief})" if isinstance(name, str) and name else str(chief)
    km = row.get("km", part["length_m"].sum() / 1000)
    text += pick(f" · {km:.1f} 公里", f" · {km:.1f} km", lang)
    if "workload" in row and pd.notna(row["workload"]):
        text += pick(f" · {row['workload']:.0f} 分钟/周", f" · {row['workload']:.0f} min/wk",
                     lang)
    return text


def overview_map(
    segments: gpd.GeoDataFrame,
    summary: pd.DataFrame | None = None,
    *,
    chief_col: str = "chief_id",
    basemap: str = AUTO,
    offline: bool = False,
    lang: str = DEFAULT_LANG,
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
    chief_col
        The chief column.
    basemap, offline
        See :func:`patrolgeo.outputs.maps.base_map`.
    lang
        Language of the map's words.

    Returns
    -------
    folium.Map
        The map: one layer per chief.
    """
    colours = territory_colours(segments, chief_col)
    shown = segments.assign(
        _c=segments[chief_col].map(colours), _w=4,
        length_m=segments["length_m"].round(1),
        **({"workload": segments["workload"].round(1)} if "workload" in segments else {}),
    )
    popup = [(chief_col if col == "chief_id" else col, code) for col, code in _POPUP]
    fields, aliases = popup_fields(shown, popup, lang)
    basemap = resolve_basemap(basemap, segments)  # one basemap for every chief's layer
    title = pick("路长责任区", "Road-chief territories", lang)
    fmap = base_map(latlon_bounds(segments, basemap), basemap=basemap, offline=offline,
                    lang=lang, title=title)
    rows = summary.set_index(chief_col) if summary is not None else None
    items = []
    for chief in sorted(colours, key=str):
        part = shown[shown[chief_col] == chief]
        items.append((_legend_label(chief, part, rows, lang), colours[chief]))
        styled_geojson(
            display_geojson(part, [*fields, "_c", "_w"], basemap=basemap),
            name=pick(f"路长 {chief}", f"Chief {chief}", lang),
            popup=geojson_popup(fields, aliases),
        ).add_to(fmap)
    root_figure(fmap).html.add_child(legend(title, items))
    layer_control(fmap, collapsed=True)
    return fmap
