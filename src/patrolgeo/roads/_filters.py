"""Way filters of the travel modes: osmnx's Overpass filters, parsed and applied to tags.

Using osmnx's own filter text keeps a file and a download of the same area identical.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

import osmnx as ox

from patrolgeo.errors import AreaError

MODES = ("walk", "bike", "drive")
"""Travel modes: foot patrols, (e-)bike patrols, vehicles (sweepers, patrol cars)."""


@dataclass(frozen=True)
class TagCondition:
    """One clause of an Overpass way filter such as ``["highway"!~"footway|steps"]``."""

    key: str
    op: str  # "exists", "~" (must match) or "!~" (must not match)
    pattern: re.Pattern[str] | None = None

    def holds(self, tags: dict[str, str]) -> bool:
        """Tell whether a way with ``tags`` passes this clause, as Overpass would."""
        value = tags.get(self.key)
        if self.op == "exists":
            return value is not None
        assert self.pattern is not None
        if self.op == "~":
            return value is not None and self.pattern.search(value) is not None
        return value is None or self.pattern.search(value) is None


_CLAUSE = re.compile(r'\["([^"]+)"(?:\s*(!?~)\s*"([^"]*)")?\]')


def network_filter(mode: str) -> list[TagCondition]:
    """Return the way filter of ``mode``: osmnx's Overpass filter, parsed.

    Using osmnx's filter text keeps a file and a download of the same area identical.
    """
    if mode not in MODES:
        raise AreaError(f"unknown mode {mode!r}; choose one of {', '.join(MODES)}",
                        field="mode")
    text = ox._overpass._get_network_filter(mode)
    clauses = [
        TagCondition(key, op or "exists", re.compile(pat) if op else None)
        for key, op, pat in _CLAUSE.findall(text)
    ]
    if not clauses or clauses[0].key != "highway":  # pragma: no cover - osmnx changed
        raise RuntimeError(f"cannot parse osmnx network filter {text!r}")
    return clauses


def way_passes(tags: dict[str, str], conditions: Iterable[TagCondition]) -> bool:
    """Tell whether a way with ``tags`` passes every clause of a network filter."""
    return all(c.holds(tags) for c in conditions)
