"""The service's tables (SQLAlchemy 2 declarative); the migrations create the same schema.

Times are stored as naive UTC (SQLite keeps no time zone); the routers render them in the
bureau's time zone. Photos and uploads are files in a content-addressed folder: rows hold
their sha256, never their bytes.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

from sqlalchemy import JSON, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    """Declarative base of every table of the service."""

    type_annotation_map: ClassVar = {dict[str, Any]: JSON}


class User(Base):
    """A person or script: a role, an argon2 password hash, a chief code for 路长."""

    __tablename__ = "users"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))
    display_name: Mapped[str] = mapped_column(String(120), default="")
    chief_code: Mapped[str | None] = mapped_column(String(40), unique=True)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime]


class ApiKey(Base):
    """A revocable key for scripts and Open311 clients; only its sha256 is kept."""

    __tablename__ = "api_keys"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    label: Mapped[str] = mapped_column(String(120), default="")
    created_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]


class District(Base):
    """An imported district: its OSM file (content-addressed) and who brought it."""

    __tablename__ = "districts"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    osm_sha256: Mapped[str] = mapped_column(String(64))
    osm_name: Mapped[str] = mapped_column(String(200))
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime]


class Result(Base):
    """One version of a computed result (roads, plans, territories): never overwritten."""

    __tablename__ = "results"
    __table_args__ = (UniqueConstraint("district_id", "kind", "version"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    district_id: Mapped[int] = mapped_column(ForeignKey("districts.id"))
    kind: Mapped[str] = mapped_column(String(20))
    version: Mapped[int]
    job_id: Mapped[str | None] = mapped_column(ForeignKey("jobs.id"))
    path: Mapped[str] = mapped_column(String(400))
    summary: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime]


class Assignment(Base):
    """Segment → chief of one territories result (the dispatch table)."""

    __tablename__ = "assignments"
    __table_args__ = (UniqueConstraint("result_id", "segment_id"),
                      Index("ix_assignments_segment", "segment_id"))
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    result_id: Mapped[int] = mapped_column(ForeignKey("results.id"))
    segment_id: Mapped[str] = mapped_column(String(80))
    chief_code: Mapped[str] = mapped_column(String(40))


class Job(Base):
    """A background computation: status, progress and the result it made."""

    __tablename__ = "jobs"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    district_id: Mapped[int | None] = mapped_column(ForeignKey("districts.id"))
    status: Mapped[str] = mapped_column(String(20))
    progress: Mapped[float] = mapped_column(Float, default=0.0)
    step: Mapped[str] = mapped_column(String(200), default="")
    error: Mapped[str] = mapped_column(Text, default="")
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]


class Case(Base):
    """A reported problem (案件) and where it stands in the closed loop."""

    __tablename__ = "cases"
    __table_args__ = (Index("ix_cases_category_created", "category_code", "created_at"),
                      Index("ix_cases_state", "state"),
                      Index("ix_cases_assignee", "assignee_chief"))
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    category_code: Mapped[str] = mapped_column(String(20))
    kind_code: Mapped[str] = mapped_column(String(20), default="")
    source: Mapped[str] = mapped_column(String(20))
    state: Mapped[str] = mapped_column(String(20))
    description: Mapped[str] = mapped_column(Text, default="")
    address: Mapped[str] = mapped_column(String(400), default="")
    lat: Mapped[float]
    lon: Mapped[float]
    district_id: Mapped[int | None] = mapped_column(ForeignKey("districts.id"))
    segment_id: Mapped[str | None] = mapped_column(String(80))
    road_id: Mapped[str | None] = mapped_column(String(80))
    snap_distance_m: Mapped[float | None]
    reporter_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reporter_secret: Mapped[str | None] = mapped_column(String(64))
    assignee_chief: Mapped[str | None] = mapped_column(String(40))
    time_limit_h: Mapped[float | None]
    deadline: Mapped[datetime | None]
    remaining_h: Mapped[float | None]
    deferred_from: Mapped[str | None] = mapped_column(String(20))
    duplicate_of: Mapped[int | None] = mapped_column(ForeignKey("cases.id"))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    handled_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]


class CaseEvent(Base):
    """One transition of a case: who, when, from which state to which, and a note."""

    __tablename__ = "case_events"
    __table_args__ = (Index("ix_case_events_case", "case_id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    action: Mapped[str] = mapped_column(String(20))
    from_state: Mapped[str | None] = mapped_column(String(20))
    to_state: Mapped[str] = mapped_column(String(20))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    actor_role: Mapped[str] = mapped_column(String(20))
    note: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[datetime]


class Photo(Base):
    """A photo of a case: the sha256 of its file in the content-addressed store."""

    __tablename__ = "photos"
    __table_args__ = (UniqueConstraint("case_id", "sha256"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    sha256: Mapped[str] = mapped_column(String(64))
    mime: Mapped[str] = mapped_column(String(40))
    size: Mapped[int]
    uploaded_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    at: Mapped[datetime]


class AuditEntry(Base):
    """Every change that is not a case transition: users, keys, districts, jobs."""

    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime]
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    actor_role: Mapped[str] = mapped_column(String(20))
    action: Mapped[str] = mapped_column(String(40))
    object_type: Mapped[str] = mapped_column(String(20))
    object_id: Mapped[str] = mapped_column(String(40))
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
