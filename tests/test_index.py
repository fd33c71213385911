"""The index page: map cards with thumbnails, data files to download, grouped by folder."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest

from patrolgeo import pipeline
from patrolgeo.outputs import maps
from patrolgeo.outputs.maps._thumbnail import svg_thumbnail


class _Index(HTMLParser):
    """The cards, page links and downloads (with the folder heading above each) of an index."""

    def __init__(self):
        super().__init__()
        self.lang = None
        self.cards, self.pages, self.downloads = [], [], []
        self.scripts = 0
        self._section = None
        self._folder = None
        self._heading = None
        self._card = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "html":
            self.lang = a.get("lang")
        elif tag == "script":
            self.scripts += 1
        elif tag == "section":
            self._section = "downloads" if "pg-downloads" in (a.get("class") or "") else "other"
        elif tag == "h2":
            self._heading = "h2"
        elif tag == "h3":
            self._heading = "h3"
            self._folder = ""
        elif tag == "li" and a.get("class") == "pg-card":
            self._card = {"svg": 0, "paths": [], "text": ""}
        elif tag == "a" and self._card is not None:
            self._card["href"] = a["href"]
        elif tag == "a" and self._section == "downloads":
            self.downloads.append({"href": a["href"], "folder": self._folder,
                                   "download": "download" in a})
        elif tag == "a":
            self.pages.append(a["href"])
        elif tag == "svg" and self._card is not None:
            self._card["svg"] += 1
        elif tag == "path" and self._card is not None:
            self._card["paths"].append(a)

    def handle_data(self, data):
        if self._heading == "h3":
            self._folder += data
        elif self._card is not None:
            self._card["text"] += data

    def handle_endtag(self, tag):
        if tag in ("h2", "h3"):
            self._heading = None
        elif tag == "li" and self._card is not None:
            self.cards.append(self._card)
            self._card = None


def _parse(path: Path) -> _Index:
    parser = _Index()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    out = tmp_path_factory.mktemp("demo")
    pipeline.run_demo(out)
    return out


def _map_pages(out: Path) -> set[str]:
    """HTML files under ``out`` that hold a folium map (its map div), found independently."""
    return {p.relative_to(out).as_posix() for p in out.rglob("*.html")
            if p.name != "index.html" and 'class="folium-map"' in p.read_text(encoding="utf-8")}


def test_cards_link_every_map_and_nothing_else(demo):
    index = _parse(demo / "index.html")
    hrefs = [c["href"] for c in index.cards]
    assert len(hrefs) == len(set(hrefs))
    assert set(hrefs) == _map_pages(demo)
    assert all(h.endswith(".html") for h in hrefs)
    assert {"segments.html", "grades.html", "hotspots.html", "territories/territories.html"} \
        <= set(hrefs)
    for card in index.cards:
        assert card["svg"] == 1 and card["paths"], card["href"]  # a drawn thumbnail
        assert card["text"].strip(), card["href"]  # a title and a line of what it shows
    # the plan book is a page, not a map: listed, but not as a card
    assert "plans.html" in index.pages and "plans.html" not in hrefs


def test_every_data_file_written_is_in_the_downloads_by_folder(demo):
    index = _parse(demo / "index.html")
    # hidden files (a run's bookkeeping) are not for the user
    written = {p.relative_to(demo).as_posix() for p in demo.rglob("*")
               if p.is_file() and p.suffix != ".html" and not p.name.startswith(".")}
    listed = [d["href"] for d in index.downloads]
    assert len(listed) == len(set(listed))
    assert set(listed) == written
    assert {Path(h).suffix for h in listed} >= {".csv", ".gpx", ".gpkg", ".geojson", ".xlsx",
                                                ".txt"}
    for item in index.downloads:
        folder = Path(item["href"]).parent.as_posix()
        assert item["folder"] == ("本目录" if folder == "." else folder + "/"), item
        assert item["download"], item
    # no data file among the cards or the pages
    assert not {c["href"] for c in index.cards} & written
    assert not set(index.pages) & written


def test_index_is_chinese_by_default_and_has_no_script(demo):
    html = (demo / "index.html").read_text(encoding="utf-8")
    index = _parse(demo / "index.html")
    assert index.lang == "zh-CN" and index.scripts == 0
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in html
    assert "下载数据" in html and "Downloads" not in html
    assert "OpenStreetMap" in html
    # a responsive grid: cards wrap to the width of the screen
    assert re.search(r"grid-template-columns:repeat\(auto-fill,minmax\(\d+px,1fr\)\)", html)


def test_segment_thumbnail_has_the_map_colours(demo):
    index = _parse(demo / "index.html")
    card = next(c for c in index.cards if c["href"] == "segments.html")
    drawn = {p["stroke"] for p in card["paths"]}
    highway = pd.read_csv(demo / "segments.csv", encoding="utf-8-sig")["highway"]
    expected = {maps.HIGHWAY_COLOURS.get(h, maps.OTHER_COLOUR) for h in highway}
    assert drawn == expected


def test_thumbnail_is_drawn_where_the_lines_are(guixi_segments):
    # two streets of the district, one north of the other, in two colours
    mid_y = guixi_segments.geometry.interpolate(0.5, normalized=True).y
    wgs = guixi_segments.to_crs(4326)
    north = wgs.loc[wgs[mid_y > mid_y.quantile(0.8)]["length_m"].idxmax()]
    south = wgs.loc[wgs[mid_y < mid_y.quantile(0.2)]["length_m"].idxmax()]
    shown = gpd.GeoDataFrame({"_c": ["#ff0000", "#0000ff"]},
                             geometry=[north.geometry, south.geometry], crs=4326)
    fmap = maps.base_map(maps.latlon_bounds(shown, "osm"), basemap="osm")
    maps.styled_geojson(maps.display_geojson(shown, ["_c"], basemap="osm"),
                        name="x").add_to(fmap)
    svg = svg_thumbnail(maps.render_map(fmap))
    paths = dict(re.findall(r'<path d="([^"]+)" stroke="(#[0-9a-f]{6})"', svg))
    ys = {colour: [float(v) for v in re.findall(r"-?\d+ (-?\d+)", d)]
          for d, colour in paths.items()}
    assert set(ys) == {"#ff0000", "#0000ff"}
    assert max(ys["#ff0000"]) < min(ys["#0000ff"])  # north is up
    every = [v for vs in ys.values() for v in vs]
    assert min(every) >= 0 and max(every) <= 200


def test_english_index_and_the_map_verb(helsinki_walk_segments, tmp_path):
    seg = helsinki_walk_segments
    outputs = pipeline.RunOutputs()
    out = tmp_path / "run"
    (out / "tables").mkdir(parents=True)
    outputs.add("Segments map", maps.save_map(maps.segments_map(seg, lang="en"),
                                              out / "segments.html"))
    csv = out / "tables" / "roads.csv"
    csv.write_text("road_id\n1\n", encoding="utf-8")
    outputs.add("Roads CSV", csv)
    page = maps.run_index(out, outputs.rendered("en"), "Run", "en")
    (out / "index.html").write_text(page, encoding="utf-8")
    index = _parse(out / "index.html")
    assert index.lang == "en" and "Downloads" in page and "下载数据" not in page
    assert [c["href"] for c in index.cards] == ["segments.html"]
    assert [(d["href"], d["folder"]) for d in index.downloads] == [("tables/roads.csv",
                                                                     "tables/")]
    # outside China the map is on OSM tiles
    assert "tile.openstreetmap.org" in (out / "segments.html").read_text(encoding="utf-8")


def test_draw_maps_writes_a_card_index(guixi_osm, tmp_path):
    result = pipeline.load_roads(guixi_osm)
    first = result.segments["segment_id"].iloc[:40]
    assignment = pd.DataFrame({"segment_id": first, "chief_id": "C1"})
    outputs = pipeline.draw_maps(result, tmp_path, osm=guixi_osm, assignment=assignment)
    index = _parse(tmp_path / "index.html")
    assert {c["href"] for c in index.cards} == _map_pages(tmp_path)
    assert {"segments.html", "grades.html", "territories.html", "chief_C1.html"} \
        <= {c["href"] for c in index.cards}
    assert (tmp_path / "index.html") in [p for _, p in outputs.files]
