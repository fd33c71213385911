"""Best known values and a text listing of CARP routes."""

from __future__ import annotations

import csv
from pathlib import Path

from patrolgeo.routing.carp._instance import CarpInstance, CarpSolution


def best_known_value(instance: CarpInstance) -> int | None:
    """Look up the best known value of a benchmark instance in a ``bks.csv`` nearby.

    Parameters
    ----------
    instance
        An instance read from a file.

    Returns
    -------
    int or None
        The ``bks`` of the row naming the instance in a ``bks.csv`` (columns
        ``instance, bks``) beside its file or one folder up; ``None`` without one.
    """
    if instance.source is None:
        return None
    here = Path(instance.source).resolve().parent
    for folder in (here, here.parent):
        table = folder / "bks.csv"
        if table.exists():
            with table.open(encoding="utf-8") as fh:
                for row in csv.DictReader(fh):
                    if row.get("instance") in (instance.name, Path(instance.source).stem):
                        try:
                            return int(row["bks"])
                        except (KeyError, ValueError):
                            return None
    return None


def format_routes(instance: CarpInstance, solution: CarpSolution) -> str:
    """Write the routes as text: vertices walked, served edges in brackets.

    Parameters
    ----------
    instance, solution
        The instance and a solution of it.

    Returns
    -------
    str
        A ``#`` header line with cost and route count, then one line per route.
    """
    lines = [f"# {instance.name}: cost {solution.cost}, {len(solution.routes)} routes"]
    for n, route in enumerate(solution.routes, start=1):
        load = sum(instance.edges[i].demand for i in route.served)
        parts = [str(instance.depot)]
        for s in route.steps:
            parts.append(f"[{s.to}]" if s.serve else str(s.to))
        lines.append(f"route {n} (load {load}): " + " ".join(parts))
    return "\n".join(lines) + "\n"
