"""People, logins, API keys and the audit log; plus the health check."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, Field
from sqlalchemy import select

from patrolgeo.service._auth import (
    ROLES,
    Principal,
    check_password,
    guard,
    hash_password,
    key_hash,
    make_token,
    new_key,
)
from patrolgeo.service._errors import ApiError
from patrolgeo.service._models import ApiKey, AuditEntry, User
from patrolgeo.service._state import audit, iso, service, utcnow

router = APIRouter(prefix="/api")


class LoginIn(BaseModel):
    """Username and password."""

    username: str = Field(min_length=1, max_length=80)
    password: str = Field(min_length=1, max_length=200)


class UserIn(BaseModel):
    """A new user; ``chief_code`` ties a 路长 to the chief ids of the territories."""

    username: str = Field(min_length=1, max_length=80)
    password: str = Field(min_length=8, max_length=200)
    role: str
    display_name: str = Field("", max_length=120)
    chief_code: str | None = Field(None, max_length=40)


class UserPatch(BaseModel):
    """Changes to a user: role, password, active flag, name, chief code."""

    role: str | None = None
    password: str | None = Field(None, min_length=8, max_length=200)
    active: bool | None = None
    display_name: str | None = Field(None, max_length=120)
    chief_code: str | None = Field(None, max_length=40)


class KeyIn(BaseModel):
    """A new API key: a label, and (admins only) the user it is for."""

    label: str = Field("", max_length=120)
    user_id: int | None = None


def _user_json(user: User) -> dict[str, Any]:
    return {"id": user.id, "username": user.username, "role": user.role,
            "display_name": user.display_name, "chief_code": user.chief_code,
            "active": user.active, "created_at": iso(user.created_at)}


def _check_role(role: str) -> str:
    if role not in ROLES:
        raise ApiError(422, "unknown_role", "role", role)
    return role


@router.get("/health", name="health")
def health(request: Request,
           who: Annotated[Principal, Depends(guard("health"))]) -> dict[str, Any]:
    """Whether the service and its database answer."""
    state = service(request)
    with state.db.read() as session:
        session.execute(select(1))
    return {"status": "ok", "database": state.db.dialect, "postgis": state.db.postgis}


@router.post("/auth/login", name="auth.login")
def login(body: LoginIn, request: Request,
          who: Annotated[Principal, Depends(guard("auth.login"))]) -> dict[str, Any]:
    """A short-lived bearer token for a username and password."""
    state = service(request)
    with state.db.read() as session:
        user = session.execute(select(User).where(User.username == body.username)).scalar()
    if user is None or not user.active or not check_password(user.password_hash,
                                                             body.password):
        raise ApiError(401, "bad_credentials", "password")
    ttl = state.settings.token_ttl_s
    return {"access_token": make_token(state.settings.secret, user, ttl),
            "token_type": "bearer", "expires_in": ttl, "role": user.role}


@router.get("/auth/me", name="auth.me")
def me(who: Annotated[Principal, Depends(guard("auth.me"))]) -> dict[str, Any]:
    """The caller as the service sees them."""
    return {"user_id": who.user_id, "username": who.username, "role": who.role,
            "chief_code": who.chief_code, "via": who.via}


@router.get("/users", name="users.list")
def list_users(request: Request,
               who: Annotated[Principal, Depends(guard("users.list"))]) -> list[dict[str, Any]]:
    """Every user."""
    with service(request).db.read() as session:
        return [_user_json(u) for u in session.execute(select(User).order_by(User.id))
                .scalars()]


def add_user(state: Any, who: Principal, body: UserIn) -> User:
    """Create a user in one transaction (also used by ``patrolgeo serve`` for the admin)."""
    _check_role(body.role)
    with state.db.write() as session:
        if session.execute(select(User.id).where(User.username == body.username)).first():
            raise ApiError(409, "duplicate", "username", body.username)
        if body.chief_code and session.execute(
                select(User.id).where(User.chief_code == body.chief_code)).first():
            raise ApiError(409, "duplicate", "chief_code", body.chief_code)
        user = User(username=body.username, password_hash=hash_password(body.password),
                    role=body.role, display_name=body.display_name,
                    chief_code=body.chief_code, active=True, created_at=utcnow())
        session.add(user)
        session.flush()
        audit(session, who, "user.create", "user", user.id, role=body.role)
    return user


@router.post("/users", name="users.create", status_code=201)
def create_user(body: UserIn, request: Request,
                who: Annotated[Principal, Depends(guard("users.create"))]) -> dict[str, Any]:
    """Create a user with a role."""
    return _user_json(add_user(service(request), who, body))


@router.patch("/users/{user_id}", name="users.update")
def update_user(user_id: int, body: UserPatch, request: Request,
                who: Annotated[Principal, Depends(guard("users.update"))]) -> dict[str, Any]:
    """Change a user's role, password, name, chief code or active flag."""
    state = service(request)
    changes = body.model_dump(exclude_unset=True)
    with state.db.write() as session:
        user = session.get(User, user_id)
        if user is None:
            raise ApiError(404, "not_found", "user_id", str(user_id))
        if "role" in changes:
            user.role = _check_role(str(changes["role"]))
        if "password" in changes:
            user.password_hash = hash_password(str(changes.pop("password")))
        for name in ("active", "display_name", "chief_code"):
            if name in changes:
                setattr(user, name, changes[name])
        audit(session, who, "user.update", "user", user_id, fields=sorted(changes))
    state.keys.clear()  # a role or active change reaches the keys at once
    return _user_json(user)


@router.get("/keys", name="keys.list")
def list_keys(request: Request,
              who: Annotated[Principal, Depends(guard("keys.list"))]) -> list[dict[str, Any]]:
    """The caller's API keys (an admin: everyone's); never the keys themselves."""
    stmt = select(ApiKey).order_by(ApiKey.id)
    if who.role != "admin":
        stmt = stmt.where(ApiKey.user_id == who.user_id)
    with service(request).db.read() as session:
        return [{"id": k.id, "user_id": k.user_id, "label": k.label,
                 "created_at": iso(k.created_at), "revoked_at": iso(k.revoked_at)}
                for k in session.execute(stmt).scalars()]


@router.post("/keys", name="keys.create", status_code=201)
def create_key(body: KeyIn, request: Request,
               who: Annotated[Principal, Depends(guard("keys.create"))]) -> dict[str, Any]:
    """A new API key for the caller (an admin may make one for any user); shown once."""
    owner = body.user_id if body.user_id is not None else who.user_id
    if owner != who.user_id and who.role != "admin":
        raise ApiError(403, "forbidden", "user_id", str(owner))
    key = new_key()
    with service(request).db.write() as session:
        if session.get(User, owner) is None:
            raise ApiError(422, "not_found", "user_id", str(owner))
        row = ApiKey(user_id=owner, key_hash=key_hash(key), label=body.label,
                     created_at=utcnow())
        session.add(row)
        session.flush()
        audit(session, who, "key.create", "api_key", row.id, user_id=owner)
    return {"id": row.id, "user_id": owner, "label": body.label, "api_key": key}


@router.delete("/keys/{key_id}", name="keys.revoke")
def revoke_key(key_id: int, request: Request,
               who: Annotated[Principal, Depends(guard("keys.revoke"))]) -> dict[str, Any]:
    """Revoke a key (the caller's own, or any for an admin); it stops working at once."""
    state = service(request)
    with state.db.write() as session:
        row = session.get(ApiKey, key_id)
        if row is None or (row.user_id != who.user_id and who.role != "admin"):
            raise ApiError(404, "not_found", "key_id", str(key_id))
        if row.revoked_at is None:
            row.revoked_at = utcnow()
            audit(session, who, "key.revoke", "api_key", key_id)
    state.keys.clear()
    return {"id": key_id, "revoked_at": iso(row.revoked_at)}


@router.get("/audit", name="audit.list")
def audit_log(request: Request, who: Annotated[Principal, Depends(guard("audit.list"))],
              limit: int = 200) -> list[dict[str, Any]]:
    """The latest changes other than case transitions (those are each case's events)."""
    with service(request).db.read() as session:
        rows = session.execute(select(AuditEntry).order_by(AuditEntry.id.desc())
                               .limit(min(max(limit, 1), 1000))).scalars()
        return [{"at": iso(e.at), "actor_id": e.actor_id, "actor_role": e.actor_role,
                 "action": e.action, "object_type": e.object_type,
                 "object_id": e.object_id, "detail": e.detail} for e in rows]
