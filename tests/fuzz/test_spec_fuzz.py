"""Fuzzing the spec loader: mutated register maps, boards and interfaces through ``tamapy check``.

Each mutant replaces one spec file of a private project copy; checking the
hello application loads the board, its SoC's register maps and the interface
specs, so every loader sees it.  The property is the one of tests/fuzz/support.py.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given

from tests.fuzz.support import FileTarget, fuzz_settings, project_copy

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
NUMBERS = ("0", "-1", "1", "31", "32", "0xFFFFFFFF", "0x100000000", "99999999999999999999", "1e9", "nan")


TARGET = FileTarget("spec", "specs", BASES, lambda project, _: [
    "check", "--board", "mcimx6ul-evk", str(project / "firmware" / "examples" / "hello")])
"""Checking hello loads the board, its SoC's register maps and the interface specs."""


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return project_copy(tmp_path_factory.mktemp("fuzz-spec") / "proj")


@fuzz_settings(1000)
@given(TARGET.mutants(SNIPPETS, NUMBERS))
def test_mutated_specs_get_located_errors(project: Path, case: tuple[str, bytes]) -> None:
    base, data = case
    assert TARGET.check(project, base, data) == []


def test_kept_failing_specs_stay_fixed(project: Path) -> None:
    """Every input a fuzz run kept (tests/fuzz/regressions/spec/) passes now."""
    TARGET.replay(project)
