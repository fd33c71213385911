"""Capacitated and timed street routes with PyVRP: shifts, hoppers, time windows, weeks.

Arc routing as a vehicle routing problem: each required street segment becomes a
*mutually exclusive pair of directed clients* (a PyVRP client group: serve it one way or
the other; a one-way street has a single client); point visits (school-gate posts
助学岗, restaurant inspections, sorting kiosks) are ordinary clients with a time window
and a service time. Distances and times between clients are shortest paths over the
street graph, so a solution maps back to an explicit walk over graph edges.

The search is a small memetic algorithm around PyVRP's local search (its granular
neighbourhoods, client-group moves, capacity/time/distance penalties): a population of
educated solutions recombined by route exchange, as in hybrid genetic search. The same
engine solves the CARP benchmarks (:mod:`patrolgeo.routing.carp`), where it is checked
against the best known values.
"""

from __future__ import annotations

import math
import random
import time
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from pyvrp import (
    Client,
    ClientGroup,
    CostEvaluator,
    Depot,
    Location,
    ProblemData,
    RandomNumberGenerator,
    Solution,
    VehicleType,
)
from pyvrp import Route as PyVRPRoute
from pyvrp.PenaltyManager import PenaltyManager, PenaltyParams
from pyvrp.search import (
    OPERATORS,
    LocalSearch,
    NeighbourhoodParams,
    PerturbationManager,
    PerturbationParams,
    compute_neighbours,
)

from patrolgeo.errors import CapacityError, RoutingError

# --------------------------------------------------------------------------- search


@dataclass(frozen=True)
class SearchSettings:
    """How long and how the memetic search runs.

    Attributes
    ----------
    seconds
        Wall-clock limit; ``None`` for none. A run stopped by the clock is not
        reproducible to the byte; one stopped by ``iterations`` or ``stall`` is.
    iterations
        Most offspring to generate; ``None`` for no limit.
    stall
        Stop after this many offspring without a better feasible solution.
    seed
        Seed of every random choice.
    population
        Least population size (mu); each subpopulation grows to ``population +
        generation`` and is then culled back by cost and diversity.
    generation
        Offspring per generation (lambda).
    neighbours
        Size of PyVRP's granular neighbourhood per client.
    """

    seconds: float | None = None
    iterations: int | None = 2000
    stall: int | None = None
    seed: int = 0
    population: int = 12
    generation: int = 20
    neighbours: int = 50

    def __post_init__(self) -> None:
        if self.seconds is None and self.iterations is None and self.stall is None:
            raise ValueError("give seconds, iterations or stall, or the search never stops")


@dataclass
class _Individual:
    routes: list[tuple[list[int], int]]  # (client indices, vehicle type)
    feasible: bool
    cost: int
    penalised: int
    succ: np.ndarray
    pred: np.ndarray


class _Subpopulation:
    def __init__(self) -> None:
        self.members: list[_Individual] = []
        self.dist = np.zeros((0, 0))
        self.fitness: np.ndarray | None = None


def _route_list(solution: Solution) -> list[tuple[list[int], int]]:
    return [([a.idx for a in r if a.is_client()], r.vehicle_type()) for r in solution.routes()]


def solve_problem(data: ProblemData, settings: SearchSettings,
                  initial: Sequence[Solution] = ()) -> tuple[Solution, dict[str, Any]]:
    """Solve PyVRP problem data with the memetic search; return the best solution found.

    Parameters
    ----------
    data
        The PyVRP problem (client groups, time windows, capacities, reloads allowed).
    settings
        Stopping rules and search sizes.
    initial
        Solutions to seed the population with.

    Returns
    -------
    solution
        The best feasible solution, or the least infeasible one when none was found
        (check ``solution.is_feasible()``).
    stats
        ``iterations``, ``seconds``, ``best_at`` (offspring count at the last
        improvement).
    """
    t0 = time.perf_counter()
    rng = random.Random(settings.seed)
    n_groups_or_clients = max(1, data.num_clients)
    neighbours = compute_neighbours(
        data, NeighbourhoodParams(num_neighbours=min(settings.neighbours,
                                                     max(1, data.num_clients - 1))))
    ls = LocalSearch(data, RandomNumberGenerator(settings.seed), neighbours,
                     PerturbationManager(PerturbationParams(0, 0)))
    for op in OPERATORS:
        if op.supports(data):
            ls.add_operator(op(data))

    # start penalties at the scale of a typical edge per unit of violation
    matrix = data.distance_matrix(0)
    scale = float(np.median(matrix[matrix > 0])) if (matrix > 0).any() else 1.0
    pm = PenaltyManager(
        ([max(1.0, scale)] * data.num_load_dimensions, max(1.0, scale / 10), 1.0),
        PenaltyParams(solutions_between_updates=100, penalty_increase=1.2,
                      penalty_decrease=0.85, target_feasible=0.2),
    )
    pyvrp_rng = RandomNumberGenerator(settings.seed + 1)
    n_tasks = data.num_clients
    group_of = np.arange(n_tasks)
    for g, group in enumerate(data.groups()):
        for c in group:
            group_of[c] = data.num_clients + g

    def signature(routes: list[tuple[list[int], int]]) -> tuple[np.ndarray, np.ndarray]:
        size = data.num_clients + data.num_groups
        succ = np.full(size, -1)
        pred = np.full(size, -1)
        for visits, _ in routes:
            tasks = group_of[visits]
            succ[tasks[:-1]] = tasks[1:]
            pred[tasks[1:]] = tasks[:-1]
        return succ, pred

    def educate(solution: Solution) -> tuple[_Individual, Solution]:
        cost_eval = pm.cost_evaluator()
        solution = ls(solution, cost_eval, exhaustive=True)
        pm.register(solution)
        if not solution.is_feasible() and rng.random() < 0.5:
            repaired = ls(solution, pm.max_cost_evaluator(), exhaustive=True)
            if repaired.is_feasible():
                solution = repaired
        routes = _route_list(solution)
        succ, pred = signature(routes)
        return _Individual(routes, solution.is_feasible(), solution.distance_cost()
                           + solution.duration_cost() + solution.fixed_vehicle_cost(),
                           cost_eval.penalised_cost(solution), succ, pred), solution

    pops = {True: _Subpopulation(), False: _Subpopulation()}
    best: tuple[int, Solution] | None = None
    least_bad: tuple[int, Solution] | None = None
    n_elite, n_close = 4, 5
    mu, lam = settings.population, settings.generation
    iterations = 0
    best_at = 0

    def distances(ind: _Individual, others: list[_Individual]) -> np.ndarray:
        if not others:
            return np.zeros(0)
        succ = np.stack([o.succ for o in others])
        pred = np.stack([o.pred for o in others])
        broken = ((succ != ind.succ) & (succ != ind.pred)).sum(axis=1)
        return broken / n_groups_or_clients

    def fitness(pop: _Subpopulation) -> np.ndarray:
        n = len(pop.members)
        if n <= 1:
            return np.zeros(n)
        dist = pop.dist + np.diag(np.full(n, np.inf))
        cost = np.array([m.penalised for m in pop.members])
        close = np.sort(dist, axis=1)[:, : min(n_close, n - 1)].mean(axis=1)
        cost_rank = np.argsort(np.argsort(cost, kind="stable"), kind="stable") / (n - 1)
        div_rank = np.argsort(np.argsort(-close, kind="stable"), kind="stable") / (n - 1)
        return cost_rank + (1 - n_elite / n) * div_rank

    def add(ind: _Individual, solution: Solution) -> None:
        nonlocal best, least_bad, best_at
        if ind.feasible and (best is None or ind.cost < best[0]):
            best = (ind.cost, solution)
            best_at = iterations
        penalised = pm.max_cost_evaluator().penalised_cost(solution)
        if least_bad is None or penalised < least_bad[0]:
            least_bad = (penalised, solution)
        pop = pops[ind.feasible]
        d = distances(ind, pop.members)
        n = len(pop.members)
        grown = np.zeros((n + 1, n + 1))
        grown[:n, :n] = pop.dist
        grown[n, :n] = d
        grown[:n, n] = d
        pop.dist = grown
        pop.members.append(ind)
        pop.fitness = None
        if len(pop.members) > mu + lam:
            while len(pop.members) > mu:
                n = len(pop.members)
                cost = np.array([m.penalised for m in pop.members])
                same = (pop.dist + np.eye(n)) == 0
                clone = next((a for a in range(n) if (same[a] & (cost <= cost[a])).any()), None)
                worst = clone if clone is not None else int(np.argmax(fitness(pop)))
                pop.members.pop(worst)
                pop.dist = np.delete(np.delete(pop.dist, worst, 0), worst, 1)

    def select() -> _Individual:
        n_feas, n_inf = len(pops[True].members), len(pops[False].members)
        picks = []
        for _ in range(2):
            pop = pops[True] if rng.random() * (n_feas + n_inf) < n_feas else pops[False]
            if pop.fitness is None:
                pop.fitness = fitness(pop)
            i = rng.randrange(len(pop.members))
            picks.append((pop.fitness[i], i, pop.members[i]))
        return min(picks, key=lambda p: (p[0], p[1]))[2]

    def crossover(a: _Individual, b: _Individual) -> Solution:
        # keep some routes of one parent whole, fill in the other parent's routes without
        # the clients already kept; the local search reinserts whatever is left out
        routes_a = [r for r in a.routes if r[0]]
        k = rng.randint(1, max(1, len(routes_a) - 1)) if len(routes_a) > 1 else 1
        kept = rng.sample(routes_a, min(k, len(routes_a)))
        taken = {group_of[c] for visits, _ in kept for c in visits}
        used = [0] * data.num_vehicle_types
        child: list[PyVRPRoute] = []
        for visits, vt in kept:
            used[vt] += 1
            child.append(PyVRPRoute(data, visits, vt))
        for visits, vt in b.routes:
            rest = [c for c in visits if group_of[c] not in taken]
            if rest and used[vt] < data.vehicle_type(vt).num_available:
                used[vt] += 1
                child.append(PyVRPRoute(data, rest, vt))
        return Solution(data, child)

    def stop() -> bool:
        if settings.seconds is not None and time.perf_counter() - t0 >= settings.seconds:
            return True
        if settings.iterations is not None and iterations >= settings.iterations:
            return True
        return settings.stall is not None and iterations - best_at >= settings.stall

    for solution in initial:
        add(*educate(solution))
    n_init = 4 * mu
    while len(pops[True].members) + len(pops[False].members) < n_init:
        add(*educate(Solution.make_random(data, pyvrp_rng)))
        if settings.seconds is not None and time.perf_counter() - t0 > 0.15 * settings.seconds:
            break
    while not stop():
        iterations += 1
        child = crossover(select(), select())
        add(*educate(child))

    chosen = best[1] if best is not None else least_bad[1]  # type: ignore[index]
    return chosen, {"iterations": iterations, "seconds": time.perf_counter() - t0,
                    "best_at": best_at, "feasible": best is not None}
