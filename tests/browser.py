"""Open maps in a real headless Chromium (Debian's), with the network blocked."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

CHROMIUM_FLAGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]

# The two screens the maps are made for: a patrol lead's phone (an iPhone 12-14 class
# screen in CSS pixels, 3x density, touch) and an office desktop.
PHONE: dict[str, Any] = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 3,
                         "is_mobile": True, "has_touch": True}
DESKTOP: dict[str, Any] = {"viewport": {"width": 1366, "height": 768}}
VIEWPORTS = {"phone": PHONE, "desktop": DESKTOP}

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

# Tell real glyphs from the missing-glyph box ("tofu"). Each character is drawn alone on a
# canvas in the font the page gives the element, and its bitmap is compared with the
# bitmaps of two code points no installed font covers (U+10FFFD, the last private-use
# code point, and U+E000): when no font has a glyph for a character, Chromium draws the
# primary font's .notdef box, the very bitmap it draws for those. A blank bitmap counts as
# missing too (some fonts' .notdef is empty). Text nodes are read from the whole document,
# hidden ones included (a closed legend still has to render when opened).
GLYPHS_JS = r"""
({text, selector, only_han}) => {
  const SIZE = 40, BOX = 2 * SIZE;
  const canvas = document.createElement('canvas');
  canvas.width = BOX; canvas.height = BOX;
  const g = canvas.getContext('2d', {willReadFrequently: true});
  const han = /\p{Script=Han}/u;
  const bitmap = (font, ch) => {
    g.clearRect(0, 0, BOX, BOX);
    g.font = font; g.fillStyle = '#000'; g.textBaseline = 'top';
    g.fillText(ch, SIZE / 4, SIZE / 4);
    const alpha = g.getImageData(0, 0, BOX, BOX).data.filter((_, i) => i % 4 === 3);
    return {key: alpha.join(','), ink: alpha.some(a => a > 0)};
  };
  const fontOf = el => {
    const st = getComputedStyle(el);
    return `${st.fontStyle} ${st.fontWeight} ${SIZE}px ${st.fontFamily}`;
  };
  const groups = new Map();  // font -> set of characters
  const add = (font, chars) => {
    if (!groups.has(font)) groups.set(font, new Set());
    for (const ch of chars) {
      if (!/\s/u.test(ch) && (!only_han || han.test(ch))) groups.get(font).add(ch);
    }
  };
  if (text !== null) {
    const el = document.querySelector(selector);
    if (el === null) return {error: `no element ${selector}`};
    add(fontOf(el), text);
  } else {
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const parent = node.parentElement;
      if (!parent || ['SCRIPT', 'STYLE', 'NOSCRIPT'].includes(parent.tagName)) continue;
      if (han.test(node.data)) add(fontOf(parent), node.data);
    }
  }
  const result = {checked: 0, missing: {}};
  for (const [font, chars] of groups) {
    const refs = ['\u{10FFFD}', '\uE000'].map(ch => bitmap(font, ch).key);
    for (const ch of chars) {
      const b = bitmap(font, ch);
      result.checked += 1;
      if (!b.ink || refs.includes(b.key)) (result.missing[font] ??= []).push(ch);
    }
  }
  return result;
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


def artifacts_dir() -> Path:
    """Folder for screenshots CI keeps: ``$PATROLGEO_ARTIFACTS`` or tests/artifacts."""
    folder = Path(os.environ.get("PATROLGEO_ARTIFACTS") or Path(__file__).parent / "artifacts")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@dataclass
class PageReport:
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    blocked: list[str] = field(default_factory=list)
    # blocked requests that are not images: scripts, styles, fonts, data the page needs
    blocked_assets: list[str] = field(default_factory=list)
    # console errors for blocked images (basemap tiles), kept apart with ``allow_tiles``
    tile_errors: list[str] = field(default_factory=list)


@contextmanager
def chromium(env: Mapping[str, str] | None = None, *, beside: Any = None) -> Iterator[Any]:
    """Launch Debian's Chromium through playwright; ``env`` replaces its environment.

    ``beside`` is a browser already open in this thread: the new one is launched through
    its playwright (one thread runs one playwright at a time).
    """
    if beside is None:
        playwright = pytest.importorskip("playwright.sync_api")
        with playwright.sync_playwright() as p, chromium(env, beside=p) as browser:
            yield browser
        return
    launcher = beside.chromium if hasattr(beside, "chromium") else beside.browser_type
    browser = launcher.launch(executable_path=chromium_path(), args=CHROMIUM_FLAGS,
                              env=dict(env) if env is not None else None)
    try:
        yield browser
    finally:
        browser.close()


DEFAULT_CONTEXT: dict[str, Any] = {"viewport": {"width": 1000, "height": 750}}
# Let a page paint twice after "load" (Leaflet draws overlays in the frame after setView).
SETTLE_JS = "() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))"


def _blocked_page(browser: Any, options: Mapping[str, Any], report: PageReport,
                  allow_tiles: bool) -> tuple[Any, Any]:
    """A new context and page of ``browser`` that let only file:// and data: through."""
    images: set[str] = set()
    context = browser.new_context(**dict(options))

    def route(r):
        url = r.request.url
        if url.startswith("file://") or url.startswith("data:"):
            r.continue_()
        else:
            report.blocked.append(url)
            if r.request.resource_type == "image":
                images.add(url)
            else:
                report.blocked_assets.append(url)
            r.abort()

    def on_console(msg):
        if msg.type == "error":
            if allow_tiles and msg.location.get("url") in images:
                report.tile_errors.append(msg.text)
            else:
                report.console_errors.append(msg.text)

    context.route("**/*", route)
    page = context.new_page()
    page.on("console", on_console)
    page.on("pageerror", lambda exc: report.page_errors.append(str(exc)))
    return context, page


@contextmanager
def offline_pages(browser: Any, visits: Sequence[tuple[Path, Mapping[str, Any] | None]], *,
                  allow_tiles: bool = False, settle_ms: int = 0,
                  ) -> Iterator[list[tuple[Any, PageReport]]]:
    """Open several ``(html, context options)`` at once, each in its own blocked context.

    Every navigation starts before any is waited for, so Chromium loads the pages in
    parallel renderer processes. Yields ``[(page, report), ...]`` in the order given, each
    page loaded and painted (plus ``settle_ms``); see `offline_page` for the reports.
    """
    opened: list[tuple[Any, Any, PageReport]] = []
    try:
        for html, options in visits:
            report = PageReport()
            context, page = _blocked_page(browser, options or DEFAULT_CONTEXT, report,
                                          allow_tiles)
            opened.append((context, page, report))
            page.goto(html.resolve().as_uri(), wait_until="commit")
        for _, page, _ in opened:
            page.wait_for_load_state("load")
            page.evaluate(SETTLE_JS)
            if settle_ms:
                page.wait_for_timeout(settle_ms)
        yield [(page, report) for _, page, report in opened]
    finally:
        for context, _, _ in opened:
            context.close()


@contextmanager
def offline_page(browser: Any, html: Path, context_options: Mapping[str, Any] | None = None,
                 *, allow_tiles: bool = False) -> Iterator[tuple[Any, PageReport]]:
    """Open ``html`` from file:// in a new context of ``browser``, other requests blocked.

    Yields the playwright page and a report of console errors, page errors and the
    blocked requests. Blocked images (basemap tiles) can be allowed to fail quietly
    (``allow_tiles``): a map with an online basemap must still draw its overlays with no
    network; a blocked script, style or font is always a console error.
    """
    with offline_pages(browser, [(html, context_options)], allow_tiles=allow_tiles,
                       settle_ms=300) as [opened]:
        yield opened


@contextmanager
def open_offline(html: Path, *, allow_tiles: bool = False) -> Iterator[tuple[Any, PageReport]]:
    """Open ``html`` in a browser of its own with the network blocked (see `offline_page`)."""
    with chromium() as browser, offline_page(browser, html, allow_tiles=allow_tiles) as opened:
        yield opened


def missing_glyphs(page: Any, text: str | None = None, *, selector: str = "body",
                   only_han: bool = True) -> dict[str, list[str]]:
    """Characters that render as the missing-glyph box, by CSS font.

    With ``text``, its characters drawn in the font of the first element matching
    ``selector``; without, every Chinese character of every text node in the page drawn in
    its own element's font. ``only_han`` limits the check to Chinese characters. Returns
    ``{font: [characters]}``, empty when every character has a real glyph.
    """
    result = page.evaluate(GLYPHS_JS, {"text": text, "selector": selector,
                                       "only_han": only_han})
    if "error" in result:
        raise AssertionError(result["error"])
    if result["checked"] == 0:
        raise AssertionError(f"no characters to check ({text!r}, {selector})")
    return result["missing"]


def fontconfig_without_cjk(folder: Path) -> dict[str, str]:
    """Environment for Chromium whose fontconfig sees one font, with no Chinese glyphs.

    The font is the one fontconfig picks for English sans-serif text, provided it does
    not cover Chinese (``fc-list :lang=zh``); it is linked into ``folder/fonts`` and a
    ``fonts.conf`` naming only that folder is written. The returned environment is this
    process's with ``FONTCONFIG_FILE`` pointing at it: a Chromium launched with it has no
    CJK fallback, as on a machine without fonts-noto-cjk.
    """
    def fc(*args: str) -> str:
        return subprocess.run(["fc-" + args[0], *args[1:]], check=True, capture_output=True,
                              text=True).stdout

    if shutil.which("fc-match") is None:
        if os.environ.get("CI"):
            pytest.fail("fontconfig tools are missing: .ci/run installs fonts-noto-cjk")
        pytest.skip("fontconfig tools (fc-match, fc-list) not installed")
    cjk = {line.split(":")[0].strip() for line in fc("list", ":lang=zh", "file").splitlines()}
    font = Path(fc("match", "-f", "%{file}", "sans-serif:lang=en"))
    if str(font) in cjk or not font.exists():
        pytest.skip(f"no font without Chinese glyphs to restrict fontconfig to ({font})")
    fonts = folder / "fonts"
    fonts.mkdir(parents=True, exist_ok=True)
    (fonts / font.name).unlink(missing_ok=True)
    (fonts / font.name).symlink_to(font)
    conf = folder / "fonts.conf"
    conf.write_text('<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n'
                    f"<fontconfig><dir>{fonts}</dir><cachedir>{folder / 'cache'}</cachedir>"
                    "</fontconfig>\n", encoding="utf-8")
    return {**os.environ, "FONTCONFIG_FILE": str(conf)}
