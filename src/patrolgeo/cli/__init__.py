"""Command-line interface: ``patrolgeo <verb>``; thin over :mod:`patrolgeo.pipeline`."""

from __future__ import annotations

from patrolgeo.cli import assign as _assign  # noqa: F401  (registers the verb)
from patrolgeo.cli import carp as _carp  # noqa: F401
from patrolgeo.cli import commands as _commands  # noqa: F401  (registers the verbs)
from patrolgeo.cli import hotspots as _hotspots  # noqa: F401
from patrolgeo.cli import map as _map  # noqa: F401
from patrolgeo.cli import plan as _plan  # noqa: F401
from patrolgeo.cli import route as _route  # noqa: F401
from patrolgeo.cli import serve as _serve  # noqa: F401
from patrolgeo.cli import shifts as _shifts  # noqa: F401
from patrolgeo.cli.app import app


def main() -> None:
    """Entry point of the ``patrolgeo`` console script."""
    app()


__all__ = ["app", "main"]
