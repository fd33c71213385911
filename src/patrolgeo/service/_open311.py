"""Open311 GeoReport v2: services, service definitions, requests (list, create, show).

Service codes are the kind codes of the taxonomy (GB/T 30428 by default), grouped by
their category. ``POST requests.json`` takes the form-encoded fields of the spec and an
``api_key``; errors come as the spec's list of ``{"code", "description"}``.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from sqlalchemy import select

from patrolgeo.service._auth import Principal, guard
from patrolgeo.service._cases_core import NewCase, check_point, create_case
from patrolgeo.service._errors import ApiError, request_lang
from patrolgeo.service._models import Case
from patrolgeo.service._settings import MAX_LIST
from patrolgeo.service._state import ServiceState, iso, parse_time, service
from patrolgeo.service._workflow import FINAL

router = APIRouter(prefix="/open311/v2")

#: Days a requests.json without dates looks back (the spec's default window).
DEFAULT_WINDOW_DAYS = 90
#: Open311 has two statuses: everything not finished is ``open``.
OPEN, CLOSED = "open", "closed"


def _services(state: ServiceState, lang: str) -> list[dict[str, Any]]:
    out = []
    for cat in state.taxonomy.categories:
        group = cat.name_en if lang == "en" else cat.name
        for kind in cat.kinds:
            name = kind.name_en if lang == "en" else kind.name
            out.append({"service_code": kind.code, "service_name": name,
                        "description": f"{group} / {name}", "metadata": False,
                        "type": "realtime", "keywords": ",".join(kind.aliases),
                        "group": group})
    return out


@router.get("/services.json", name="open311.services")
def services(request: Request,
             who: Annotated[Principal, Depends(guard("open311.services"))],
             jurisdiction_id: str | None = None) -> list[dict[str, Any]]:
    """Every service (kind of problem) this city accepts."""
    return _services(service(request), request_lang(request))


@router.get("/services/{service_code}.json", name="open311.service")
def service_definition(service_code: str, request: Request,
                       who: Annotated[Principal, Depends(guard("open311.service"))],
                       jurisdiction_id: str | None = None) -> dict[str, Any]:
    """A service's definition: no extra attributes are asked for."""
    if service_code not in service(request).taxonomy.kinds:
        raise ApiError(404, "unknown_service", "service_code", service_code)
    return {"service_code": service_code, "attributes": []}


def _request_json(state: ServiceState, case: Case, lang: str) -> dict[str, Any]:
    kind = state.taxonomy.kinds.get(case.kind_code)
    cat = state.taxonomy.category_by_code.get(case.category_code)
    name = ((kind.name_en if lang == "en" else kind.name) if kind else
            (cat.name_en if lang == "en" else cat.name) if cat else "")
    from patrolgeo.labels import label

    return {"service_request_id": str(case.id),
            "status": CLOSED if case.state in FINAL else OPEN,
            "status_notes": label("case_state", case.state, lang),
            "service_name": name, "service_code": case.kind_code or case.category_code,
            "description": case.description, "agency_responsible": case.assignee_chief or "",
            "service_notice": "", "requested_datetime": iso(case.created_at),
            "updated_datetime": iso(case.updated_at),
            "expected_datetime": iso(case.deadline), "address": case.address,
            "address_id": "", "zipcode": "", "lat": case.lat, "long": case.lon,
            "media_url": ""}


def _list_filter(stmt: Any, service_request_id: str | None, service_code: str | None,
                 start_date: str | None, end_date: str | None, status: str | None) -> Any:
    if service_request_id:
        try:
            ids = [int(i) for i in service_request_id.split(",") if i.strip()]
        except ValueError as exc:
            raise ApiError(422, "invalid", "service_request_id", service_request_id) from exc
        return stmt.where(Case.id.in_(ids))  # ids win over every other filter (the spec)
    if service_code:
        stmt = stmt.where(Case.kind_code.in_([c.strip() for c in service_code.split(",")]))
    try:
        start = parse_time(start_date) if start_date else None
        end = parse_time(end_date) if end_date else None
    except ValueError as exc:
        raise ApiError(422, "bad_time", "start_date" if start_date else "end_date") from exc
    if start is None and end is None:
        stmt = stmt.where(Case.created_at >= _window_start())
    else:
        stmt = stmt.where(Case.created_at >= start) if start else stmt
        stmt = stmt.where(Case.created_at <= end) if end else stmt
    if status:
        wanted = {s.strip() for s in status.split(",")}
        if not wanted <= {OPEN, CLOSED}:
            raise ApiError(422, "invalid", "status", status)
        if wanted == {OPEN}:
            stmt = stmt.where(Case.state.not_in(FINAL))
        elif wanted == {CLOSED}:
            stmt = stmt.where(Case.state.in_(FINAL))
    return stmt


def _window_start() -> Any:
    from patrolgeo.service._state import utcnow

    return utcnow() - timedelta(days=DEFAULT_WINDOW_DAYS)


@router.get("/requests.json", name="open311.requests.list")
def list_requests(request: Request,
                  who: Annotated[Principal, Depends(guard("open311.requests.list"))],
                  service_request_id: str | None = None, service_code: str | None = None,
                  start_date: str | None = None, end_date: str | None = None,
                  status: str | None = None, jurisdiction_id: str | None = None
                  ) -> list[dict[str, Any]]:
    """Requests by ids, service codes, dates and status (newest first, at most 1000)."""
    state = service(request)
    stmt = _list_filter(select(Case), service_request_id, service_code, start_date,
                        end_date, status)
    with state.db.read() as session:
        rows = session.execute(stmt.order_by(Case.id.desc()).limit(MAX_LIST)).scalars().all()
    lang = request_lang(request)
    return [_request_json(state, c, lang) for c in rows]


@router.get("/requests/{request_id}.json", name="open311.requests.get")
def get_request(request_id: int, request: Request,
                who: Annotated[Principal, Depends(guard("open311.requests.get"))],
                jurisdiction_id: str | None = None) -> list[dict[str, Any]]:
    """One request, as a list of one (the spec's form)."""
    state = service(request)
    with state.db.read() as session:
        case = session.get(Case, request_id)
    if case is None:
        raise ApiError(404, "not_found", "service_request_id", str(request_id))
    return [_request_json(state, case, request_lang(request))]


def _coordinate(value: str | None, name: str) -> float:
    if value is None or not value.strip():
        raise ApiError(422, "missing", name)
    try:
        return float(value)
    except ValueError as exc:
        raise ApiError(422, "invalid", name, value) from exc


@router.post("/requests.json", name="open311.requests.create")
def create_request(request: Request,
                   who: Annotated[Principal, Depends(guard("open311.requests.create"))],
                   service_code: Annotated[str, Form(max_length=20)],
                   lat: Annotated[str | None, Form()] = None,
                   long: Annotated[str | None, Form()] = None,
                   address_string: Annotated[str, Form(max_length=400)] = "",
                   description: Annotated[str, Form(max_length=4000)] = "",
                   api_key: Annotated[str, Form()] = "",
                   jurisdiction_id: Annotated[str, Form()] = "",
                   ) -> list[dict[str, Any]]:
    """File a request (form-encoded, with ``api_key``); answers its id."""
    state = service(request)
    if service_code not in state.taxonomy.kinds:
        raise ApiError(422, "unknown_service", "service_code", service_code)
    point = _coordinate(lat, "lat"), _coordinate(long, "long")
    try:
        check_point(*point)
    except ApiError as exc:  # the spec calls the longitude "long"
        exc.field = "long" if exc.field == "lon" else exc.field
        raise
    made = create_case(state, who, NewCase(
        kind_code=service_code, lat=point[0], lon=point[1],
        description=description, address=address_string, source="citizen_photo"))
    return [{"service_request_id": str(made.case.id), "service_notice": "",
             "account_id": None}]
