"""Engines, sessions and migrations: SQLite (WAL, foreign keys) or PostgreSQL.

``open_database`` is what the app calls on start: it creates the SQLite folder, runs the
Alembic migrations to ``head`` (so a first start makes the schema) and hands back an
engine and a session factory. The migrations live in this package
(``patrolgeo/service/migrations``), so an installed ``patrolgeo serve`` migrates itself.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.orm import Session, sessionmaker

#: Milliseconds a SQLite connection waits for another's write before failing: a burst of
#: writers queues well under this; past it the request fails instead of hanging.
SQLITE_BUSY_MS = 10_000
#: Connections kept by the pool: about the thread pool of the server's sync endpoints.
POOL_SIZE = 20


@dataclass
class Database:
    """An engine, its session factory and what the service knows of the backend.

    ``write_lock`` serialises writers on SQLite (one writer at a time is all SQLite
    allows; taking turns in-process avoids busy-waiting in its lock); on PostgreSQL it
    is a no-op. ``postgis`` says whether spatial queries can run in the database.
    """

    engine: Engine
    sessions: sessionmaker[Session]
    postgis: bool = False
    _lock: threading.Lock | None = field(default=None, repr=False)

    @property
    def dialect(self) -> str:
        """``"sqlite"`` or ``"postgresql"``."""
        return self.engine.dialect.name

    @contextmanager
    def write(self) -> Iterator[Session]:
        """One write transaction: committed on success, rolled back on any error."""
        # on SQLite the in-process lock makes this the only writer, so the driver's
        # deferred BEGIN cannot meet a concurrent write between its reads and writes
        with self._lock or nullcontext(), self.sessions.begin() as session:
            yield session

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A read-only session (no commit)."""
        with self.sessions() as session:
            yield session


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    """WAL journal, foreign keys on, NORMAL sync, busy timeout: per connection."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    # in WAL mode NORMAL loses no committed transaction when the process dies (kill -9);
    # only a power cut can drop the last ones, and it never corrupts the file
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_MS}")
    cursor.close()


def make_engine(url: str) -> Engine:
    """An engine for ``url``: SQLite with its pragmas, else a pooled server connection."""
    if url.startswith("sqlite"):
        engine = create_engine(url, pool_size=POOL_SIZE, max_overflow=POOL_SIZE,
                               connect_args={"check_same_thread": False, "timeout":
                                             SQLITE_BUSY_MS / 1000})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_size=POOL_SIZE, max_overflow=POOL_SIZE,
                         pool_pre_ping=True)


def migrate(engine: Engine) -> None:
    """Run the Alembic migrations of this package up to ``head`` on ``engine``."""
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(Path(__file__).parent / "migrations"))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def _has_postgis(engine: Engine) -> bool:
    if engine.dialect.name != "postgresql":
        return False
    with engine.connect() as conn:
        return conn.execute(text(
            "SELECT 1 FROM pg_extension WHERE extname = 'postgis'")).first() is not None


def open_database(url: str) -> Database:
    """Create (SQLite: the folder and file), migrate and open the database at ``url``."""
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    engine = make_engine(url)
    migrate(engine)
    lock = threading.Lock() if engine.dialect.name == "sqlite" else None
    return Database(engine, sessionmaker(engine, expire_on_commit=False),
                    postgis=_has_postgis(engine), _lock=lock)
