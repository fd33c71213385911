"""The ``serve`` verb: the road-chief service over HTTP (FastAPI on uvicorn)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from patrolgeo.cli.app import app, cli_run

#: Address the service listens on by default: this machine only, until set up behind a
#: reverse proxy.
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8311


@app.command("serve")
def serve_command(
    db: Annotated[str | None, typer.Option(
        "--db", help="数据库 URL（默认：数据目录中的 SQLite 文件）/ database URL, e.g. "
        "postgresql://user@host/patrolgeo")] = None,
    data: Annotated[Path, typer.Option(
        "--data", help="数据目录：SQLite、照片、计算结果 / data folder")] = Path(
            "data/service"),
    host: Annotated[str, typer.Option("--host", help="listen address")] = DEFAULT_HOST,
    port: Annotated[int, typer.Option("--port", help="listen port")] = DEFAULT_PORT,
    limits: Annotated[Path | None, typer.Option(
        "--limits", help="处置时限与工作日历 TOML / time limits and working calendar")] = None,
    admin: Annotated[str | None, typer.Option(
        "--admin", help="首次启动时创建的管理员用户名（密码取自 PATROLGEO_ADMIN_PASSWORD）"
        " / admin user created on first start")] = None,
    lang: Annotated[str, typer.Option("--lang", help="界面语言 zh|en / language")] = "zh",
) -> None:
    """启动路长制服务（首次启动时建库并迁移）/ Start the service (migrates its database)."""
    import uvicorn

    from patrolgeo import service

    with cli_run(lang):
        settings = service.load_settings(data, db, limits_file=limits)
        web = service.create_app(settings)
        if admin:
            service.ensure_admin(web, admin, os.environ.get("PATROLGEO_ADMIN_PASSWORD", ""))
    uvicorn.run(web, host=host, port=port, log_level="warning", access_log=False)
