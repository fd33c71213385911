"""The ``shifts`` verb: crews' shift routes over the streets around a depot."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from patrolgeo import defaults, pipeline
from patrolgeo.cli import checks
from patrolgeo.cli.app import (
    BboxOption,
    KeepComponentsOption,
    LangOption,
    ModeOption,
    NetworkOption,
    NetworkRulesOption,
    OsmOption,
    OutOption,
    PlaceOption,
    app,
    cli_run,
    network_area,
    network_options,
    report,
)
from patrolgeo.labels import pick
from patrolgeo.outputs.files import check_output_folder

#: Most crews one plan takes: a district's whole staff, not a typo's 100,000.
MAX_CREWS = 1000
#: Fastest plausible speed, m/s (a sweeper on an arterial, ~110 km/h).
MAX_SPEED_MPS = 30.0


def _check_numbers(radius: float, crews: int, shift_hours: float | None, speed: float,
                   service_speed: float | None, capacity: float | None,
                   demand_per_km: float, iterations: int, seconds: float | None) -> None:
    """Every number of the verb within its range, before the network is loaded."""
    checks.positive(radius, "--radius")
    checks.at_least(crews, "--crews", 1, most=MAX_CREWS)
    if shift_hours is not None:
        checks.positive(shift_hours, "--shift-hours", most=24)
    checks.positive(speed, "--speed", most=MAX_SPEED_MPS)
    if service_speed is not None:
        checks.positive(service_speed, "--service-speed", most=MAX_SPEED_MPS)
    if capacity is not None:
        checks.positive(capacity, "--capacity")
    checks.at_least(demand_per_km, "--demand-per-km", 0)
    checks.at_least(iterations, "--iterations", 1)
    if seconds is not None:
        checks.positive(seconds, "--seconds")


@app.command("shifts")
def shifts_command(
    osm: OsmOption = None,
    place: PlaceOption = None,
    bbox: BboxOption = None,
    mode: ModeOption = defaults.MODE,
    network: NetworkOption = defaults.NETWORK,
    keep_components: KeepComponentsOption = False,
    network_rules: NetworkRulesOption = None,
    depot: Annotated[str | None, typer.Option(
        "--depot", help="lon,lat of the depot (default: the network's centre)")] = None,
    radius: Annotated[float, typer.Option(
        "--radius", help="serve the streets within this many metres of the depot")]
    = defaults.SHIFT_RADIUS_M,
    crews: Annotated[int, typer.Option("--crews", help="number of chiefs or vehicles")]
    = defaults.SHIFT_CREWS,
    shift_hours: Annotated[float | None, typer.Option(
        "--shift-hours", help="longest shift, hours")] = defaults.SHIFT_HOURS,
    speed: Annotated[float, typer.Option("--speed", help="travel speed, m/s")]
    = defaults.SHIFT_SPEED_MPS,
    service_speed: Annotated[float | None, typer.Option(
        "--service-speed", help="speed while patrolling or sweeping, m/s")]
    = defaults.SHIFT_SERVICE_SPEED_MPS,
    capacity: Annotated[float | None, typer.Option(
        "--capacity", help="hopper capacity (with --demand-per-km)")] = None,
    demand_per_km: Annotated[float, typer.Option(
        "--demand-per-km", help="load collected per km of street")] = defaults.SHIFT_DEMAND_PER_KM,
    start: Annotated[str, typer.Option("--start", help="earliest start HH:MM")]
    = defaults.SHIFT_START,
    end: Annotated[str, typer.Option("--end", help="latest return HH:MM")] = defaults.SHIFT_END,
    school_gate: Annotated[list[str] | None, typer.Option(
        "--school-gate", help="lon,lat of a school-gate post (repeatable)")] = None,
    balance: Annotated[bool, typer.Option("--balance", help="shorten the longest route")]
    = False,
    both_sides: Annotated[bool, typer.Option(
        "--both-sides", help="serve each direction of two-way streets (sweeping both kerbs)")]
    = False,
    iterations: Annotated[int, typer.Option("--iterations", help="search effort")]
    = defaults.SHIFT_ITERATIONS,
    seconds: Annotated[float | None, typer.Option("--seconds", help="time limit")] = None,
    seed: Annotated[int, typer.Option("--seed")] = defaults.SEED,
    out: OutOption = Path(defaults.SHIFTS_OUT),
    lang: LangOption = defaults.LANG,
) -> None:
    """Split the streets around a depot over crews' shifts, with school-gate posts."""
    with cli_run(lang) as step:
        area = network_area(osm, place, bbox)
        depot_lonlat = checks.lonlat(depot, "--depot") if depot else None
        gates = [checks.lonlat(g, "--school-gate") for g in school_gate or []]
        _check_numbers(radius, crews, shift_hours, speed, service_speed, capacity,
                       demand_per_km, iterations, seconds)
        checks.clock(start, "--start")
        checks.clock(end, "--end")
        check_output_folder(out)
        step(pick("读取路网", "Loading road network", lang))
        net_options = network_options(network, keep_components, network_rules)
        result = pipeline.load_roads(osm, place=place, bbox=area, mode=mode,
                                     network=net_options)
        step(pick("规划班次路线", "Planning shift routes", lang))
        tables = pipeline.plan_shift_tables(
            result, depot_lonlat=depot_lonlat, radius_m=radius, crews=crews,
            shift_hours=shift_hours, speed_mps=speed, service_speed_mps=service_speed,
            capacity=capacity, demand_per_km=demand_per_km, start=start, end=end,
            school_gates=gates, balance=balance, sides="both" if both_sides else "either",
            iterations=iterations, seconds=seconds,
            seed=seed, lang=lang,
        )
        with pipeline.staged_run(out) as (folder, outputs):
            pipeline.write_shifts(tables, folder, outputs)
            pipeline.write_excluded(result, folder, outputs, lang)
    print(pipeline.excluded_note(result, lang))
    note = tables.unreachable_note(lang)
    if note is not None:
        print(note)
    report(outputs.files, lang)
