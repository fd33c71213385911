"""Atomic files and the export CRS: what the stages and the writers share.

A cache the roads stage writes and every output the writers produce go through
:func:`atomic_path`, so a failure part-way never leaves a half-written file. This module
sits below the stages (it imports nothing of patrolgeo), so a stage may use it without
importing the output layer.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

#: The CRS of every export: the datum of OpenStreetMap and of GPS receivers.
WGS84 = "EPSG:4326"


@contextmanager
def atomic_path(path: str | Path, suffix: str | None = None) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; rename it over ``path`` on success.

    Parameters
    ----------
    path
        The final file path. Its parent folder is created if missing.
    suffix
        Suffix of the temporary file (defaults to that of ``path``), for writers that
        choose a format by extension.

    Yields
    ------
    Path
        A path that does not exist yet, in the same folder as ``path``.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(
        prefix=f".{path.name}.", suffix=suffix if suffix is not None else "".join(path.suffixes),
        dir=path.parent,
    )
    os.close(fd)
    tmp_path = Path(tmp)
    tmp_path.unlink()  # writers such as pyogrio refuse to overwrite an existing file
    try:
        yield tmp_path
        os.replace(tmp_path, path)
    finally:
        if tmp_path.exists():
            tmp_path.unlink()


__all__ = ["WGS84", "atomic_path"]
