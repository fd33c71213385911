"""Open maps in a real headless Chromium (Debian's), with the network blocked."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest

CHROMIUM_FLAGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]

# Count Leaflet layers by kind in the page: works for SVG and canvas renderers alike.
COUNT_LAYERS_JS = """
() => {
  const maps = Object.keys(window).filter(k => k.startsWith('map_') && window[k] instanceof L.Map);
  const counts = {maps: maps.length, polylines: 0, markers: 0, circles: 0, tiles: 0};
  for (const k of maps) {
    window[k].eachLayer(layer => {
      if (layer instanceof L.Polyline) counts.polylines += 1;
      else if (layer instanceof L.CircleMarker) counts.circles += 1;
      else if (layer instanceof L.Marker) counts.markers += 1;
      else if (layer instanceof L.TileLayer) counts.tiles += 1;
    });
  }
  return counts;
}
"""


def chromium_path() -> str:
    path = os.environ.get("PATROLGEO_CHROMIUM") or shutil.which("chromium") or shutil.which(
        "chromium-browser")
    if path is None:
        if os.environ.get("CI"):
            pytest.fail("Debian's chromium is missing: .ci/run must install it")
        pytest.skip("no chromium on this machine (apt-get install chromium)")
    return path


@dataclass
class PageReport:
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    blocked: list[str] = field(default_factory=list)


@contextmanager
def open_offline(html: Path, *, allow_tiles: bool = False) -> Iterator[tuple[object, PageReport]]:
    """Open ``html`` from file:// in headless Chromium with every network request blocked.

    Yields the playwright page and a report of console errors, page errors and the
    blocked requests. Tile requests can be allowed to fail quietly (``allow_tiles``):
    a map with an online basemap must still draw its overlays with no network.
    """
    playwright = pytest.importorskip("playwright.sync_api")
    report = PageReport()
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_FLAGS)
        try:
            context = browser.new_context(viewport={"width": 1000, "height": 750})

            def route(r):
                url = r.request.url
                if url.startswith("file://") or url.startswith("data:"):
                    r.continue_()
                else:
                    report.blocked.append(url)
                    r.abort()

            context.route("**/*", route)
            page = context.new_page()

            def on_console(msg):
                if msg.type == "error":
                    text = msg.text
                    if allow_tiles and "net::ERR_FAILED" in text:
                        return
                    report.console_errors.append(text)

            page.on("console", on_console)
            page.on("pageerror", lambda exc: report.page_errors.append(str(exc)))
            page.goto(html.resolve().as_uri())
            page.wait_for_load_state("load")
            page.wait_for_timeout(300)
            yield page, report
        finally:
            browser.close()
