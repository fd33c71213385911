"""The hotspot map: hot streets and hot areas keyed in one legend that folds on phones."""

from __future__ import annotations

import numpy as np
import pytest

from browser import open_offline
from issue_builders import grid_segments, points_on_segments, reports_table
from patrolgeo import issues
from patrolgeo.outputs import maps
from patrolgeo.outputs.maps.hotspots import HOT_KIND_COLOURS, NARROW_PX

CATEGORIES = [("市容环境", "暴露垃圾"), ("街面秩序", "流动摊贩"), ("宣传广告", "非法小广告")]

COLOURED_JS = """
(colour) => {
  let n = 0;
  for (const k of Object.keys(window)) {
    if (!(k.startsWith('map_') && window[k] instanceof L.Map)) continue;
    window[k].eachLayer(l => { if (l instanceof L.Polyline && l.options.color === colour) n++; });
  }
  return n;
}
"""


@pytest.fixture(scope="module")
def planted():
    seg = grid_segments(10, spacing=200.0)
    rng = np.random.default_rng(8)
    target = 55
    idx = np.r_[rng.choice(len(seg), 600), np.full(150, target)]
    lon, lat = points_on_segments(seg, idx, rng)
    table = reports_table(lon, lat, rng, weeks=6)
    pick = rng.integers(0, len(CATEGORIES), len(table))
    table["category"] = [CATEGORIES[i][0] for i in pick]
    table["subcategory"] = [CATEGORIES[i][1] for i in pick]
    intake = issues.validate(issues.reports_from_frame(table), as_of="2024-12-31")
    assert intake.rejects.empty
    snapped = issues.snap_reports(intake.reports, seg)
    result = issues.find_hotspots(snapped, seg)
    assert result.segments["street_hot"].iat[target]
    return result, snapped


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_legend_keys_both_kinds_and_the_categories(planted, tmp_path, lang):
    result, snapped = planted
    segments = issues.label_hotspots(result.segments, lang)
    fmap = maps.hotspot_map(segments, snapped, offline=True, lang=lang)
    html = maps.save_map(fmap, tmp_path / "hot.html", offline=True).read_text(encoding="utf-8")
    legend = html[html.index('<details class="pg-legend'):html.index("</details>")]
    for kind in ("street", "area"):
        assert issues.hot_kind_label(kind, lang) in legend
        assert HOT_KIND_COLOURS[kind] in legend
    for category, _ in CATEGORIES:
        assert category in legend
    assert f"window.innerWidth < {NARROW_PX}" in html


def test_the_map_draws_hot_streets_and_folds_on_a_narrow_window(planted, tmp_path):
    result, snapped = planted
    segments = issues.label_hotspots(result.segments, "zh")
    fmap = maps.hotspot_map(segments, snapped, offline=True)
    path = maps.save_map(fmap, tmp_path / "hot.html", offline=True)
    kinds = segments["hot_kind"].value_counts()
    with open_offline(path) as (page, report):
        for kind in ("street", "street_area", "area"):
            assert page.evaluate(COLOURED_JS, HOT_KIND_COLOURS[kind]) == kinds.get(kind, 0)
        assert page.evaluate("document.querySelector('details.pg-legend').open")
        assert page.locator(".leaflet-control-layers-expanded").count() == 1
        page.set_viewport_size({"width": NARROW_PX - 200, "height": 700})
        page.reload()
        page.wait_for_load_state("load")
        page.wait_for_timeout(300)
        assert not page.evaluate("document.querySelector('details.pg-legend').open")
        assert page.locator(".leaflet-control-layers-expanded").count() == 0
        page.locator("details.pg-legend summary").click()
        assert page.evaluate("document.querySelector('details.pg-legend').open")
    assert report.console_errors == [] and report.page_errors == []
