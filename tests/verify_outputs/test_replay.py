"""``--replay``: replays stop reproducing once a bug is fixed, are deterministic, lint-clean, and probe safely."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tamapy.lang import ir
from tamapy.lang.program import check_tree
from tamapy.lang.walk import stmt_exprs, walk_expr, walk_stmts
from tamapy.verify import checked_ir
from tamapy.verify.obligation import Category, Obligation, Status
from tamapy.verify.replay import find_probe

from .conftest import run_pytest, tamapy

BUGGY = """from tamapy.fw import u8


def add(a: u8, b: u8) -> u8:
    return a + b
"""


def _write(project: Path, name: str, source: str) -> str:
    path = project / "firmware" / "examples" / f"{name}.py"
    path.write_text(source)
    return f"firmware/examples/{name}.py"


def test_fixed_bug_no_longer_reproduces(project: Path) -> None:
    src = _write(project, "adder", BUGGY)
    tamapy(project, "verify", src, "--replay", "replays")
    replays = project / "replays"
    assert run_pytest(replays).returncode == 0
    (project / src).write_text(BUGGY.replace("a + b", "a // 2 + b // 2"))
    proc = run_pytest(replays)
    assert proc.returncode == 1 and "DID NOT RAISE" in proc.stdout, proc.stdout
    proc2 = tamapy(project, "verify", src, "--replay", "replays")
    assert proc2.returncode == 0, proc2.stderr
    assert list(replays.glob("test_replay_*.py")) == []
    assert json.loads((replays / "index.json").read_text())["replays"] == {}


def test_replays_are_deterministic_and_lint_clean(project: Path) -> None:
    src = _write(project, "adder", BUGGY)
    for name in ("a", "b"):
        tamapy(project, "verify", src, "--replay", f"out/{name}", "--smt2", f"smt/{name}", "--sarif", f"s/{name}.sarif")
    a, b = project / "out" / "a", project / "out" / "b"
    names = sorted(p.name for p in a.iterdir())
    assert names == sorted(p.name for p in b.iterdir()) and len(names) == 2
    for n in names:
        assert (a / n).read_bytes() == (b / n).read_bytes()
    assert (project / "s" / "a.sarif").read_bytes() == (project / "s" / "b.sarif").read_bytes()
    for p in (project / "smt" / "a").rglob("*"):
        if p.is_file():
            assert p.read_bytes() == (project / "smt" / "b" / p.relative_to(project / "smt" / "a")).read_bytes()
    lint = subprocess.run([sys.executable, "-m", "ruff", "check", "--isolated", "--no-cache", "--target-version", "py311",
                           "--select", "E,F,W,I,B,UP,SIM,RUF", "--ignore", "E501", str(a)],
                          capture_output=True, text=True, check=False)
    assert lint.returncode == 0, lint.stdout


def test_replay_runs_from_outside_the_project(project: Path, tmp_path: Path) -> None:
    """The replay finds firmware/ relative to itself, wherever pytest is started."""
    src = _write(project, "adder", BUGGY)
    tamapy(project, "verify", src, "--replay", str(tmp_path / "elsewhere"))
    proc = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(tmp_path / "elsewhere")],
                          cwd="/", capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stdout


PROBED = """from tamapy.fw import ensures, u8


@ensures(lambda result, v: result == v)
def same(v: u8) -> u8:
    return v


def early(a: u8, b: u8) -> u8:
    return a + b - b


def called(a: u8, b: u8) -> u8:
    return same(a) + b


def divided(a: u8, b: u8) -> u8:
    return a // b + a + b


def one_line(a: u8, b: bool) -> u8:
    if b: return a + 1
    return a


def header(a: u8, n: u32) -> u8:
    t: u8 = 0
    for i in range(0, n + a):
        t = 1
    return t
""".replace("import ensures, u8", "import ensures, u8, u32")


@pytest.mark.parametrize(("function", "snippet", "probe"), [
    ("early", "a + b", "a + b"),
    ("called", "same(a) + b", None),  # a call runs before it on the line
    ("divided", "a // b + a", None),  # a division that may raise first
    ("one_line", "a + 1", None),  # two statements start on the line
    ("header", "n + a", None),  # a for header re-runs its line event every iteration
])
def test_probe_selection(project: Path, function: str, snippet: str, probe: str | None) -> None:
    src = _write(project, "probed", PROBED)
    functions, _ = checked_ir(check_tree([project / src], "mcimx6ul-evk")[0])
    fn = functions[f"examples.probed.{function}"]
    lines = PROBED.splitlines()
    start = next(i for i, text in enumerate(lines) if text.startswith(f"def {function}("))
    line = next(i for i in range(start, len(lines)) if snippet in lines[i]) + 1
    col = lines[line - 1].index(snippet) + 1
    nodes = [e for e in _expressions(fn) if (e.span.line, e.span.col, e.span.end_col) == (line, col, col + len(snippet))
             and isinstance(e, ir.Binary)]
    assert len(nodes) == 1, nodes
    t = nodes[0].type
    o = Obligation(f"{fn.qualname}:range:{line}:{col}:1", Category.RANGE, fn.qualname, nodes[0].span,
                   f"result may not fit {t} ({t.min}..{t.max})", Status.FAILED)
    found = find_probe(o, fn, project)
    assert (found[2] if found else None) == probe
    if found:
        assert found[:2] == (line, lines[line - 1]) and found[3:] == (t.min, t.max)


def _expressions(fn: ir.Function) -> list[ir.Expr]:
    return [e for s in walk_stmts(fn.body) for top in stmt_exprs(s) for e in walk_expr(top)]
