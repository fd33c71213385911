"""The content-addressed file store: photos and uploads by sha256, never in rows."""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

from patrolgeo.service._errors import ApiError

#: Photo types accepted, by their first bytes (the declared type is not trusted).
PHOTO_MAGIC = {
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "image/webp": (b"RIFF",),  # + "WEBP" at offset 8, checked below
}
_EXTENSION = {"image/jpeg": ".jpg", "image/png": ".png", "image/webp": ".webp"}


def photo_type(data: bytes) -> str | None:
    """The image type of ``data`` from its magic bytes, or ``None``."""
    for mime, magics in PHOTO_MAGIC.items():
        if any(data.startswith(m) for m in magics):
            if mime == "image/webp" and data[8:12] != b"WEBP":
                continue
            return mime
    return None


def check_photo(data: bytes, limit: int, field: str = "file") -> str:
    """The type of a photo upload, or :class:`ApiError` (413 too large, 415 not a photo)."""
    if len(data) > limit:
        raise ApiError(413, "too_large", field, f"{len(data)} > {limit}")
    mime = photo_type(data)
    if mime is None:
        raise ApiError(415, "bad_type", field, "jpeg, png, webp")
    return mime


def blob_path(root: Path, digest: str, suffix: str = "") -> Path:
    """Where the file of ``digest`` lives: ``root/ab/cd/abcd….suffix``."""
    return root / digest[:2] / digest[2:4] / f"{digest}{suffix}"


def store(root: Path, data: bytes, suffix: str = "") -> tuple[str, Path]:
    """Write ``data`` once under its sha256 (atomically); return the digest and path."""
    digest = hashlib.sha256(data).hexdigest()
    path = blob_path(root, digest, suffix)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".part-")
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    return digest, path


def photo_suffix(mime: str) -> str:
    """The file extension of an accepted photo type."""
    return _EXTENSION[mime]
