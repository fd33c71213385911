"""Transitional: the old import path of the hotspot names.

``patrolgeo.maps`` imports :func:`gi_class_label` from here and
``patrolgeo.pipeline.analyse_issues`` takes its default permutations from here; both
move to the front door (``from patrolgeo.issues import ...``) and this module goes.
"""

from __future__ import annotations

from patrolgeo.issues._gi import DEFAULT_PERMUTATIONS
from patrolgeo.labels._issues import gi_class_label as _gi_class_label


def gi_class_label(gi_class: str, lang: str | None = None) -> str:
    """Return the words of a Gi* class; without ``lang``, in the process language.

    Parameters
    ----------
    gi_class
        A Gi* class code (``hot_99`` … ``cold_99``, ``not_significant``).
    lang
        ``"zh"`` or ``"en"``; ``None`` reads :func:`patrolgeo.i18n.get_lang` until every
        caller passes a language.

    Returns
    -------
    str
        The label; an unknown code as it is.
    """
    if lang is None:
        from patrolgeo.i18n import get_lang

        lang = get_lang()
    return _gi_class_label(gi_class, lang)


__all__ = ["DEFAULT_PERMUTATIONS", "gi_class_label"]
