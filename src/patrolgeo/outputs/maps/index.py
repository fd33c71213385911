"""The index page of a run: its maps as cards a phone can tap, its data files to download.

Each map is a card: a thumbnail drawn in Python from the lines the map page carries
(coloured as on the map), a title and one line of what it shows. Other pages (the plan
book) are listed after the maps; data files (CSV, GPX, GeoPackage, GeoJSON, Excel,
text) are in a separate download section, grouped by folder. The page is one file with
no script, laid out with a CSS grid that gives two cards a row on a 390 px phone.
"""

from __future__ import annotations

import html as html_lib
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from patrolgeo import ATTRIBUTION
from patrolgeo.labels import DEFAULT_LANG, label
from patrolgeo.outputs.files import ATTRIBUTION_FILE
from patrolgeo.outputs.maps._base import MAP_BACKGROUND, html_lang
from patrolgeo.outputs.maps._thumbnail import svg_thumbnail

#: Narrowest card, CSS pixels: two cards side by side on a 390 px phone (12 px margins).
CARD_MIN_PX = 160
#: File names of the maps the verbs write, to the ``map_card`` code of what they show
#: (a name starting with ``chief_`` is a chief's map; ``route*`` a route map).
_MAP_KINDS = {"segments": "segments", "grades": "grades", "territories": "territories",
              "hotspots": "hotspots"}
_PAGE_SUFFIXES = (".html", ".htm")

_CSS = (
    "body{font:15px/1.5 -apple-system,'PingFang SC','Noto Sans CJK SC','Microsoft YaHei',"
    "sans-serif;margin:0;background:#f6f6f4;color:#222}"
    "main{max-width:1100px;margin:0 auto;padding:12px}"
    "h1{font-size:22px;margin:6px 0 12px}h2{font-size:18px;margin:22px 0 8px}"
    "h3{font-size:15px;margin:14px 0 4px;color:#444}"
    ".pg-cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(%(min)dpx,1fr));"
    "gap:12px;list-style:none;margin:0;padding:0}"
    ".pg-card>a{display:block;height:100%%;background:#fff;border-radius:8px;overflow:hidden;"
    "box-shadow:0 1px 3px rgba(0,0,0,.25);color:inherit;text-decoration:none}"
    ".pg-card svg{display:block;width:100%%;height:auto;background:%(bg)s}"
    ".pg-card b{display:block;font-size:15px;margin:6px 8px 2px}"
    ".pg-card span{display:block;font-size:13px;margin:0 8px 8px;color:#555}"
    ".pg-list{list-style:none;margin:0;padding:0;background:#fff;border-radius:8px;"
    "box-shadow:0 1px 3px rgba(0,0,0,.15)}"
    ".pg-list li+li{border-top:1px solid #eee}"
    ".pg-list a{display:flex;justify-content:space-between;align-items:center;gap:8px;"
    "min-height:44px;padding:4px 12px;box-sizing:border-box;text-decoration:none;"
    "color:#0b57d0;overflow-wrap:anywhere}"
    ".pg-kind{flex:none;font-size:12px;color:#666}"
    ".pg-note{font-size:13px;color:#666;margin:0 0 4px}"
    "footer{font-size:12px;color:#666;margin:24px 0 8px}"
)


@dataclass(frozen=True)
class MapCard:
    """One map on the index page.

    Parameters
    ----------
    title
        The card's title (the map's name).
    href
        The map page, relative to the index.
    summary
        One line of what the map shows.
    thumbnail
        An inline ``<svg>`` picture of the map.
    """

    title: str
    href: str
    summary: str
    thumbnail: str


@dataclass(frozen=True)
class Download:
    """One file linked from the index page (a data file, or a page that is not a map).

    Parameters
    ----------
    label
        What the file holds.
    href
        The file, relative to the index; its folder groups the downloads.
    size
        Its size in bytes (0: not shown).
    """

    label: str
    href: str
    size: int = 0


def is_map_page(page: str) -> bool:
    """Whether an HTML page draws a Leaflet map (the pages :func:`save_map` writes).

    Parameters
    ----------
    page
        The page's HTML.

    Returns
    -------
    bool
        True when the page creates an ``L.map``.
    """
    return "L.map(" in page


def map_kind(name: str) -> str:
    """The ``map_card`` code of a map file: what the verbs' file names say it shows.

    Parameters
    ----------
    name
        The file name, e.g. ``chief_C01.html``.

    Returns
    -------
    str
        ``segments``, ``grades``, ``territories``, ``chief``, ``route``, ``hotspots``
        or ``map`` (any other).

    Examples
    --------
    >>> map_kind("chief_C01.html"), map_kind("grades.html"), map_kind("other.html")
    ('chief', 'grades', 'map')
    """
    stem = Path(name).stem
    if stem.startswith("chief_"):
        return "chief"
    if stem.startswith("route"):
        return "route"
    return _MAP_KINDS.get(stem, "map")


def map_card(path: str | Path, *, href: str, title: str,
             lang: str = DEFAULT_LANG) -> MapCard | None:
    """The card of the map page at ``path``; ``None`` when the page is not a map.

    Parameters
    ----------
    path
        An HTML file.
    href
        Its link from the index page.
    title
        The card's title.
    lang
        Language of the summary line.

    Returns
    -------
    MapCard or None
        The card, its thumbnail drawn from the lines the page carries.
    """
    page = Path(path).read_text(encoding="utf-8")
    if not is_map_page(page):
        return None
    return MapCard(title, href, label("map_card", map_kind(Path(path).name), lang),
                   svg_thumbnail(page, label=title, background=MAP_BACKGROUND))


def _size_text(size: int) -> str:
    """A file size as a phone user reads it: ``850 B``, ``12 KB``, ``3.4 MB``."""
    if size < 1_000:
        return f"{size} B"
    if size < 1_000_000:
        return f"{size / 1_000:.0f} KB"
    return f"{size / 1_000_000:.1f} MB"


def _file_rows(files: Sequence[Download], *, download: bool) -> str:
    """``<li>`` rows linking ``files``, each with its type and size."""
    esc = html_lib.escape
    rows = []
    for item in files:
        suffix = Path(item.href).suffix.lstrip(".").upper()
        kind = suffix + (f" · {_size_text(item.size)}" if item.size else "")
        attr = " download" if download else ""
        rows.append(f'<li><a href="{esc(item.href)}"{attr}><span>{esc(item.label)}</span>'
                    f'<span class="pg-kind">{esc(kind)}</span></a></li>')
    return "".join(rows)


def _downloads_html(downloads: Sequence[Download], lang: str) -> str:
    """The download section: one heading and list per folder, in order of appearance."""
    folders: dict[str, list[Download]] = {}
    for item in downloads:
        folders.setdefault(Path(item.href).parent.as_posix(), []).append(item)
    parts = [f'<section class="pg-downloads"><h2>{label("index", "downloads", lang)}</h2>'
             f'<p class="pg-note">{label("index", "downloads_note", lang)}</p>']
    for folder, items in folders.items():
        name = label("index", "top_folder", lang) if folder == "." else folder + "/"
        parts.append(f"<h3>{html_lib.escape(name)}</h3>"
                     f'<ul class="pg-list">{_file_rows(items, download=True)}</ul>')
    return "".join(parts) + "</section>"


def index_page(
    cards: Sequence[MapCard],
    downloads: Sequence[Download],
    title: str,
    lang: str = DEFAULT_LANG,
    *,
    pages: Sequence[Download] = (),
) -> str:
    """Return the index page: map cards, other pages, then the downloads by folder.

    Parameters
    ----------
    cards
        The maps, in order (:func:`map_card`).
    downloads
        The data files, in order; grouped by the folder of their ``href``.
    title
        The page's title and heading.
    lang
        The page's language (its ``lang`` attribute and headings).
    pages
        HTML pages that are not maps (the plan book), listed after the cards.

    Returns
    -------
    str
        The page: one file, no script, no network.

    Examples
    --------
    >>> card = MapCard("Roads", "segments.html", "Every segment", "<svg></svg>")
    >>> page = index_page([card], [Download("Roads CSV", "roads.csv", 1200)], "Run", "en")
    >>> 'href="segments.html"' in page and 'href="roads.csv" download' in page
    True
    """
    esc = html_lib.escape
    items = "".join(
        f'<li class="pg-card"><a href="{esc(c.href)}">{c.thumbnail}'
        f"<b>{esc(c.title)}</b><span>{esc(c.summary)}</span></a></li>" for c in cards)
    parts = [
        f'<!doctype html><html lang="{html_lang(lang)}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{esc(title)}</title>"
        f"<style>{_CSS % {'min': CARD_MIN_PX, 'bg': MAP_BACKGROUND}}</style></head>"
        f"<body><main><h1>{esc(title)}</h1>",
    ]
    if cards:
        parts.append(f'<section><h2>{label("index", "maps", lang)}</h2>'
                     f'<ul class="pg-cards">{items}</ul></section>')
    if pages:
        parts.append(f'<section><h2>{label("index", "pages", lang)}</h2>'
                     f'<ul class="pg-list">{_file_rows(pages, download=False)}</ul></section>')
    if downloads:
        parts.append(_downloads_html(downloads, lang))
    parts.append(f"<footer>{ATTRIBUTION}</footer></main></body></html>")
    return "".join(parts)


def _with_attribution_files(files: list[tuple[str, Path]],
                            lang: str) -> list[tuple[str, Path]]:
    """``files`` plus the attribution file of every folder they are in, after them."""
    listed = {path for _, path in files}
    extra = []
    for folder in dict.fromkeys(path.parent for _, path in files):
        attribution = folder / ATTRIBUTION_FILE
        if attribution not in listed and attribution.is_file():
            extra.append((label("index", "attribution_file", lang), attribution))
    return files + extra


def run_index(out: str | Path, files: Iterable[tuple[str, str | Path]], title: str,
              lang: str = DEFAULT_LANG) -> str:
    """The index page of the files a run wrote under ``out``.

    HTML pages that draw a map become cards; other pages are listed as pages; every
    other file, and the ``ATTRIBUTION.txt`` of each folder written into, is a download.
    The index itself (``out/index.html``) and files listed twice appear once.

    Parameters
    ----------
    out
        The run's folder (where ``index.html`` goes).
    files
        ``(label, path)`` of the files written, in order (``RunOutputs.rendered``).
    title
        The page's title.
    lang
        The page's language.

    Returns
    -------
    str
        The page (:func:`index_page`).
    """
    out = Path(out)
    index = (out / "index.html").resolve()
    cards: list[MapCard] = []
    pages: list[Download] = []
    downloads: list[Download] = []
    seen: set[Path] = set()
    for text, path in _with_attribution_files([(t, Path(p)) for t, p in files], lang):
        resolved = path.resolve()
        if resolved in seen or resolved == index or not path.is_file():
            continue
        seen.add(resolved)
        href = Path(os.path.relpath(path, out)).as_posix()
        if path.suffix.lower() in _PAGE_SUFFIXES:
            card = map_card(path, href=href, title=text, lang=lang)
            if card is not None:
                cards.append(card)
            else:
                pages.append(Download(text, href, path.stat().st_size))
        else:
            downloads.append(Download(text, href, path.stat().st_size))
    return index_page(cards, downloads, title, lang, pages=pages)
