"""Work that no crew can do even alone: named before the search starts."""

from __future__ import annotations

import math

from patrolgeo.errors import CapacityError
from patrolgeo.routing.shifts._crews import Crew, PointVisit
from patrolgeo.routing.shifts._model import _Model, _Task


def _hours(seconds: float) -> str:
    return f"{seconds / 3600:.2f} h"


class _Limits:
    """Round trips from the depot to each location, against each crew's limits."""

    def __init__(self, model: _Model) -> None:
        self.model = model
        self.out, self.back = model.metres[0], model.metres[:, 0]
        crews = model.crews
        caps = [c.capacity for c in crews]
        bounded = [c for c in caps if c is not None]
        self.max_cap = max(bounded) if len(bounded) == len(caps) else None
        self.max_dist = max((math.inf if c.max_distance_m is None else c.max_distance_m)
                            for c in crews)

    def trip_time(self, crew: Crew, loc: int, service: float) -> float:
        """Seconds from the depot to a location, serving it, and back."""
        p = self.model.profile(crew)
        return (round(self.out[loc] / crew.speed_mps) + self.model.loc_time[p][loc] + service
                + round(self.back[loc] / crew.speed_mps))

    @staticmethod
    def shift(crew: Crew) -> float:
        """Return the longest a crew's route may take (shift length and working hours)."""
        limit = math.inf if crew.shift_s is None else crew.shift_s
        if crew.end_s is not None:
            limit = min(limit, crew.end_s - crew.start_s)
        return limit

    def check_task(self, task: _Task, locs: list[int]) -> None:
        """Raise when no crew can serve the task (capacity, distance, shift)."""
        sid, crews, model = task.segment_id, self.model.crews, self.model
        if self.max_cap is not None and task.demand > self.max_cap:
            raise CapacityError(f"segment {sid}: demand {task.demand:g} exceeds the largest "
                                f"capacity {self.max_cap:g}", field="capacity")
        metres = min(self.out[loc] + model.loc_len[loc] + self.back[loc] for loc in locs)
        if metres > self.max_dist:
            raise CapacityError(f"segment {sid}: the round trip from the depot is "
                                f"{metres / 1000:.2f} km, longer than max_distance_m "
                                f"{self.max_dist / 1000:.2f} km", field="max_distance_m")
        if all(self.trip_time(c, loc, 0.0) > self.shift(c) for c in crews for loc in locs):
            fastest = min(self.trip_time(c, loc, 0.0) for c in crews for loc in locs)
            longest = max(self.shift(c) for c in crews)
            raise CapacityError(f"segment {sid}: the round trip from the depot takes "
                                f"{_hours(fastest)}, longer than the shift ({_hours(longest)})",
                                field="shift_s")

    def visit_fits(self, crew: Crew, loc: int, visit: PointVisit,
                   early: float, late: float) -> tuple[bool, bool]:
        """``(in_window, fits)``: a crew can start the visit in time / and be back."""
        go = round(self.out[loc] / crew.speed_mps)
        come = round(self.back[loc] / crew.speed_mps)
        start = max(crew.start_s + go, early)
        if start > late:
            return False, False
        end = start + visit.service_s + come
        fits = (go + visit.service_s + come <= self.shift(crew)
                and (crew.end_s is None or end <= crew.end_s))
        return True, fits

    def check_visit(self, visit_id: str, options: list[tuple[int, PointVisit]]) -> None:
        """Raise when no crew can make any window of the visit within its shift."""
        ok_window = False
        locs = [loc for loc, _ in options]
        for crew in self.model.crews:
            for loc, visit in options:
                windows = visit.windows or ((0.0, math.inf),)
                early, late = windows[locs.index(loc)]
                in_window, fits = self.visit_fits(crew, loc, visit, early, late)
                ok_window |= in_window
                if fits:
                    return
        field_name = "shift_s" if ok_window else "window"
        raise CapacityError(f"visit {visit_id} cannot be made within its window and "
                            "a crew's shift", field=field_name)


def _check_limits(model: _Model) -> None:
    """Raise :class:`CapacityError` for work that no crew can do even alone."""
    limits = _Limits(model)
    by_task: dict[int, list[int]] = {}
    visits: dict[str, list[tuple[int, PointVisit]]] = {}
    for c, (kind, info) in enumerate(model.client_info):
        if kind == "arc":
            by_task.setdefault(id(info[0]), []).append(model.n_depots + c)
        else:
            visits.setdefault(info.visit_id, []).append((model.n_depots + c, info))
    for task in model.tasks:
        limits.check_task(task, by_task[id(task)])
    for visit_id, options in visits.items():
        limits.check_visit(visit_id, options)
