"""Check that the demo's outputs are byte-identical to a stored list of file hashes.

``python bench/demo_hashes.py`` runs ``patrolgeo demo`` in Chinese and in English into
temporary folders and compares the SHA-256 of every file with ``bench/demo_hashes.txt``;
it prints the files that differ, appeared or disappeared and exits 1 when any did.
``--write`` stores the current hashes instead (do that only on a commit whose outputs are
known good, and say so in the commit message). Use it around a change that must not alter
what the verbs write, such as a restructuring.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
STORED = REPO / "bench" / "demo_hashes.txt"
LANGS = ("zh", "en")


def file_digest(path: Path) -> str:
    """SHA-256 of a file's bytes: every writer is byte-for-byte reproducible.

    (GeoJSON layers are named after the final file and GeoPackages carry a fixed
    ``last_change``, so no format needs its parsed content compared instead.)
    """
    return hashlib.sha256(path.read_bytes()).hexdigest()


def demo_hashes(extra: list[str]) -> dict[str, str]:
    """``{"<lang>/<relative path>": sha256}`` of one demo run per language."""
    hashes = {}
    for lang in LANGS:
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / "demo"
            cmd = [sys.executable, "-m", "patrolgeo", "demo", "--out", str(out),
                   "--lang", lang, *extra]
            # this checkout's package, also from a git worktree beside an installed one
            env = dict(os.environ, PYTHONPATH=str(REPO / "src"))
            subprocess.run(cmd, check=True, capture_output=True, env=env)
            for path in sorted(p for p in out.rglob("*") if p.is_file()):
                digest = file_digest(path)
                hashes[f"{lang}/{path.relative_to(out).as_posix()}"] = digest
    return hashes


def main() -> int:
    """Compare with (or ``--write``) the stored list; return the exit code."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="store the current hashes")
    args = parser.parse_args()
    current = demo_hashes([])
    if args.write:
        STORED.write_text("".join(f"{h}  {name}\n" for name, h in current.items()),
                          encoding="utf-8")
        print(f"{len(current)} hashes written to {STORED.relative_to(REPO)}")
        return 0
    stored = dict(line.split("  ", 1)[::-1] for line in
                  STORED.read_text(encoding="utf-8").splitlines() if line)
    stored = {name.strip(): h for name, h in stored.items()}
    changed = sorted(n for n in current.keys() & stored.keys() if current[n] != stored[n])
    added = sorted(current.keys() - stored.keys())
    missing = sorted(stored.keys() - current.keys())
    for label, names in (("differs", changed), ("new", added), ("missing", missing)):
        for name in names:
            print(f"{label}: {name}")
    same = len(current.keys() & stored.keys()) - len(changed)
    print(f"{same} of {len(stored)} files identical; {len(changed)} differ, "
          f"{len(added)} new, {len(missing)} missing")
    return 1 if changed or added or missing else 0


if __name__ == "__main__":
    sys.exit(main())
