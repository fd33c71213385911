"""Saving maps: rendering to HTML, inlining the offline assets, stable element ids.

A map opens with no network when its scripts and styles are inlined from the
``folium-offline`` package; element ids are renumbered in order so the same inputs give
byte-identical files.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

from patrolgeo.outputs.files import write_text

if TYPE_CHECKING:
    import folium

# --------------------------------------------------------------------------- saving

_SCRIPT_TAG = re.compile(r'<script\s+src="(https?://[^"]+)"\s*>\s*</script>')
_LINK_TAG = re.compile(r'<link\s+rel="stylesheet"\s+href="(https?://[^"]+)"\s*/?>')
_ELEMENT_ID = re.compile(r"(?<=_)[0-9a-f]{32}(?![0-9a-f])")
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


def inline_assets(html: str) -> str:
    """Replace every ``<script src>`` and style-sheet link with the bundled file's text.

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

    def content(url: str) -> str | None:
        if any(part in url for part in _FONT_ONLY_CSS):
            return None
        if url not in assets:
            raise OfflineAssetError(f"no offline copy of {url}")
        return assets[url]

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
    """Render a map to HTML with stable element ids (byte-identical across runs).

    folium names elements with random ids; they are renumbered in order of appearance.

    Parameters
    ----------
    fmap
        The map.
    offline
        Inline every script and style sheet (:func:`inline_assets`).

    Returns
    -------
    str
        The page.
    """
    html = fmap.get_root().render()
    ids: dict[str, str] = {}
    html = _ELEMENT_ID.sub(lambda m: ids.setdefault(m.group(0), f"{len(ids):032x}"), html)
    if offline:
        html = inline_assets(html)
    return html


def save_map(fmap: folium.Map, path: str | Path, *, offline: bool = False) -> Path:
    """Write a folium map to one HTML file atomically (self-contained when ``offline``).

    Parameters
    ----------
    fmap
        The map.
    path
        The ``.html`` file.
    offline
        Inline every script and style sheet.

    Returns
    -------
    Path
        ``path``.
    """
    return write_text(render_map(fmap, offline=offline), path)
