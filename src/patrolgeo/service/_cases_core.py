"""Cases without HTTP: create (validate, snap, propose a chief, suggest duplicates), show.

The JSON API and the Open311 paths both call :func:`create_case`, so a report is the
same row whichever door it came in by. Snapping uses :func:`patrolgeo.issues.snap_reports`
on the segments of the district's latest roads result; the chief comes from the latest
territories result's assignment of the snapped segment.
"""

from __future__ import annotations

import math
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import select, text

from patrolgeo import issues
from patrolgeo.labels import label
from patrolgeo.service._auth import PUBLIC, Principal, key_hash
from patrolgeo.service._errors import ApiError
from patrolgeo.service._models import Assignment, Case, CaseEvent, Photo, Result
from patrolgeo.service._state import ServiceState, iso, utcnow
from patrolgeo.service._workflow import FINAL, allowed_actions, is_overdue

#: Metres per degree of latitude (WGS-84 mean): the duplicate search's bounding box.
M_PER_DEG = 111_320.0
#: Earth radius (metres) of the haversine distance between a case and its neighbours.
EARTH_RADIUS_M = 6_371_008.8
#: Most duplicate suggestions returned: the nearest few are what a dispatcher reads.
MAX_DUPLICATES = 10


@dataclass(frozen=True)
class NewCase:
    """A report as it arrives, before it is a row."""

    kind_code: str
    lat: float
    lon: float
    category_code: str = ""
    description: str = ""
    address: str = ""
    source: str = "citizen_photo"
    district_id: int | None = None


@dataclass
class Created:
    """A created case, its one-time report token (public callers) and duplicates."""

    case: Case
    report_token: str | None = None
    duplicates: list[int] = field(default_factory=list)


def resolve_kind(state: ServiceState, category_code: str, kind_code: str,
                 field_name: str = "kind_code") -> tuple[str, str]:
    """Category and kind codes checked against the taxonomy (a category alone is fine)."""
    tax = state.taxonomy
    kind = tax.kinds.get(kind_code) if kind_code else None
    if kind is not None:
        if category_code and category_code != kind.category_code:
            raise ApiError(422, "unknown_category", "category_code",
                           f"{kind_code} ∉ {category_code}")
        return kind.category_code, kind.code
    code = category_code or kind_code
    if code and code in tax.category_by_code:
        return code, ""
    raise ApiError(422, "unknown_category", field_name if kind_code else "category_code",
                   kind_code or category_code)


def check_point(lat: float, lon: float) -> None:
    """Refuse a coordinate off the globe or the (0, 0) placeholder, naming the field."""
    if not (math.isfinite(lat) and -90 <= lat <= 90):
        raise ApiError(422, "out_of_range", "lat", str(lat))
    if not (math.isfinite(lon) and -180 <= lon <= 180):
        raise ApiError(422, "out_of_range", "lon", str(lon))
    if lat == 0 and lon == 0:
        raise ApiError(422, "out_of_range", "lat", "(0, 0)")


def _district_index(state: ServiceState) -> dict[int, Any]:
    """District id → (roads result id, WGS-84 bounds, segments), loaded once per result."""
    with state.cache_lock:
        if "loaded" in state.segments_cache:
            return state.segments_cache["loaded"]
    import geopandas as gpd

    index: dict[int, Any] = {}
    with state.db.read() as session:
        rows = session.execute(select(Result).where(Result.kind == "roads")
                               .order_by(Result.district_id, Result.version)).scalars()
        latest = {r.district_id: r for r in rows}
    for district_id, result in latest.items():
        segments = gpd.read_file(Path(result.path) / "segments.gpkg")
        bounds = tuple(segments.to_crs("EPSG:4326").total_bounds)
        index[district_id] = (result.id, bounds, segments)
    with state.cache_lock:
        state.segments_cache["loaded"] = index
    return index


def forget_segments(state: ServiceState) -> None:
    """Drop the cached segments (a job made a new roads result)."""
    with state.cache_lock:
        state.segments_cache.clear()


def snap(state: ServiceState, lat: float, lon: float,
         district_id: int | None = None) -> dict[str, Any]:
    """The district, segment, road and distance of a point (empty when off every network)."""
    for did, (_, (west, south, east, north), segments) in _district_index(state).items():
        if district_id not in (None, did) or not (west <= lon <= east and south <= lat <= north):
            continue
        snapped = issues.snap_reports(pd.DataFrame({"lat": [lat], "lon": [lon]}), segments)
        row = snapped.iloc[0]
        if bool(row["on_network"]):
            return {"district_id": did, "segment_id": str(row["segment_id"]),
                    "road_id": str(row["road_id"]),
                    "snap_distance_m": float(row["snap_distance_m"])}
        return {"district_id": did}
    return {}


def chief_for(session: Any, district_id: int | None, segment_id: str | None) -> str | None:
    """The chief of ``segment_id`` in the district's latest territories result."""
    if district_id is None or not segment_id:
        return None
    latest = session.execute(
        select(Result.id).where(Result.district_id == district_id,
                                Result.kind == "territories")
        .order_by(Result.version.desc()).limit(1)).scalar()
    if latest is None:
        return None
    return session.execute(select(Assignment.chief_code).where(
        Assignment.result_id == latest, Assignment.segment_id == segment_id)).scalar()


def haversine_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = (math.sin((p2 - p1) / 2) ** 2
         + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2)
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(a))


def duplicates(state: ServiceState, session: Any, case: Case) -> list[int]:
    """Open cases of the same category near ``case`` and shortly before it, nearest first."""
    settings = state.settings
    since = case.created_at - timedelta(hours=settings.duplicate_window_h)
    radius = settings.duplicate_radius_m
    base = (select(Case.id, Case.lat, Case.lon)
            .where(Case.category_code == case.category_code, Case.created_at >= since,
                   Case.created_at <= case.created_at, Case.id != case.id,
                   Case.state.not_in(FINAL), Case.duplicate_of.is_(None)))
    if state.db.postgis:
        # in the database where it can: a geography distance on the point columns
        base = base.where(text("ST_DWithin(ST_MakePoint(cases.lon, cases.lat)::geography, "
                               "ST_MakePoint(:lon, :lat)::geography, :radius)")
                          .bindparams(lon=case.lon, lat=case.lat, radius=radius))
    else:
        dlat = radius / M_PER_DEG
        dlon = dlat / max(math.cos(math.radians(case.lat)), 1e-6)
        base = base.where(Case.lat.between(case.lat - dlat, case.lat + dlat),
                          Case.lon.between(case.lon - dlon, case.lon + dlon))
    near = [(haversine_m(case.lat, case.lon, lat, lon), cid)
            for cid, lat, lon in session.execute(base).all()]
    return [cid for d, cid in sorted(near) if d <= radius][:MAX_DUPLICATES]


def create_case(state: ServiceState, principal: Principal, new: NewCase) -> Created:
    """Validate, snap and store a report with its first event, in one transaction."""
    category, kind = resolve_kind(state, new.category_code, new.kind_code)
    check_point(new.lat, new.lon)
    if new.source not in issues.SOURCES:
        raise ApiError(422, "unknown_source", "source", new.source)
    place = snap(state, new.lat, new.lon, new.district_id)
    token = secrets.token_urlsafe(16) if principal.role == PUBLIC else None
    now = utcnow()
    with state.db.write() as session:
        case = Case(category_code=category, kind_code=kind, source=new.source,
                    state="reported", description=new.description, address=new.address,
                    lat=new.lat, lon=new.lon, reporter_id=principal.user_id,
                    reporter_secret=key_hash(token) if token else None,
                    created_at=now, updated_at=now, **place)
        case.assignee_chief = chief_for(session, case.district_id, case.segment_id)
        session.add(case)
        session.flush()
        session.add(CaseEvent(case_id=case.id, action="report", from_state=None,
                              to_state="reported", actor_id=principal.user_id,
                              actor_role=principal.role, note="", at=now))
        found = duplicates(state, session, case)
    return Created(case, token, found)


def may_view(case: Case, principal: Principal, report_token: str | None) -> bool:
    """Staff see every case; the public only their own (by report token or account)."""
    if principal.role != PUBLIC:
        return True
    return bool(report_token) and case.reporter_secret == key_hash(report_token or "")


def case_json(state: ServiceState, case: Case, lang: str, principal: Principal,
              now: datetime | None = None, photos: list[Photo] | None = None) -> dict[str, Any]:
    """A case as the JSON API shows it: codes, their words in ``lang``, flags."""
    tax = state.taxonomy
    category = tax.category_by_code.get(case.category_code)
    kind = tax.kinds.get(case.kind_code) if case.kind_code else None
    out = {
        "id": case.id, "state": case.state, "state_label": label("case_state", case.state, lang),
        "category_code": case.category_code,
        "category": (category.name_en if lang == "en" else category.name) if category else "",
        "kind_code": case.kind_code,
        "kind": (kind.name_en if lang == "en" else kind.name) if kind else "",
        "source": case.source, "description": case.description, "address": case.address,
        "lat": case.lat, "lon": case.lon, "district_id": case.district_id,
        "segment_id": case.segment_id, "road_id": case.road_id,
        "snap_distance_m": case.snap_distance_m, "assignee": case.assignee_chief,
        "time_limit_h": case.time_limit_h, "deadline": iso(case.deadline),
        "overdue": is_overdue(case, now or utcnow()),
        "created_at": iso(case.created_at), "updated_at": iso(case.updated_at),
        "closed_at": iso(case.closed_at),
    }
    if principal.role != PUBLIC:
        out["actions"] = allowed_actions(case, principal)
    if photos is not None:
        out["photos"] = [{"sha256": p.sha256, "mime": p.mime, "size": p.size}
                         for p in photos]
    return out
