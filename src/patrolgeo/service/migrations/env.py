"""Alembic environment of the service: runs on the connection :func:`migrate` hands it.

Also usable from the ``alembic`` command with ``-x url=...`` (offline SQL or online).
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection, create_engine

from patrolgeo.service._models import Base

config = context.config
target_metadata = Base.metadata


def _run(connection: Connection) -> None:
    # render_as_batch: SQLite alters tables by copying them; the same scripts serve both
    context.configure(connection=connection, target_metadata=target_metadata,
                      render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is not None:
    _run(connection)
elif context.is_offline_mode():
    context.configure(url=context.get_x_argument(as_dictionary=True)["url"],
                      target_metadata=target_metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()
else:
    engine = create_engine(context.get_x_argument(as_dictionary=True)["url"])
    with engine.begin() as conn:
        _run(conn)
