"""A test-only application with a parameter and locals whose values are known at each
point, built into a private copy of the project (the shipped examples stay as they are)."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

from tamapy.build import BuildResult, compile_app

ROOT = Path(__file__).resolve().parents[2]
BOARD = "mcimx6ul-evk"
APP = "firmware/examples/probe"
SOURCE = '''"""Sums 1..4, printing each partial sum: values a debugger can check."""

from runtime import console
from runtime.system import finish
from tamapy.fw import u32


def show(step: u32, total: u32) -> None:
    console.write_dec(step)
    console.write(b": ")
    console.write_dec(total)
    console.newline()


def main() -> None:
    if not console.init():
        finish(1)
        return
    total: u32 = 0
    for step in range(1, 5):
        total += step
        show(step, total)
    finish(0)
'''


def line_of(text: str) -> int:
    """The 1-based line of the application's statement ``text`` (unique in SOURCE)."""
    lines = [i for i, line in enumerate(SOURCE.splitlines(), 1) if line.strip() == text]
    assert len(lines) == 1, text
    return lines[0]


@dataclass(frozen=True)
class Probe:
    project: Path
    build: BuildResult


def build_probe(where: Path) -> Probe:
    """Copy firmware/ and specs/ to ``where``, add the application and build it (unverified:
    what is under test is the debug information, not the proofs)."""
    shutil.copytree(ROOT / "firmware", where / "firmware")
    shutil.copytree(ROOT / "specs", where / "specs")
    app = where / APP
    app.mkdir()
    (app / "__init__.py").write_text("")
    (app / "main.py").write_text(SOURCE)
    return Probe(where, compile_app(app, BOARD, verify=False))
