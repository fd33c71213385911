"""Reading a rules TOML file and checking its values, naming the file and line of each."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from patrolgeo.errors import ConfigError
from patrolgeo.plans._rules import (
    Window,
    did_you_mean,
    parse_grade,
    parse_time,
    parse_window,
)
from patrolgeo.tomlfiles import Positions, has_path, path_text

# --------------------------------------------------------------------------- checking


def _type_name(value: Any) -> str:
    return {bool: "boolean", str: "string", list: "list", dict: "table", int: "number",
            float: "number"}.get(type(value), type(value).__name__)


class _Locator:
    """Names the file and line a key path of the merged rules came from."""

    def __init__(self, user: dict[str, Any] | None,
                 files: list[tuple[Path, Positions]]) -> None:
        self.user = user
        self.files = files  # (default file, positions), then the user's file if any

    def fail(self, path: tuple[Any, ...], message: str) -> ConfigError:
        """Build a :class:`ConfigError` for ``path``, naming its file, line and key."""
        file, positions = self.files[0]
        if self.user is not None and len(self.files) > 1:
            # the innermost prefix of the path that the user's file sets came from it
            for n in range(len(path), 0, -1):
                if has_path(self.user, path[:n]):
                    file, positions = self.files[1]
                    break
        line = None
        for n in range(len(path), 0, -1):
            if path[:n] in positions:
                line = positions[path[:n]]
                break
        return ConfigError(message, file=file, row=line, field=path_text(path))


class _Checker:
    """Reads values of the merged rules by key path, checking their types and ranges."""

    def __init__(self, data: dict[str, Any], user: dict[str, Any] | None,
                 files: list[tuple[Path, Positions]]) -> None:
        self.data = data
        self.files = files
        self.where = _Locator(user, files)

    def fail(self, path: tuple[Any, ...], message: str) -> ConfigError:
        """Build a :class:`ConfigError` for ``path`` (see :class:`_Locator`)."""
        return self.where.fail(path, message)

    def get(self, path: tuple[Any, ...]) -> Any:
        """Return the value at ``path``; ``KeyError``/``IndexError``/``TypeError`` when absent."""
        data: Any = self.data
        for part in path:
            data = data[part]
        return data

    def table(self, path: tuple[Any, ...], allowed: set[str] | None = None) -> dict[str, Any]:
        """Return the table at ``path``, refusing keys outside ``allowed``."""
        try:
            value = self.get(path)
        except (KeyError, IndexError, TypeError):
            raise self.fail(path, "missing table") from None
        if not isinstance(value, Mapping):
            raise self.fail(path, f"must be a table, not {_type_name(value)}")
        if allowed is not None:
            for key in value:
                if key not in allowed:
                    raise self.fail((*path, key),
                                    f"unknown key {key!r}{did_you_mean(key, allowed)}")
        return dict(value)

    def value(self, path: tuple[Any, ...]) -> Any:
        """Return the value at ``path``, which must be there."""
        try:
            return self.get(path)
        except (KeyError, IndexError, TypeError):
            raise self.fail(path, "missing value") from None

    def number(self, path: tuple[Any, ...], *, low: float | None = None,
               high: float | None = None, strict_low: bool = False,
               integer: bool = False) -> float:
        """Return the number at ``path`` (see :meth:`check_number`)."""
        value = self.value(path)
        return self.check_number(path, value, low=low, high=high, strict_low=strict_low,
                                 integer=integer)

    def check_number(self, path: tuple[Any, ...], value: Any, *, low: float | None = None,
                     high: float | None = None, strict_low: bool = False,
                     integer: bool = False) -> float:
        """``value`` as a finite number within the bounds (a whole one if ``integer``)."""
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.fail(path, f"must be a number, not {_type_name(value)} {value!r}")
        if not math.isfinite(value):
            raise self.fail(path, f"must be a finite number, not {value!r}")
        if integer and value != int(value):
            raise self.fail(path, f"must be a whole number, not {value!r}")
        if low is not None and (value <= low if strict_low else value < low):
            raise self.fail(path, f"must be {'>' if strict_low else '≥'} {low:g}, not {value!r}")
        if high is not None and value > high:
            raise self.fail(path, f"must be ≤ {high:g}, not {value!r}")
        return int(value) if integer else float(value)

    def text(self, path: tuple[Any, ...]) -> str:
        """Return the non-empty string at ``path``."""
        value = self.value(path)
        if not isinstance(value, str) or not value.strip():
            raise self.fail(path, f"must be a non-empty string, not {value!r}")
        return value

    def strings(self, path: tuple[Any, ...], allowed: Iterable[str] | None = None,
                what: str = "value") -> list[str]:
        """Return the list of strings at ``path``, each one of ``allowed`` when given."""
        value = self.value(path)
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self.fail(path, f"must be a list of strings, not {value!r}")
        if allowed is not None:
            known = set(allowed)
            for v in value:
                if v not in known:
                    raise self.fail(path, f"unknown {what} {v!r}{did_you_mean(v, known)}")
        return list(value)


# --------------------------------------------------------------------------- schedule values


def check_grade(c: _Checker, path: tuple[Any, ...]) -> int:
    """Return the grade at ``path`` (1-4 or 一级 … 四级)."""
    value = c.value(path)
    grade = parse_grade(value)
    if grade is None:
        raise c.fail(path, f"unknown grade {value!r}; use 1-4 or 一级 … 四级")
    return grade


def check_count_range(c: _Checker, path: tuple[Any, ...]) -> tuple[int, int]:
    """Return a count or a ``[low, high]`` range of counts at ``path``."""
    value = c.value(path)
    if isinstance(value, list):
        if len(value) != 2:
            raise c.fail(path, f"a range must be [low, high], not {value!r}")
        low = c.check_number(path, value[0], low=0, integer=True)
        high = c.check_number(path, value[1], low=0, integer=True)
        if low > high:
            raise c.fail(path, f"range {value!r} runs backwards")
        return int(low), int(high)
    n = int(c.check_number(path, value, low=0, integer=True))
    return n, n


def check_time(c: _Checker, path: tuple[Any, ...]) -> int:
    """Return the ``"HH:MM"`` time at ``path`` in minutes after midnight."""
    value = c.value(path)
    minutes = parse_time(value)
    if minutes is None:
        raise c.fail(path, f"bad time {value!r}; use HH:MM")
    return minutes


def check_windows(c: _Checker, path: tuple[Any, ...]) -> tuple[Window, ...]:
    """Return the list of ``"HH:MM-HH:MM"`` windows at ``path``."""
    value = c.value(path)
    if not isinstance(value, list):
        raise c.fail(path, f"must be a list of \"HH:MM-HH:MM\" windows, not {value!r}")
    out = []
    for item in value:
        window = parse_window(item) if isinstance(item, str) else None
        if window is None:
            raise c.fail(path, f"bad time window {item!r}; use \"HH:MM-HH:MM\"")
        out.append(window)
    return tuple(out)
