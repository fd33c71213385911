"""Exception types for bad input: one per kind, each naming file, row and field.

A message is a plain string or a :class:`patrolgeo.labels.Text` in both languages; the
face that catches the error renders it with ``exc.one_line(lang)``.
"""

from __future__ import annotations

from pathlib import Path

from patrolgeo.labels import DEFAULT_LANG, Text, render


class PatrolgeoError(Exception):
    """Base class of every error caused by bad input.

    Parameters
    ----------
    message
        What is wrong, in one line: a string, or a :class:`~patrolgeo.labels.Text`
        in both languages.
    file
        The input file at fault, if any.
    row
        The 1-based row or line number in that file, if known.
    field
        The column, tag or option at fault, if known.
    """

    def __init__(
        self,
        message: str | Text,
        *,
        file: str | Path | None = None,
        row: int | None = None,
        field: str | None = None,
    ) -> None:
        self.message = message
        self.file = str(file) if file is not None else None
        self.row = row
        self.field = field
        super().__init__(self.one_line())

    def one_line(self, lang: str = DEFAULT_LANG) -> str:
        """Return ``file:row: field: message`` with the known parts only, in ``lang``."""
        where = []
        if self.file is not None:
            where.append(self.file if self.row is None else f"{self.file}:{self.row}")
        elif self.row is not None:
            where.append(f"row {self.row}")
        if self.field is not None:
            where.append(self.field)
        prefix = ": ".join(where)
        message = render(self.message, lang)
        return f"{prefix}: {message}" if prefix else message


class OSMFileError(PatrolgeoError):
    """An OSM input file is missing, of an unknown kind, or unreadable."""


class EmptyNetworkError(PatrolgeoError):
    """The area or filter leaves no road network to work on."""


class AreaError(PatrolgeoError):
    """A bbox, polygon or place is malformed or lies outside the data."""


class DownloadError(PatrolgeoError):
    """Downloading a network from OpenStreetMap failed."""


class InputRowError(PatrolgeoError):
    """A row of a tabular input (CSV, GeoJSON, JSON) is invalid."""


class ConfigError(PatrolgeoError):
    """A configuration file (rules, taxonomy) is invalid."""


class RoutingError(PatrolgeoError):
    """A routing request cannot be met (unreachable segment, bad start point)."""


class CapacityError(PatrolgeoError):
    """A shift length or capacity is impossible for the work asked."""


class OutputError(PatrolgeoError):
    """An output path cannot be written.

    A file where a folder must go, a folder holding someone else's files, a read-only
    or full disk.
    """


class SegmentsError(PatrolgeoError):
    """A segments table breaks the segments contract (missing column, duplicate id, CRS)."""
