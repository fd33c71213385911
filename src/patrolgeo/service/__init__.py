"""The service: the road-chief system behind one HTTP API (``patrolgeo serve``).

A face like the CLI: it calls the same pipeline and stage functions and no stage imports
it. FastAPI routes, SQLAlchemy 2 tables with Alembic migrations (SQLite in WAL mode by
default, PostgreSQL/PostGIS with ``--db``), the case workflow of the 数字城管 closed loop,
Open311 GeoReport v2, roles and one permission table, and background jobs that compute a
district's roads, plans and territories as versioned results.

Typical use::

    from patrolgeo.service import Settings, create_app
    app = create_app(Settings(data_dir=Path("data/service")))
"""

from patrolgeo.service._app import api_routes, create_app, ensure_admin
from patrolgeo.service._auth import PERMISSIONS, PUBLIC, ROLES, hash_password
from patrolgeo.service._calendar import Limits, WorkCalendar, load_limits
from patrolgeo.service._db import migrate, open_database
from patrolgeo.service._settings import DEFAULT_DATA_DIR, Settings, load_settings
from patrolgeo.service._workflow import STATES, TRANSITIONS

__all__ = ["DEFAULT_DATA_DIR", "PERMISSIONS", "PUBLIC", "ROLES", "STATES", "TRANSITIONS",
           "Limits", "Settings", "WorkCalendar", "api_routes", "create_app", "ensure_admin",
           "hash_password", "load_limits", "load_settings", "migrate", "open_database"]
