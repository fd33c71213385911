"""CARPLIB reader, CARP solver and solution checker.

Optima are checked independently: small instances against an exhaustive search (every
order and orientation of the required edges, each split optimally into routes, with
Floyd-Warshall distances computed here), gdb instances against their published optima.
"""

from __future__ import annotations

import itertools
import random
import re
from dataclasses import replace

import pytest

from conftest import shared_file
from patrolgeo.errors import InputRowError
from patrolgeo.routing.carp import (
    CarpEdge,
    CarpInstance,
    CarpRoute,
    CarpSolution,
    CarpSolutionError,
    CarpStep,
    check_carp_solution,
    parse_carp,
    read_carp,
    solve_carp,
)

GOOD = """NOMBRE : tiny
COMENTARIO : 0 (cota superior)
VERTICES : 4
ARISTAS_REQ : 3
ARISTAS_NOREQ : 1
VEHICULOS : 2
CAPACIDAD : 5
TIPO_COSTES_ARISTAS : EXPLICITOS
COSTE_TOTAL_REQ : 9
LISTA_ARISTAS_REQ :
( 1, 2)  coste 3 demanda 2
( 2, 3)  coste 2 demanda 2
( 3, 4)  coste 4 demanda 3
LISTA_ARISTAS_NOREQ :
( 4, 1)  coste 5
DEPOSITO :   1
"""


# --------------------------------------------------------------------------- exact reference


def floyd(instance: CarpInstance) -> list[list[float]]:
    n = instance.n_vertices + 1
    d = [[0.0 if i == j else float("inf") for j in range(n)] for i in range(n)]
    for e in instance.edges:
        d[e.u][e.v] = min(d[e.u][e.v], e.cost)
        d[e.v][e.u] = min(d[e.v][e.u], e.cost)
    for k in range(n):
        for i in range(n):
            for j in range(n):
                if d[i][k] + d[k][j] < d[i][j]:
                    d[i][j] = d[i][k] + d[k][j]
    return d


def brute_force_optimum(instance: CarpInstance) -> int:
    """Least cost over every order and orientation of the required edges, split optimally.

    Every CARP solution is its routes laid end to end in some order, so the best split
    of the best ordered, oriented sequence is the optimum.
    """
    d = floyd(instance)
    req = [instance.edges[i] for i in instance.required]
    depot, cap = instance.depot, instance.capacity
    best = float("inf")
    for order in itertools.permutations(range(len(req))):
        for flips in itertools.product((False, True), repeat=len(req)):
            arcs = [(req[i].v, req[i].u) if f else (req[i].u, req[i].v)
                    for i, f in zip(order, flips, strict=True)]
            dem = [req[i].demand for i in order]
            serve = [req[i].service_cost for i in order]
            n = len(arcs)
            value = [0.0] + [float("inf")] * n
            for i in range(n):
                load, cost = 0, 0.0
                for j in range(i, n):
                    load += dem[j]
                    if load > cap:
                        break
                    cost += (d[depot][arcs[j][0]] if j == i else d[arcs[j - 1][1]][arcs[j][0]])
                    cost += serve[j]
                    value[j + 1] = min(value[j + 1], value[i] + cost + d[arcs[j][1]][depot])
            best = min(best, value[n])
    return int(best)


def random_instance(seed: int, n_vertices: int = 6, n_required: int = 5) -> CarpInstance:
    rng = random.Random(seed)
    pairs = set()
    # a spanning path keeps the graph connected, then random extra edges
    order = list(range(1, n_vertices + 1))
    rng.shuffle(order)
    pairs.update(tuple(sorted(p)) for p in itertools.pairwise(order))
    while len(pairs) < n_required + 3:
        a, b = rng.sample(range(1, n_vertices + 1), 2)
        pairs.add((min(a, b), max(a, b)))
    pairs = sorted(pairs)
    rng.shuffle(pairs)
    edges = [CarpEdge(a, b, rng.randint(1, 20), rng.randint(1, 4), True)
             for a, b in pairs[:n_required]]
    edges += [CarpEdge(a, b, rng.randint(1, 20)) for a, b in pairs[n_required:]]
    return CarpInstance(f"rand{seed}", n_vertices, 1, 6, tuple(edges))


# --------------------------------------------------------------------------- reader


def test_reads_carplib_text():
    inst = parse_carp(GOOD, source="tiny.dat")
    assert (inst.name, inst.n_vertices, inst.depot, inst.capacity, inst.vehicles) == (
        "tiny", 4, 1, 5, 2)
    assert [(e.u, e.v, e.cost, e.demand, e.required) for e in inst.edges] == [
        (1, 2, 3, 2, True), (2, 3, 2, 2, True), (3, 4, 4, 3, True), (4, 1, 5, 0, False)]
    assert inst.total_service_cost == 9
    assert inst.edges[0].line == 11


def test_reads_every_gdb_and_val_file_consistently_with_its_header():
    folder = shared_file("carp/gdb").parent
    files = sorted((folder / "gdb").glob("*.dat")) + sorted((folder / "val").glob("*.dat"))
    assert len(files) == 57
    for path in files:
        text = path.read_text()
        inst = read_carp(path)
        header = dict(re.findall(r"^\s*(\w+)\s*:\s*(-?\d+)", text, flags=re.M))
        assert len(inst.required) == int(header["ARISTAS_REQ"])
        assert inst.capacity == int(header["CAPACIDAD"])
        # COSTE_TOTAL_REQ is wrong in some files (gdb12): recount the costs instead
        costs = [int(c) for c in re.findall(r"coste\s+(\d+)", text)]
        assert sum(e.cost for e in inst.edges) == sum(costs)
        assert len(re.findall(r"\(\s*\d+\s*,\s*\d+\s*\)", text)) == len(inst.edges)


@pytest.mark.parametrize(("text", "line", "field"), [
    (GOOD.replace("( 2, 3)  coste 2 demanda 2", "( 2, 3)  coste x demanda 2"), 12, "coste"),
    (GOOD.replace("( 2, 3)  coste 2 demanda 2", "( 2, 3)  cost 2 demanda 2"), 12, "cost"),
    (GOOD.replace("( 2, 3)  coste 2 demanda 2", "( 2, 3)  coste 2 demanda 0"), 12, "demanda"),
    (GOOD.replace("( 3, 4)  coste 4", "( 3, 9)  coste 4"), 13, "edge"),
    (GOOD.replace("( 3, 4)  coste 4 demanda 3", "( 3, 4)  coste 4 demanda 7"), 13, "demanda"),
    (GOOD.replace("CAPACIDAD : 5", "CAPACIDAD : five"), 7, "CAPACIDAD"),
    (GOOD.replace("TIPO_COSTES_ARISTAS", "TIPO_COSTES"), 8, "TIPO_COSTES"),
    (GOOD.replace("( 1, 2)  coste 3 demanda 2", "1 2 3 2"), 11, None),
])
def test_malformed_line_names_file_and_line(tmp_path, text, line, field):
    path = tmp_path / "bad.dat"
    path.write_text(text)
    with pytest.raises(InputRowError) as err:
        read_carp(path)
    assert err.value.file == str(path)
    assert err.value.row == line
    assert err.value.field == field
    assert f"bad.dat:{line}" in str(err.value)


@pytest.mark.parametrize(("text", "field"), [
    (GOOD.replace("CAPACIDAD : 5\n", ""), "CAPACIDAD"),
    (GOOD.replace("ARISTAS_REQ : 3", "ARISTAS_REQ : 4"), "ARISTAS_REQ"),
    (GOOD.replace("DEPOSITO :   1", "DEPOSITO :   7"), "DEPOSITO"),
])
def test_inconsistent_file_names_the_keyword(tmp_path, text, field):
    path = tmp_path / "bad.dat"
    path.write_text(text)
    with pytest.raises(InputRowError) as err:
        read_carp(path)
    assert err.value.field == field and err.value.file == str(path)


def test_missing_file_is_an_input_error(tmp_path):
    with pytest.raises(InputRowError, match="not found"):
        read_carp(tmp_path / "none.dat")


def test_unreachable_required_edge_is_reported(tmp_path):
    text = GOOD.replace("( 3, 4)  coste 4 demanda 3", "( 5, 6)  coste 4 demanda 3").replace(
        "VERTICES : 4", "VERTICES : 6")
    path = tmp_path / "cut.dat"
    path.write_text(text)
    with pytest.raises(InputRowError, match="cannot be reached") as err:
        read_carp(path)
    assert err.value.row == 13


# --------------------------------------------------------------------------- solver


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_small_instances_reach_the_exhaustive_optimum(seed):
    inst = random_instance(seed)
    optimum = brute_force_optimum(inst)
    sol = solve_carp(inst, seconds=None, iterations=150, seed=0)
    assert check_carp_solution(inst, sol) == sol.cost
    assert sol.cost == optimum


def test_separate_service_and_deadhead_costs_are_honoured():
    inst = random_instance(4)
    inst = replace(inst, edges=tuple(replace(e, serve_cost=e.cost + 7) if e.required else e
                                     for e in inst.edges))
    assert parse_carp(GOOD.replace("coste 3 demanda 2", "coste 9 3 demanda 2")).edges[0] \
        .service_cost == 9
    sol = solve_carp(inst, seconds=None, iterations=150)
    assert check_carp_solution(inst, sol) == sol.cost == brute_force_optimum(inst)


def test_parsed_text_solves_to_its_optimum():
    inst = parse_carp(GOOD)
    sol = solve_carp(inst, seconds=None, iterations=50)
    assert check_carp_solution(inst, sol) == sol.cost == brute_force_optimum(inst)


@pytest.mark.parametrize(("name", "optimum"), [("gdb1", 316), ("gdb4", 287)])
def test_gdb_instances_reach_their_published_optimum(name, optimum):
    inst = read_carp(shared_file(f"carp/gdb/{name}.dat"))
    sol = solve_carp(inst, seconds=20, iterations=600, seed=0)
    assert check_carp_solution(inst, sol) == sol.cost
    assert sol.cost == optimum
    assert all(sum(inst.edges[i].demand for i in r.served) <= inst.capacity
               for r in sol.routes)


def test_same_seed_same_solution():
    inst = random_instance(5, n_vertices=8, n_required=7)
    a = solve_carp(inst, seconds=None, iterations=60, seed=3)
    b = solve_carp(inst, seconds=None, iterations=60, seed=3)
    assert a.routes == b.routes and a.cost == b.cost


# --------------------------------------------------------------------------- checker


@pytest.fixture
def solved():
    inst = parse_carp(GOOD)
    return inst, solve_carp(inst, seconds=None, iterations=30)


def test_checker_rejects_a_required_edge_served_twice(solved):
    inst, sol = solved
    steps = list(sol.routes[0].steps)
    p = next(i for i, s in enumerate(steps) if s.serve)
    s = steps[p]
    # walk back over the edge and serve it again: still an unbroken walk
    again = [CarpStep(s.edge, s.to, s.frm, False), CarpStep(s.edge, s.frm, s.to, True)]
    doubled = CarpRoute(tuple(steps[:p + 1] + again + steps[p + 1:]))
    with pytest.raises(CarpSolutionError, match="served 2 times"):
        check_carp_solution(replace(inst, capacity=100), [doubled, *sol.routes[1:]])


def test_checker_rejects_a_missing_edge_a_broken_walk_and_a_wrong_cost(solved):
    inst, sol = solved
    with pytest.raises(CarpSolutionError, match="served 0 times"):
        check_carp_solution(inst, sol.routes[1:] if len(sol.routes) > 1 else [])
    steps = list(sol.routes[0].steps)
    broken = CarpRoute(tuple(steps[1:]))
    with pytest.raises(CarpSolutionError) as err:
        check_carp_solution(inst, [broken, *sol.routes[1:]])
    assert err.value.field == "walk"
    with pytest.raises(CarpSolutionError, match="reported cost"):
        check_carp_solution(inst, CarpSolution(sol.routes, sol.cost - 1))


def test_checker_rejects_an_overloaded_route(solved):
    inst, sol = solved
    tight = replace(inst, capacity=2)
    with pytest.raises(CarpSolutionError) as err:
        check_carp_solution(tight, sol)
    assert err.value.field == "capacity"
