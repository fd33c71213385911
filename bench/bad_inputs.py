"""Print the table of bad inputs: each case, its exit code and the first line it printed.

``python bench/bad_inputs.py`` runs every case of ``tests/bad_inputs.py`` through the CLI
(in Chinese, and with ``--en`` in English) and prints a Markdown table for the notes.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from typer.testing import CliRunner

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))

from bad_inputs import CASES, prepare  # noqa: E402
from patrolgeo.cli import app  # noqa: E402
from patrolgeo.pipeline import demo_osm_path  # noqa: E402


def main() -> None:
    """Run the cases and print the table."""
    english = "--en" in sys.argv
    runner = CliRunner()
    print("| # | case | exit | first line |\n|---|---|---|---|")
    for n, (name, args) in enumerate(CASES, start=1):
        with tempfile.TemporaryDirectory() as tmp:
            filled = prepare(Path(tmp), Path(tmp) / "out", args, demo_osm_path())
            if english and "--lang" not in filled:
                filled += ["--lang", "en"]
            result = runner.invoke(app, filled)
        lines = [x.strip() for x in result.output.splitlines()
                 if x.startswith(("错误", "error", "--lang", "Usage", "Error"))
                 or "Invalid value" in x]
        first = (lines[0] if lines else result.output.strip().splitlines()[-1:] or [""])
        first = first if isinstance(first, str) else first[0]
        first = first.replace(tmp, "…").replace("|", "\\|")
        print(f"| {n} | {name} | {result.exit_code} | {first[:140]} |")


if __name__ == "__main__":
    main()
