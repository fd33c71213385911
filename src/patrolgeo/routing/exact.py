"""Exact postman routes by integer programming, for the NP-hard cases when asked.

Rural (required streets in several pieces) and mixed (one-way and two-way streets)
postman problems are NP-hard: :mod:`patrolgeo.routing._rural` and
:mod:`patrolgeo.routing._directed` give strong heuristics with a lower bound. With
``postman_route(..., exact=True)`` this module solves the integer program with HiGHS
(through :func:`scipy.optimize.milp`), adding a
connectivity cut for every piece the solution leaves apart until it is one piece.
It stops at a time limit; the bound proved by then still tightens the lower bound.

Undirected: ``x_s`` runs of each street (0..2; at least 1 when required), ``z_v`` with
``sum of x at v = 2 z_v``; a cut ``x(delta(S)) >= 2`` per piece S. Directed or mixed:
``x_a`` runs of each arc, in = out at every node, a required two-way street run at least
once either way; a cut ``x(delta+(S)) >= 1`` per piece S.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import coo_matrix, csr_matrix, hstack, identity, vstack
from scipy.sparse.csgraph import connected_components

from patrolgeo.routing._cover import Cover
from patrolgeo.routing.network import StreetNetwork


@dataclass
class ExactResult:
    """The runs found (None if none in time), whether proved optimal, and the bound."""

    cover: Cover | None
    optimal: bool
    lower_bound_m: float


def _pieces(n: int, tail: np.ndarray, head: np.ndarray, use: np.ndarray,
            terminals: np.ndarray) -> list[np.ndarray]:
    """Node sets of the pieces of the used arcs that hold a terminal."""
    graph = coo_matrix((np.ones(int(use.sum())), (tail[use], head[use])), shape=(n, n))
    _, label = connected_components(graph, directed=False)
    return [label == lab for lab in np.unique(label[terminals])]


MAX_RUNS_STREET = 2
"""Runs of a street an optimal undirected route never exceeds."""

MAX_RUNS_ARC = 4
"""Runs of an arc allowed in the directed program (a safe cap on an optimal route)."""

MIN_TIME_LEFT_S = 0.5
"""Seconds left below which no further integer program is started."""


@dataclass
class _Model:
    """The integer program without connectivity cuts, over arcs ``tail -> head``."""

    tail: np.ndarray
    head: np.ndarray
    m: int
    cost: np.ndarray
    bounds: Bounds
    base: list[LinearConstraint]
    n_vars: int
    seg_of: np.ndarray
    fwd_of: np.ndarray


def _undirected_model(net: StreetNetwork, required: np.ndarray) -> _Model:
    """``x_s`` runs per street, ``z_v`` halves of every node's degree."""
    n = net.n_nodes
    tail, head = net.a, net.b
    m = net.n_segments
    lower = required.astype(float)
    upper = np.full(m, float(MAX_RUNS_STREET))
    incidence = coo_matrix((np.ones(2 * m), (np.r_[tail, head], np.r_[np.arange(m),
                                                                      np.arange(m)])),
                           shape=(n, m)).tocsr()
    parity = hstack([incidence, identity(n, format="csr") * -2.0]).tocsr()
    return _Model(tail, head, m, np.r_[net.length, np.zeros(n)],
                  Bounds(np.r_[lower, np.zeros(n)], np.r_[upper, np.full(n, np.inf)]),
                  [LinearConstraint(parity, 0, 0)], m + n, np.arange(m), np.ones(m, bool))


def _directed_model(net: StreetNetwork, req_fwd: np.ndarray, req_rev: np.ndarray,
                    req_either: np.ndarray, respect_oneway: bool) -> _Model:
    """``x_a`` runs per arc, balanced at every node; two-way services once either way."""
    n = net.n_nodes
    tail, head, seg_of, fwd_of = net.arcs(respect_oneway)
    m = len(tail)
    balance = coo_matrix((np.r_[np.ones(m), -np.ones(m)],
                          (np.r_[head, tail], np.r_[np.arange(m), np.arange(m)])),
                         shape=(n, m)).tocsr()
    lower = np.where(fwd_of, req_fwd[seg_of], req_rev[seg_of]).astype(float)
    either = np.flatnonzero(req_either[seg_of])
    rows = np.searchsorted(np.flatnonzero(req_either), seg_of[either])
    cover = coo_matrix((np.ones(len(either)), (rows, either)),
                       shape=(int(req_either.sum()), m)).tocsr()
    base = [LinearConstraint(balance, 0, 0)]
    if cover.shape[0]:
        base.append(LinearConstraint(cover, 1, np.inf))
    return _Model(tail, head, m, net.length[seg_of],
                  Bounds(lower, np.full(m, float(MAX_RUNS_ARC))), base, m, seg_of, fwd_of)


def solve_exact(net: StreetNetwork, *, undirected: bool, required: np.ndarray,
                req_fwd: np.ndarray, req_rev: np.ndarray, req_either: np.ndarray,
                respect_oneway: bool, start: int, time_limit_s: float = 60.0
                ) -> ExactResult:
    """Solve the closed postman problem exactly (within ``time_limit_s``).

    Parameters
    ----------
    net
        The network.
    undirected
        Solve the undirected program (else the directed/mixed one).
    required
        Boolean per segment: segments to serve.
    req_fwd, req_rev, req_either
        Directed services, as :func:`~patrolgeo.routing._directed.solve_directed` takes.
    respect_oneway
        Whether arcs obey one-way streets.
    start
        Dense start node, or -1.
    time_limit_s
        Time limit over all the integer programs solved.

    Returns
    -------
    ExactResult
        The cover (None when none was found in time) and the bound proved.
    """
    t0 = time.perf_counter()
    n = net.n_nodes
    model = _undirected_model(net, required) if undirected else \
        _directed_model(net, req_fwd, req_rev, req_either, respect_oneway)
    tail, head, m = model.tail, model.head, model.m
    terminals = np.unique(np.r_[net.a[required], net.b[required],
                                [start] if start >= 0 else []]).astype(np.int64)
    cuts: list[csr_matrix] = []
    best_bound = 0.0
    while True:
        left = time_limit_s - (time.perf_counter() - t0)
        if left <= MIN_TIME_LEFT_S:
            return ExactResult(None, False, best_bound)
        constraints = list(model.base)
        if cuts:
            constraints.append(LinearConstraint(vstack(cuts).tocsr(),
                                                2 if undirected else 1, np.inf))
        res = milp(model.cost, constraints=constraints, integrality=np.ones(model.n_vars),
                   bounds=model.bounds, options={"time_limit": left, "disp": False})
        bound = getattr(res, "mip_dual_bound", None)
        if bound is not None and np.isfinite(bound):
            best_bound = max(best_bound, float(bound))
        if res.status != 0 or res.x is None:
            return ExactResult(None, False, best_bound)
        best_bound = max(best_bound, float(res.fun))
        x = np.rint(res.x[:m]).astype(np.int64)
        pieces = _pieces(n, tail, head, x > 0, terminals)
        if len(pieces) <= 1:
            break
        for inside in pieces:
            # leaving the piece: either way for streets, outwards for arcs
            crossing = (inside[tail] != inside[head]) if undirected else \
                (inside[tail] & ~inside[head])
            row = np.zeros(model.n_vars)
            row[:m][crossing] = 1.0
            cuts.append(csr_matrix(row))
    result = _cover_of(net, model, x, undirected, required, req_fwd, req_rev, req_either)
    return ExactResult(result, True, result.lower_bound_m)


def _cover_of(net: StreetNetwork, model: _Model, x: np.ndarray, undirected: bool,
              required: np.ndarray, req_fwd: np.ndarray, req_rev: np.ndarray,
              req_either: np.ndarray) -> Cover:
    """Return the cover of an integer solution ``x``; optimal, its length its bound."""
    if undirected:
        result = Cover(True, count=x, service=required.copy())
    else:
        seg_of, fwd_of = model.seg_of, model.fwd_of
        fwd = np.bincount(seg_of[fwd_of], weights=x[fwd_of],
                          minlength=net.n_segments).astype(np.int64)
        rev = np.bincount(seg_of[~fwd_of], weights=x[~fwd_of],
                          minlength=net.n_segments).astype(np.int64)
        sfwd = req_fwd | (req_either & (fwd >= 1))
        srev = req_rev | (req_either & (fwd == 0))
        result = Cover(False, fwd=fwd, rev=rev, service_fwd=sfwd.astype(np.int64),
                       service_rev=srev.astype(np.int64))
    result.lower_bound_m = result.length(net)
    result.optimal = True
    result.method = "exact integer program (HiGHS, connectivity cuts)"
    return result
