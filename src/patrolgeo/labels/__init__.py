"""Words for codes: the one place where Chinese and English labels live.

The stages compute with codes (a grade ``1``, a method ``"mech_sweep"``, a Gi* class
``"hot_99"``); the faces (CLI, service, web pages) and the writers (maps, sheets,
reports) turn them into words with :func:`label`, in the language of the call. The
language is always a parameter, never a process global, so two requests in two
languages can run at once.

Messages that the stages must carry to a face before it is known who reads them (an
error, a warning, a progress step) are :class:`Text` values: both languages side by
side, rendered by the face with ``text.render(lang)``.

Examples
--------
>>> from patrolgeo.labels import Text, label
>>> label("grade", 1, "en")
'Grade 1'
>>> Text("文件不存在", "file not found").render("en")
'file not found'
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from dataclasses import dataclass

LANGS = ("zh", "en")
DEFAULT_LANG = "zh"

_TABLES: dict[str, dict[Hashable, tuple[str, str]]] = {}


def check_lang(lang: str) -> str:
    """Return ``lang`` when it is a known language code, else raise ``ValueError``.

    Examples
    --------
    >>> check_lang("en")
    'en'
    """
    if lang not in LANGS:
        raise ValueError(f"unknown language {lang!r}; choose one of {', '.join(LANGS)}")
    return lang


@dataclass(frozen=True)
class Text:
    """A user-facing message in both languages, rendered by a face.

    ``str()`` gives the default language (Chinese), so a ``Text`` can stand where a
    plain string is expected; faces call :meth:`render` with the caller's language.
    """

    zh: str
    en: str

    def render(self, lang: str = DEFAULT_LANG) -> str:
        """The message in ``lang`` (``"zh"`` or ``"en"``)."""
        return self.en if check_lang(lang) == "en" else self.zh

    def __str__(self) -> str:
        return self.zh

    def __add__(self, other: Text | str) -> Text:
        if isinstance(other, Text):
            return Text(self.zh + other.zh, self.en + other.en)
        return Text(self.zh + other, self.en + other)

    def __radd__(self, other: str) -> Text:
        return Text(other + self.zh, other + self.en)


def render(message: Text | str, lang: str = DEFAULT_LANG) -> str:
    """A :class:`Text` in ``lang``; a plain string as it is."""
    return message.render(lang) if isinstance(message, Text) else str(message)


def pick(zh: str, en: str, lang: str) -> str:
    """The Chinese or the English of two literals, for writers holding both."""
    return en if check_lang(lang) == "en" else zh


def register(table: str, entries: Mapping[Hashable, tuple[str, str]]) -> None:
    """Add ``code -> (zh, en)`` entries to a named table (called by the table modules)."""
    _TABLES.setdefault(table, {}).update(entries)


def label(table: str, code: Hashable, lang: str = DEFAULT_LANG) -> str:
    """The word for ``code`` in ``table``, in ``lang``.

    Raises ``KeyError`` naming the table for an unknown table or code: a code without a
    label is a bug, not a user error.
    """
    try:
        zh, en = _TABLES[table][code]
    except KeyError:
        raise KeyError(f"no label for {code!r} in table {table!r}") from None
    return en if check_lang(lang) == "en" else zh


def label_or_code(table: str, code: Hashable, lang: str = DEFAULT_LANG) -> str:
    """The word for ``code`` in ``table``, or the code itself where the table has none.

    For open vocabularies such as OSM ``highway`` values, where a value patrolgeo does not
    know is still shown rather than refused.

    Examples
    --------
    >>> label_or_code("grade", 9, "en")
    '9'
    """
    return label(table, code, lang) if has_label(table, code) else str(code)


def labels(table: str, lang: str = DEFAULT_LANG) -> dict[Hashable, str]:
    """Every ``code -> word`` of a table in ``lang`` (e.g. a legend)."""
    if table not in _TABLES:
        raise KeyError(f"no label table {table!r}")
    index = 1 if check_lang(lang) == "en" else 0
    return {code: pair[index] for code, pair in _TABLES[table].items()}


def has_label(table: str, code: Hashable) -> bool:
    """Whether ``table`` has a label for ``code``."""
    return code in _TABLES.get(table, {})


# The tables, one module per stage; importing them registers their entries.
from patrolgeo.labels import (  # noqa: E402
    _cli,
    _common,
    _issues,
    _maps,
    _names,
    _plans,
    _roads,
    _routing,
    _territories,
)

del _cli, _common, _issues, _maps, _names, _plans, _roads, _routing, _territories

__all__ = ["DEFAULT_LANG", "LANGS", "Text", "check_lang", "has_label", "label", "label_or_code",
           "labels", "pick", "register", "render"]
