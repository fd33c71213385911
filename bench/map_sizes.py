"""Map file sizes and render times: the demo's maps and a 10,000-segment district.

Run: ``python bench/map_sizes.py``. Compares patrolgeo's map of 10,000 segments with
folium's plain ``GeoJson(style_function=...)`` drawing of the same data, which writes
one style entry per feature.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

import folium
import geopandas as gpd
import shapely

sys.path.insert(0, str(Path(__file__).parent))
from _common import print_table
from patrolgeo.outputs import maps


def grid_segments(n_side: int) -> gpd.GeoDataFrame:
    """A projected street grid with 2 * n_side * (n_side - 1) segments, 100 m blocks."""
    lines, ids = [], []
    for i in range(n_side):
        for j in range(n_side - 1):
            lines.append(shapely.LineString([(j * 100, i * 100), ((j + 1) * 100, i * 100)]))
            lines.append(shapely.LineString([(i * 100, j * 100), (i * 100, (j + 1) * 100)]))
            ids += [f"h{i}-{j}", f"v{i}-{j}"]
    names = [f"路{k % 97}" for k in range(len(ids))]
    gdf = gpd.GeoDataFrame({"segment_id": ids, "road_name": names,
                            "highway": "residential", "length_m": 100.0},
                           geometry=lines, crs="EPSG:32650")
    return gdf.set_geometry(gdf.translate(500_000, 3_130_000))


def plain_folium(seg: gpd.GeoDataFrame, path: Path) -> None:
    fmap = folium.Map(tiles="OpenStreetMap")
    folium.GeoJson(seg.to_crs(4326), style_function=lambda f: {"color": "#1f78b4"},
                   popup=folium.GeoJsonPopup(["road_name", "segment_id"])).add_to(fmap)
    fmap.save(str(path))


def main() -> None:
    seg = grid_segments(71)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for label, offline in (("patrolgeo", False), ("patrolgeo --offline", True)):
            t0 = time.perf_counter()
            path = maps.save_map(maps.segments_map(seg, offline=offline),
                                 Path(tmp) / f"{offline}.html", offline=offline)
            rows.append({"map": "10,000-segment grid", "tool": label, "segments": len(seg),
                         "MB": path.stat().st_size / 1e6, "seconds": time.perf_counter() - t0})
        t0 = time.perf_counter()
        plain = Path(tmp) / "plain.html"
        plain_folium(seg, plain)
        rows.append({"map": "10,000-segment grid", "tool": "folium GeoJson (plain)",
                     "segments": len(seg), "MB": plain.stat().st_size / 1e6,
                     "seconds": time.perf_counter() - t0})
    demo = Path("maps/demo")
    for html in sorted(demo.rglob("*.html")) if demo.exists() else []:
        rows.append({"map": str(html), "tool": "patrolgeo demo", "MB": html.stat().st_size / 1e6})
    print_table(rows, ["map", "tool", "segments", "MB", "seconds"])


if __name__ == "__main__":
    main()
