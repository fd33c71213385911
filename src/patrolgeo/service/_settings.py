"""Settings of one service instance: where its database and files live, and its limits."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from pathlib import Path

#: Default data folder of ``patrolgeo serve``: beside the planning outputs of the verbs.
DEFAULT_DATA_DIR = "data/service"
#: File name of the embedded SQLite database inside the data folder.
SQLITE_FILE = "patrolgeo.sqlite3"
#: Lifetime of a login token (seconds): a working session; scripts use API keys.
TOKEN_TTL_S = 30 * 60
#: Largest photo accepted (bytes): a phone photo at full resolution is 3–8 MB.
MAX_PHOTO_BYTES = 10 * 1024 * 1024
#: Largest OSM upload (bytes): a county-sized .osm.pbf/.osm.bz2 extract.
MAX_OSM_BYTES = 200 * 1024 * 1024
#: Duplicate suggestion: same category within this distance (metres) of an open case ...
DUPLICATE_RADIUS_M = 30.0
#: ... reported within this many hours before it (a problem is seen by several people
#: on the same day; older cases at the same spot are more likely a new occurrence).
DUPLICATE_WINDOW_H = 24.0
#: Most results of a list request (Open311 asks servers to cap their answers, 1000 there).
MAX_LIST = 1000


@dataclass(frozen=True)
class Settings:
    """How one service instance is set up.

    Parameters
    ----------
    data_dir
        Folder of the SQLite file (default database), photos, uploads and job results.
    db_url
        SQLAlchemy URL; ``None`` is the SQLite file in ``data_dir``. ``postgresql://``
        URLs use the psycopg 3 driver.
    secret
        Key that signs login tokens; a new random key (tokens die with the process)
        unless given, or kept in ``data_dir/secret.key`` by :func:`load_settings`.
    token_ttl_s
        Lifetime of a login token in seconds.
    limits_file
        A TOML file of 处置时限 and working calendar laid over the defaults.
    """

    data_dir: Path = Path(DEFAULT_DATA_DIR)
    db_url: str | None = None
    secret: str = field(default_factory=lambda: secrets.token_hex(32))
    token_ttl_s: int = TOKEN_TTL_S
    limits_file: Path | None = None
    max_photo_bytes: int = MAX_PHOTO_BYTES
    max_osm_bytes: int = MAX_OSM_BYTES
    duplicate_radius_m: float = DUPLICATE_RADIUS_M
    duplicate_window_h: float = DUPLICATE_WINDOW_H
    run_jobs: bool = True

    @property
    def url(self) -> str:
        """The SQLAlchemy URL of the database, with the driver spelled out."""
        if self.db_url is None:
            return f"sqlite:///{(self.data_dir / SQLITE_FILE).resolve()}"
        url = self.db_url
        for plain in ("postgresql://", "postgres://"):
            if url.startswith(plain):
                return "postgresql+psycopg://" + url[len(plain):]
        return url

    @property
    def photo_dir(self) -> Path:
        """Content-addressed store of photos and uploads (``sha256[:2]/sha256[2:4]/...``)."""
        return self.data_dir / "files"

    @property
    def results_dir(self) -> Path:
        """Folder of job results (segments, plans, territories), one folder per version."""
        return self.data_dir / "results"


def load_settings(data_dir: str | Path = DEFAULT_DATA_DIR, db_url: str | None = None,
                  **options: object) -> Settings:
    """Settings for ``patrolgeo serve``: the token key kept in ``data_dir/secret.key``.

    A kept key lets tokens survive a restart; it is created on first start with mode 600.
    """
    data = Path(data_dir)
    data.mkdir(parents=True, exist_ok=True)
    key_file = data / "secret.key"
    if not key_file.exists():
        key_file.write_text(secrets.token_hex(32), encoding="ascii")
        key_file.chmod(0o600)
    secret = key_file.read_text(encoding="ascii").strip()
    return Settings(data_dir=data, db_url=db_url, secret=secret, **options)  # type: ignore[arg-type]
