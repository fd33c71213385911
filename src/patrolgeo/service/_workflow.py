"""The 数字城管 closed loop as a state machine: states, actions, who may take them.

信息采集 (``reported``) → 立案 (``filed``) → 派遣 (``dispatched``) → 处置 (``handling``)
→ 反馈 (``handled``) → 核查 (``verified``) → 结案 (``closed``); an inspector sends a case
back for rework (返工), a dispatcher defers (缓办) and resumes it, rejects a report that is
not a case, and reopens a closed one. The 处置时限 starts at dispatch and is counted in
working hours; deferral stops the clock and resuming restarts it with the hours left.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from patrolgeo.service._auth import Principal
from patrolgeo.service._calendar import Limits
from patrolgeo.service._errors import ApiError
from patrolgeo.service._models import Case, CaseEvent

STATES = ("reported", "filed", "dispatched", "handling", "handled", "verified", "closed",
          "rejected", "deferred")
#: States where the case is finished: no deadline runs.
FINAL = frozenset({"closed", "rejected"})
#: States where the 处置时限 runs.
RUNNING = frozenset({"dispatched", "handling"})

_DISPATCHERS = frozenset({"dispatcher", "admin"})


@dataclass(frozen=True)
class Transition:
    """An action: the states it starts from, the state it leads to, who may take it."""

    sources: frozenset[str]
    target: str
    roles: frozenset[str]
    assignee_only: bool = False


TRANSITIONS: dict[str, Transition] = {
    "file": Transition(frozenset({"reported"}), "filed", _DISPATCHERS),
    "reject": Transition(frozenset({"reported"}), "rejected", _DISPATCHERS),
    "dispatch": Transition(frozenset({"filed"}), "dispatched", _DISPATCHERS),
    "accept": Transition(frozenset({"dispatched"}), "handling",
                         frozenset({"chief", "admin"}), assignee_only=True),
    "feedback": Transition(frozenset({"handling"}), "handled",
                           frozenset({"chief", "admin"}), assignee_only=True),
    "verify": Transition(frozenset({"handled"}), "verified",
                         frozenset({"inspector", "admin"})),
    "rework": Transition(frozenset({"handled"}), "dispatched",
                         frozenset({"inspector", "admin"})),
    "close": Transition(frozenset({"verified"}), "closed", _DISPATCHERS),
    "reopen": Transition(frozenset({"closed", "rejected"}), "filed", _DISPATCHERS),
    "defer": Transition(frozenset({"filed", "dispatched", "handling"}), "deferred",
                        _DISPATCHERS),
    "resume": Transition(frozenset({"deferred"}), "", _DISPATCHERS),
}


def allowed_actions(case: Case, principal: Principal) -> list[str]:
    """The actions ``principal`` may take on ``case`` now."""
    return [name for name, t in TRANSITIONS.items()
            if case.state in t.sources and principal.role in t.roles
            and not (t.assignee_only and principal.role == "chief"
                     and case.assignee_chief != principal.chief_code)]


def is_overdue(case: Case, now: datetime) -> bool:
    """Past its deadline: still running after it, or handled after it."""
    if case.deadline is None or case.state == "deferred":
        return False
    if case.handled_at is not None and case.state not in RUNNING:
        return case.handled_at > case.deadline
    return case.state not in FINAL and now > case.deadline


def _check(case: Case, action: str, principal: Principal) -> Transition:
    t = TRANSITIONS.get(action)
    if t is None:
        raise ApiError(404, "not_found", "action", action)
    if principal.role not in t.roles:
        raise ApiError(403, "forbidden", "action", action)
    if t.assignee_only and principal.role == "chief" and \
            case.assignee_chief != principal.chief_code:
        raise ApiError(403, "not_assignee", "assignee", case.assignee_chief or "")
    if case.state not in t.sources:
        raise ApiError(409, "bad_transition", "action", f"{case.state} → {action}")
    return t


def _clock(case: Case, action: str, now: datetime, limits: Limits) -> None:
    """Start, restart, stop or resume the 处置时限 of ``case`` for ``action``."""
    cal = limits.calendar
    if action in ("dispatch", "rework"):
        case.time_limit_h = limits.hours_for(case.category_code, case.kind_code)
        case.deadline = cal.add_hours(now, case.time_limit_h)
        case.handled_at = None
    elif action == "defer":
        case.deferred_from = case.state
        case.remaining_h = (cal.hours_between(now, case.deadline)
                            if case.deadline is not None else None)
    elif action == "resume" and case.remaining_h is not None:
        case.deadline = cal.add_hours(now, case.remaining_h)
        case.remaining_h = None
    elif action == "feedback":
        case.handled_at = now
    elif action == "close":
        case.closed_at = now
    elif action == "reopen":
        case.closed_at, case.deadline, case.handled_at = None, None, None


def apply(case: Case, action: str, principal: Principal, *, now: datetime, limits: Limits,
          note: str = "", assignee: str | None = None) -> CaseEvent:
    """Take ``action`` on ``case``: check it, move the state, the clock, return the event.

    Raises
    ------
    ApiError
        404 unknown action, 403 a role or chief that may not take it, 409 not from the
        case's state, 422 a dispatch with no chief to send it to.
    """
    t = _check(case, action, principal)
    if action == "dispatch":
        chief = assignee or case.assignee_chief
        if not chief:
            raise ApiError(422, "no_assignee", "assignee", case.segment_id or "")
        case.assignee_chief = chief
    source = case.state
    _clock(case, action, now, limits)
    case.state = t.target or (case.deferred_from or "filed")
    if action == "resume":
        case.deferred_from = None
    case.updated_at = now
    return CaseEvent(case_id=case.id, action=action, from_state=source, to_state=case.state,
                     actor_id=principal.user_id, actor_role=principal.role, note=note, at=now)
