"""kill -9 of a real ``patrolgeo serve`` under load: every acknowledged report survives."""

from __future__ import annotations

import asyncio
import importlib.util
import signal
from pathlib import Path

BENCH = Path(__file__).resolve().parents[1] / "bench" / "service.py"


def _bench():
    spec = importlib.util.spec_from_file_location("bench_service", BENCH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_kill_minus_9_loses_no_acknowledged_report(tmp_path):
    bench = _bench()
    data = tmp_path / "service"
    port = bench.free_port()
    proc = bench.start_server(data, port)
    try:
        key = bench.api_key(port)
        acked, _, errors, _ = asyncio.run(bench.load(port, key, 10, 40, tag="crash",
                                                     kill_after=120, proc=proc))
        proc.wait(timeout=30)
        assert proc.returncode == -signal.SIGKILL
        assert len(acked) >= 120 and errors  # the load was cut short by the kill
        proc = bench.start_server(data, port)  # restarts on the same file
        rows = bench.rows_by_description(data, None, "crash")
        lost, duplicated = bench.check(acked, rows)
        assert lost == [] and duplicated == 0
        assert bench.integrity(data) == "ok"
    finally:
        proc.kill()
        proc.wait()
