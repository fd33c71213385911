"""Saving maps: rendering to HTML, inlining every asset, stable element ids.

Every map page carries its scripts and styles inline (Leaflet and its plugins, from the
``folium-offline`` package), so it opens with no network; only tiles come from the
network, and a page whose tiles fail still draws its overlays. Element ids are
renumbered in order so the same inputs give byte-identical files.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

from patrolgeo.labels import DEFAULT_LANG
from patrolgeo.outputs.files import write_text
from patrolgeo.outputs.maps._base import html_lang

if TYPE_CHECKING:
    import folium

# --------------------------------------------------------------------------- saving

_SCRIPT_TAG = re.compile(r'<script\s+src="(https?://[^"]+)"\s*>\s*</script>')
_LINK_TAG = re.compile(r'<link\s+rel="stylesheet"\s+href="(https?://[^"]+)"\s*/?>')
_ELEMENT_ID = re.compile(r"(?<=_)[0-9a-f]{32}(?![0-9a-f])")
#: folium's viewport forbids zooming the page; the page template writes its own.
_FOLIUM_VIEWPORT = re.compile(r'\s*<meta name="viewport" content="width=device-width,\s*'
                              r'initial-scale=1\.0, maximum-scale=1\.0, user-scalable=no" />')
_BARE_HTML = re.compile(r"<html>", re.IGNORECASE)
#: jQuery, which folium links to every page but uses only for HTML popups, elements kept
#: in front and GeoJSON loaded by URL; it is inlined only where the page's code calls it.
_JQUERY = ("jquery-3.7.1.min.js", "jquery/3.7.1/jquery.min.js")
_CALLS_JQUERY = re.compile(r"\$\(|\$\.|jQuery")
#: Style sheets that only bring icon fonts (fetched from the network at draw time); the
#: offline maps use no font icons, so these are dropped rather than left to fail.
_FONT_ONLY_CSS = ("fontawesome", "bootstrap-glyphicons", "bootstrap.min.css",
                  "leaflet.awesome.rotate", "leaflet.awesome-markers",
                  "bootstrap.bundle.min.js", "leaflet.awesome-markers.js")


class OfflineAssetError(RuntimeError):
    """A map uses a script or style that no bundled offline copy exists for."""


def _offline_assets() -> dict[str, str]:
    """Bundled copies of Leaflet and its plugins, by CDN URL (``folium-offline``)."""
    from offlinefolium.elements import _res

    return _res


def _uses_jquery(html: str) -> bool:
    """Whether the page's own code (not the linked libraries) calls jQuery."""
    own = _SCRIPT_TAG.sub("", html)
    return bool(_CALLS_JQUERY.search(own))


def inline_assets(html: str) -> str:
    """Replace every ``<script src>`` and style-sheet link with the bundled file's text.

    Each file is inlined once (a second link to the same file is dropped); icon-font
    style sheets and jQuery (when the page does not call it) are dropped.

    Parameters
    ----------
    html
        A rendered map page.

    Returns
    -------
    str
        The page with no external script or style sheet.

    Raises
    ------
    OfflineAssetError
        When a script or style sheet has no bundled copy.
    """
    assets = _offline_assets()
    drop = _FONT_ONLY_CSS if _uses_jquery(html) else (*_FONT_ONLY_CSS, *_JQUERY)
    seen: set[str] = set()

    def content(url: str) -> str | None:
        if any(part in url for part in drop):
            return None
        if url not in assets:
            raise OfflineAssetError(f"no offline copy of {url}")
        text = assets[url]
        if text in seen:
            return None
        seen.add(text)
        return text

    def script(match: re.Match[str]) -> str:
        text = content(match.group(1))
        if text is None:
            return ""
        return "<script>" + text.replace("</script", "<\\/script") + "</script>"

    def style(match: re.Match[str]) -> str:
        text = content(match.group(1))
        return "" if text is None else "<style>" + text + "</style>"

    html = _SCRIPT_TAG.sub(script, html)
    return _LINK_TAG.sub(style, html)


def render_map(fmap: folium.Map, *, offline: bool = False) -> str:
    """Render a map to one self-contained page with stable element ids.

    folium names elements with random ids; they are renumbered in order of appearance.
    Every script and style sheet is inlined (:func:`inline_assets`); a page not made
    by :func:`~patrolgeo.outputs.maps.base_map` gets the default ``lang``.

    Parameters
    ----------
    fmap
        The map.
    offline
        Kept for callers of earlier versions: assets are always inlined, and whether
        tiles are drawn is decided when the map is made (``base_map(offline=...)``).

    Returns
    -------
    str
        The page.
    """
    del offline  # assets are inlined for every page
    html = fmap.get_root().render()
    ids: dict[str, str] = {}
    html = _ELEMENT_ID.sub(lambda m: ids.setdefault(m.group(0), f"{len(ids):032x}"), html)
    html = _FOLIUM_VIEWPORT.sub("", html, count=1)
    html = _BARE_HTML.sub(f'<html lang="{html_lang(DEFAULT_LANG)}">', html, count=1)
    return inline_assets(html)


def save_map(fmap: folium.Map, path: str | Path, *, offline: bool = False) -> Path:
    """Write a folium map to one self-contained HTML file, atomically.

    Parameters
    ----------
    fmap
        The map.
    path
        The ``.html`` file.
    offline
        See :func:`render_map` (no effect: every page is self-contained).

    Returns
    -------
    Path
        ``path``.
    """
    return write_text(render_map(fmap, offline=offline), path)
