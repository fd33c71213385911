"""Who may call what: the permission table walked role by role, tokens, API keys."""

from __future__ import annotations

import re
import time

import pytest
from sqlalchemy import select

from conftest_service import *  # noqa: F403  (the fixtures)
from conftest_service import PASSWORD, login
from patrolgeo.service import PERMISSIONS, PUBLIC, ROLES, api_routes
from patrolgeo.service._auth import make_token
from patrolgeo.service._models import User

sqlite_only = pytest.mark.parametrize("settings", ["sqlite"], indirect=True)


def _fill(path: str) -> str:
    # any well-formed value: an allowed caller may then get 404/409/422, never 401/403
    return re.sub(r"\{[^}]+\}", lambda m: "E0101" if "code" in m.group() else "1", path)


@sqlite_only
def test_every_route_is_in_the_permission_table(app):
    names = {name for name, _, _ in api_routes(app)}
    assert names == set(PERMISSIONS)
    schema_ops = sum(len(ops) for ops in app.openapi()["paths"].values())
    assert schema_ops == len(api_routes(app))


@sqlite_only
def test_each_role_on_each_route(client, users):
    headers = {role: login(client, role) for role in ROLES}
    headers[PUBLIC] = {}
    for name, method, path in api_routes(client.app):
        for role, h in headers.items():
            r = client.request(method, _fill(path), headers=h)
            if role in PERMISSIONS[name]:
                assert r.status_code not in (401, 403), (role, method, path, r.text)
            else:
                assert r.status_code == (401 if role == PUBLIC else 403), (role, method, path)
                body = r.json()
                field = body[0]["description"] if path.startswith("/open311") else \
                    body["error"]["field"]
                assert field


@sqlite_only
def test_passwords_are_argon2_hashes(client, users, app):
    with app.state.service.db.read() as s:
        stored = s.execute(select(User.password_hash)).scalars().all()
    assert all(h.startswith("$argon2id$") and PASSWORD not in h for h in stored)
    bad = client.post("/api/auth/login", json={"username": "admin", "password": "wrong-one"})
    assert bad.status_code == 401 and bad.json()["error"]["field"] == "password"


@sqlite_only
def test_tokens_expire_and_cannot_be_forged(client, users, app):
    secret = app.state.service.settings.secret
    admin = users["admin"]
    old = make_token(secret, admin, 60, now=time.time() - 120)
    r = client.get("/api/auth/me", headers={"Authorization": f"Bearer {old}"})
    assert r.status_code == 401 and r.json()["error"]["code"] == "token_expired"
    fresh = make_token(secret, admin, 60)
    assert client.get("/api/auth/me",
                      headers={"Authorization": f"Bearer {fresh}"}).status_code == 200
    forged = make_token("another-secret", admin, 60)
    r = client.get("/api/auth/me", headers={"Authorization": f"Bearer {forged}"})
    assert r.status_code == 401 and r.json()["error"]["code"] == "bad_token"


@sqlite_only
def test_api_key_works_until_revoked(client, users):
    h = login(client, "dispatcher")
    made = client.post("/api/keys", json={"label": "script"}, headers=h).json()
    key = {"X-API-Key": made["api_key"]}
    me = client.get("/api/auth/me", headers=key).json()
    assert me["role"] == "dispatcher" and me["via"] == "api_key"
    listed = client.get("/api/keys", headers=h).json()
    assert [k["id"] for k in listed] == [made["id"]] and "api_key" not in listed[0]
    # another user may not revoke it
    assert client.delete(f"/api/keys/{made['id']}",
                         headers=login(client, "viewer")).status_code == 404
    assert client.delete(f"/api/keys/{made['id']}", headers=h).status_code == 200
    r = client.get("/api/auth/me", headers=key)
    assert r.status_code == 401 and r.json()["error"]["code"] == "bad_api_key"


@sqlite_only
def test_a_role_change_reaches_the_keys(client, users):
    admin = login(client, "admin")
    key = client.post("/api/keys", json={"user_id": users["viewer"].id},
                      headers=admin).json()["api_key"]
    assert client.get("/api/users", headers={"X-API-Key": key}).status_code == 403
    client.patch(f"/api/users/{users['viewer'].id}", json={"role": "admin"}, headers=admin)
    assert client.get("/api/users", headers={"X-API-Key": key}).status_code == 200
    audit = client.get("/api/audit", headers=admin).json()
    assert {"key.create", "user.update"} <= {a["action"] for a in audit}
