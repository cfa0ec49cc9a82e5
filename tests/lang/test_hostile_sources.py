"""Sources an attacker or a careless user hands the front end: each gets a located error
(exit status 2), never an internal error or a hang."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tamapy.build import compile_app
from tamapy.lang.parse import MAX_NESTING

HELLO = Path("firmware") / "examples" / "hello"
SRC = Path(__file__).resolve().parents[2] / "src"


def tamapy(project: Path, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    return subprocess.run([sys.executable, "-m", "tamapy", *args], cwd=project, capture_output=True, text=True,
                          timeout=timeout, env=env)


def add_function(project: Path, source: str) -> Path:
    main = project / HELLO / "main.py"
    main.write_text(main.read_text() + "\n\n" + source)
    return main


def line_of(path: Path, needle: str) -> int:
    """The last line holding ``needle`` (what a test appended)."""
    return max(i for i, line in enumerate(path.read_text().splitlines(), 1) if needle in line)


@pytest.mark.parametrize(("signature", "expr"), [
    ("(x: u32) -> u32", "u32((" + " + ".join(["x"] * 247) + ") & 0xFFFF)"),  # a sum of 247 terms
    ("(b: bool) -> bool", "not " * 246 + "b"),
    ("(x: i32) -> i32", "-" * 328 + "x"),
])
def test_deep_expressions_are_a_located_nesting_error(project: Path, signature: str, expr: str) -> None:
    main = add_function(project, f"def deep{signature}:\n    return {expr}\n")
    main.write_text("from tamapy.fw import i32, u32\n" + main.read_text())
    r = tamapy(project, "check", str(HELLO))
    assert r.returncode == 2, r.stderr
    assert f"main.py:{line_of(main, 'return')}:" in r.stderr and "error[E126]" in r.stderr
    assert "hint: split the expression" in r.stderr and "internal error" not in r.stderr


def test_nesting_past_the_parser_is_an_error_on_the_file(project: Path) -> None:
    add_function(project, "def deep(x: u32) -> u32:\n    return " + " + ".join(["x"] * 5000) + "\n")
    r = tamapy(project, "check", str(HELLO))
    assert r.returncode == 2 and "main.py: error[E126]" in r.stderr and "internal error" not in r.stderr


def test_nesting_at_the_limit_is_verified_and_compiled(project: Path) -> None:
    """Everything the front end accepts, the later stages (all recursive) take without a
    RecursionError: the sum below is as deep as the limit allows."""
    terms = MAX_NESTING - 5  # def, return, the mask, the cast's call and the outer BinOp
    add_function(project, "@requires(lambda x: x < 1000)\ndef deep(x: u32) -> u32:\n"
                          "    return u32((" + " + ".join(["x"] * terms) + ") & 0xFFFF)\n")
    main = project / HELLO / "main.py"
    text = main.read_text().replace("def main() -> None:\n", "def main() -> None:\n    deep(u32(3))\n", 1)
    main.write_text("from tamapy.fw import requires, u32\n" + text)
    result = compile_app(project / HELLO, "mcimx6ul-evk", cache=project / "cache")
    assert result.verified and result.image.elf


def test_a_directory_named_like_a_module(project: Path) -> None:
    (project / "firmware" / "runtime" / "evil.py").mkdir()
    r = tamapy(project, "check", "firmware/")
    assert r.returncode == 2
    assert "firmware/runtime/evil.py: error[E001]: cannot read module: a directory, not a regular file" in r.stderr


def test_a_symlink_loop_in_the_tree_and_imported(project: Path) -> None:
    runtime = project / "firmware" / "runtime"
    (runtime / "loop1.py").symlink_to("loop2.py")
    (runtime / "loop2.py").symlink_to("loop1.py")
    r = tamapy(project, "check", "firmware/")
    assert r.returncode == 2
    for name in ("loop1", "loop2"):
        assert f"firmware/runtime/{name}.py: error[E001]: cannot read module: it is a symbolic link loop" in r.stderr
    os.remove(runtime / "loop2.py")
    (runtime / "loop2.py").symlink_to("loop1.py")
    main = add_function(project, "")
    main.write_text("import runtime.loop1\n" + main.read_text())
    r = tamapy(project, "check", str(HELLO))
    assert r.returncode == 2 and "symbolic link loop" in r.stderr and "internal error" not in r.stderr


def test_a_fifo_is_refused_without_blocking(project: Path) -> None:
    fifo = project / "firmware" / "runtime" / "fifo.py"
    os.mkfifo(fifo)
    for args in (("check", "firmware/"), ("check", "firmware/runtime/fifo.py")):
        r = tamapy(project, *args, timeout=60)
        assert r.returncode == 2
        assert "firmware/runtime/fifo.py: error[E001]: cannot read module: a FIFO (named pipe)" in r.stderr


def test_bytes_that_are_not_utf8_are_reported_where_they_are(project: Path) -> None:
    main = project / HELLO / "main.py"
    lines = main.read_bytes().splitlines(keepends=True)
    lines[4] = b"# caf\xc3\xa9 \xff\n"  # line 5: a valid two-byte character, then a bad byte at column 8
    main.write_bytes(b"".join(lines))
    r = tamapy(project, "check", str(HELLO))
    assert r.returncode == 2
    assert "main.py:5:8: error[E001]: module is not valid UTF-8: byte 0xff" in r.stderr
    assert "hint: save the file as UTF-8" in r.stderr
