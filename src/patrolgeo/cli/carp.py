"""The ``carp`` verb: solve a CARPLIB instance and report cost and gap."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from patrolgeo import defaults
from patrolgeo.cli.app import LangOption, app, cli_run
from patrolgeo.labels import pick


@app.command("carp")
def carp_command(
    file: Annotated[Path, typer.Argument(help="CARPLIB .dat file")],
    seconds: Annotated[float, typer.Option("--seconds", help="time limit, seconds")]
    = defaults.CARP_SECONDS,
    iterations: Annotated[int | None, typer.Option(
        "--iterations", help="offspring limit (reproducible runs)")] = None,
    seed: Annotated[int, typer.Option("--seed", help="random seed")] = defaults.SEED,
    bks: Annotated[int | None, typer.Option(
        "--bks", help="best known value (default: from bks.csv beside the file)")] = None,
    out: Annotated[Path | None, typer.Option("--out", help="write the routes here")] = None,
    lang: LangOption = defaults.LANG,
) -> None:
    """Solve a capacitated arc routing (CARP) instance; print cost, gap and check."""
    from patrolgeo.outputs import write_text
    from patrolgeo.routing.carp import (
        best_known_value,
        check_carp_solution,
        format_routes,
        read_carp,
        solve_carp,
    )

    with cli_run(lang) as step:
        instance = read_carp(file)
        step(pick(f"求解 {instance.name}（{len(instance.required)} 条需服务边）",
                f"Solving {instance.name} ({len(instance.required)} required edges)", lang))
        solution = solve_carp(instance, seconds=seconds, iterations=iterations, seed=seed)
        checked = check_carp_solution(instance, solution)
        if out is not None:
            write_text(format_routes(instance, solution), out)
    best = bks if bks is not None else best_known_value(instance)
    print(f"{pick('算例', 'instance', lang)}: {instance.name}")
    checked_word = pick("已独立核验", "checked", lang)
    print(f"{pick('成本', 'cost', lang)}: {solution.cost}  ({checked_word}: {checked})")
    print(f"{pick('路线数', 'routes', lang)}: {len(solution.routes)}")
    if best:
        print(f"{pick('已知最优', 'best known', lang)}: {best}")
        print(f"{pick('差距', 'gap', lang)}: {100.0 * (solution.cost - best) / best:.2f} %")
    print(f"{pick('用时', 'seconds', lang)}: {solution.seconds:.1f}")
    if out is not None:
        print(f"{pick('路线', 'routes', lang)}: {out}")
