"""Alembic revisions of the service schema."""
