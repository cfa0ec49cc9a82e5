"""Fuzzing the spec loader: mutated register maps, boards and interfaces through ``tamapy check``.

Each mutant replaces one spec file of a private project copy; checking the
hello application loads the board, its SoC's register maps and the interface
specs, so every loader sees it.  The property is the one of tests/fuzz/support.py.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.fuzz.support import fuzz_settings, keep, mutate_lines, problems, regressions, run_cli

ROOT = Path(__file__).resolve().parents[2]
BASES = ("soc/imx6ul/gpt.toml", "soc/imx6ul/uart.toml", "soc/imx6ul/ccm.toml", "soc/imx6ul/rngb.toml",
         "boards/mcimx6ul-evk.toml", "interfaces/crypto.toml")
SNIPPETS = (
    "[registers.X]", "[registers.X.fields]", "[instances]", "[peripheral]", "[[invariants]]", "[functions.f]",
    'bits = "31:0"', 'bits = "40:33"', 'bits = "0:7"', 'bits = "x"', 'access = "XX"', 'access = "W1C"',
    "offset = 0x10000000", "offset = -4", "offset = 3", "width = 64", "width = 0", "count = 0", "count = 100000",
    "size = 0", "reset = 0x1ffffffff", 'aliases = ["SET", "SET"]', 'module = "nowhere.at.all"',
    'requires = ["len(data) <"]', 'ensures = ["import os"]', 'params = ["x"]', "x = { bits = 1 }",
    'uart = "UART9"', "load_address = 0xFFFFFFFF", 'soc = "imx9"', "key = [1, [2, [3]]]", '"""', "'''", "= 1",
)
ORIGINALS = {base: (ROOT / "specs" / base).read_bytes() for base in BASES}
"""The files mutated, read once: the draws must not depend on a tree that changes during a run."""
NUMBERS = ("0", "-1", "1", "31", "32", "0xFFFFFFFF", "0x100000000", "99999999999999999999", "1e9", "nan")


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    dst = tmp_path_factory.mktemp("fuzz-spec") / "proj"
    shutil.copytree(ROOT / "firmware", dst / "firmware")
    shutil.copytree(ROOT / "specs", dst / "specs")
    return dst


@st.composite
def mutant(draw: st.DrawFn) -> tuple[str, bytes]:
    """A spec file and a mutated copy of its bytes."""
    base = draw(st.sampled_from(BASES))
    return base, mutate_lines(draw, ORIGINALS[base], SNIPPETS, NUMBERS)


def check_spec(project: Path, base: str, data: bytes) -> list[str]:
    target = project / "specs" / base
    original = ORIGINALS[base]
    target.write_bytes(data)
    try:
        outcome = run_cli(["check", "--board", "mcimx6ul-evk", str(project / "firmware" / "examples" / "hello")])
    finally:
        target.write_bytes(original)
    found = problems(outcome, time_bound=20.0)
    if found:
        keep("spec", base.encode() + b"\0" + data, ".case")
    return found


@fuzz_settings(1000)
@given(mutant())
def test_mutated_specs_get_located_errors(project: Path, case: tuple[str, bytes]) -> None:
    base, data = case
    assert check_spec(project, base, data) == []


def test_kept_failing_specs_stay_fixed(project: Path) -> None:
    """Every input a fuzz run kept (tests/fuzz/regressions/spec/) passes now."""
    for kept in regressions("spec"):
        base, _, data = kept.read_bytes().partition(b"\0")
        assert check_spec(project, base.decode(), data) == [], kept.name
