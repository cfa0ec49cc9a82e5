"""Fuzzing the front end: mutated firmware modules through ``tamapy check``.

Mutants start from real modules and apply edits a careless user or an attacker
would make: byte flips, cut and duplicated lines, constructs outside the
subset, boundary numbers, deep nesting, bytes that are not UTF-8.  The
property (tests/fuzz/support.py): exit status 0, 1 or 2, no internal error, a
location and a hint on every error, no hang.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given

from tests.fuzz.support import FileTarget, fuzz_settings, project_copy

BASES = ("crypto/sha256_sw.py", "examples/hello/main.py", "runtime/console.py", "soc/imx6ul/gpt.py")
SNIPPETS = (
    "lambda: 0", "yield x", "class C:\n    pass", "try:\n    pass\nexcept:\n    pass", "global x", "del x",
    "(x := 1)", "x ** 2", "import os", "from . import x", "async def f():\n    pass", "with x:\n    pass",
    "1.5", "'text'", "[1, 2]", "{1: 2}", "f'{x}'", "x[1:2][0:1]", "not " * 120 + "x", "(" * 90 + "x" + ")" * 90,
    " + ".join(["x"] * 300), "-" * 400 + "x", "@decorator", "*args", "x if y else z", "match x:\n    case 1:\n        pass",
    "u32(-1)", "u8(256)", "Array[u32, 0]()", "Array[u32, 4294967296]()", "2 ** 64", "10 ** 100", "0x" + "f" * 40,
    "invariant(True)", "decreases(x)", "old(x)", "panic(0)", "__import__('os')", "exec('1')", "\t", "\\",
)
NUMBERS = ("0", "-1", "1", "255", "256", "65535", "4294967295", "4294967296", "18446744073709551616", "10**30")


TARGET = FileTarget("source", "firmware", BASES, lambda project, base: [
    "check", "--board", "mcimx6ul-evk", str(project / "firmware" / base)])


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return project_copy(tmp_path_factory.mktemp("fuzz-src") / "proj")


@fuzz_settings(1000)
@given(TARGET.mutants(SNIPPETS, NUMBERS))
def test_mutated_modules_get_located_errors(project: Path, case: tuple[str, bytes]) -> None:
    base, data = case
    assert TARGET.check(project, base, data) == []


def test_kept_failing_sources_stay_fixed(project: Path) -> None:
    """Every input a fuzz run kept (tests/fuzz/regressions/source/) passes now."""
    TARGET.replay(project)
