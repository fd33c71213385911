"""The README quick start's demo: a Chinese district out of the box, named in Chinese.

Runs ``patrolgeo demo`` as a user would (no ``--osm``: the packaged Guixi extract) and
checks every table that names roads and every map and turn list: the names are Chinese
street names, and bare ``无名路-<way>`` labels stay a small share of the km.
"""

from __future__ import annotations

import bz2
import re
import xml.etree.ElementTree as ET

import pandas as pd
import pytest
from typer.testing import CliRunner

from patrolgeo.cli import app
from patrolgeo.pipeline import demo_osm_path

runner = CliRunner()
HAN = re.compile(r"[\u4e00-\u9fff]")
#: Tables of the demo that carry a road name column.
NAMED_TABLES = ("roads.csv", "segments.csv", "plans.csv", "segments_plan.csv",
                "territories/assignments.csv")
#: Share of the network's km that may still be a bare 无名路-<way> (the issue's 15 %).
MAX_BARE_UNNAMED = 0.15


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    out = tmp_path_factory.mktemp("demo") / "demo"
    result = runner.invoke(app, ["demo", "--out", str(out)])
    assert result.exit_code == 0, result.output
    return out, result.output


def _osm_names() -> set[str]:
    """Every street name of the packaged file, read from its tags (not from patrolgeo)."""
    with bz2.open(demo_osm_path(), "rb") as f:
        root = ET.parse(f).getroot()
    names = set()
    for way in root.iter("way"):
        tags = {t.get("k"): t.get("v") for t in way.iter("tag")}
        if "highway" in tags:
            names.update(v for k, v in tags.items() if k in ("name", "name:zh"))
    return names


def test_the_demo_is_a_chinese_district(demo):
    out, output = demo
    assert "贵溪" in output or "guixi" in output.lower()
    osm_names = _osm_names()
    assert len(osm_names) > 20 and all(HAN.search(n) for n in osm_names)
    for name in NAMED_TABLES:
        table = pd.read_csv(out / name, encoding="utf-8-sig")
        names = table["road_name"].astype(str)
        assert names.map(lambda n: bool(HAN.search(n))).all(), name
        # the OSM names are there as they are in the file
        assert osm_names & set(names), name


def test_bare_unnamed_roads_are_a_small_share(demo):
    out, _ = demo
    seg = pd.read_csv(out / "segments.csv", encoding="utf-8-sig")
    bare = seg["road_name"].astype(str).str.fullmatch(r"无名路-\d+")
    share = seg.loc[bare, "length_m"].sum() / seg["length_m"].sum()
    assert share <= MAX_BARE_UNNAMED
    roads = pd.read_csv(out / "roads.csv", encoding="utf-8-sig")
    assert (roads["length_m"] >= 30).all()


def test_every_map_and_turn_list_names_chinese_streets(demo):
    out, _ = demo
    osm_names = _osm_names()
    pages = sorted(out.rglob("*.html"))
    assert len(pages) >= 10
    for page in pages:
        if page.name == "index.html":
            continue
        text = page.read_text(encoding="utf-8")
        # folium escapes non-ASCII in its JSON: compare both spellings
        escaped = {n.encode("unicode_escape").decode("ascii") for n in osm_names}
        assert any(n in text for n in osm_names | escaped), page.name
    for steps in sorted((out / "territories").glob("chief_*_steps.txt")):
        text = steps.read_text(encoding="utf-8")
        assert any(n in text for n in osm_names), steps.name


def test_every_output_folder_credits_openstreetmap(demo):
    out, _ = demo
    for folder in {p.parent for p in out.rglob("*.csv")}:
        credit = (folder / "ATTRIBUTION.txt").read_text(encoding="utf-8")
        assert "© OpenStreetMap contributors" in credit and "ODbL" in credit
    assert (out / "excluded.csv").exists()
