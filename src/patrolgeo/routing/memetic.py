"""A small memetic search around PyVRP's local search (hybrid genetic search style).

A population of *educated* solutions (each improved by PyVRP's local search: granular
neighbourhoods, client-group moves, capacity / time / distance penalties) is recombined
by route exchange, in one feasible and one infeasible subpopulation culled by cost and
diversity. The same engine solves the shift plans (:mod:`patrolgeo.routing.shifts`) and
the CARP benchmarks (:mod:`patrolgeo.routing.carp`).

Runs stopped by ``iterations`` or ``stall`` are reproducible for a given seed; runs
stopped by the clock are not.

Examples
--------
>>> from patrolgeo.routing.memetic import MemeticParams, SearchSettings
>>> SearchSettings(iterations=100).stall
300
>>> MemeticParams().elite
4
"""

from __future__ import annotations

import random
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from pyvrp import ProblemData, RandomNumberGenerator, Solution
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

__all__ = ["MemeticParams", "MemeticResult", "MemeticSearch", "SearchSettings",
           "solve_problem"]


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

    Raises
    ------
    ValueError
        When ``seconds``, ``iterations`` and ``stall`` are all ``None``.
    """

    seconds: float | None = None
    iterations: int | None = 1000
    stall: int | None = 300
    seed: int = 0
    population: int = 12
    generation: int = 20
    neighbours: int = 50

    def __post_init__(self) -> None:
        """Refuse settings that never stop."""
        if self.seconds is None and self.iterations is None and self.stall is None:
            raise ValueError("give seconds, iterations or stall, or the search never stops")


@dataclass(frozen=True)
class MemeticParams:
    """Tuning numbers of the memetic search (the defaults are the tested ones).

    Attributes
    ----------
    elite
        Members whose cost rank weighs fully in the fitness (HGS's ``nbElite``): keeps
        the best few from being culled for lack of diversity.
    close
        Nearest neighbours averaged for a member's diversity (HGS's ``nbClose``).
    initial_factor
        The first population is ``initial_factor * population`` random solutions,
        enough for both subpopulations to be culled once.
    initial_time_share
        Share of a clock budget that filling the first population may take, so that
        recombination gets most of the time.
    repair_probability
        Chance to repair an infeasible offspring with heavy penalties (HGS's 50 %).
    penalty_updates
        Solutions registered between two penalty updates.
    penalty_increase, penalty_decrease
        Factors applied to a penalty when too few / enough solutions are feasible.
    target_feasible
        Share of feasible offspring the penalties aim at.
    time_warp_divisor
        The initial time-warp penalty is the typical edge divided by this (a second
        late is cheaper than a unit over capacity).
    distance_penalty
        Initial penalty per unit of excess distance (the distances are the cost).
    least_penalty
        Floor of the initial load and time-warp penalties.
    """

    elite: int = 4
    close: int = 5
    initial_factor: int = 4
    initial_time_share: float = 0.15
    repair_probability: float = 0.5
    penalty_updates: int = 100
    penalty_increase: float = 1.2
    penalty_decrease: float = 0.85
    target_feasible: float = 0.2
    time_warp_divisor: float = 10.0
    distance_penalty: float = 1.0
    least_penalty: float = 1.0


@dataclass
class MemeticResult:
    """What a run of the memetic search found.

    Attributes
    ----------
    solution
        The best feasible solution, or the least infeasible one when none was found
        (see ``feasible``).
    iterations
        Offspring generated.
    seconds
        Wall time of the run.
    best_at
        Offspring count at the last improvement of the best feasible solution.
    feasible
        Whether a feasible solution was found.
    """

    solution: Solution
    iterations: int
    seconds: float
    best_at: int
    feasible: bool

    @property
    def stats(self) -> dict[str, Any]:
        """``iterations``, ``seconds``, ``best_at`` and ``feasible`` as a dict."""
        return {"iterations": self.iterations, "seconds": self.seconds,
                "best_at": self.best_at, "feasible": self.feasible}


# --------------------------------------------------------------------------- population


@dataclass
class _Individual:
    routes: list[tuple[list[int], int]]  # (client indices, vehicle type)
    feasible: bool
    cost: int
    penalised: int
    succ: np.ndarray
    pred: np.ndarray


class _Subpopulation:
    """Members of one feasibility, their pairwise distances and cached fitness."""

    def __init__(self, params: MemeticParams, n_tasks: int) -> None:
        self.params = params
        self.n_tasks = n_tasks
        self.members: list[_Individual] = []
        self.dist = np.zeros((0, 0))
        self.fitness: np.ndarray | None = None

    def distances(self, ind: _Individual) -> np.ndarray:
        """Broken-pairs distance of ``ind`` to every member."""
        if not self.members:
            return np.zeros(0)
        succ = np.stack([o.succ for o in self.members])
        broken = ((succ != ind.succ) & (succ != ind.pred)).sum(axis=1)
        return broken / self.n_tasks

    def compute_fitness(self) -> np.ndarray:
        """Biased fitness: cost rank plus weighted diversity rank (lower is better)."""
        n = len(self.members)
        if n <= 1:
            return np.zeros(n)
        dist = self.dist + np.diag(np.full(n, np.inf))
        cost = np.array([m.penalised for m in self.members])
        close = np.sort(dist, axis=1)[:, : min(self.params.close, n - 1)].mean(axis=1)
        cost_rank = np.argsort(np.argsort(cost, kind="stable"), kind="stable") / (n - 1)
        div_rank = np.argsort(np.argsort(-close, kind="stable"), kind="stable") / (n - 1)
        return cost_rank + (1 - self.params.elite / n) * div_rank

    def add(self, ind: _Individual) -> None:
        """Add a member, growing the distance matrix."""
        d = self.distances(ind)
        n = len(self.members)
        grown = np.zeros((n + 1, n + 1))
        grown[:n, :n] = self.dist
        grown[n, :n] = d
        grown[:n, n] = d
        self.dist = grown
        self.members.append(ind)
        self.fitness = None

    def cull(self, size: int) -> None:
        """Remove clones, then the least fit, until ``size`` members are left."""
        while len(self.members) > size:
            n = len(self.members)
            cost = np.array([m.penalised for m in self.members])
            same = (self.dist + np.eye(n)) == 0
            clone = next((a for a in range(n) if (same[a] & (cost <= cost[a])).any()), None)
            worst = clone if clone is not None else int(np.argmax(self.compute_fitness()))
            self.members.pop(worst)
            self.dist = np.delete(np.delete(self.dist, worst, 0), worst, 1)


def _route_list(solution: Solution) -> list[tuple[list[int], int]]:
    return [([a.idx for a in r if a.is_client()], r.vehicle_type()) for r in solution.routes()]


# --------------------------------------------------------------------------- search


class MemeticSearch:
    """The memetic search on one PyVRP problem.

    Parameters
    ----------
    data
        The PyVRP problem (client groups, time windows, capacities, reloads allowed).
    settings
        Stopping rules and search sizes.
    params
        Tuning numbers (default :class:`MemeticParams`).

    Examples
    --------
    ``MemeticSearch(data, SearchSettings(iterations=200)).run().solution``
    """

    def __init__(self, data: ProblemData, settings: SearchSettings,
                 params: MemeticParams = MemeticParams()) -> None:
        self.t0 = time.perf_counter()
        self.data = data
        self.settings = settings
        self.params = params
        self.rng = random.Random(settings.seed)
        self.ls = self._local_search()
        self.pm = self._penalty_manager()
        self.pyvrp_rng = RandomNumberGenerator(settings.seed + 1)
        self.group_of = np.arange(data.num_clients)
        for g, group in enumerate(data.groups()):
            for c in group:
                self.group_of[c] = data.num_clients + g
        n_tasks = max(1, data.num_clients)
        self.pops = {True: _Subpopulation(params, n_tasks),
                     False: _Subpopulation(params, n_tasks)}
        self.best: tuple[int, Solution] | None = None
        self.least_bad: tuple[int, Solution] | None = None
        self.iterations = 0
        self.best_at = 0

    def _local_search(self) -> LocalSearch:
        data, settings = self.data, self.settings
        neighbours = compute_neighbours(
            data, NeighbourhoodParams(num_neighbours=min(settings.neighbours,
                                                         max(1, data.num_clients - 1))))
        ls = LocalSearch(data, RandomNumberGenerator(settings.seed), neighbours,
                         PerturbationManager(PerturbationParams(0, 0)))
        for op in OPERATORS:
            if op.supports(data):
                ls.add_operator(op(data))
        return ls

    def _penalty_manager(self) -> PenaltyManager:
        # start penalties at the scale of a typical edge per unit of violation
        p = self.params
        # pyvrp's stubs spell the matrix np.ndarray[int], which numpy reads as a shape
        matrix: np.ndarray = self.data.distance_matrix(0)  # type: ignore[assignment]
        scale = float(np.median(matrix[matrix > 0])) if (matrix > 0).any() else 1.0
        return PenaltyManager(
            ([max(p.least_penalty, scale)] * self.data.num_load_dimensions,
             max(p.least_penalty, scale / p.time_warp_divisor), p.distance_penalty),
            PenaltyParams(solutions_between_updates=p.penalty_updates,
                          penalty_increase=p.penalty_increase,
                          penalty_decrease=p.penalty_decrease,
                          target_feasible=p.target_feasible),
        )

    def _signature(self, routes: list[tuple[list[int], int]]) -> tuple[np.ndarray, np.ndarray]:
        size = self.data.num_clients + self.data.num_groups
        succ = np.full(size, -1)
        pred = np.full(size, -1)
        for visits, _ in routes:
            tasks = self.group_of[visits]
            succ[tasks[:-1]] = tasks[1:]
            pred[tasks[1:]] = tasks[:-1]
        return succ, pred

    def educate(self, solution: Solution) -> tuple[_Individual, Solution]:
        """Improve a solution by local search (and maybe repair it); return both forms."""
        cost_eval = self.pm.cost_evaluator()
        solution = self.ls(solution, cost_eval, exhaustive=True)
        self.pm.register(solution)
        if not solution.is_feasible() and self.rng.random() < self.params.repair_probability:
            repaired = self.ls(solution, self.pm.max_cost_evaluator(), exhaustive=True)
            if repaired.is_feasible():
                solution = repaired
        routes = _route_list(solution)
        succ, pred = self._signature(routes)
        cost = solution.distance_cost() + solution.duration_cost() + solution.fixed_vehicle_cost()
        return _Individual(routes, solution.is_feasible(), cost,
                           cost_eval.penalised_cost(solution), succ, pred), solution

    def add(self, ind: _Individual, solution: Solution) -> None:
        """Record an educated solution and add it to its subpopulation."""
        if ind.feasible and (self.best is None or ind.cost < self.best[0]):
            self.best = (ind.cost, solution)
            self.best_at = self.iterations
        penalised = self.pm.max_cost_evaluator().penalised_cost(solution)
        if self.least_bad is None or penalised < self.least_bad[0]:
            self.least_bad = (penalised, solution)
        pop = self.pops[ind.feasible]
        pop.add(ind)
        if len(pop.members) > self.settings.population + self.settings.generation:
            pop.cull(self.settings.population)

    def select(self) -> _Individual:
        """Binary tournament over both subpopulations by fitness."""
        n_feas, n_inf = len(self.pops[True].members), len(self.pops[False].members)
        picks = []
        for _ in range(2):
            pop = (self.pops[True] if self.rng.random() * (n_feas + n_inf) < n_feas
                   else self.pops[False])
            if pop.fitness is None:
                pop.fitness = pop.compute_fitness()
            i = self.rng.randrange(len(pop.members))
            picks.append((pop.fitness[i], i, pop.members[i]))
        return min(picks, key=lambda p: (p[0], p[1]))[2]

    def crossover(self, a: _Individual, b: _Individual) -> Solution:
        """Keep some routes of ``a`` whole and fill in ``b``'s routes without them."""
        # the local search reinserts whatever is left out
        data, rng = self.data, self.rng
        routes_a = [r for r in a.routes if r[0]]
        k = rng.randint(1, max(1, len(routes_a) - 1)) if len(routes_a) > 1 else 1
        kept = rng.sample(routes_a, min(k, len(routes_a)))
        taken = {self.group_of[c] for visits, _ in kept for c in visits}
        used = [0] * data.num_vehicle_types
        child: list[PyVRPRoute] = []
        for visits, vt in kept:
            used[vt] += 1
            child.append(PyVRPRoute(data, visits, vt))
        for visits, vt in b.routes:
            rest = [c for c in visits if self.group_of[c] not in taken]
            if rest and used[vt] < data.vehicle_type(vt).num_available:
                used[vt] += 1
                child.append(PyVRPRoute(data, rest, vt))
        return Solution(data, child)

    def elapsed(self) -> float:
        """Seconds since the search was set up."""
        return time.perf_counter() - self.t0

    def stop(self) -> bool:
        """Whether a stopping rule of the settings is met."""
        s = self.settings
        if s.seconds is not None and self.elapsed() >= s.seconds:
            return True
        if s.iterations is not None and self.iterations >= s.iterations:
            return True
        return s.stall is not None and self.iterations - self.best_at >= s.stall

    def _fill(self, initial: Sequence[Solution]) -> None:
        for solution in initial:
            self.add(*self.educate(solution))
        seconds = self.settings.seconds
        wanted = self.params.initial_factor * self.settings.population - len(initial)
        for n in range(max(0, wanted)):
            # at least one individual, then until the population is full or time is short
            if (n > 0 or initial) and (self.stop() or (
                    seconds is not None
                    and self.elapsed() > self.params.initial_time_share * seconds)):
                break
            self.add(*self.educate(Solution.make_random(self.data, self.pyvrp_rng)))

    def run(self, initial: Sequence[Solution] = ()) -> MemeticResult:
        """Search until a stopping rule is met.

        Parameters
        ----------
        initial
            Solutions to seed the population with.

        Returns
        -------
        MemeticResult
        """
        self._fill(initial)
        while not self.stop():
            self.iterations += 1
            child = self.crossover(self.select(), self.select())
            self.add(*self.educate(child))
        chosen = self.best if self.best is not None else self.least_bad
        assert chosen is not None
        return MemeticResult(chosen[1], self.iterations, self.elapsed(), self.best_at,
                             self.best is not None)


def solve_problem(data: ProblemData, settings: SearchSettings,
                  initial: Sequence[Solution] = (),
                  params: MemeticParams = MemeticParams()) -> MemeticResult:
    """Solve PyVRP problem data with the memetic search.

    Parameters
    ----------
    data
        The PyVRP problem (client groups, time windows, capacities, reloads allowed).
    settings
        Stopping rules and search sizes.
    initial
        Solutions to seed the population with.
    params
        Tuning numbers.

    Returns
    -------
    MemeticResult
        The best feasible solution, or the least infeasible one when none was found
        (check ``result.feasible``), with the run's counts.
    """
    return MemeticSearch(data, settings, params).run(initial)
