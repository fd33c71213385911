"""User-facing language selection (Chinese by default, English with ``--lang en``).

Code and docs are English; every message a user reads goes through :func:`tr`, which
takes both texts side by side so that no catalogue can drift out of step.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

LANGS = ("zh", "en")
_current = os.environ.get("PATROLGEO_LANG", "zh") if os.environ.get(
    "PATROLGEO_LANG", "zh"
) in LANGS else "zh"


def set_lang(lang: str) -> None:
    """Set the language of user-facing text: ``"zh"`` or ``"en"``."""
    global _current
    if lang not in LANGS:
        raise ValueError(f"unknown language {lang!r}; choose one of {', '.join(LANGS)}")
    _current = lang


def get_lang() -> str:
    """Return the current language code."""
    return _current


@contextmanager
def language(lang: str) -> Iterator[None]:
    """Use ``lang`` inside a ``with`` block, restoring the previous language after."""
    previous = _current
    set_lang(lang)
    try:
        yield
    finally:
        set_lang(previous)


def tr(zh: str, en: str, lang: str | None = None) -> str:
    """Pick the Chinese or English text for the current (or given) language."""
    return en if (lang or _current) == "en" else zh
