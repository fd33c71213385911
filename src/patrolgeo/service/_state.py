"""What the routers share: settings, database, limits, taxonomy, key cache, jobs."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import Request

from patrolgeo.issues import Taxonomy
from patrolgeo.service._auth import KeyCache, Principal
from patrolgeo.service._calendar import TIME_ZONE, Limits
from patrolgeo.service._db import Database
from patrolgeo.service._models import AuditEntry
from patrolgeo.service._settings import Settings

_UTC = ZoneInfo("UTC")
_LOCAL = ZoneInfo(TIME_ZONE)


def utcnow() -> datetime:
    """Now, as the naive UTC the tables store."""
    return datetime.now(timezone.utc).replace(tzinfo=None)


def iso(moment: datetime | None) -> str | None:
    """A stored naive-UTC time as ISO 8601 in the bureau's zone (``+08:00``)."""
    if moment is None:
        return None
    return moment.replace(tzinfo=_UTC).astimezone(_LOCAL).isoformat(timespec="seconds")


def parse_time(text: str) -> datetime:
    """An ISO 8601 time (local when it has no offset) as naive UTC; ``ValueError`` if bad."""
    moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=_LOCAL)
    return moment.astimezone(_UTC).replace(tzinfo=None)


@dataclass
class ServiceState:
    """One service instance's shared objects (``app.state.service``)."""

    settings: Settings
    db: Database
    limits: Limits
    taxonomy: Taxonomy
    keys: KeyCache = field(default_factory=KeyCache)
    jobs: Any = None
    segments_cache: dict[str, Any] = field(default_factory=dict)
    cache_lock: threading.Lock = field(default_factory=threading.Lock)


def service(request: Request) -> ServiceState:
    """The :class:`ServiceState` of the app serving ``request``."""
    return request.app.state.service


def audit(session: Any, principal: Principal, action: str, object_type: str,
          object_id: object, **detail: Any) -> None:
    """Add an audit entry to the write transaction of ``session``."""
    session.add(AuditEntry(at=utcnow(), actor_id=principal.user_id,
                           actor_role=principal.role, action=action,
                           object_type=object_type, object_id=str(object_id),
                           detail=detail))
