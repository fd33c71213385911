"""Remarks on an assignment, as codes with parameters; words come from the labels."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from patrolgeo.labels import DEFAULT_LANG, label

#: Codes of the notes, each labelled in ``patrolgeo.labels._territories``.
PREVIOUS_DISJOINT = "previous_disjoint"  # the previous assignment shares no segment
OUT_OF_BAND = "out_of_band"  # params: tolerance, max, min (shares of target)
DISCONNECTED = "disconnected"  # params: count (territories not connected)


@dataclass(frozen=True)
class TerritoryNote:
    """A remark on an assignment: a code and the numbers its words need.

    Attributes
    ----------
    code
        One of :data:`PREVIOUS_DISJOINT`, :data:`OUT_OF_BAND`, :data:`DISCONNECTED`.
    params
        The numbers the label's template names (see :func:`note_text`).

    Examples
    --------
    >>> note_text(TerritoryNote(DISCONNECTED, {"count": 2}), "en")
    '2 territories are not connected (forced by pins)'
    """

    code: str
    params: Mapping[str, float] = field(default_factory=dict)


def note_text(note: TerritoryNote, lang: str = DEFAULT_LANG) -> str:
    """Return the words of a note in ``lang`` (``"zh"`` or ``"en"``).

    Parameters
    ----------
    note
        The note.
    lang
        Language of the words.

    Returns
    -------
    str
        The label of the note's code, filled in with its parameters.

    Raises
    ------
    KeyError
        For a code without a label.
    """
    return label("territory_note", note.code, lang).format(**note.params)
