"""Every construct outside the subset is rejected with its code, at its line and column."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tamapy.diagnostics import TamapyError
from tamapy.lang import check_paths

HEADER = "from tamapy.fw import Bytes, View, requires, u8, u16, u32, i32\n"
# Cases: (id, body after the header, code, line, column). Line 1 is the header.
CASES = [
    ("try", "def f() -> None:\n    try:\n        pass\n    except Exception:\n        pass\n", "E101", 3, 5),
    ("raise", "def f() -> None:\n    raise ValueError\n", "E101", 3, 5),
    ("with", "def f(x: u32) -> None:\n    with x:\n        pass\n", "E102", 3, 5),
    ("lambda", "def f() -> u32:\n    g = lambda: 1\n    return 0\n", "E103", 3, 9),
    ("listcomp", "def f() -> None:\n    x = [i for i in range(3)]\n", "E104", 3, 9),
    ("genexp", "def f(a: u32) -> None:\n    g(i for i in range(a))\n", "E104", 3, 6),
    ("yield", "def f() -> u32:\n    yield 1\n", "E105", 3, 5),
    ("async", "async def f() -> None:\n    pass\n", "E105", 2, 1),
    ("float", "def f() -> u32:\n    x: u32 = 1.5\n    return x\n", "E106", 3, 14),
    ("truediv", "def f(a: u32) -> u32:\n    return a / 2\n", "E106", 3, 12),
    ("str", "def f() -> None:\n    s: u32 = 'x'\n", "E107", 3, 14),
    ("class", "class Point:\n    pass\n", "E108", 2, 1),
    ("recursion", "def f(n: u32) -> u32:\n    if n == 0:\n        return 0\n    return f(n - 1)\n", "E109", 5, 12),
    ("mutual-recursion", "def f(n: u32) -> None:\n    g(n)\n\n\ndef g(n: u32) -> None:\n    f(n)\n", "E109", 7, 5),
    ("nested-def", "def f() -> None:\n    def g() -> None:\n        pass\n", "E110", 3, 5),
    ("global-module", "global x\n", "E111", 2, 1),
    ("global-missing", "count: u32 = 0\n\n\ndef f() -> None:\n    count = 1\n", "E111", 6, 5),
    ("nonlocal", "def f() -> None:\n    nonlocal x\n", "E111", 3, 5),
    ("star-args", "def f(*args: u32) -> None:\n    pass\n", "E112", 2, 1),
    ("default-arg", "def f(a: u32 = 1) -> None:\n    pass\n", "E112", 2, 1),
    ("no-param-annotation", "def f(a) -> None:\n    pass\n", "E113", 2, 7),
    ("no-return-annotation", "def f(a: u32):\n    pass\n", "E113", 2, 1),
    ("no-local-annotation", "def f() -> None:\n    x = 1\n", "E113", 3, 5),
    ("dict", "def f() -> None:\n    d: u32 = {}\n", "E114", 3, 14),
    ("tuple", "def f(a: u32) -> u32:\n    return (a, a)\n", "E114", 3, 12),
    ("import-in-function", "def f() -> None:\n    import os\n", "E115", 3, 5),
    ("relative-import", "from . import x\n", "E115", 2, 1),
    ("unknown-module", "from os import path\n", "E115", 2, 1),
    ("del", "def f(a: u32) -> None:\n    del a\n", "E116", 3, 5),
    ("pow", "def f(a: u32) -> u32:\n    return a ** 2\n", "E117", 3, 12),
    ("is", "def f(a: u32) -> bool:\n    return a is 1\n", "E117", 3, 12),
    ("unknown-decorator", "@staticmethod\ndef f() -> None:\n    pass\n", "E118", 2, 2),
    ("for-not-range", "def f(b: Bytes[4]) -> None:\n    for x in b:\n        pass\n", "E119", 3, 5),
    ("while-else", "def f(a: u32) -> None:\n    while a:\n        a -= 1\n    else:\n        pass\n", "E120", 3, 5),
    ("unknown-name", "def f() -> u32:\n    return nope\n", "E200", 3, 12),
    ("int-annotation", "def f(a: int) -> None:\n    pass\n", "E201", 2, 10),
    ("array-as-int", "def f(b: Bytes[4]) -> u32:\n    return b\n", "E201", 3, 12),
    ("literal-too-big", "def f() -> None:\n    x: u8 = 256\n", "E202", 3, 13),
    ("wrong-arg-count", "def g(a: u32) -> None:\n    pass\n\n\ndef f() -> None:\n    g(1, 2)\n", "E203", 7, 5),
    ("missing-return", "def f(a: u32) -> u32:\n    if a:\n        return 1\n", "E206", 2, 1),
    ("index-out-of-bounds", "def f(b: Bytes[4]) -> u8:\n    return b[4]\n", "E208", 3, 14),
    ("write-constant", "K: Final = b'abc'\n\n\ndef f() -> None:\n    K[0] = 1\n", "E208", 6, 5),
    ("view-is-read-only", "def f(v: View[u8]) -> None:\n    v[0] = 1\n", "E208", 3, 5),
    ("use-before-assign", "def f(a: u32) -> u32:\n    if a:\n        x: u32 = 1\n    return x\n", "E212", 5, 12),
    ("call-not-function", "def f(a: u32) -> None:\n    a(1)\n", "E204", 3, 5),
    ("syntax", "def f(:\n", "E100", 2, 7),
    ("view-local", "def f(b: Bytes[4]) -> None:\n    v: View[u8] = b[0:2]\n", "E201", 3, 5),
    ("aliasing", "def g(a: Bytes[4], b: Bytes[4]) -> None:\n    pass\n\n\ndef f(x: Bytes[4]) -> None:\n    g(x, x)\n", "E208", 7, 5),
    ("call-in-contract", "def g(a: u32) -> bool:\n    return a > 1\n\n\n@requires(lambda a: g(a))\ndef f(a: u32) -> None:\n    pass\n", "E203", 6, 21),
    ("dma-local", "from tamapy.fw import Dma\n\n\ndef f() -> None:\n    b: Dma[Bytes[4]] = Dma[Bytes[4]]()\n", "E201", 6, 5),
    ("non-dma-to-dma-param", "from tamapy.fw import Dma\n\n\ndef g(b: Dma[Bytes[4]]) -> None:\n    pass\n\n\ndef f(b: Bytes[4]) -> None:\n    g(b)\n", "E201", 10, 7),
    ("dma-to-plain-param", "from tamapy.fw import Dma\n\nbuf: Dma[Bytes[4]] = Dma[Bytes[4]]()\n\n\ndef g(b: Bytes[4]) -> None:\n    pass\n\n\ndef f() -> None:\n    g(buf)\n", "E201", 12, 7),
    ("dma-as-view", "from tamapy.fw import Dma\n\nbuf: Dma[Bytes[4]] = Dma[Bytes[4]]()\n\n\ndef g(b: View[u8]) -> None:\n    pass\n\n\ndef f() -> None:\n    g(buf[0:2])\n", "E201", 12, 7),
    # Writable views: only a MutView parameter is written through, only writable memory reaches one.
    ("write-through-view", "def f(v: View[u8]) -> None:\n    v[0] = 1\n", "E208", 3, 5),
    ("write-through-slice", "def f(b: Bytes[4]) -> None:\n    b[0:2][0] = 1\n", "E208", 3, 5),
    ("literal-to-mutview", "from tamapy.fw import MutView\n\n\ndef g(v: MutView[u8]) -> None:\n    pass\n\n\n"
     "def f() -> None:\n    g(b\"ab\")\n", "E208", 10, 7),
    ("view-to-mutview", "from tamapy.fw import MutView\n\n\ndef g(v: MutView[u8]) -> None:\n    pass\n\n\n"
     "def f(r: View[u8]) -> None:\n    g(r[0:1])\n", "E208", 10, 7),
    ("conditional-to-mutview", "from tamapy.fw import MutView\n\n\ndef g(v: MutView[u8]) -> None:\n    pass\n\n\n"
     "def f(c: bool, a: Bytes[4]) -> None:\n    g(a[0:2] if c else a)\n", "E201", 10, 7),
    ("mutview-local", "from tamapy.fw import MutView\n\n\ndef f(b: Bytes[4]) -> None:\n    v: MutView[u8] = b\n",
     "E201", 6, 5),
    ("mutview-aliases-view", "from tamapy.fw import MutView\n\n\ndef g(o: MutView[u8], i: View[u8]) -> None:\n"
     "    pass\n\n\ndef f(b: Bytes[8]) -> None:\n    g(b[0:4], b[4:8])\n", "E208", 10, 5),
    # Constant tables: every element a constant that fits, exactly N of them, never written.
    ("table-count", "from tamapy.fw import Array\nK: Final = Array[u32, 3](1, 2)\n", "E203", 3, 12),
    ("table-element-too-big", "from tamapy.fw import Array\nK: Final = Array[u16, 2](1, 0x10000)\n", "E202", 3, 29),
    ("table-negative-unsigned", "from tamapy.fw import Array\nK: Final[Array[u32, 2]] = Array[u32, 2](1, -1)\n",
     "E202", 3, 44),
    ("table-element-not-constant", "from tamapy.fw import Array\nn: u32 = 0\nK: Final = Array[u32, 2](n, 1)\n",
     "E202", 4, 26),
    ("table-of-zeros", "from tamapy.fw import Array\nK: Final[Array[u32, 2]] = Array[u32, 2]()\n", "E201", 3, 1),
    ("table-not-final", "from tamapy.fw import Array\nK: Array[u32, 2] = Array[u32, 2](1, 2)\n", "E201", 3, 20),
    ("write-table", "from tamapy.fw import Array\nK: Final = Array[u32, 2](1, 2)\n\n\ndef f() -> None:\n    K[0] = 1\n",
     "E208", 7, 5),
    ("augment-table", "from tamapy.fw import Array\nK: Final = Array[i32, 2](1, 2)\n\n\ndef f() -> None:\n    K[1] += 1\n",
     "E208", 7, 5),
    ("table-to-mutable-param", "from tamapy.fw import Array\nK: Final = Array[u32, 2](1, 2)\n\n\n"
     "def g(a: Array[u32, 2]) -> None:\n    pass\n\n\ndef f() -> None:\n    g(K)\n", "E208", 11, 7),
    # old() is an entry value for post-conditions only: line 2 imports it.
    ("old-in-requires", "from tamapy.fw import old\n\n\n@requires(lambda a: old(a) > 0)\ndef f(a: u32) -> None:\n    pass\n",
     "E203", 5, 21),
    ("old-in-invariant", "from tamapy.fw import invariant, old\n\n\ndef f(a: u32) -> None:\n    for i in range(3):\n"
     "        invariant(old(a) == a)\n", "E203", 7, 19),
    ("old-in-body", "from tamapy.fw import old\n\n\ndef f(a: u32) -> u32:\n    return old(a)\n", "E203", 6, 12),
    ("old-nested", "from tamapy.fw import ensures, old\n\nn: u32 = 0\n\n\n@ensures(lambda: n == old(old(n)))\n"
     "def f() -> None:\n    pass\n", "E203", 7, 27),
    ("old-of-result", "from tamapy.fw import ensures, old\n\n\n@ensures(lambda result: old(result) == 0)\n"
     "def f() -> u32:\n    return 0\n", "E203", 5, 25),
    ("old-of-array", "from tamapy.fw import ensures, old\n\n\n@ensures(lambda b: old(b) == b)\n"
     "def f(b: Bytes[4]) -> None:\n    pass\n", "E201", 5, 20),
    ("assign-loop-variable", "def f() -> None:\n    for i in range(3):\n        i = 5\n", "E114", 4, 9),
]
REG_HEADER = "from soc.imx6ul.regs import CCM, UART1\nfrom tamapy.fw import u8, u32\n"
# Register rules that are decidable from the spec alone. Line 1-2 are the header.
REG_CASES = [
    # enable_clock(INSTANCE): a register instance the specs give a clock gate, as a statement.
    ("enable-clock-of-a-number", "from tamapy.fw import enable_clock\n\n\ndef f() -> None:\n    enable_clock(5)\n",
     "E201", 7, 18),
    ("enable-clock-two-instances", "from tamapy.fw import enable_clock\n\n\ndef f() -> None:\n"
     "    enable_clock(UART1, UART1)\n", "E203", 7, 5),
    ("enable-clock-ungated", "from soc.imx6ul.regs import RNGB\nfrom tamapy.fw import enable_clock\n\n\n"
     "def f() -> None:\n    enable_clock(RNGB)\n", "E205", 8, 18),
    ("enable-clock-as-a-value", "from tamapy.fw import enable_clock\n\n\ndef f() -> u32:\n"
     "    return enable_clock(UART1)\n", "E204", 7, 12),
    ("write-ro-register", "def f() -> None:\n    UART1.URXD.write(RX_DATA=1)\n", "E205", 4, 5),
    ("read-wo-register", "def f() -> u32:\n    return UART1.UTXD.read()\n", "E205", 4, 12),
    ("modify-w1c-register", "def f() -> None:\n    UART1.USR1.modify(RTSD=1)\n", "E205", 4, 5),
    ("modify-read-sensitive", "def f() -> None:\n    UART1.URXD.modify(RX_DATA=1)\n", "E205", 4, 5),
    ("unknown-field", "def f() -> None:\n    UART1.UCR1.write(NOPE=1)\n", "E205", 4, 22),
    ("unknown-register", "def f() -> u32:\n    return UART1.NOPE.read()\n", "E205", 4, 12),
    ("ro-field", "def f() -> None:\n    UART1.USR1.clear(TRDY=1)\n", "E205", 4, 22),
    ("no-set-alias", "def f() -> None:\n    UART1.UCR1.set(UARTEN=1)\n", "E205", 4, 5),
    # A raw write of a W1C register from its own read writes back (and clears) every pending event.
    ("raw-w1c-from-read", "def f() -> None:\n    UART1.USR1.write(UART1.USR1.read() & 0x20)\n", "E205", 4, 22),
    ("raw-w1c-via-local", "def f() -> None:\n    v: u32 = UART1.USR1.read()\n    UART1.USR1.write(v)\n", "E205", 5, 22),
    ("raw-w1c-parameter", "def f(m: u32) -> None:\n    UART1.USR2.write(m)\n", "E205", 4, 22),
    # Register values: fields of that register only, and only a read of it has the type.
    ("value-unknown-field", "from tamapy.fw import RegValue\n\n\ndef f() -> u32:\n"
     "    sr: RegValue[UART1.USR1] = UART1.USR1.read()\n    return sr.TXFE\n", "E205", 8, 12),
    ("value-of-another-register", "from tamapy.fw import RegValue\n\n\ndef f() -> None:\n"
     "    sr: RegValue[UART1.USR1] = UART1.USR2.read()\n", "E201", 7, 32),
    ("value-from-integer", "from tamapy.fw import RegValue\n\n\ndef f(x: u32) -> None:\n"
     "    sr: RegValue[UART1.USR1] = x\n", "E201", 7, 32),
    ("value-of-no-register", "from tamapy.fw import RegValue\n\n\ndef f(sr: RegValue[u32]) -> None:\n    pass\n",
     "E201", 6, 11),
    # Register arrays: only an array is indexed, an array only through an index, within it.
    ("index-single-register", "def f() -> u32:\n    return UART1.UCR1[0].read()\n", "E205", 4, 12),
    ("array-without-index", "from soc.imx6ul.regs import OCOTP\n\n\ndef f() -> u32:\n    return OCOTP.FUSE.read()\n",
     "E205", 7, 12),
    ("array-constant-index-outside", "from soc.imx6ul.regs import OCOTP\n\n\ndef f() -> u32:\n    return OCOTP.FUSE[48].read()\n",
     "E205", 7, 23),
    ("array-write-read-only", "from soc.imx6ul.regs import OCOTP\n\n\ndef f() -> None:\n    OCOTP.FUSE[0].write(1)\n",
     "E205", 7, 5),
    # Field arrays (one bit or field per pin): used one element at a time, by the register's rules.
    ("field-array-without-index", "from soc.imx6ul.regs import GPIO1\n\n\ndef f(pin: u32) -> u32:\n    return GPIO1.DR.IO\n", "E205", 7, 12),
    ("field-array-constant-outside", "from soc.imx6ul.regs import GPIO1\n\n\ndef f(pin: u32) -> u32:\n    return GPIO1.DR.IO[32]\n", "E205", 7, 24),
    ("field-array-write-read-only", "from soc.imx6ul.regs import GPIO1\n\n\ndef f(pin: u32) -> None:\n    GPIO1.PSR.IO.write(pin, 1)\n", "E205", 7, 5),
    ("field-array-no-set-alias", "from soc.imx6ul.regs import GPIO1\n\n\ndef f(pin: u32) -> None:\n    GPIO1.DR.IO.set(pin)\n", "E205", 7, 5),
    ("field-array-modify-w1c", "from soc.imx6ul.regs import GPIO1\n\n\ndef f(pin: u32) -> None:\n    GPIO1.ISR.IO.write(pin, 1)\n", "E205", 7, 5),
    ("field-array-named-as-field", "from soc.imx6ul.regs import GPIO1\n\n\ndef f(pin: u32) -> None:\n    GPIO1.DR.modify(IO=1)\n", "E205", 7, 21),
    ("field-array-value-too-wide", "from soc.imx6ul.regs import GPIO1\n\n\ndef f(pin: u32) -> None:\n    GPIO1.ICR1.ICR.write(pin, 4)\n", "E205", 7, 31),
    ("field-array-write-no-value", "from soc.imx6ul.regs import GPIO1\n\n\ndef f(pin: u32) -> None:\n    GPIO1.DR.IO.write(pin)\n", "E203", 7, 5),
    ("field-array-element-method", "from soc.imx6ul.regs import GPIO1\n\n\ndef f(pin: u32) -> None:\n    GPIO1.DR.IO[pin].write(1)\n", "E205", 7, 5),
    ("field-array-unknown-method", "from soc.imx6ul.regs import GPIO1\n\n\ndef f(pin: u32) -> None:\n    GPIO1.DR.IO.modify(pin)\n", "E205", 7, 5),
    ("field-array-element-outside-write", "from soc.imx6ul.regs import GPIO1\n\n\ndef f(pin: u32) -> None:\n    GPIO1.ICR2.ICR.write(16, 1)\n", "E205", 7, 26),
    ("value-element-run-time-index-in-contract",
     "from soc.imx6ul.regs import GPIO1\nfrom tamapy.fw import RegValue, requires\n\n\n"
     "@requires(lambda v, pin: v.IO[pin] == 1)\ndef f(v: RegValue[GPIO1.PSR], pin: u32) -> None:\n    pass\n",
     "E205", 7, 31),
    ("value-whole-field-array",
     "from soc.imx6ul.regs import GPIO1\nfrom tamapy.fw import RegValue\n\n\ndef f() -> u32:\n"
     "    v: RegValue[GPIO1.PSR] = GPIO1.PSR.read()\n    return v.IO\n", "E205", 9, 12),
    # WDOG WICR has no CLR alias: clear(WTIS=1) would store 0 into WICT and WIE.
    ("w1c-clear-zeroes-fields", "from soc.imx6ul.regs import WDOG1\n\n\ndef f() -> None:\n    WDOG1.WICR.clear(WTIS=1)\n",
     "E205", 7, 5),
    ("field-too-wide", "def f() -> None:\n    CCM.CCGR5.modify(CG12=4)\n", "E205", 4, 27),
    ("attribute-assign", "def f() -> None:\n    UART1.UCR1 = 1\n", "E205", 4, 5),
    # Peripheral instances: the same block or not, nothing else.
    ("instance-ordered", "from soc.imx6ul.regs import UART2\n\n\ndef f() -> bool:\n    return UART1 < UART2\n",
     "E201", 7, 12),
    ("instance-other-peripheral", "from soc.imx6ul.regs import GPT1\n\n\ndef f() -> bool:\n    return UART1 == GPT1\n",
     "E201", 7, 12),
    ("instance-with-integer", "def f(x: u32) -> bool:\n    return UART1 == x\n", "E201", 4, 12),
    ("instance-from-integer", "from soc.imx6ul.regs import UART\n\n\ndef g(u: UART) -> None:\n    pass\n\n\n"
     "def f() -> None:\n    g(0x02020000)\n", "E201", 11, 7),
    ("mmio-untrusted", "from tamapy.fw import mmio\n\n\ndef f() -> u32:\n    return mmio.read32(0x02020000)\n", "E205", 7, 12),
]


def _check(project: Path, source: str) -> TamapyError:
    path = project / "firmware" / "examples" / "case.py"
    path.write_text(source)
    with pytest.raises(TamapyError) as info:
        check_paths([path], "mcimx6ul-evk")
    return info.value


@pytest.mark.parametrize(("source", "code", "line", "col"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_rejected_construct(project: Path, source: str, code: str, line: int, col: int) -> None:
    src = HEADER + ("from typing import Final\n" if "Final" in source else "") + source
    if "Final" in source:
        line += 1
    err = _check(project, src)
    first = err.diagnostics[0]
    assert (first.code, first.line, first.col) == (code, line, col), err
    assert first.file.endswith("case.py")
    assert first.hint, "every diagnostic carries a hint"


@pytest.mark.parametrize(("source", "code", "line", "col"), [c[1:] for c in REG_CASES], ids=[c[0] for c in REG_CASES])
def test_rejected_register_use(project: Path, source: str, code: str, line: int, col: int) -> None:
    err = _check(project, REG_HEADER + source)
    first = err.diagnostics[0]
    assert (first.code, first.line, first.col) == (code, line, col), err


def test_raw_write_of_a_w1c_register_with_a_constant_is_accepted(project: Path) -> None:
    path = project / "firmware" / "examples" / "case.py"
    path.write_text(REG_HEADER + "from typing import Final\n\nRTSD: Final = 0x1000\n\n\n"
                    "def f() -> None:\n    UART1.USR1.write(RTSD)\n    UART1.USR2.write(0x2)\n")
    assert check_paths([path], "mcimx6ul-evk") == 1


def test_every_error_is_reported_not_just_the_first(project: Path) -> None:
    err = _check(project, HEADER + "def f() -> None:\n    x = 1.5\n    y = 'a'\n")
    assert [d.code for d in err.diagnostics] == ["E106", "E107"]


def test_cli_reports_file_line_col_code_and_hint_with_status_2(project: Path) -> None:
    path = project / "firmware" / "examples" / "case.py"
    path.write_text(HEADER + "def f() -> None:\n    try:\n        pass\n    finally:\n        pass\n")
    proc = subprocess.run(
        [sys.executable, "-m", "tamapy", "check", str(path)], capture_output=True, text=True, cwd=project
    )
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.splitlines()
    assert lines[0] == "firmware/examples/case.py:3:5: error[E101]: exceptions are not in the subset"
    assert lines[1].startswith("  hint: ")


def test_missing_main_is_reported(project: Path) -> None:
    from tamapy.lang import load_program

    app = project / "firmware" / "examples" / "nomain"
    app.mkdir()
    (app / "main.py").write_text(HEADER + "def start() -> None:\n    pass\n")
    with pytest.raises(TamapyError) as info:
        load_program(app, "mcimx6ul-evk")
    assert info.value.diagnostics[0].code == "E209"


def test_import_of_missing_name_is_reported(project: Path) -> None:
    err = _check(project, "from runtime.console import nothing_here\n")
    assert (err.diagnostics[0].code, err.diagnostics[0].line) == ("E115", 1)


def test_source_is_not_valid_utf8(project: Path) -> None:
    path = project / "firmware" / "examples" / "case.py"
    path.write_bytes(b"x = '\xff'\n")
    with pytest.raises(TamapyError) as info:
        check_paths([path], "mcimx6ul-evk")
    assert info.value.diagnostics[0].code == "E001"


def test_an_application_main_is_never_called(project: Path) -> None:
    """`main` is proved from the reset state (globals at their initial values): a second call
    would start from another state, so no code may call it (here the panic path would)."""
    app = project / "firmware" / "examples" / "again"
    app.mkdir()
    (app / "main.py").write_text(HEADER + "count: u32 = 0\n\n\ndef main() -> None:\n    global count\n"
                                 "    assert count == 0\n    count = 1\n\n\ndef again() -> None:\n    main()\n")
    with pytest.raises(TamapyError) as info:
        check_paths([app / "main.py"], "mcimx6ul-evk")
    first = info.value.diagnostics[0]
    assert (first.code, first.line, first.col) == ("E209", 12, 5)
