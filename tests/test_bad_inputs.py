"""Every bad input of the table: exit 2, one line naming what is wrong, nothing written."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from bad_inputs import CASES, prepare
from patrolgeo.cli import app
from patrolgeo.pipeline import demo_osm_path

runner = CliRunner()


def run_case(args: list[str], tmp_path):
    """Run one case; return (exit code, the error lines, files under the output folder)."""
    out = tmp_path / "out"
    filled = prepare(tmp_path, out, args, demo_osm_path())
    before = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*"))
    result = runner.invoke(app, filled)
    errors = [line for line in result.output.splitlines()
              if line.startswith(("错误：", "error: ", "--lang:"))]
    after = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*"))
    return result, errors, sorted(set(after) - set(before))


#: Cases whose fix is on its way on another branch (strict: they fail once it lands).
PENDING: dict[str, str] = {}


@pytest.mark.parametrize(("name", "args"), [
    pytest.param(name, args, marks=pytest.mark.xfail(strict=True, reason=PENDING[name]))
    if name in PENDING else (name, args) for name, args in CASES], ids=[c[0] for c in CASES])
def test_bad_input_is_one_line_exit_2_nothing_written(name, args, tmp_path):
    result, errors, new = run_case(args, tmp_path)
    assert result.exit_code == 2, (name, result.output[-1500:], repr(result.exception))
    assert "Traceback" not in result.output
    usage = "Usage:" in result.output  # click's own refusal of a malformed option
    assert usage or len(errors) == 1, (name, result.output[-1500:])
    assert new == [], (name, new)


def test_the_table_is_long_enough():
    assert len(CASES) >= 60 and len({name for name, _ in CASES}) == len(CASES)
