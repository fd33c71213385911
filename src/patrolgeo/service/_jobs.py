"""Background jobs: roads, plans and territories of a district, as versioned results.

A small in-process runner (one worker thread: the computations are CPU-bound and the
machine is small) runs the same pipeline functions as the CLI (``pipeline.load_roads``,
``pipeline.plan_from_osm``, ``pipeline.assign``) and records progress in the job's row.
Each finished job adds a new :class:`Result` version in its own folder; nothing is
overwritten. Jobs left queued or running by a stopped server are marked failed on start.
"""

from __future__ import annotations

import uuid
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

from sqlalchemy import func, select, update

from patrolgeo import pipeline
from patrolgeo.errors import PatrolgeoError
from patrolgeo.labels import Text, render
from patrolgeo.service._auth import Principal
from patrolgeo.service._files import blob_path
from patrolgeo.service._models import Assignment, District, Job, Result
from patrolgeo.service._state import ServiceState, audit, utcnow

KINDS = ("roads", "plans", "territories")
#: Steps reported by each kind of job, to turn step messages into a progress fraction.
_STEPS = {"roads": 2, "plans": 3, "territories": 5}
#: Columns of the segments kept with a result (what snapping and dispatch need).
SEGMENT_COLUMNS = ("segment_id", "road_id", "road_name", "u", "v", "length_m", "geometry")


class JobRunner:
    """Runs jobs one at a time in a background thread."""

    def __init__(self, state: ServiceState) -> None:
        self.state = state
        self.pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="patrolgeo-job")
        self.futures: dict[str, Future[None]] = {}

    def recover(self) -> int:
        """Mark jobs a stopped server left queued or running as failed; return how many."""
        with self.state.db.write() as session:
            result = session.execute(
                update(Job).where(Job.status.in_(("queued", "running")))
                .values(status="failed", error="interrupted: the server stopped",
                        finished_at=utcnow()))
        return int(getattr(result, "rowcount", 0) or 0)

    def submit(self, who: Principal, district_id: int, kind: str,
               params: dict[str, Any]) -> str:
        """Queue a job; return its id to poll."""
        job_id = uuid.uuid4().hex
        with self.state.db.write() as session:
            session.add(Job(id=job_id, kind=kind, district_id=district_id, status="queued",
                            progress=0.0, step="", error="", params=params,
                            created_by=who.user_id, created_at=utcnow()))
            audit(session, who, "job.submit", "job", job_id, kind=kind, district=district_id)
        if self.state.settings.run_jobs:
            self.futures[job_id] = self.pool.submit(self._run, job_id, who)
        return job_id

    def shutdown(self) -> None:
        """Stop taking jobs and wait for the one running."""
        self.pool.shutdown(wait=True, cancel_futures=True)

    # ------------------------------------------------------------------ running

    def _set(self, job_id: str, **values: Any) -> None:
        with self.state.db.write() as session:
            session.execute(update(Job).where(Job.id == job_id).values(**values))

    def _run(self, job_id: str, who: Principal) -> None:
        with self.state.db.read() as session:
            job = session.get(Job, job_id)
            assert job is not None
            district = session.get(District, job.district_id)
            assert district is not None
        self._set(job_id, status="running")
        done = [0]

        def step(message: str | Text) -> None:
            done[0] += 1
            self._set(job_id, step=render(message, "zh")[:200],
                      progress=min(0.95, done[0] / _STEPS[job.kind]))

        try:
            result_id = self._compute(job, district, who, step)
        except (PatrolgeoError, OSError, ValueError) as exc:
            message = exc.one_line("zh") if isinstance(exc, PatrolgeoError) else str(exc)
            self._set(job_id, status="failed", error=message[:2000], finished_at=utcnow())
            return
        except Exception as exc:  # a bug: kept in the job row, the server keeps serving
            self._set(job_id, status="failed", error=f"{type(exc).__name__}: {exc}"[:2000],
                      finished_at=utcnow())
            raise
        self._set(job_id, status="done", progress=1.0, finished_at=utcnow(),
                  params={**job.params, "result_id": result_id})

    def _osm_path(self, district: District) -> Path:
        return blob_path(self.state.settings.photo_dir, district.osm_sha256,
                         Path(district.osm_name).suffix
                         if not district.osm_name.endswith(".osm.bz2") else ".osm.bz2")

    def _folder(self, district_id: int, kind: str) -> tuple[int, Path]:
        with self.state.db.read() as session:
            last = session.execute(select(func.max(Result.version)).where(
                Result.district_id == district_id, Result.kind == kind)).scalar()
        version = int(last or 0) + 1
        folder = (self.state.settings.results_dir / f"district-{district_id}" / kind
                  / f"v{version}")
        folder.mkdir(parents=True, exist_ok=False)
        return version, folder

    def _compute(self, job: Job, district: District, who: Principal, step: Any) -> int:
        osm = self._osm_path(district)
        version, folder = self._folder(district.id, job.kind)
        summary: dict[str, Any]
        assignment = None
        if job.kind == "territories":
            previous = self._previous_assignment(district.id, folder)
            result, terr = pipeline.assign(osm, chiefs=int(job.params.get("chiefs", 2)),
                                           previous=previous, step=step)
            segments = result.segments
            assignment = terr.assignment[["segment_id", "chief_id"]]
            assignment.to_csv(folder / "assignments.csv", index=False)
            summary = {"chiefs": list(map(str, terr.chiefs)), "moved": len(terr.moved),
                       "segments": len(assignment)}
        else:
            step(Text("读取路网", "Loading road network"))
            result = pipeline.load_roads(osm)
            segments = result.segments
            summary = {"segments": len(segments), "roads": len(result.roads),
                       "km": round(float(segments["length_m"].sum()) / 1000, 3)}
            if job.kind == "plans":
                step(Text("道路分级与保洁方案", "Grading roads and planning their cleaning"))
                plan = pipeline.plan_from_osm(result, osm)
                plan.segments[["segment_id", "grade", "workload"]].to_csv(
                    folder / "segments_plan.csv", index=False)
                summary["grades"] = {str(k): int(v) for k, v in
                                     plan.segments["grade"].value_counts().items()}
        columns = [c for c in SEGMENT_COLUMNS if c in segments.columns]
        segments[columns].to_file(folder / "segments.gpkg", driver="GPKG")
        return self._record(job, district, who, version, folder, summary, assignment)

    def _previous_assignment(self, district_id: int, folder: Path) -> Path | None:
        """The latest territories CSV: the stable re-assignment starts from it."""
        with self.state.db.read() as session:
            path = session.execute(select(Result.path).where(
                Result.district_id == district_id, Result.kind == "territories")
                .order_by(Result.version.desc()).limit(1)).scalar()
        return Path(path) / "assignments.csv" if path else None

    def _record(self, job: Job, district: District, who: Principal, version: int,
                folder: Path, summary: dict[str, Any], assignment: Any) -> int:
        """Store the new version (and its assignment rows) in one transaction."""
        with self.state.db.write() as session:
            row = Result(district_id=district.id, kind=job.kind, version=version,
                         job_id=job.id, path=str(folder.resolve()), summary=summary,
                         created_by=who.user_id, created_at=utcnow())
            session.add(row)
            session.flush()
            if assignment is not None:
                session.add_all(Assignment(result_id=row.id, segment_id=str(s),
                                           chief_code=str(c))
                                for s, c in assignment.itertuples(index=False))
            audit(session, who, "result.create", "result", row.id, kind=job.kind,
                  version=version, district=district.id)
        # the roads a report snaps to come from roads results; the other kinds reuse them
        if job.kind == "roads":
            from patrolgeo.service._cases_core import forget_segments

            forget_segments(self.state)
        return row.id
