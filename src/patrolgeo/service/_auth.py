"""Who is calling and what they may do: passwords, tokens, API keys, the permission table.

Passwords are argon2id hashes. A login token is short-lived and signed (HMAC-SHA256 over
user id, role and expiry), so checking it needs no database read. API keys are random,
kept only as their sha256, and revocable; a key read from the database is cached for
:data:`KEY_CACHE_S` seconds (a revocation in this process clears it at once).

:data:`PERMISSIONS` is the one table of who may call which endpoint: every route of the
app is named after its row, and a test walks it role by role.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from fastapi import Request
from sqlalchemy import select

from patrolgeo.service._errors import ApiError
from patrolgeo.service._models import ApiKey, User

ROLES = ("admin", "planner", "dispatcher", "chief", "inspector", "viewer")
#: The caller with neither token nor key: may report a problem and view their own reports.
PUBLIC = "public"
#: Seconds an API key looked up in the database is trusted before it is read again (a
#: revocation from another server process takes effect within this time).
KEY_CACHE_S = 5.0
#: Prefix of every API key, so a leaked one is recognisable in logs and scanners.
KEY_PREFIX = "pgk_"

STAFF = frozenset(ROLES)
_ALL = STAFF | {PUBLIC}
_CASE_WORKERS = frozenset({"admin", "dispatcher", "chief", "inspector"})
_PLANNERS = frozenset({"admin", "planner"})

#: Route name → roles allowed to call it (``public`` = no login). One row per route.
PERMISSIONS: dict[str, frozenset[str]] = {
    "health": _ALL,
    "auth.login": _ALL,
    "auth.me": STAFF,
    "users.list": frozenset({"admin"}),
    "users.create": frozenset({"admin"}),
    "users.update": frozenset({"admin"}),
    "keys.list": STAFF,
    "keys.create": STAFF,
    "keys.revoke": STAFF,
    "audit.list": frozenset({"admin"}),
    "limits.get": STAFF,
    "cases.create": _ALL,
    "cases.list": STAFF,
    "cases.get": _ALL,
    "cases.events": STAFF,
    "cases.duplicates": STAFF,
    "cases.transition": _CASE_WORKERS,
    "photos.upload": _ALL,
    "photos.get": STAFF,
    "districts.create": _PLANNERS,
    "districts.list": STAFF,
    "districts.get": STAFF,
    "districts.compute": _PLANNERS,
    "districts.results": STAFF,
    "jobs.get": STAFF,
    "open311.services": _ALL,
    "open311.service": _ALL,
    "open311.requests.list": _ALL,
    "open311.requests.get": _ALL,
    "open311.requests.create": STAFF,
}

_hasher = PasswordHasher()


def hash_password(password: str) -> str:
    """The argon2id hash of ``password``."""
    return _hasher.hash(password)


def check_password(stored: str, password: str) -> bool:
    """Whether ``password`` matches the argon2 hash ``stored``."""
    try:
        return _hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


def key_hash(key: str) -> str:
    """The sha256 (hex) kept for a key or a report secret."""
    return hashlib.sha256(key.encode()).hexdigest()


def new_key() -> str:
    """A fresh API key (shown once)."""
    return KEY_PREFIX + secrets.token_urlsafe(32)


@dataclass(frozen=True)
class Principal:
    """The caller: a user with a role, or the anonymous public."""

    role: str
    user_id: int | None = None
    username: str = ""
    chief_code: str | None = None
    via: str = "anonymous"


ANONYMOUS = Principal(PUBLIC)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def make_token(secret: str, user: User, ttl_s: int, now: float | None = None) -> str:
    """A signed token for ``user`` that expires ``ttl_s`` seconds from ``now``."""
    claims = {"u": user.id, "r": user.role, "n": user.username, "c": user.chief_code,
              "e": int((now or time.time()) + ttl_s)}
    body = _b64(json.dumps(claims, separators=(",", ":")).encode())
    sig = _b64(hmac.new(secret.encode(), body.encode(), hashlib.sha256).digest())
    return f"{body}.{sig}"


def read_token(secret: str, token: str, now: float | None = None) -> Principal:
    """The principal of a token; :class:`ApiError` 401 when forged or expired."""
    body, _, sig = token.partition(".")
    good = _b64(hmac.new(secret.encode(), body.encode(), hashlib.sha256).digest())
    if not sig or not hmac.compare_digest(sig, good):
        raise ApiError(401, "bad_token", "Authorization")
    claims = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    if claims["e"] < (now or time.time()):
        raise ApiError(401, "token_expired", "Authorization")
    return Principal(claims["r"], claims["u"], claims["n"], claims["c"], "token")


class KeyCache:
    """API key hash → (principal, time read); entries live :data:`KEY_CACHE_S` seconds."""

    def __init__(self) -> None:
        self._entries: dict[str, tuple[Principal, float]] = {}
        self._lock = threading.Lock()

    def get(self, digest: str) -> Principal | None:
        """The cached principal of a key, if read recently."""
        with self._lock:
            entry = self._entries.get(digest)
        if entry and time.monotonic() - entry[1] < KEY_CACHE_S:
            return entry[0]
        return None

    def put(self, digest: str, principal: Principal) -> None:
        """Remember a key read from the database."""
        with self._lock:
            self._entries[digest] = (principal, time.monotonic())

    def clear(self) -> None:
        """Forget every key (after a revocation or a role change)."""
        with self._lock:
            self._entries.clear()


def principal_of_key(app_state: Any, key: str, field: str) -> Principal:
    """The principal of an API key (cached), or :class:`ApiError` 401."""
    digest = key_hash(key)
    cached = app_state.keys.get(digest)
    if cached is not None:
        return cached
    with app_state.db.read() as session:
        row = session.execute(
            select(ApiKey, User).join(User, ApiKey.user_id == User.id)
            .where(ApiKey.key_hash == digest)).first()
    if row is None or row[0].revoked_at is not None or not row[1].active:
        raise ApiError(401, "bad_api_key", field)
    user = row[1]
    principal = Principal(user.role, user.id, user.username, user.chief_code, "api_key")
    app_state.keys.put(digest, principal)
    return principal


async def identify(request: Request) -> Principal:
    """The caller of a request: Bearer token, ``X-API-Key`` or Open311 ``api_key``."""
    state = request.app.state.service
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        return read_token(state.settings.secret, header[7:].strip())
    key = request.headers.get("x-api-key") or request.query_params.get("api_key")
    if not key and request.method == "POST" and request.headers.get(
            "content-type", "").startswith(("application/x-www-form-urlencoded",
                                            "multipart/form-data")):
        key = str((await request.form()).get("api_key") or "") or None
    if key:
        return principal_of_key(state, key, "api_key")
    return ANONYMOUS


def guard(name: str) -> Callable[[Request], Any]:
    """A dependency: the caller, when :data:`PERMISSIONS` lets their role call ``name``."""
    allowed = PERMISSIONS[name]

    async def dependency(request: Request) -> Principal:
        principal = await identify(request)
        if principal.role not in allowed:
            if principal.role == PUBLIC:
                raise ApiError(401, "unauthenticated", "Authorization")
            raise ApiError(403, "forbidden", "role", principal.role)
        return principal

    dependency.__name__ = f"guard_{name.replace('.', '_')}"
    return dependency
