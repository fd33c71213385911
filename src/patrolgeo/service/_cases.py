"""The case routes of the JSON API: report, list, show, act, photos, time limits."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Header, Query, Request, UploadFile
from fastapi.responses import FileResponse
from pydantic import BaseModel, Field
from sqlalchemy import func, select

from patrolgeo.service._auth import Principal, guard
from patrolgeo.service._cases_core import NewCase, case_json, create_case, duplicates, may_view
from patrolgeo.service._errors import ApiError, request_lang
from patrolgeo.service._files import blob_path, check_photo, photo_suffix, store
from patrolgeo.service._models import Case, CaseEvent, Photo
from patrolgeo.service._state import ServiceState, iso, parse_time, service, utcnow
from patrolgeo.service._workflow import FINAL, RUNNING, STATES, TRANSITIONS, apply

router = APIRouter(prefix="/api")

ReportToken = Annotated[str | None, Header(alias="X-Report-Token")]


class CaseIn(BaseModel):
    """A report: a kind (or category) code of the taxonomy and a WGS-84 point."""

    kind_code: str = Field("", max_length=20)
    category_code: str = Field("", max_length=20)
    lat: float
    lon: float
    description: str = Field("", max_length=4000)
    address: str = Field("", max_length=400)
    source: str = Field("citizen_photo", max_length=20)
    district_id: int | None = None


class ActionIn(BaseModel):
    """An action on a case, with a note; ``assignee`` (a chief code) for a dispatch."""

    note: str = Field("", max_length=4000)
    assignee: str | None = Field(None, max_length=40)


def _case_or_404(session: Any, case_id: int) -> Case:
    case = session.get(Case, case_id)
    if case is None:
        raise ApiError(404, "not_found", "case_id", str(case_id))
    return case


@router.post("/cases", name="cases.create", status_code=201)
def create(body: CaseIn, request: Request,
           who: Annotated[Principal, Depends(guard("cases.create"))]) -> dict[str, Any]:
    """Report a problem (anyone; the public gets a token to view it later)."""
    state = service(request)
    source = body.source if who.role != "public" else "citizen_photo"
    made = create_case(state, who, NewCase(
        kind_code=body.kind_code, category_code=body.category_code, lat=body.lat,
        lon=body.lon, description=body.description, address=body.address, source=source,
        district_id=body.district_id))
    out = case_json(state, made.case, request_lang(request), who)
    out["duplicates"] = made.duplicates
    if made.report_token:
        out["report_token"] = made.report_token
    return out


def _filters(stmt: Any, state: str | None, category_code: str | None,
             assignee: str | None, overdue: bool | None, since: str | None) -> Any:
    if state is not None:
        if state not in STATES:
            raise ApiError(422, "invalid", "state", state)
        stmt = stmt.where(Case.state == state)
    if category_code:
        stmt = stmt.where(Case.category_code == category_code)
    if assignee:
        stmt = stmt.where(Case.assignee_chief == assignee)
    if overdue is not None:
        late = Case.state.in_(RUNNING) & (Case.deadline < utcnow())
        stmt = stmt.where(late if overdue else ~late | Case.deadline.is_(None))
    if since:
        try:
            stmt = stmt.where(Case.created_at >= parse_time(since))
        except ValueError as exc:
            raise ApiError(422, "bad_time", "since", since) from exc
    return stmt


@router.get("/cases", name="cases.list")
def list_cases(request: Request, who: Annotated[Principal, Depends(guard("cases.list"))],
               state: str | None = None, category_code: str | None = None,
               assignee: str | None = None, overdue: bool | None = None,
               since: str | None = None, mine: bool = False,
               limit: Annotated[int, Query(ge=1, le=1000)] = 100,
               offset: Annotated[int, Query(ge=0)] = 0) -> dict[str, Any]:
    """Cases, newest first, by state, category, chief, overdue flag and time."""
    svc = service(request)
    if mine and who.chief_code:
        assignee = who.chief_code
    stmt = _filters(select(Case), state, category_code, assignee, overdue, since)
    with svc.db.read() as session:
        total = session.execute(select(func.count()).select_from(stmt.subquery())).scalar()
        rows = session.execute(stmt.order_by(Case.id.desc()).limit(limit).offset(offset)
                               ).scalars().all()
    lang, now = request_lang(request), utcnow()
    return {"total": total, "cases": [case_json(svc, c, lang, who, now) for c in rows]}


@router.get("/cases/{case_id}", name="cases.get")
def get_case(case_id: int, request: Request,
             who: Annotated[Principal, Depends(guard("cases.get"))],
             report_token: ReportToken = None) -> dict[str, Any]:
    """One case; the public sees it with the report token it was given."""
    svc = service(request)
    with svc.db.read() as session:
        case = _case_or_404(session, case_id)
        if not may_view(case, who, report_token):
            raise ApiError(404, "not_found", "case_id", str(case_id))
        photos = list(session.execute(select(Photo).where(Photo.case_id == case_id)
                                      .order_by(Photo.id)).scalars())
    return case_json(svc, case, request_lang(request), who, photos=photos)


@router.get("/cases/{case_id}/events", name="cases.events")
def events(case_id: int, request: Request,
           who: Annotated[Principal, Depends(guard("cases.events"))]) -> list[dict[str, Any]]:
    """The case's history: every action with actor, time and note."""
    from patrolgeo.labels import label

    lang = request_lang(request)
    with service(request).db.read() as session:
        _case_or_404(session, case_id)
        rows = session.execute(select(CaseEvent).where(CaseEvent.case_id == case_id)
                               .order_by(CaseEvent.id)).scalars().all()
    return [{"action": e.action, "action_label": label("case_action", e.action, lang),
             "from_state": e.from_state, "to_state": e.to_state, "actor_id": e.actor_id,
             "actor_role": e.actor_role, "note": e.note, "at": iso(e.at)} for e in rows]


@router.get("/cases/{case_id}/duplicates", name="cases.duplicates")
def case_duplicates(case_id: int, request: Request,
                    who: Annotated[Principal, Depends(guard("cases.duplicates"))]
                    ) -> dict[str, Any]:
    """Open cases of the same category close to this one in place and time."""
    svc = service(request)
    with svc.db.read() as session:
        case = _case_or_404(session, case_id)
        return {"case_id": case_id, "duplicates": duplicates(svc, session, case),
                "radius_m": svc.settings.duplicate_radius_m,
                "window_h": svc.settings.duplicate_window_h}


@router.post("/cases/{case_id}/actions/{action}", name="cases.transition")
def transition(case_id: int, action: str, request: Request,
               who: Annotated[Principal, Depends(guard("cases.transition"))],
               body: ActionIn | None = None) -> dict[str, Any]:
    """Take an action of the closed loop (see ``TRANSITIONS``); one transaction."""
    svc: ServiceState = service(request)
    body = body or ActionIn(note="", assignee=None)
    if action not in TRANSITIONS:
        raise ApiError(404, "not_found", "action", action)
    with svc.db.write() as session:
        case = _case_or_404(session, case_id)
        session.add(apply(case, action, who, now=utcnow(), limits=svc.limits,
                          note=body.note, assignee=body.assignee))
    return case_json(svc, case, request_lang(request), who)


@router.post("/cases/{case_id}/photos", name="photos.upload", status_code=201)
async def upload_photo(case_id: int, request: Request,
                       who: Annotated[Principal, Depends(guard("photos.upload"))],
                       file: Annotated[UploadFile, File()],
                       report_token: ReportToken = None) -> dict[str, Any]:
    """Attach a JPEG, PNG or WebP photo (checked by its bytes, size-limited)."""
    svc = service(request)
    data = await file.read(svc.settings.max_photo_bytes + 1)
    mime = check_photo(data, svc.settings.max_photo_bytes)
    with svc.db.read() as session:
        case = _case_or_404(session, case_id)
        if not may_view(case, who, report_token) or case.state in FINAL:
            raise ApiError(404 if who.role == "public" else 409,
                           "not_found" if who.role == "public" else "bad_transition",
                           "case_id", str(case_id))
    digest, _ = store(svc.settings.photo_dir, data, photo_suffix(mime))
    with svc.db.write() as session:
        known = session.execute(select(Photo).where(Photo.case_id == case_id,
                                                    Photo.sha256 == digest)).scalar()
        if known is None:
            session.add(Photo(case_id=case_id, sha256=digest, mime=mime, size=len(data),
                              uploaded_by=who.user_id, at=utcnow()))
    return {"case_id": case_id, "sha256": digest, "mime": mime, "size": len(data)}


@router.get("/photos/{sha256}", name="photos.get")
def get_photo(sha256: str, request: Request,
              who: Annotated[Principal, Depends(guard("photos.get"))]) -> FileResponse:
    """A stored photo by its sha256."""
    svc = service(request)
    with svc.db.read() as session:
        photo = session.execute(select(Photo).where(Photo.sha256 == sha256).limit(1)).scalar()
    if photo is None:
        raise ApiError(404, "not_found", "sha256", sha256)
    path = blob_path(svc.settings.photo_dir, sha256, photo_suffix(photo.mime))
    return FileResponse(path, media_type=photo.mime)


@router.get("/limits", name="limits.get")
def get_limits(request: Request,
               who: Annotated[Principal, Depends(guard("limits.get"))]) -> dict[str, Any]:
    """The 处置时限 table (working hours) and the working calendar in force."""
    limits = service(request).limits
    cal = limits.calendar
    return {"hours": limits.hours,
            "calendar": {"periods": [f"{a // 60:02d}:{a % 60:02d}-{b // 60:02d}:{b % 60:02d}"
                                     for a, b in cal.periods],
                         "weekdays": sorted(cal.weekdays),
                         "holidays": sorted(d.isoformat() for d in cal.holidays),
                         "workdays": sorted(d.isoformat() for d in cal.workdays)}}
