"""The index page of a run: links to every map and file it wrote."""

from __future__ import annotations

from patrolgeo import ATTRIBUTION
from patrolgeo.labels import DEFAULT_LANG, check_lang


def index_page(links: list[tuple[str, str]], title: str, lang: str = DEFAULT_LANG) -> str:
    """Return an HTML page linking the maps and files a run wrote.

    Parameters
    ----------
    links
        ``(label, relative href)`` pairs, in order.
    title
        The page's title and heading.
    lang
        The page's language (its ``lang`` attribute).

    Returns
    -------
    str
        The page.

    Examples
    --------
    >>> "maps.html" in index_page([("Maps", "maps.html")], "Run", "en")
    True
    """
    items = "\n".join(f'<li><a href="{href}">{text}</a></li>' for text, href in links)
    return (
        f'<!doctype html><html lang="{check_lang(lang)}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{title}</title></head><body style=\"font-family:sans-serif\">"
        f"<h1>{title}</h1><ul>{items}</ul><p><small>{ATTRIBUTION}</small></p></body></html>"
    )
