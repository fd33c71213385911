"""Alembic migrations of the service (env inside the package: `patrolgeo serve` runs them)."""
