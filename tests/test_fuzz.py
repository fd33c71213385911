"""Every verb under random and hostile options and inputs: exit 0 or 2, one line, no mess.

Hypothesis draws option values (numbers out of range, swapped or malformed points,
unknown words, odd unicode) and input files (broken XML, empty files, binary junk, a
folder where a file should be, CSVs with wrong columns) for every verb, on a tiny OSM
file so that each run takes a fraction of a second. The property: the exit code is 0 or
2, there is never a traceback, a failure prints one ``错误：`` / ``error:`` line, and a
failed run leaves nothing in ``--out`` (nor a hidden stage beside it).
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from osm_builders import write_osm
from patrolgeo.cli import app

runner = CliRunner()

#: Hypothesis cases per verb: enough to hit each option's bad values several times while
#: the whole file stays within a minute on a 2-core machine.
CASES_PER_VERB = 40

_TMP = Path(tempfile.mkdtemp(prefix="patrolgeo-fuzz-"))


def _grid_osm() -> Path:
    """A 4 × 4 grid of residential streets (named), one one-way, around Guixi."""
    nodes, ways = {}, {}
    for i in range(4):
        for j in range(4):
            nodes[1 + i * 4 + j] = (28.30 + i * 0.001, 117.22 + j * 0.001)
    way = 100
    for i in range(4):
        for j in range(3):
            a = 1 + i * 4 + j
            tags = {"highway": "residential", "name": f"东{i}路"}
            if i == 0:
                tags["oneway"] = "yes"
            ways[way] = ([a, a + 1], tags)
            way += 1
    for j in range(4):
        for i in range(3):
            a = 1 + i * 4 + j
            ways[way] = ([a, a + 4], {"highway": "residential", "name": f"北{j}街"})
            way += 1
    return write_osm(_TMP / "grid.osm", nodes, ways)


GRID = _grid_osm()


def _bad_files() -> dict[str, Path]:
    files = {
        "broken.osm": b"<osm><node id='1' lat='x'",
        "empty.osm": b"",
        "junk.osm.pbf": bytes(range(256)) * 8,
        "text.csv": "segment_id,chief_id\n1-2-3,C01\n,\n\xff".encode("latin-1"),
        "wrong_columns.csv": "名称,数值\n甲,1\n".encode(),
        "reports.csv": "id,reported_at,category,lat,lon\n1,2099-01-01,市容,28.3,117.22\n"
                       "2,昨天,环境,abc,117\n".encode(),
        "rules.toml": b"[grades.1]\nsweeps_per_day = -4\n[[[",
        "carp.dat": b"NOMBRE : x\nVERTICES : -3\n",
    }
    paths = {}
    for name, content in files.items():
        path = _TMP / name
        path.write_bytes(content)
        paths[name] = path
    (_TMP / "a_folder.osm").mkdir(exist_ok=True)
    paths["a_folder.osm"] = _TMP / "a_folder.osm"
    paths["missing.osm"] = _TMP / "missing.osm"
    return paths


BAD = _bad_files()
OSM_FILES = st.sampled_from([GRID, GRID, GRID, GRID, GRID, GRID, *[BAD[k] for k in (
    "broken.osm", "empty.osm", "junk.osm.pbf", "a_folder.osm", "missing.osm")]])
CSV_FILES = st.sampled_from([BAD["text.csv"], BAD["wrong_columns.csv"], BAD["missing.osm"],
                             BAD["a_folder.osm"]])
#: Numbers as users mistype them: the boundary values first (drawn most often), then any.
HOSTILE_NUMBERS = ["-2", "0", "-1", "-0.5", "1e309", "nan", "inf", "-inf", "", " ", "三",
                   "1,5", "0x10", "100000", "1e-9"]
NUMBER_TEXT = st.one_of(
    st.sampled_from(HOSTILE_NUMBERS),
    st.sampled_from(HOSTILE_NUMBERS),
    st.integers(-10**6, 10**6).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
)
POINT_TEXT = st.one_of(
    st.tuples(st.floats(-400, 400), st.floats(-400, 400)).map(lambda p: f"{p[0]},{p[1]}"),
    st.sampled_from(["117.221,28.301", "28.301,117.221", "0,0", "a,b", "1,2,3", "", "，"]),
)
WORDS = st.one_of(st.sampled_from(["walk", "drive", "bike", "city", "osm", "amap", "zh",
                                   "en", "fly", "", "Mars/Base", "tianditu"]),
                  st.text(max_size=8))


COMMON = {
    "--mode": WORDS, "--network": WORDS, "--lang": WORDS,
    "--bbox": st.one_of(POINT_TEXT, st.just("117.2,28.2,117.3,28.4"),
                        st.just("118,29,119,30")),
}

VERBS = {
    "roads": {"--basemap": WORDS},
    "plan": {"--rules": st.just(BAD["rules.toml"]), "--overrides": CSV_FILES},
    "assign": {"--chiefs": NUMBER_TEXT, "--tolerance": NUMBER_TEXT, "--pins": CSV_FILES,
               "--stations": CSV_FILES, "--road-share": NUMBER_TEXT},
    "route": {"--start": POINT_TEXT, "--speed": NUMBER_TEXT, "--segments": CSV_FILES},
    "shifts": {"--depot": POINT_TEXT, "--radius": NUMBER_TEXT, "--crews": NUMBER_TEXT,
               "--shift-hours": NUMBER_TEXT, "--speed": NUMBER_TEXT,
               "--school-gate": POINT_TEXT},
    "hotspots": {"--tz": WORDS, "--crs": WORDS, "--permutations": NUMBER_TEXT},
    "map": {"--assignments": CSV_FILES},
}

#: Options every run of a verb gets (a required input, a quick search).
FIXED = {"hotspots": ["--issues", str(BAD["reports.csv"])], "shifts": ["--iterations", "5"],
         "assign": ["--chiefs", "2"]}


def _options(verb: str) -> st.SearchStrategy:
    """One or two hostile options at a time (the rest left out), so each case probes a
    check of its own rather than failing at the first bad value of many."""
    table = {**COMMON, **VERBS[verb]}
    names = st.lists(st.sampled_from(sorted(table)), min_size=1, max_size=2, unique=True)
    return names.flatmap(lambda chosen: st.tuples(
        *[table[n].map(lambda v, n=n: [n, str(v)]) for n in chosen]))


def _check(args: list[str], out: Path) -> None:
    result = runner.invoke(app, args)
    text = result.output
    assert result.exit_code in (0, 2), (args, result.exit_code, text[-2000:],
                                        repr(result.exception))
    assert "Traceback" not in text, (args, text[-2000:])
    if result.exit_code == 2 and out.exists():
        assert not any(out.iterdir()), (args, sorted(p.name for p in out.iterdir()))
    assert not list(out.parent.glob(f".{out.name}.*")), args


def _run(verb: str, osm: Path, extra: tuple[list[str], ...]) -> None:
    out = _TMP / "out" / verb
    shutil.rmtree(out.parent, ignore_errors=True)
    args = [verb, "--osm", str(osm), "--out", str(out), *FIXED.get(verb, [])]
    for option in extra:
        args += option
    _check(args, out)


def _fuzz(verb: str):
    @settings(max_examples=CASES_PER_VERB, deadline=None, derandomize=True,
              suppress_health_check=list(HealthCheck))
    @given(osm=OSM_FILES, extra=_options(verb))
    def run(osm, extra):
        _run(verb, osm, extra)

    return run


test_fuzz_roads = _fuzz("roads")
test_fuzz_plan = _fuzz("plan")
test_fuzz_assign = _fuzz("assign")
test_fuzz_route = _fuzz("route")
test_fuzz_shifts = _fuzz("shifts")
test_fuzz_hotspots = _fuzz("hotspots")
test_fuzz_map = _fuzz("map")


@settings(max_examples=CASES_PER_VERB, deadline=None, derandomize=True)
@given(seconds=NUMBER_TEXT, iterations=NUMBER_TEXT)
def test_fuzz_carp(seconds, iterations):
    out = _TMP / "carp_out.txt"
    result = runner.invoke(app, ["carp", str(BAD["carp.dat"]), "--seconds", seconds,
                                 "--iterations", iterations, "--out", str(out)])
    assert result.exit_code in (0, 2) and "Traceback" not in result.output, result.output
    assert not out.exists()
