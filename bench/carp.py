"""CARP benchmark: patrolgeo's PyVRP-based solver on the CARPLIB gdb and val instances.

Run: ``python bench/carp.py [--seconds 30] [--sets gdb val] [--only gdb1 val10D]``.
Each instance runs in a fresh process, on one core, for at most ``--seconds``; every
solution is checked from scratch (each route a walk from the depot back to it over
edges of the instance, each required edge served exactly once, capacity respected,
cost recomputed from the edge costs) before its cost is compared with the best known
value in ``../shared/data/carp/bks.csv`` (all proven optima for gdb and val).
"""

from __future__ import annotations

import argparse
import csv
import re
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _common import SHARED_DATA, print_table, run_isolated

CARP_DIR = SHARED_DATA / "carp"


def patrolgeo_case(path: str, seconds: float, seed: int) -> dict:
    """Solve one instance and check the solution; called in a fresh process."""
    from patrolgeo.routing.carp import check_carp_solution, read_carp, solve_carp

    instance = read_carp(path)
    t0 = time.perf_counter()
    solution = solve_carp(instance, seconds=seconds, seed=seed)
    elapsed = time.perf_counter() - t0
    checked = check_carp_solution(instance, solution)  # raises on any broken rule
    return {"cost": solution.cost, "checked": checked == solution.cost, "seconds": elapsed,
            "routes": len(solution.routes), "offspring": solution.stats.get("iterations")}


def _natural(name: str) -> tuple:
    return tuple(int(t) if t.isdigit() else t for t in re.split(r"(\d+)", name))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--sets", nargs="+", default=["gdb", "val"])
    parser.add_argument("--only", nargs="*", default=None, help="instance names")
    args = parser.parse_args()
    bks_file = CARP_DIR / "bks.csv"
    if not bks_file.exists():
        print(f"CARP data not found under {CARP_DIR}: nothing to run")
        return
    with bks_file.open(encoding="utf-8") as fh:
        bks = {(r["set"], r["instance"]): int(r["bks"]) for r in csv.DictReader(fh)}
    rows = []
    for name in args.sets:
        files = sorted((CARP_DIR / name).glob("*.dat"), key=lambda p: _natural(p.stem))
        for path in files:
            if args.only and path.stem not in args.only:
                continue
            res = run_isolated("carp", "patrolgeo_case",
                               {"path": str(path), "seconds": args.seconds,
                                "seed": args.seed}, timeout=args.seconds * 4 + 60)
            best = bks.get((name, path.stem))
            row = {"set": name, "instance": path.stem, "best known": best, **res}
            if "cost" in res and best:
                row["gap %"] = 100.0 * (res["cost"] - best) / best
            rows.append(row)
            print(f"{name} {path.stem}: {row.get('cost')} vs {best} "
                  f"({row.get('gap %', float('nan')):.2f} %) {row.get('error', '')}",
                  file=sys.stderr, flush=True)
    print_table(rows, ["set", "instance", "best known", "cost", "gap %", "seconds", "routes",
                       "checked", "peak_mb", "error"])
    print()
    summary = []
    for name in args.sets:
        part = [r for r in rows if r["set"] == name and "gap %" in r]
        if part:
            summary.append({
                "set": name, "instances": len(part),
                "average gap %": sum(r["gap %"] for r in part) / len(part),
                "optimal found": sum(r["gap %"] == 0 for r in part),
                "worst gap %": max(r["gap %"] for r in part),
                "average seconds": sum(r["seconds"] for r in part) / len(part),
                "all checked": all(r.get("checked") for r in part),
            })
    print_table(summary, ["set", "instances", "average gap %", "optimal found", "worst gap %",
                          "average seconds", "all checked"])


if __name__ == "__main__":
    main()
