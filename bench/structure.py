"""The ten largest modules and functions of ``src/`` (lines, code lines, complexity).

Run ``python bench/structure.py`` before and after a restructuring; it prints two
Markdown tables. Code lines leave out blank lines, comments and docstrings (radon's
SLOC); complexity is McCabe's (radon).
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SRC = REPO / "src"


def _code_lines(source_lines: list[str], node: ast.AST) -> int:
    """Lines of ``node`` that hold code: not blank, not comments, not docstrings."""
    doc_lines: set[int] = set()
    for sub in ast.walk(node):
        body = getattr(sub, "body", None)
        if isinstance(body, list) and body and isinstance(body[0], ast.Expr) \
                and isinstance(getattr(body[0], "value", None), ast.Constant) \
                and isinstance(body[0].value.value, str):
            doc_lines.update(range(body[0].lineno, body[0].end_lineno + 1))
    first = getattr(node, "lineno", 1)
    last = getattr(node, "end_lineno", None) or len(source_lines)
    count = 0
    for number in range(first, last + 1):
        text = source_lines[number - 1].strip()
        if text and not text.startswith("#") and number not in doc_lines:
            count += 1
    return count


def _complexity(node: ast.AST) -> int:
    """McCabe complexity of one function (radon when installed, else a count of branches)."""
    try:
        from radon.complexity import cc_visit_ast
    except ImportError:
        branches = (ast.If, ast.For, ast.While, ast.IfExp, ast.ExceptHandler, ast.With,
                    ast.BoolOp, ast.comprehension)
        return 1 + sum(isinstance(n, branches) for n in ast.walk(node))
    blocks = cc_visit_ast(ast.Module(body=[node], type_ignores=[]))
    return max((b.complexity for b in blocks), default=1)


def measure(src: Path = SRC) -> tuple[list[tuple], list[tuple]]:
    """``(modules, functions)``: (path, lines, code lines[, complexity]) rows."""
    modules, functions = [], []
    for path in sorted(src.rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        lines = text.splitlines()
        tree = ast.parse(text)
        rel = path.relative_to(src).as_posix()
        modules.append((rel, len(lines), _code_lines(lines, tree) if tree.body else 0))
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                kind = "class " if isinstance(node, ast.ClassDef) else ""
                functions.append((f"{rel}: {kind}{node.name}", node.end_lineno - node.lineno + 1,
                                  _code_lines(lines, node),
                                  "" if kind else _complexity(node)))
    return modules, functions


def main(top: int = 10) -> None:
    """Print the tables of the ``top`` largest modules and functions."""
    modules, functions = measure()
    print("| module | lines | code lines |\n|---|---|---|")
    for rel, n, code in sorted(modules, key=lambda r: -r[1])[:top]:
        print(f"| {rel} | {n:,} | {code:,} |")
    print()
    print("| function or class | lines | code lines | complexity |\n|---|---|---|---|")
    for name, n, code, cc in sorted(functions, key=lambda r: -r[2])[:top]:
        print(f"| {name} | {n:,} | {code:,} | {cc} |")
    over = [f for f in functions if f[2] >= 80 and not f[0].split(": ")[1].startswith("class ")]
    print(f"\nfunctions with 80 or more code lines: {len(over)}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10)
