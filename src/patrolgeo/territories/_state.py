"""The search state: a partition of units, its loads, and its cost and connectivity queries.

The moves that change it live beside it: :mod:`._balance` (single moves and swaps
towards the band), :mod:`._paths` (bulk transfers along paths of territories) and
:mod:`._refine` (moves and swaps that lower the cost within the band).
"""

from __future__ import annotations

from collections import deque

import numpy as np

from patrolgeo.territories._params import (
    COMPACTNESS_WEIGHT,
    DEFAULT_SEARCH,
    EPS,
    MIN_LENGTH_M,
    SearchParams,
)
from patrolgeo.territories._units import _Units


class _State:
    """Units assigned to chiefs, with loads, road counts, centres and compactness costs."""

    def __init__(self, units: _Units, part: list[int], target: np.ndarray,
                 centres: np.ndarray | None, tolerance: float, road_weight: np.ndarray,
                 comp_scale: float, move_weight: float, light: bool = False,
                 params: SearchParams = DEFAULT_SEARCH) -> None:
        self.u = units
        self.params = params
        self.light = light
        self.part = part
        self.k = len(target)
        self.target = target.tolist()
        self.tol = tolerance
        self.fixed_centres = centres
        self.road_weight = road_weight.tolist()
        self.comp_scale = comp_scale
        self.move_weight = move_weight
        self.load = [0.0] * self.k
        self.road_count: dict[int, dict[int, int]] = {}
        for i, c in enumerate(part):
            self.load[c] += units.w[i]
            rc = self.road_count.setdefault(units.road[i], {})
            rc[c] = rc.get(c, 0) + 1
        self.mean_len = max(float(np.mean(units.length)), MIN_LENGTH_M)
        self.update_centres()

    def update_centres(self) -> None:
        """Recompute the centres (unless fixed) and each unit's compactness cost."""
        xy = self.u.xy
        if self.fixed_centres is not None:
            centres = self.fixed_centres
        else:
            part = np.asarray(self.part)
            lw = np.maximum(np.asarray(self.u.length), MIN_LENGTH_M)
            tot = np.bincount(part, weights=lw, minlength=self.k)
            centres = np.column_stack([
                np.bincount(part, weights=xy[:, i] * lw, minlength=self.k) / np.maximum(tot, EPS)
                for i in (0, 1)])
        self.centres = centres
        if self.light:  # transfers only need the centres
            return
        d = np.hypot(xy[:, None, 0] - centres[None, :, 0], xy[:, None, 1] - centres[None, :, 1])
        scale = COMPACTNESS_WEIGHT / (self.mean_len * self.comp_scale)
        self.comp = (d * np.asarray(self.u.length)[:, None] * scale).tolist()
        self.centres = centres

    def delta_cost(self, i: int, a: int, b: int) -> float:
        """Change of the refine objective when unit ``i`` moves from ``a`` to ``b``."""
        u, part = self.u, self.part
        cut = 0
        for v, e in zip(u.nbrs[i], u.ews[i], strict=True):
            pv = part[v]
            if pv == a:
                cut += e
            elif pv == b:
                cut -= e
        rc = self.road_count[u.road[i]]
        roads = (rc.get(b, 0) == 0) - (rc.get(a, 0) == 1)
        comp = self.comp[i]
        cost = cut + comp[b] - comp[a] + roads * self.road_weight[u.road[i]]
        if u.prev_known[i]:
            pc = u.prev_count[i]
            cost += self.move_weight * (pc.get(a, 0) - pc.get(b, 0))
        return cost

    def rel(self, c: int) -> float:
        """Workload of ``c`` relative to its target."""
        return self.load[c] / self.target[c]

    def delta_phi(self, w: float, a: int, b: int) -> float:
        """Change of the sum of squared relative overloads when ``w`` moves a -> b."""
        la, lb, ta, tb = self.load[a], self.load[b], self.target[a], self.target[b]
        return (((la - w - ta) ** 2 - (la - ta) ** 2) / ta
                + ((lb + w - tb) ** 2 - (lb - tb) ** 2) / tb)

    def fits(self, w: float, a: int, b: int) -> bool:
        """Whether moving ``w`` from ``a`` to ``b`` keeps both within the band."""
        return (self.load[b] + w <= (1 + self.tol) * self.target[b] + EPS
                and self.load[a] - w >= (1 - self.tol) * self.target[a] - EPS)

    def violation(self, c: int, tol: float | None = None) -> float:
        """How far ``c`` lies outside ``1 ± tol`` (0 inside)."""
        r = self.rel(c)
        tol = self.tol if tol is None else tol
        return max(r - 1 - tol, 1 - tol - r, 0.0)

    def move(self, i: int, b: int) -> None:
        """Give unit ``i`` to chief ``b``, updating loads and road counts."""
        a = self.part[i]
        w = self.u.w[i]
        self.load[a] -= w
        self.load[b] += w
        rc = self.road_count[self.u.road[i]]
        rc[a] -= 1
        if rc[a] == 0:
            del rc[a]
        rc[b] = rc.get(b, 0) + 1
        self.part[i] = b

    def keeps_connected(self, i: int) -> bool:
        """Tell whether territory ``part[i]`` stays connected without unit ``i``."""
        part, nbrs = self.part, self.u.nbrs
        a = part[i]
        starts = list(dict.fromkeys(v for v in nbrs[i] if part[v] == a))
        if len(starts) <= 1:
            return True
        return _LockStep(part, nbrs, i, starts).connected()

    def boundary(self) -> list[int]:
        """Units with a neighbour of another chief."""
        part, nbrs = self.part, self.u.nbrs
        return [i for i in range(len(part)) if any(part[v] != part[i] for v in nbrs[i])]

    def border(self, x: int, y: int) -> list[int]:
        """Units of ``x`` with a neighbour of ``y``, in unit order."""
        part, nbrs = self.part, self.u.nbrs
        return [i for i in range(len(part)) if part[i] == x and any(part[v] == y for v in nbrs[i])]

    def territory_graph(self) -> dict[int, set[int]]:
        """Chiefs whose territories touch, per chief."""
        p = self.part
        adj: dict[int, set[int]] = {c: set() for c in range(self.k)}
        for a, b, _ in self.u.edges.tolist():
            if p[a] != p[b]:
                adj[p[a]].add(p[b])
                adj[p[b]].add(p[a])
        return adj

    def violations(self) -> list[int]:
        """Chiefs outside the band of the tolerance."""
        return [c for c in range(self.k) if self.violation(c) > EPS]

    def settled(self, i: int) -> bool:
        """Tell whether unit i is pinned, or (re-assigning) wholly with its previous chief.

        Such units are not moved to polish the result, only to balance it.
        """
        u = self.u
        if u.pinned[i] >= 0:
            return True
        return (self.move_weight > 0 and u.prev_known[i] > 0
                and u.prev_count[i].get(self.part[i], 0) == u.prev_known[i])


class _LockStep:
    """Breadth-first searches from every neighbour of a removed unit, in lock step.

    The searches of one territory merge where they meet; the territory stays connected
    when all have merged, and falls apart as soon as one runs out of units first.
    """

    def __init__(self, part: list[int], nbrs: list[list[int]], removed: int,
                 starts: list[int]) -> None:
        self.part = part
        self.nbrs = nbrs
        self.chief = part[removed]
        self.owner = {s: n for n, s in enumerate(starts)}
        self.owner[removed] = -1
        self.parent = list(range(len(starts)))
        self.frontier = {n: deque([s]) for n, s in enumerate(starts)}
        self.groups = len(starts)

    def find(self, x: int) -> int:
        """Root of search ``x`` (union-find with path halving)."""
        parent = self.parent
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def connected(self) -> bool:
        """Run the searches; tell whether they all met."""
        while self.groups > 1:
            for root in sorted(self.frontier):
                if root not in self.frontier:
                    continue
                queue = self.frontier[root]
                if not queue:
                    return False
                self._expand(root, queue.popleft())
                if self.groups == 1:
                    return True
        return True

    def _expand(self, root: int, x: int) -> None:
        """Visit the neighbours of ``x`` for search ``root``, merging searches that meet."""
        for y in self.nbrs[x]:
            if self.part[y] != self.chief:
                continue
            o = self.owner.get(y)
            if o is None:
                self.owner[y] = root
                self.frontier[root].append(y)
            elif o >= 0 and self._merge(root, self.find(o)):
                return

    def _merge(self, root: int, other: int) -> bool:
        """Join search ``other`` with ``root``; tell whether the step must stop there.

        It stops when all searches met, or when ``root`` itself was merged away.
        """
        if other == root:
            return False
        keep, drop = min(root, other), max(root, other)
        self.parent[drop] = keep
        self.frontier[keep].extend(self.frontier.pop(drop))
        self.groups -= 1
        return self.groups == 1 or drop == root
