"""The independent CARP solution checker (no shortest path, nothing of the solver)."""

from __future__ import annotations

from patrolgeo.routing.carp._instance import (
    CarpInstance,
    CarpRoute,
    CarpSolution,
    CarpSolutionError,
    CarpStep,
)


def _check_step(instance: CarpInstance, step: CarpStep, s: int, at: int, source: str,
                r: int) -> None:
    """Raise unless ``step`` (the ``s``-th of route ``r``) goes over its edge from ``at``."""
    edges = instance.edges
    if not 0 <= step.edge < len(edges):
        raise CarpSolutionError(f"step {s} uses unknown edge {step.edge}",
                                file=source, row=r, field="edge")
    e = edges[step.edge]
    if {step.frm, step.to} != {e.u, e.v} or (e.u != e.v and step.frm == step.to):
        raise CarpSolutionError(f"step {s} goes {step.frm}->{step.to} over edge "
                                f"({e.u}, {e.v})", file=source, row=r, field="edge")
    if step.frm != at:
        raise CarpSolutionError(f"step {s} starts at {step.frm}, the walk is at {at}",
                                file=source, row=r, field="walk")
    if step.serve and not e.required:
        raise CarpSolutionError(f"step {s} serves edge ({e.u}, {e.v}) which is "
                                "not required", file=source, row=r, field="service")


def _check_route(instance: CarpInstance, route: CarpRoute, r: int, source: str,
                 served_count: list[int]) -> int:
    """Check route ``r`` as a walk within capacity; count its services; return its cost."""
    at = instance.depot
    load = total = 0
    for s, step in enumerate(route.steps, start=1):
        _check_step(instance, step, s, at, source, r)
        e = instance.edges[step.edge]
        at = step.to
        if step.serve:
            served_count[step.edge] += 1
            load += e.demand
            total += e.service_cost
        else:
            total += e.cost
    if at != instance.depot:
        raise CarpSolutionError(f"route ends at {at}, not at the depot {instance.depot}",
                                file=source, row=r, field="walk")
    if load > instance.capacity:
        raise CarpSolutionError(f"load {load} exceeds the capacity {instance.capacity}",
                                file=source, row=r, field="capacity")
    return total


def check_carp_solution(instance: CarpInstance, solution: CarpSolution | list[CarpRoute]
                        ) -> int:
    """Check a CARP solution from first principles and return its recomputed cost.

    Checks that every route starts and ends at the depot and is an unbroken walk whose
    every step is an edge of the instance between the stated ends; that every required
    edge is served exactly once and no other edge is served; that no route's served
    demand exceeds the capacity; and, for a :class:`CarpSolution`, that its reported
    cost equals the cost recomputed here (service cost for served steps, traversal
    cost for the others). Uses no shortest path and nothing of the solver.

    Parameters
    ----------
    instance
        The instance the solution claims to solve.
    solution
        A solution, or its routes alone (then no reported cost is compared).

    Returns
    -------
    int
        The cost recomputed from the edge costs.

    Raises
    ------
    CarpSolutionError
        Naming the route (``row``) and the rule broken (``field``).
    """
    routes = solution.routes if isinstance(solution, CarpSolution) else solution
    edges = instance.edges
    served_count = [0] * len(edges)
    total = 0
    source = instance.source or instance.name
    for r, route in enumerate(routes, start=1):
        if route.steps:
            total += _check_route(instance, route, r, source, served_count)
    for i, count in enumerate(served_count):
        e = edges[i]
        if e.required and count != 1:
            raise CarpSolutionError(f"required edge ({e.u}, {e.v}) is served {count} times",
                                    file=source, row=e.line or None, field="service")
    if isinstance(solution, CarpSolution) and solution.cost != total:
        raise CarpSolutionError(f"reported cost {solution.cost} differs from the recomputed "
                                f"cost {total}", file=source, field="cost")
    return total
