"""The house rules that tools can check: who may import whom, and no global language."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "patrolgeo"

#: The stages and the shared core: pure computation over frames, graphs and dataclasses.
ALGORITHMS = ("roads", "plans", "issues", "territories", "routing", "segments", "readers",
              "labels", "errors", "pois", "atomic", "defaults")
#: What an algorithm module must never import, at module level or inside a function.
FORBIDDEN = ("folium", "branca", "typer", "rich", "patrolgeo.cli", "patrolgeo.service",
             "patrolgeo.outputs", "patrolgeo.maps", "patrolgeo.io", "patrolgeo.pipeline")


def _algorithm_modules() -> list[Path]:
    paths = []
    for name in ALGORITHMS:
        package, module = SRC / name, SRC / f"{name}.py"
        if package.is_dir():
            paths.extend(sorted(package.rglob("*.py")))
        elif module.exists():
            paths.append(module)
    return paths


def _imports(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
            found.extend((node.lineno, f"{node.module}.{alias.name}") for alias in node.names)
    return found


def _forbidden(name: str) -> bool:
    return any(name == f or name.startswith(f + ".") for f in FORBIDDEN)


def test_the_rule_sees_a_forbidden_import(tmp_path):
    # the checker itself: a module importing folium lazily inside a function is caught
    bad = tmp_path / "bad.py"
    bad.write_text("def draw():\n    import folium\n    from patrolgeo.outputs import x\n")
    assert [n for _, n in _imports(bad) if _forbidden(n)] == ["folium", "patrolgeo.outputs",
                                                               "patrolgeo.outputs.x"]


@pytest.mark.parametrize("path", _algorithm_modules(), ids=lambda p: str(p.relative_to(SRC)))
def test_algorithms_import_no_face_writer_or_folium(path):
    bad = [f"line {line}: {name}" for line, name in _imports(path) if _forbidden(name)]
    assert not bad, f"{path.relative_to(SRC)} imports {', '.join(bad)}"


def test_every_algorithm_module_was_checked():
    names = {p.relative_to(SRC).parts[0].removesuffix(".py") for p in _algorithm_modules()}
    assert names == set(ALGORITHMS)


def test_importing_every_stage_loads_no_folium_or_typer():
    # rich is left out here: scikit-learn, which libpysal imports, loads it for its own
    # progress display; the rule above still keeps patrolgeo's stages from importing it
    stages = ", ".join(f"patrolgeo.{n}" for n in ALGORITHMS)
    code = (f"import sys, {stages}, patrolgeo.outputs, patrolgeo.outputs.maps\n"
            "print(sorted(m for m in ('folium', 'branca', 'typer', 'patrolgeo.cli') "
            "if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, cwd=SRC.parents[1])
    assert out.stdout.strip() == "[]"


def test_no_process_wide_language():
    # the language is a parameter of each call: no module keeps a current language
    assert not (SRC / "i18n.py").exists()
    for path in SRC.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        for needle in ("set_lang(", "get_lang(", "_current_lang", "PATROLGEO_LANG"):
            assert needle not in text, f"{path.relative_to(SRC)} uses {needle}"


def test_packages_have_a_front_door():
    for name in ("roads", "plans", "issues", "territories", "routing", "labels", "outputs",
                 "pipeline"):
        init = SRC / name / "__init__.py"
        assert init.exists(), f"patrolgeo.{name} is not a package"
        tree = ast.parse(init.read_text(encoding="utf-8"))
        names = [t.id for node in tree.body if isinstance(node, ast.Assign | ast.AnnAssign)
                 for t in (node.targets if isinstance(node, ast.Assign) else [node.target])
                 if isinstance(t, ast.Name)]
        assert "__all__" in names, f"patrolgeo.{name} has no __all__"


def test_modules_stay_readable():
    # about 600 lines per module (the limit, with a margin for docstrings)
    long = {str(p.relative_to(SRC)): n for p in SRC.rglob("*.py")
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > 700}
    assert not long, f"modules over 700 lines: {long}"
