"""Fixtures of the service tests: a real PostgreSQL + PostGIS server, apps on both backends.

Imported by the ``test_service*.py`` files (``from conftest_service import *``). The
PostgreSQL server is started once per session with ``initdb`` and ``pg_ctl`` from the
Debian packages (``postgresql``, ``postgis``) on a free port in a temporary folder; the
PostgreSQL variants skip, saying why, where those are not installed.
"""

from __future__ import annotations

import glob
import itertools
import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from patrolgeo.service import ROLES, Settings, create_app
from patrolgeo.service._auth import ANONYMOUS
from patrolgeo.service._users import UserIn, add_user

PASSWORD = "password-1234"
_counter = itertools.count()


def _pg_bin() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return Path(found[-1]).parent if found else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _as_postgres(cmd: list[str]) -> list[str]:
    # initdb and postgres refuse to run as root: run them as the packages' postgres user
    return ["runuser", "-u", "postgres", "--", *cmd] if os.geteuid() == 0 else cmd


@pytest.fixture(scope="session")
def pg_server():
    """``postgresql://`` URL base of a running server with a PostGIS template database."""
    bin_dir = _pg_bin()
    if bin_dir is None:
        pytest.skip("PostgreSQL is not installed (apt-get install postgresql postgis): "
                    "no /usr/lib/postgresql/*/bin/initdb")
    extension = glob.glob("/usr/share/postgresql/*/extension/postgis.control")
    if not extension:
        pytest.skip("PostGIS is not installed (apt-get install postgis)")
    # not under pytest's tmp folder: that one is private to root, the server runs as postgres
    root = Path(tempfile.mkdtemp(prefix="patrolgeo-pg-"))
    data = root / "data"
    if os.geteuid() == 0:
        shutil.chown(root, "postgres")
    port = _free_port()
    subprocess.run(_as_postgres([str(bin_dir / "initdb"), "-D", str(data), "-U", "postgres",
                                 "--auth=trust", "-E", "UTF8", "--no-locale"]),
                   check=True, capture_output=True)
    subprocess.run(_as_postgres([str(bin_dir / "pg_ctl"), "-D", str(data), "-w", "-l",
                                 str(root / "log"), "-o",
                                 f"-p {port} -k {root} -c listen_addresses=127.0.0.1 "
                                 "-c fsync=off -c max_connections=200", "start"]),
                   check=True, capture_output=True)
    base = f"postgresql://postgres@127.0.0.1:{port}"
    import psycopg

    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute("CREATE DATABASE tmpl_postgis")
    with psycopg.connect(f"{base}/tmpl_postgis", autocommit=True) as conn:
        conn.execute("CREATE EXTENSION postgis")
    yield base
    subprocess.run(_as_postgres([str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "fast",
                                 "stop"]), check=False, capture_output=True)
    shutil.rmtree(root, ignore_errors=True)


def new_pg_database(base: str) -> str:
    """A fresh database (from the PostGIS template) on the test server; its URL."""
    import psycopg

    name = f"t{os.getpid()}_{next(_counter)}"
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name} TEMPLATE tmpl_postgis")
    return f"{base}/{name}"


@pytest.fixture(params=["sqlite", "postgresql"])
def settings(request, tmp_path):
    """Settings of a new, empty service on each backend."""
    db_url = None
    if request.param == "postgresql":
        db_url = new_pg_database(request.getfixturevalue("pg_server"))
    return Settings(data_dir=tmp_path / "service", db_url=db_url, secret="test-secret")


@pytest.fixture
def app(settings):
    app = create_app(settings)
    yield app
    app.state.service.jobs.shutdown()
    app.state.service.db.engine.dispose()


@pytest.fixture
def users(app):
    """One user per role (``chief`` has chief code ``C1``, ``chief2`` has ``C2``)."""
    state = app.state.service
    made = {}
    for role in ROLES:
        made[role] = add_user(state, ANONYMOUS, UserIn(
            username=role, password=PASSWORD, role=role, display_name=role,
            chief_code="C1" if role == "chief" else None))
    made["chief2"] = add_user(state, ANONYMOUS, UserIn(
        username="chief2", password=PASSWORD, role="chief", display_name="", chief_code="C2"))
    return made


@pytest.fixture
def client(app):
    with TestClient(app) as c:
        yield c


def login(client, username: str) -> dict[str, str]:
    """Headers of a logged-in user."""
    r = client.post("/api/auth/login", json={"username": username, "password": PASSWORD})
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


#: The fixtures a test file takes with ``from conftest_service import *``.
__all__ = ["app", "client", "pg_server", "settings", "users"]
