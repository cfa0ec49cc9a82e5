"""Constructs whose Python meaning the subset does not model are rejected, not mis-proved.

Each class has several rejected shapes (code, line, column) and a correct
twin that is accepted and proves.  Lines count from 1 at the header.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tamapy.diagnostics import TamapyError
from tamapy.lang import check_paths
from tamapy.verify import verify_tree

HEADER = "from tamapy.fw import Bytes, View, decreases, ensures, invariant, requires, u8, u32\n\n\n"  # lines 1-3

# (id, source after the header, code, line, column)
REJECTED = [
    # A local hides a builtin: CPython no longer calls the builtin.
    ("local-named-len", "def f(n: u32) -> u32:\n    len: u32 = n\n    return len\n", "E121", 5, 5),
    ("local-named-range", "def f() -> u32:\n    range: u32 = 3\n    return range\n", "E121", 5, 5),
    ("parameter-named-max", "def f(max: u32) -> u32:\n    return 0\n", "E121", 4, 7),
    # A local hides a module global: a read before the assignment is an UnboundLocalError.
    ("local-shadows-global",
     "limit: u32 = 4\n\n\ndef f(n: u32) -> u32:\n    if n > 2:\n        limit: u32 = n\n    return limit\n", "E121", 9, 9),
    ("local-shadows-function", "def g() -> u32:\n    return 1\n\n\ndef f() -> u32:\n    g: u32 = 2\n    return g\n",
     "E121", 9, 5),
    ("parameter-shadows-global", "count: u32 = 0\n\n\ndef f(count: u32) -> u32:\n    return count\n", "E121", 7, 7),
    # Reusing an enclosing loop's variable.
    ("nested-for-same-variable",
     "def f() -> u32:\n    t: u32 = 0\n    for i in range(3):\n        for i in range(2):\n            t += 1\n    return t\n",
     "E114", 7, 13),
    ("nested-for-deeper",
     "def f() -> u32:\n    t: u32 = 0\n    for i in range(3):\n        for j in range(2):\n            for i in range(1):\n"
     "                t += 1\n    return t\n", "E114", 8, 17),
    ("for-inside-while-inside-for",
     "def f() -> u32:\n    t: u32 = 0\n    for k in range(2):\n        while t < 5:\n            for k in range(2):\n"
     "                t += 1\n    return t\n", "E114", 8, 17),
    # Non-bool operands of and/or/not: Python's `a or b` is an operand, not a bool.
    ("int-or", "def f(a: u32, b: u32) -> bool:\n    return a or b\n", "E122", 5, 12),
    ("int-and-in-condition", "def f(a: u32, b: u32) -> u32:\n    if a > 1 and b:\n        return 1\n    return 0\n",
     "E122", 5, 18),
    ("not-int", "def f(a: u32) -> bool:\n    return not a\n", "E122", 5, 16),
    # A slice of a slice escapes the one-level aliasing rules.
    ("slice-of-slice-argument",
     "def g(v: View[u8]) -> u8:\n    return 0\n\n\ndef f(b: Bytes[8]) -> u8:\n    return g(b[0:4][0:2])\n", "E124", 9, 14),
    ("slice-of-global-slice",
     "G: Bytes[8] = Bytes[8]()\n\n\ndef g(v: View[u8]) -> u8:\n    return 0\n\n\ndef f() -> u8:\n    return g(G[0:4][0:1])\n",
     "E124", 12, 14),
    # A measure is ghost code: compiled code never evaluates it, CPython does, and its calls
    # would be missing from the function's effects and cache key.
    ("call-in-decreases",
     "def m(n: u32) -> u32:\n    return n\n\n\ndef f(n: u32) -> u32:\n    i: u32 = 0\n    while i < n:\n"
     "        decreases(m(n) - i)\n        i += 1\n    return i\n", "E203", 11, 19),
    ("call-deep-in-decreases",
     "def m(n: u32) -> u32:\n    return n\n\n\ndef f(n: u32) -> u32:\n    i: u32 = 0\n    while i < n:\n"
     "        decreases((n - i) * m(1))\n        i += 1\n    return i\n", "E203", 11, 29),
    ("effect-in-decreases",
     "k: u32 = 0\n\n\ndef tick() -> u32:\n    global k\n    k += 1\n    return 0\n\n\n"
     "def f(n: u32) -> u32:\n    i: u32 = 0\n    while i < n:\n        decreases(n - i + tick())\n        i += 1\n"
     "    return i\n", "E203", 16, 27),
    # `a[i] += f()`: Python evaluates the index before f() runs; f may change i.
    ("aug-index-global-changed-by-call",
     "i: u32 = 0\nA: Bytes[4] = Bytes[4]()\n\n\ndef f() -> u8:\n    global i\n    i = 3\n    return 1\n\n\n"
     "def g() -> None:\n    A[i] += f()\n", "E114", 15, 5),
    ("aug-index-global-in-sum",
     "i: u32 = 0\n\n\ndef f() -> u8:\n    return 1\n\n\ndef g(b: Bytes[8]) -> None:\n    b[i + 1] += f() + 1\n",
     "E114", 12, 5),
    ("aug-index-global-nested-call",
     "i: u32 = 0\n\n\ndef f(x: u8) -> u8:\n    return x\n\n\ndef g(b: Bytes[8]) -> None:\n    b[i] += 2 * f(1)\n",
     "E114", 12, 5),
    ("len-of-slice-of-slice", "def f(b: Bytes[8]) -> u32:\n    return len(b[1:6][1:3])\n", "E124", 5, 16),
    # Ghost code touching hardware: CPython would perform the access on the host, the image never does.
    ("register-read-in-requires",
     "from soc.imx6ul.regs import UART1\n\n\n@requires(lambda: UART1.USR1.RRDY == 1)\ndef f() -> None:\n    pass\n",
     "E203", 7, 19),
    ("register-read-in-invariant",
     "from soc.imx6ul.regs import UART1\n\n\ndef f() -> None:\n    for i in range(3):\n"
     "        invariant(UART1.USR1.read() >= 0)\n", "E203", 9, 19),
    ("poll-in-ensures",
     "from tamapy.fw import poll\n\nG: u32 = 0\n\n\n@ensures(lambda: poll(G == 0, limit=3))\ndef f() -> None:\n    pass\n",
     "E203", 9, 18),
    ("addr-of-in-requires",
     "from tamapy.fw import addr_of\n\nB: Bytes[4] = Bytes[4]()\n\n\n@requires(lambda: addr_of(B) != 0)\ndef f() -> None:\n"
     "    pass\n", "E203", 9, 19),
    # Trusted code's declaration names what exists.
    ("modifies-unknown-name",
     "from tamapy.fw import trusted\n\n\n@trusted(\"nothing\", modifies=(\"nope\",))\ndef f() -> None:\n    pass\n",
     "E118", 7, 31),
    # A conditional expression chooses arrays only as a read-only view, and every arm counts for aliasing.
    ("conditional-array-to-modify", "def g(p: Bytes[4]) -> None:\n    p[0] = 1\n\n\n"
     "def f(c: bool, a: Bytes[4], b: Bytes[4]) -> None:\n    g(a if c else b)\n", "E201", 9, 7),
    ("conditional-array-no-view", "def f(c: bool, a: Bytes[4], b: Bytes[2]) -> u32:\n    return len(a if c else b)\n",
     "E201", 5, 16),
    ("conditional-view-aliases-modified", "def g(p: Bytes[4], v: View[u8]) -> None:\n    p[0] = 1\n\n\n"
     "def f(c: bool, a: Bytes[4]) -> None:\n    g(a, b\"zz\" if c else a)\n", "E208", 9, 5),
    ("modifies-a-constant",
     "from typing import Final\n\nfrom tamapy.fw import trusted\n\nK: Final = 3\n\n\n"
     "@trusted(\"nothing\", modifies=(\"K\",))\ndef f() -> None:\n    pass\n", "E118", 11, 31),
]

# (id, source after the header): the same intent written in the subset; accepted and proved.
TWINS = [
    ("builtin-name-renamed", "def f(n: u32) -> u32:\n    length: u32 = n\n    return length\n"),
    ("global-read-then-local",
     "limit: u32 = 4\n\n\ndef f(n: u32) -> u32:\n    bound: u32 = limit\n    if n > 2:\n        bound = n\n    return bound\n"),
    ("nested-for-distinct",
     "@ensures(lambda result: result <= 6)\ndef f() -> u32:\n    t: u32 = 0\n    for i in range(3):\n"
     "        invariant(t <= 2 * i)\n        for j in range(2):\n            invariant(t <= 2 * i + j)\n"
     "            t += 1\n    return t\n"),
    ("bool-operands", "def f(a: u32, b: u32) -> bool:\n    return a != 0 or b != 0\n"),
    ("aug-index-local",
     "@ensures(lambda result: result <= 1)\ndef h() -> u8:\n    return 1\n\n\n"
     "@requires(lambda b, k: k < 8 and b[k] < 200)\ndef g(b: Bytes[8], k: u32) -> None:\n"
     "    j: u32 = k\n    b[j] += h()\n"),
    ("pure-measure",
     "def f(n: u32) -> u32:\n    i: u32 = 0\n    while i < n:\n        decreases(n - i)\n        i += 1\n    return i\n"),
    ("int-truth-in-if", "def f(a: u32) -> u32:\n    if a:\n        return 1\n    return 0\n"),
    ("view-chosen", "@requires(lambda v: len(v) >= 2)\ndef g(v: View[u8]) -> u8:\n    return v[1]\n\n\n"
     "def f(on: bool) -> u8:\n    return g(b\"on\" if on else b\"off\")\n"),
    ("one-slice", "def g(v: View[u8]) -> u8:\n    if len(v) == 0:\n        return 0\n    return v[0]\n\n\n"
     "def f(b: Bytes[8]) -> u8:\n    return g(b[1:3])\n"),
]

ENTRY_REQUIRES = "from tamapy.fw import requires\n\n\n@requires(lambda: False)\ndef main() -> None:\n    pass\n"
MUTABLE_IMPORT = "from examples.shared.state import count\nfrom tamapy.fw import u32\n\n\ndef get() -> u32:\n    return count\n"
STATE = "from typing import Final\n\nfrom tamapy.fw import Bytes, u32\n\ncount: u32 = 0\nTABLE: Bytes[4] = Bytes[4]()\nLIMIT: Final = 3\n"


def _write(project: Path, source: str) -> Path:
    path = project / "firmware" / "examples" / "case.py"
    path.write_text(source)
    return path


@pytest.mark.parametrize(("source", "code", "line", "col"), [c[1:] for c in REJECTED], ids=[c[0] for c in REJECTED])
def test_rejected(project: Path, source: str, code: str, line: int, col: int) -> None:
    with pytest.raises(TamapyError) as info:
        check_paths([_write(project, HEADER + source)], "mcimx6ul-evk")
    first = info.value.diagnostics[0]
    assert (first.code, first.line, first.col) == (code, line, col), info.value
    assert first.hint


def test_twins_are_accepted_and_proved(project: Path) -> None:
    source = HEADER + "\n\n".join(
        src.replace("def f(", f"def f_{i}(").replace("def g(", f"def g_{i}(").replace("g(b", f"g_{i}(b")
        .replace("def h(", f"def h_{i}(").replace("h()", f"h_{i}()")
        .replace("limit", f"limit_{i}")
        for i, (_, src) in enumerate(TWINS)
    )
    path = _write(project, source)
    report = verify_tree([path], "mcimx6ul-evk", workers=1)
    assert report.all_proved, [o for o in report.obligations if o.status.value != "proved"]
    assert len(report.results) == source.count("\ndef ")


ENTRY_SHAPES = [
    ("false", ENTRY_REQUIRES, 4),
    ("on-a-global",
     "from tamapy.fw import requires, u32\n\nmode: u32 = 0\n\n\n@requires(lambda: mode == 3)\ndef main() -> None:\n"
     "    pass\n", 6),
    ("after-an-ensures",
     "from tamapy.fw import ensures, requires\n\n\n@ensures(lambda: True)\n@requires(lambda: True)\ndef main() -> None:\n"
     "    pass\n", 5),
]


@pytest.mark.parametrize(("source", "line"), [c[1:] for c in ENTRY_SHAPES], ids=[c[0] for c in ENTRY_SHAPES])
def test_entry_point_cannot_have_a_precondition(project: Path, source: str, line: int) -> None:
    app = project / "firmware" / "examples" / "pre"
    app.mkdir()
    (app / "main.py").write_text(source)
    with pytest.raises(TamapyError) as info:
        check_paths([app / "main.py"], "mcimx6ul-evk")
    first = info.value.diagnostics[0]
    assert (first.code, first.line, first.col) == ("E209", line, 2)
    # A function called main outside an application's main.py may have one.
    (app / "other.py").write_text(ENTRY_REQUIRES.replace("False", "True"))
    assert check_paths([app / "other.py"], "mcimx6ul-evk") == 1


def test_from_import_of_a_mutable_scalar_is_rejected(project: Path) -> None:
    shared = project / "firmware" / "examples" / "shared"
    shared.mkdir()
    (shared / "__init__.py").write_text("")
    (shared / "state.py").write_text(STATE)
    path = _write(project, MUTABLE_IMPORT)
    with pytest.raises(TamapyError) as info:
        check_paths([path], "mcimx6ul-evk")
    first = info.value.diagnostics[0]
    assert (first.code, first.line) == ("E123", 1)
    # Arrays (shared by reference), constants and the module itself import fine.
    _write(project, "from examples.shared import state\nfrom examples.shared.state import LIMIT, TABLE\n"
           "from tamapy.fw import u32\n\n\ndef get() -> u32:\n    return state.count + TABLE[0] + LIMIT\n")
    assert check_paths([path], "mcimx6ul-evk") == 1
