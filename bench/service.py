"""Load and crash test of ``patrolgeo serve``: concurrent writers posting reports.

    python bench/service.py                      # SQLite: 50 writers x 100 reports
    python bench/service.py --db postgresql://postgres@127.0.0.1:5432/bench
    python bench/service.py --crash              # kill -9 mid-load, restart, check

Starts a real server process (uvicorn), makes an API key, and has ``--writers`` asyncio
tasks post ``--per-writer`` Open311 requests each (form-encoded, ``api_key``), every one
with a unique description. Then it reads the database directly: rows written, lost
(acknowledged but absent), duplicated (one description twice), latency percentiles and
posts per second; with ``--crash`` it kills the server with SIGKILL after a share of the
posts, restarts it, and checks that every acknowledged report is there and that
``PRAGMA integrity_check`` says ok.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ADMIN, PASSWORD = "bench-admin", "bench-password-1"
SQLITE_FILE = "patrolgeo.sqlite3"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(data: Path, port: int, db: str | None = None) -> subprocess.Popen:
    cmd = [sys.executable, "-m", "patrolgeo", "serve", "--data", str(data), "--port",
           str(port), "--admin", ADMIN]
    if db:
        cmd += ["--db", db]
    # the server of this checkout, not whichever patrolgeo is installed
    src = str(Path(__file__).resolve().parents[1] / "src")
    env = {**os.environ, "PATROLGEO_ADMIN_PASSWORD": PASSWORD,
           "PYTHONPATH": os.pathsep.join(p for p in (src, os.environ.get("PYTHONPATH")) if p)}
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    end = time.time() + 60
    while time.time() < end:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/health", timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            pass
        if proc.poll() is not None:
            raise RuntimeError(f"server exited: {proc.stderr.read().decode()[-2000:]}")
        time.sleep(0.2)
    proc.kill()
    raise RuntimeError("server did not start in 60 s")


def api_key(port: int) -> str:
    base = f"http://127.0.0.1:{port}"
    token = httpx.post(f"{base}/api/auth/login",
                       json={"username": ADMIN, "password": PASSWORD}).json()["access_token"]
    r = httpx.post(f"{base}/api/keys", json={"label": "bench"},
                   headers={"Authorization": f"Bearer {token}"})
    return str(r.json()["api_key"])


async def _writer(client, key, writer, count, acked, latencies, errors, tag):
    for i in range(count):
        form = {"api_key": key, "service_code": "E0101", "lat": f"{28.20 + writer * 1e-3}",
                "long": f"{117.20 + i * 1e-4}", "description": f"{tag}-{writer}-{i}"}
        start = time.perf_counter()
        try:
            r = await client.post("/open311/v2/requests.json", data=form)
        except httpx.HTTPError:
            errors.append("transport")
            return  # the server is gone (crash test): this writer stops
        latencies.append(time.perf_counter() - start)
        if r.status_code in (200, 201):
            acked[f"{tag}-{writer}-{i}"] = int(r.json()[0]["service_request_id"])
        else:
            errors.append(str(r.status_code))


async def load(port, key, writers, per_writer, tag="bench", kill_after=None, proc=None):
    acked: dict[str, int] = {}
    latencies: list[float] = []
    errors: list[str] = []
    limits = httpx.Limits(max_connections=writers, max_keepalive_connections=writers)
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", limits=limits,
                                 timeout=30) as client:
        tasks = [asyncio.create_task(_writer(client, key, w, per_writer, acked, latencies,
                                             errors, tag)) for w in range(writers)]
        start = time.perf_counter()
        if kill_after is not None:
            while len(acked) < kill_after and not all(t.done() for t in tasks):
                await asyncio.sleep(0.01)
            proc.send_signal(signal.SIGKILL)
        await asyncio.gather(*tasks)
        elapsed = time.perf_counter() - start
    return acked, latencies, errors, elapsed


def rows_by_description(data: Path, db: str | None, tag: str) -> list[tuple[int, str]]:
    if db is None:
        with sqlite3.connect(data / SQLITE_FILE) as conn:
            return conn.execute("SELECT id, description FROM cases WHERE description LIKE ?",
                                (f"{tag}-%",)).fetchall()
    import psycopg

    with psycopg.connect(db) as conn:
        return conn.execute("SELECT id, description FROM cases WHERE description LIKE %s",
                            (f"{tag}-%",)).fetchall()


def integrity(data: Path) -> str:
    with sqlite3.connect(data / SQLITE_FILE) as conn:
        return str(conn.execute("PRAGMA integrity_check").fetchone()[0])


def pct(values, q):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))] * 1000


def check(acked, rows):
    ids = {d: i for i, d in rows}
    lost = [d for d, i in acked.items() if ids.get(d) != i]
    duplicated = len(rows) - len({d for _, d in rows})
    return lost, duplicated


def run(args) -> int:
    data = Path(args.data or tempfile.mkdtemp(prefix="patrolgeo-bench-"))
    port = free_port()
    proc = start_server(data, port, args.db)
    key = api_key(port)
    total = args.writers * args.per_writer
    kill_after = total // 3 if args.crash else None
    acked, lat, errors, elapsed = asyncio.run(
        load(port, key, args.writers, args.per_writer, kill_after=kill_after, proc=proc))
    if args.crash:
        proc.wait()
        proc = start_server(data, port, args.db)
    rows = rows_by_description(data, args.db, "bench")
    lost, duplicated = check(acked, rows)
    backend = "PostgreSQL" if args.db else "SQLite"
    print("| backend | writers x posts | acknowledged | rows | lost | duplicated | "
          "p50 ms | p95 ms | p99 ms | posts/s |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    print(f"| {backend}{' (kill -9)' if args.crash else ''} | {args.writers} x "
          f"{args.per_writer} | {len(acked)} | {len(rows)} | {len(lost)} | {duplicated} | "
          f"{pct(lat, 50):.1f} | {pct(lat, 95):.1f} | {pct(lat, 99):.1f} | "
          f"{len(acked) / elapsed:.0f} |")
    ok = not lost and not duplicated
    if not args.crash:
        ok = ok and len(rows) == total and not errors
    if args.db is None:
        check_result = integrity(data)
        print(f"integrity_check: {check_result}; errors: {len(errors)}")
        ok = ok and check_result == "ok"
    proc.send_signal(signal.SIGTERM)
    proc.wait(timeout=30)
    return 0 if ok else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", help="database URL (default: SQLite in the data folder)")
    parser.add_argument("--data", help="data folder (default: a new temporary folder)")
    parser.add_argument("--writers", type=int, default=50)
    parser.add_argument("--per-writer", type=int, default=100)
    parser.add_argument("--crash", action="store_true", help="kill -9 at a third, restart")
    return run(parser.parse_args())


if __name__ == "__main__":
    sys.exit(main())
