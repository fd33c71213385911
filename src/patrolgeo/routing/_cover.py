"""What the postman solvers return, and the small helpers they share."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from patrolgeo.routing.network import StreetNetwork, components

EPS_M = 1e-6
"""Metres below which two route lengths count as equal (float noise, not a saving)."""


@dataclass
class Cover:
    """How a route runs over the segments, before it is ordered into a circuit.

    ``undirected`` covers count runs per segment in ``count`` (direction chosen by the
    circuit); directed covers count runs ``a -> b`` in ``fwd`` and ``b -> a`` in ``rev``.
    ``service_*`` count how many of those runs are service runs (0 or 1).
    """

    undirected: bool
    count: np.ndarray | None = None
    service: np.ndarray | None = None
    fwd: np.ndarray | None = None
    rev: np.ndarray | None = None
    service_fwd: np.ndarray | None = None
    service_rev: np.ndarray | None = None
    start: int = -1
    end: int = -1
    lower_bound_m: float = 0.0
    method: str = ""
    optimal: bool = False
    notes: list[str] = field(default_factory=list)

    def length(self, net: StreetNetwork) -> float:
        """Total length of the runs, in metres."""
        if self.undirected:
            assert self.count is not None
            return float(np.dot(self.count, net.length))
        assert self.fwd is not None and self.rev is not None
        return float(np.dot(self.fwd + self.rev, net.length))


def _odd_nodes(net: StreetNetwork, count: np.ndarray) -> np.ndarray:
    deg = (np.bincount(net.a, weights=count, minlength=net.n_nodes)
           + np.bincount(net.b, weights=count, minlength=net.n_nodes))
    return (np.rint(deg).astype(np.int64) % 2) == 1


def _toggle(odd: np.ndarray, nodes: list[int]) -> np.ndarray:
    odd = odd.copy()
    for node in nodes:
        if node >= 0:
            odd[node] ^= True
    return odd


def _set_ends(cover: Cover, start: int, closed: bool, ends: list[int]) -> None:
    if closed:
        cover.start = cover.end = start
        return
    if start >= 0:
        cover.start = start
        cover.end = ends[0] if ends else start
    elif len(ends) == 2:
        cover.start, cover.end = ends
    else:
        cover.start = cover.end = -1


def piece_labels(net: StreetNetwork, used: np.ndarray, extra_nodes: list[int]) -> np.ndarray:
    """Label nodes by the connected piece of the segments ``used`` (and lone extra nodes).

    Parameters
    ----------
    net
        The network.
    used
        Boolean per segment.
    extra_nodes
        Dense nodes that form a piece of their own when no used segment touches them
        (-1 entries are ignored).

    Returns
    -------
    numpy.ndarray
        Piece index per node, -1 for nodes outside every piece.
    """
    seg = np.flatnonzero(used)
    label = np.full(net.n_nodes, -1, np.int64)
    if len(seg):
        comp = components(net.n_nodes, net.a[seg], net.b[seg])
        touched = np.zeros(net.n_nodes, bool)
        touched[net.a[seg]] = True
        touched[net.b[seg]] = True
        _, dense = np.unique(comp[touched], return_inverse=True)
        label[touched] = dense
    for node in extra_nodes:
        if node >= 0 and label[node] < 0:
            label[node] = label.max() + 1
    return label
