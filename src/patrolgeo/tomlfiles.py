r"""TOML rule files: reading them, locating their keys, laying one over another.

The grading rules (:mod:`patrolgeo.plans`) and the responsibility network's rules
(:mod:`patrolgeo.roads`) are both a shipped default file with a user's file laid over it,
and both name the file and line of a bad value; this module is what they share.

Examples
--------
>>> merge({"a": {"x": 1, "y": 2}}, {"a": {"y": 3}})
{'a': {'x': 1, 'y': 3}}
>>> scan_toml_lines("[grades.1]\nsweeps_per_day = 4\n")[("grades", "1", "sweeps_per_day")]
2
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from patrolgeo.errors import ConfigError

try:  # Python 3.11+
    import tomllib
except ModuleNotFoundError:  # pragma: no cover - Python 3.10
    import tomli as tomllib  # type: ignore[no-redef]  # same API under the 3.11 name

Positions = dict[tuple[Any, ...], int]
"""Key path -> 1-based line number of a TOML text."""

def scan_toml_lines(text: str) -> Positions:
    """Map key paths of a TOML text to their 1-based line numbers.

    tomllib gives no positions, but an error should name its line; this follows the
    usual layout (tables, arrays of tables, ``key = value`` lines, inline tables, arrays
    over several lines) and is only used to locate errors.
    """
    positions: dict[tuple[Any, ...], int] = {}
    counters: dict[tuple[Any, ...], int] = {}
    table: tuple[Any, ...] = ()
    depth = 0
    for lineno, raw in enumerate(text.splitlines(), start=1):
        line, depth_after = _strip_toml_line(raw, depth)
        starts_inside = depth > 0
        depth = depth_after
        if starts_inside or not line:
            continue
        if m := re.fullmatch(r"\[\[\s*(.+?)\s*\]\]", line):
            key = tuple(_split_key(m[1]))
            counters[key] = counters.get(key, -1) + 1
            table = (*key, counters[key])
            positions.setdefault(table, lineno)
            depth = 0
        elif m := re.fullmatch(r"\[\s*([^\[\]]+?)\s*\]", line):
            table = tuple(_split_key(m[1]))
            positions.setdefault(table, lineno)
            depth = 0
        elif m := re.match(r"([A-Za-z0-9_\-\"'. ]+?)\s*=\s*(.*)", line):
            path = (*table, *_split_key(m[1]))
            positions.setdefault(path, lineno)
            if m[2].startswith("{"):
                for inner in re.findall(r"([A-Za-z0-9_\-]+)\s*=", m[2]):
                    positions.setdefault((*path, inner), lineno)
    return positions


def _strip_toml_line(line: str, depth: int) -> tuple[str, int]:
    """Drop a comment and return the line with the bracket depth after it."""
    out = []
    quote = None
    for ch in line:
        if quote:
            if ch == quote:
                quote = None
        elif ch in "\"'":
            quote = ch
        elif ch == "#":
            break
        elif ch in "[{":
            depth += 1
        elif ch in "]}":
            depth -= 1
        out.append(ch)
    text = "".join(out).strip()
    # a table header's brackets are not an open array
    if re.fullmatch(r"\[\[?[^=]*\]\]?", text):
        return text, 0
    return text, max(depth, 0)


def _split_key(key: str) -> list[str]:
    return [part.strip().strip("\"'") for part in key.split(".")]


def path_text(path: tuple[Any, ...]) -> str:
    """Write a key path as a user reads it: ``grades.1.windows[2]``."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part + 1}]"
        else:
            out += ("." if out else "") + str(part)
    return out


def merge(base: dict[str, Any], over: Mapping[str, Any]) -> dict[str, Any]:
    """Lay ``over`` on ``base``: tables merge key by key, any other value replaces."""
    merged = dict(base)
    for key, value in over.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = merge(dict(merged[key]), value)
        else:
            merged[key] = value
    return merged


def has_path(data: Any, path: tuple[Any, ...]) -> bool:
    """Tell whether ``data`` (tables and lists) holds a value at key path ``path``."""
    for part in path:
        if isinstance(part, int):
            if not isinstance(data, list) or part >= len(data):
                return False
            data = data[part]
        elif isinstance(data, Mapping) and part in data:
            data = data[part]
        else:
            return False
    return True


def read_toml(path: Path, what: str = "rules file") -> tuple[dict[str, Any], Positions]:
    """Parse a TOML file and locate its keys.

    ``what`` names the file in the messages (``"network rules file not found"``).

    Raises
    ------
    ConfigError
        The file is missing, not a file, not UTF-8, or not valid TOML (with its line).
    """
    if not path.exists():
        raise ConfigError(f"{what} not found", file=path)
    if not path.is_file():
        raise ConfigError(f"{what.replace(' file', '')} path is not a file", file=path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ConfigError(f"not UTF-8 text: {exc.reason}", file=path) from exc
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        m = re.search(r"\(at line (\d+), column \d+\)", message)
        line = int(m[1]) if m else None
        detail = re.sub(r"\s*\(at line.*", "", message)
        raise ConfigError(f"not valid TOML: {detail}", file=path, row=line) from exc
    return data, scan_toml_lines(text)


def line_of(positions: Positions, path: tuple[Any, ...]) -> int | None:
    """The line that sets ``path``, else the line of its nearest enclosing table."""
    for n in range(len(path), 0, -1):
        if path[:n] in positions:
            return positions[path[:n]]
    return None
