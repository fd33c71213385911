"""District routes: import an OSM file, compute results as jobs, list versions, poll."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from pydantic import BaseModel, Field
from sqlalchemy import select

from patrolgeo.labels import label
from patrolgeo.service._auth import Principal, guard
from patrolgeo.service._errors import ApiError, request_lang
from patrolgeo.service._files import store
from patrolgeo.service._jobs import KINDS
from patrolgeo.service._models import District, Job, Result
from patrolgeo.service._state import audit, iso, service, utcnow

router = APIRouter(prefix="/api")

#: OSM files accepted, by name; the pipeline reads XML, bz2-compressed XML and PBF.
OSM_SUFFIXES = (".osm", ".osm.bz2", ".osm.pbf", ".pbf")
#: Most chiefs a territories job may ask for (a district's staff, well above real ones).
MAX_CHIEFS = 500


class JobIn(BaseModel):
    """What to compute: ``roads``, ``plans`` or ``territories`` (with a chief count)."""

    kind: str
    chiefs: int = Field(2, ge=1, le=MAX_CHIEFS)


def _osm_suffix(name: str) -> str:
    lower = name.lower()
    for suffix in OSM_SUFFIXES:
        if lower.endswith(suffix):
            return ".osm.bz2" if suffix == ".osm.bz2" else "." + suffix.rsplit(".", 1)[1]
    raise ApiError(415, "bad_type", "file", ", ".join(OSM_SUFFIXES))


def _district_json(d: District) -> dict[str, Any]:
    return {"id": d.id, "name": d.name, "osm_name": d.osm_name, "osm_sha256": d.osm_sha256,
            "created_by": d.created_by, "created_at": iso(d.created_at)}


def _result_json(r: Result) -> dict[str, Any]:
    return {"id": r.id, "kind": r.kind, "version": r.version, "job_id": r.job_id,
            "summary": r.summary, "created_by": r.created_by, "created_at": iso(r.created_at)}


@router.post("/districts", name="districts.create", status_code=201)
async def create_district(request: Request,
                          who: Annotated[Principal, Depends(guard("districts.create"))],
                          name: Annotated[str, Form(min_length=1, max_length=120)],
                          file: Annotated[UploadFile, File()]) -> dict[str, Any]:
    """Import a district from an OSM file (stored by its sha256)."""
    state = service(request)
    suffix = _osm_suffix(file.filename or "")
    data = await file.read(state.settings.max_osm_bytes + 1)
    if len(data) > state.settings.max_osm_bytes:
        raise ApiError(413, "too_large", "file", str(state.settings.max_osm_bytes))
    if not data:
        raise ApiError(422, "bad_file", "file", "empty")
    digest, _ = store(state.settings.photo_dir, data, suffix)
    with state.db.write() as session:
        district = District(name=name, osm_sha256=digest, osm_name=f"district{suffix}",
                            created_by=who.user_id, created_at=utcnow())
        session.add(district)
        session.flush()
        audit(session, who, "district.create", "district", district.id, sha256=digest)
    return _district_json(district)


@router.get("/districts", name="districts.list")
def list_districts(request: Request,
                   who: Annotated[Principal, Depends(guard("districts.list"))]
                   ) -> list[dict[str, Any]]:
    """Every district."""
    with service(request).db.read() as session:
        return [_district_json(d) for d in
                session.execute(select(District).order_by(District.id)).scalars()]


def _district_or_404(session: Any, district_id: int) -> District:
    district = session.get(District, district_id)
    if district is None:
        raise ApiError(404, "not_found", "district_id", str(district_id))
    return district


@router.get("/districts/{district_id}", name="districts.get")
def get_district(district_id: int, request: Request,
                 who: Annotated[Principal, Depends(guard("districts.get"))]
                 ) -> dict[str, Any]:
    """A district and the latest version of each kind of result."""
    with service(request).db.read() as session:
        out = _district_json(_district_or_404(session, district_id))
        rows = session.execute(select(Result).where(Result.district_id == district_id)
                               .order_by(Result.version)).scalars()
        out["latest"] = {r.kind: _result_json(r) for r in rows}
    return out


@router.post("/districts/{district_id}/jobs", name="districts.compute", status_code=202)
def compute(district_id: int, body: JobIn, request: Request,
            who: Annotated[Principal, Depends(guard("districts.compute"))]
            ) -> dict[str, Any]:
    """Start computing roads, plans or territories; poll ``/api/jobs/{id}``."""
    state = service(request)
    if body.kind not in KINDS:
        raise ApiError(422, "invalid", "kind", ", ".join(KINDS))
    with state.db.read() as session:
        _district_or_404(session, district_id)
        busy = session.execute(select(Job.id).where(
            Job.district_id == district_id, Job.status.in_(("queued", "running")))).first()
    if busy:
        raise ApiError(409, "job_busy", "district_id", busy[0])
    params = {"chiefs": body.chiefs} if body.kind == "territories" else {}
    job_id = state.jobs.submit(who, district_id, body.kind, params)
    return {"job_id": job_id, "status": "queued"}


@router.get("/districts/{district_id}/results", name="districts.results")
def results(district_id: int, request: Request,
            who: Annotated[Principal, Depends(guard("districts.results"))],
            kind: str | None = None) -> list[dict[str, Any]]:
    """Every version of the district's results, oldest first."""
    with service(request).db.read() as session:
        _district_or_404(session, district_id)
        stmt = select(Result).where(Result.district_id == district_id)
        if kind:
            stmt = stmt.where(Result.kind == kind)
        return [_result_json(r) for r in
                session.execute(stmt.order_by(Result.kind, Result.version)).scalars()]


@router.get("/jobs/{job_id}", name="jobs.get")
def get_job(job_id: str, request: Request,
            who: Annotated[Principal, Depends(guard("jobs.get"))]) -> dict[str, Any]:
    """A job's status, progress, current step, error and result."""
    with service(request).db.read() as session:
        job = session.get(Job, job_id)
    if job is None:
        raise ApiError(404, "not_found", "job_id", job_id)
    return {"id": job.id, "kind": job.kind, "district_id": job.district_id,
            "status": job.status,
            "status_label": label("job_status", job.status, request_lang(request)),
            "progress": job.progress, "step": job.step, "error": job.error,
            "result_id": job.params.get("result_id"), "created_at": iso(job.created_at),
            "finished_at": iso(job.finished_at)}
