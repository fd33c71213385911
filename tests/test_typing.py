"""The package type-checks: ``mypy`` (configured in ``pyproject.toml``) reports no errors."""

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_mypy_reports_no_errors(monkeypatch: pytest.MonkeyPatch) -> None:
    api = pytest.importorskip("mypy.api", reason="mypy is not installed")
    # mypy reads [tool.mypy] (files = src/patrolgeo) from the repository root
    monkeypatch.chdir(ROOT)
    stdout, stderr, status = api.run([])
    assert status == 0, f"mypy found errors:\n{stdout}{stderr}"
