"""The CARPLIB reader: ``.dat`` text to a :class:`CarpInstance`."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from patrolgeo.errors import InputRowError
from patrolgeo.routing.carp._instance import CarpEdge, CarpInstance

_HEADER_INT = {
    "VERTICES": "n_vertices",
    "ARISTAS_REQ": "n_required",
    "ARISTAS_NOREQ": "n_optional",
    "VEHICULOS": "vehicles",
    "CAPACIDAD": "capacity",
    "COSTE_TOTAL_REQ": "total_cost",
    "DEPOSITO": "depot",
}
_SECTIONS = ("LISTA_ARISTAS_REQ", "LISTA_ARISTAS_NOREQ")
_KEY_LINE = re.compile(r"^\s*([A-Za-z_]+)\s*:\s*(.*?)\s*$")
_EDGE_LINE = re.compile(r"^\s*\(\s*(-?\d+)\s*,\s*(-?\d+)\s*\)\s*(.*?)\s*$")
_INT = re.compile(r"^-?\d+$")


def _number(text: str, source: str, line: int, field: str) -> int:
    token = text.split()[0] if text.split() else ""
    if not _INT.match(token):
        raise InputRowError(f"expected an integer, found {text.strip()!r}", file=source,
                            row=line, field=field)
    return int(token)


def _keyword(token: str, current: str | None, values: dict[str, list[int]], source: str,
             line: int) -> str:
    """Start a new keyword of an edge line, checking it is known and new."""
    if token.lower() not in ("coste", "demanda"):
        if current is not None and not values[current]:
            raise InputRowError(f"expected a number after {current}, found "
                                f"{token!r}", file=source, row=line, field=current)
        raise InputRowError(f"unknown edge keyword {token!r} (expected coste, "
                            "demanda)", file=source, row=line, field=token)
    current = token.lower()
    if current in values:
        raise InputRowError(f"keyword {token!r} given twice", file=source,
                            row=line, field=token)
    values[current] = []
    return current


def _edge_values(rest: str, source: str, line: int) -> dict[str, list[int]]:
    """Parse ``coste 13 demanda 1`` (and variants) into ``{"coste": [13], ...}``."""
    values: dict[str, list[int]] = {}
    current: str | None = None
    for token in rest.replace(",", " ").split():
        if _INT.match(token):
            if current is None:
                raise InputRowError(f"number {token} without a keyword (coste, demanda)",
                                    file=source, row=line, field="edge")
            values[current].append(int(token))
        else:
            current = _keyword(token, current, values, source, line)
    return values


def _edge(match: re.Match, section: str | None, source: str, line: int) -> CarpEdge:
    """Read the edge of an edge line inside a section."""
    if section is None:
        raise InputRowError("edge line outside LISTA_ARISTAS_REQ / "
                            "LISTA_ARISTAS_NOREQ", file=source, row=line,
                            field="edge")
    u, v = int(match.group(1)), int(match.group(2))
    values = _edge_values(match.group(3), source, line)
    costs = values.get("coste", [])
    if len(costs) not in (1, 2):
        raise InputRowError("expected 'coste <cost>' (or 'coste <serve> <deadhead>')",
                            file=source, row=line, field="coste")
    demands = values.get("demanda", [0])
    if len(demands) != 1:
        raise InputRowError("expected 'demanda <demand>'", file=source, row=line,
                            field="demanda")
    if min(costs) < 0 or demands[0] < 0:
        raise InputRowError("negative cost or demand", file=source, row=line,
                            field="coste" if min(costs) < 0 else "demanda")
    is_required = section == "LISTA_ARISTAS_REQ"
    if is_required and demands[0] <= 0:
        raise InputRowError("a required edge needs a positive demand", file=source,
                            row=line, field="demanda")
    serve = costs[0] if len(costs) == 2 else None
    return CarpEdge(u, v, costs[-1], demands[0], is_required, serve, line)


@dataclass
class _Parsed:
    """What the lines of a file said, before the checks across lines."""

    source: str
    name: str
    comment: str = ""
    header: dict[str, int] = field(default_factory=dict)
    required: list[CarpEdge] = field(default_factory=list)
    optional: list[CarpEdge] = field(default_factory=list)

    def key(self, key: str, value: str, line: int) -> None:
        """Take a ``KEY : value`` line outside the edge lists."""
        source = self.source
        if key == "NOMBRE":
            self.name = value or self.name
        elif key == "COMENTARIO":
            self.comment = value
        elif key in _HEADER_INT:
            if key in self.header:
                raise InputRowError(f"{key} given twice", file=source, row=line, field=key)
            self.header[key] = _number(value, source, line, key)
        elif key == "TIPO_COSTES_ARISTAS":
            if value.upper() != "EXPLICITOS":
                raise InputRowError(f"edge cost type {value!r} is not supported "
                                    "(only EXPLICITOS)", file=source, row=line, field=key)
        else:
            raise InputRowError(f"unknown keyword {key}", file=source, row=line, field=key)


def _parse_lines(text: str, source: str) -> _Parsed:
    parsed = _Parsed(source, Path(source).stem)
    section: str | None = None
    for lineno, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith(("#", "%")) or line.upper() == "EOF":
            continue
        if (edge := _EDGE_LINE.match(line)) is not None:
            e = _edge(edge, section, source, lineno)
            (parsed.required if e.required else parsed.optional).append(e)
            continue
        key_line = _KEY_LINE.match(line)
        if key_line is None:
            raise InputRowError(f"cannot read line {line[:40]!r}", file=source, row=lineno)
        key, value = key_line.group(1).upper(), key_line.group(2)
        if key in _SECTIONS:
            section = key
            continue
        section = None
        parsed.key(key, value, lineno)
    return parsed


def _check_header(parsed: _Parsed) -> tuple[int, int, int]:
    """``(vertices, depot, capacity)`` after checking the header against the lists."""
    source, header = parsed.source, parsed.header
    for key in ("VERTICES", "CAPACIDAD"):
        if key not in header:
            raise InputRowError(f"missing {key}", file=source, field=key)
    n = header["VERTICES"]
    depot = header.get("DEPOSITO", 1)
    capacity = header["CAPACIDAD"]
    if n <= 0:
        raise InputRowError("VERTICES must be positive", file=source, field="VERTICES")
    if capacity <= 0:
        raise InputRowError("CAPACIDAD must be positive", file=source, field="CAPACIDAD")
    if not 1 <= depot <= n:
        raise InputRowError(f"depot {depot} is not a vertex 1..{n}", file=source,
                            field="DEPOSITO")
    for key, found in (("ARISTAS_REQ", parsed.required), ("ARISTAS_NOREQ", parsed.optional)):
        if key in header and header[key] != len(found):
            raise InputRowError(f"{key} says {header[key]} edges but the list has "
                                f"{len(found)}", file=source, field=key)
    if not parsed.required:
        raise InputRowError("no required edges (LISTA_ARISTAS_REQ is empty)", file=source,
                            field="LISTA_ARISTAS_REQ")
    return n, depot, capacity


def _check_edges(parsed: _Parsed, n: int, capacity: int) -> None:
    for e in (*parsed.required, *parsed.optional):
        for end in (e.u, e.v):
            if not 1 <= end <= n:
                raise InputRowError(f"vertex {end} is not in 1..{n}", file=parsed.source,
                                    row=e.line, field="edge")
        if e.required and e.demand > capacity:
            raise InputRowError(f"demand {e.demand} of edge ({e.u}, {e.v}) exceeds the "
                                f"capacity {capacity}", file=parsed.source, row=e.line,
                                field="demanda")


def parse_carp(text: str, source: str = "<string>") -> CarpInstance:
    """Parse the text of a CARPLIB ``.dat`` file.

    Parameters
    ----------
    text
        The file's contents.
    source
        Name used in error messages (the file path).

    Returns
    -------
    CarpInstance

    Raises
    ------
    InputRowError
        On any malformed line, naming the source, the line number and the keyword.

    Examples
    --------
    >>> text = '''VERTICES : 2
    ... CAPACIDAD : 5
    ... LISTA_ARISTAS_REQ :
    ... ( 1, 2) coste 3 demanda 2
    ... DEPOSITO : 1'''
    >>> parse_carp(text).total_service_cost
    3
    """
    parsed = _parse_lines(text, source)
    n, depot, capacity = _check_header(parsed)
    _check_edges(parsed, n, capacity)
    instance = CarpInstance(
        name=parsed.name, n_vertices=n, depot=depot, capacity=capacity,
        edges=tuple(parsed.required + parsed.optional),
        vehicles=parsed.header.get("VEHICULOS"), source=source, comment=parsed.comment,
    )
    dist = instance.distances()
    for e in parsed.required:
        if not (np.isfinite(dist[depot, e.u]) and np.isfinite(dist[e.v, depot])):
            raise InputRowError(f"edge ({e.u}, {e.v}) cannot be reached from the depot",
                                file=source, row=e.line, field="edge")
    return instance


def read_carp(path: str | Path) -> CarpInstance:
    """Read a CARPLIB ``.dat`` file.

    Parameters
    ----------
    path
        The file.

    Returns
    -------
    CarpInstance

    Raises
    ------
    InputRowError
        When the file is missing, unreadable or malformed (naming file and line).
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8", errors="strict")
    except FileNotFoundError as exc:
        raise InputRowError("file not found", file=path) from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise InputRowError(f"cannot read file: {exc}", file=path) from exc
    return parse_carp(text, source=str(path))
