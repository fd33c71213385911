"""The time window of a run: no report later than its reference time or before a date."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd

from patrolgeo.errors import InputRowError

#: Reports before this date are rejected unless the caller sets another: digital case
#: systems of urban management (数字城管) date from the mid-2000s, so an earlier time is
#: a default or typing error (1900-01-01, 1970-01-01).
DEFAULT_EARLIEST = "2000-01-01"


_BARE_DATE = re.compile(r"\d{4}-\d{1,2}-\d{1,2}")


@dataclass(frozen=True)
class TimeLimits:
    """Earliest and latest report times accepted, as naive local times in ``tz``."""

    earliest: pd.Timestamp
    as_of: pd.Timestamp
    tz: str


def _local(value: str | pd.Timestamp, tz: str, name: str) -> pd.Timestamp:
    """``value`` as a naive local time in ``tz`` (a time with an offset is converted)."""
    try:
        stamp = pd.Timestamp(value)
    except (ValueError, TypeError) as exc:
        raise InputRowError(f"{name} {value!r} is not a date or time", field=name) from exc
    if pd.isna(stamp):
        raise InputRowError(f"{name} {value!r} is not a date or time", field=name)
    if stamp.tzinfo is not None:
        stamp = stamp.tz_convert(tz).tz_localize(None)
    return stamp


def time_limits(as_of: str | pd.Timestamp | None, earliest: str | pd.Timestamp | None,
                tz: str) -> TimeLimits:
    """The accepted window: ``earliest`` (default :data:`DEFAULT_EARLIEST`) to ``as_of``.

    Parameters
    ----------
    as_of
        The run's reference time; ``None`` for now (in ``tz``). A bare date
        (``"2024-05-31"``) means the end of that day, so its reports are kept.
    earliest
        The earliest report time; ``None`` for :data:`DEFAULT_EARLIEST`.
    tz
        Time zone of the reports' local times.

    Raises
    ------
    InputRowError
        A value that is not a time, or ``earliest`` after ``as_of``.
    """
    if as_of is None:
        latest = pd.Timestamp.now(tz=tz).tz_localize(None)
    else:
        latest = _local(as_of, tz, "as_of")
        if isinstance(as_of, str) and _BARE_DATE.fullmatch(as_of.strip()):
            latest = latest + pd.Timedelta(days=1) - pd.Timedelta(1, unit="ns")
    first = _local(DEFAULT_EARLIEST if earliest is None else earliest, tz, "earliest")
    if first > latest:
        raise InputRowError(f"earliest {first:%Y-%m-%d %H:%M} is after the reference time "
                            f"{latest:%Y-%m-%d %H:%M}", field="earliest")
    return TimeLimits(earliest=first, as_of=latest, tz=tz)
