"""The app factory: open (and migrate) the database, wire the routers and handlers."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from patrolgeo.issues import Taxonomy, default_taxonomy
from patrolgeo.service import _cases, _districts, _open311, _users
from patrolgeo.service._calendar import load_limits
from patrolgeo.service._db import open_database
from patrolgeo.service._errors import install_handlers
from patrolgeo.service._jobs import JobRunner
from patrolgeo.service._settings import Settings
from patrolgeo.service._state import ServiceState


def create_app(settings: Settings | None = None, *,
               taxonomy: Taxonomy | None = None) -> FastAPI:
    """A FastAPI app over the database of ``settings``, migrated to the latest schema.

    Parameters
    ----------
    settings
        Where the data and database live; default :class:`Settings` (``data/service``).
    taxonomy
        Categories and kinds of reports (the Open311 service codes); default GB/T 30428.
    """
    settings = settings or Settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    state = ServiceState(settings=settings, db=open_database(settings.url),
                         limits=load_limits(settings.limits_file),
                         taxonomy=taxonomy or default_taxonomy())
    state.jobs = JobRunner(state)
    state.jobs.recover()

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        state.jobs.shutdown()
        state.db.engine.dispose()

    app = FastAPI(title="patrolgeo", version="1", lifespan=lifespan,
                  description="路长制数字城管服务 / road-chief case and planning service")
    app.state.service = state
    install_handlers(app)
    for module in (_users, _cases, _districts, _open311):
        app.include_router(module.router)
    return app


def api_routes(app: FastAPI) -> list[tuple[str, str, str]]:
    """Every API route of ``app`` as ``(name, method, path)`` (what the permission test walks)."""
    from fastapi.routing import APIRoute

    found: list[tuple[str, str, str]] = []

    def walk(routes: list[object]) -> None:
        for route in routes:
            inner = getattr(route, "original_router", None)
            if inner is not None:
                walk(list(inner.routes))
            elif isinstance(route, APIRoute):
                found.extend((route.name, m, route.path) for m in sorted(route.methods or ()))

    walk(list(app.routes))
    return found


def ensure_admin(app: FastAPI, username: str, password: str) -> bool:
    """Create the admin ``username`` unless it exists; return whether it was created.

    Raises
    ------
    ConfigError
        The password is shorter than 8 characters (``PATROLGEO_ADMIN_PASSWORD``).
    """
    from sqlalchemy import select

    from patrolgeo.errors import ConfigError
    from patrolgeo.labels import Text
    from patrolgeo.service._auth import ANONYMOUS
    from patrolgeo.service._models import User
    from patrolgeo.service._users import UserIn, add_user

    state: ServiceState = app.state.service
    with state.db.read() as session:
        if session.execute(select(User.id).where(User.username == username)).first():
            return False
    if len(password) < 8:
        raise ConfigError(Text("管理员密码至少 8 个字符", "the admin password needs 8 characters "
                               "or more"), field="PATROLGEO_ADMIN_PASSWORD")
    add_user(state, ANONYMOUS, UserIn(username=username, password=password, role="admin",
                                         display_name="", chief_code=None))
    return True
