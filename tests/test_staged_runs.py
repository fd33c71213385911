"""A run's folder is complete or absent: staged, moved into place, never half-written."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest
from typer.testing import CliRunner

from patrolgeo.cli import app
from patrolgeo.outputs.files import RUN_MANIFEST

runner = CliRunner()


def _roads(out, *extra):
    from patrolgeo.pipeline import demo_osm_path

    return runner.invoke(app, ["roads", "--osm", str(demo_osm_path()), "--out", str(out),
                               *extra])


def test_a_run_leaves_a_complete_folder_with_its_manifest(tmp_path):
    out = tmp_path / "r"
    result = _roads(out)
    assert result.exit_code == 0, result.output
    manifest = json.loads((out / RUN_MANIFEST).read_text(encoding="utf-8"))
    written = sorted(p.relative_to(out).as_posix() for p in out.rglob("*")
                     if p.is_file() and p.name != RUN_MANIFEST)
    assert manifest["complete"] and manifest["files"] == written
    # the printed paths are the final ones
    assert str(out / "segments.csv") in result.output
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]
    # a rerun replaces the previous complete run whole
    (out / "stale.txt").write_text("old", encoding="utf-8")
    (out / RUN_MANIFEST).write_text(json.dumps({"complete": True}), encoding="utf-8")
    assert _roads(out).exit_code == 0
    assert not (out / "stale.txt").exists()


@pytest.mark.parametrize("case", ["file", "foreign"])
def test_bad_out_is_refused_at_once_and_left_alone(tmp_path, case):
    out = tmp_path / "out"
    if case == "file":
        out.write_text("not a folder", encoding="utf-8")
    else:
        out.mkdir()
        (out / "mine.docx").write_text("a user's file", encoding="utf-8")
    before = sorted(p.name for p in tmp_path.rglob("*"))
    result = _roads(out)
    assert result.exit_code == 2
    lines = [x for x in result.output.splitlines() if x.startswith(("错误", "error"))]
    assert len(lines) == 1 and str(out) in lines[0] and "--out" in lines[0]
    assert sorted(p.name for p in tmp_path.rglob("*")) == before


def test_out_below_a_file_is_one_line(tmp_path):
    blocker = tmp_path / "blocker"
    blocker.write_text("a file", encoding="utf-8")
    result = _roads(blocker / "out")
    assert result.exit_code == 2 and "Traceback" not in result.output
    lines = [x for x in result.output.splitlines() if x.startswith(("错误", "error"))]
    assert len(lines) == 1 and "blocker" in lines[0]
    assert blocker.read_text(encoding="utf-8") == "a file"


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders anyway")
def test_read_only_parent_is_one_line(tmp_path):
    parent = tmp_path / "ro"
    parent.mkdir()
    parent.chmod(0o555)
    try:
        result = _roads(parent / "out")
    finally:
        parent.chmod(0o755)
    assert result.exit_code == 2 and "Traceback" not in result.output


def test_kill_during_a_run_leaves_no_half_folder(tmp_path):
    """kill -9 mid-run: the previous complete run stays as it was; a rerun cleans up."""
    from patrolgeo.pipeline import demo_osm_path

    out = tmp_path / "demo"
    assert runner.invoke(app, ["roads", "--osm", str(demo_osm_path()), "--out",
                               str(out)]).exit_code == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    proc = subprocess.Popen([sys.executable, "-m", "patrolgeo", "demo", "--out", str(out)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    # wait until the run has started writing into its hidden stage, then kill it
    deadline = time.time() + 60
    while time.time() < deadline and not list(tmp_path.glob(".demo.*.partial")):
        time.sleep(0.05)
    time.sleep(1.0)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert _roads(out).exit_code == 0
    assert not list(tmp_path.glob(".demo.*"))
