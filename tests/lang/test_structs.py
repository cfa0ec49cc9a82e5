"""@struct classes: what the checker accepts, what it rejects (code, line, column), and the host's
struct objects, which keep the same rules at run time."""

from __future__ import annotations

from pathlib import Path

import pytest

from tamapy.fw import Array, Bytes, struct, u8, u16, u32
from tamapy.lang import check_paths
from tests.lang.test_rejects import _check

HEADER = "from tamapy.fw import Array, Bytes, Dma, MutView, View, addr_of, struct, u8, u16, u32, u64\n"
D = "@struct\nclass D:\n    a: u32\n    b: Bytes[4]\n    w: Array[u16, 2]\n\n\n"
"""Lines 2-6; code after it starts on line 9."""
VIEW = "def g(v: View[u8]) -> None:\n    pass\n\n\n"
"""Lines 9-12 after D; a function after it starts on line 13."""
CASES = [
    # The layout: members in order, each at a multiple of its element size, machine types only.
    ("misaligned", "@struct\nclass M:\n    a: u8\n    b: u32\n", "E201", 5, 5),
    ("bool-member", "@struct\nclass M:\n    ok: bool\n", "E201", 4, 9),
    ("nested-struct", D + "@struct\nclass N:\n    d: D\n", "E201", 11, 8),
    ("dma-member", "@struct\nclass M:\n    b: Dma[Bytes[4]]\n", "E201", 4, 8),
    ("default-value", "@struct\nclass M:\n    a: u32 = 0\n", "E108", 4, 5),
    ("method", "@struct\nclass M:\n    a: u32\n\n    def f(self) -> None:\n        pass\n", "E108", 6, 5),
    ("no-members", "@struct\nclass M:\n    '''Nothing.'''\n", "E108", 3, 1),
    ("base-class", "@struct\nclass M(Bytes):\n    a: u32\n", "E108", 3, 1),
    ("duplicate-member", "@struct\nclass M:\n    a: u32\n    a: u32\n", "E211", 5, 5),
    # Use: members by name, the struct itself only as a whole variable passed by reference.
    ("unknown-member", D + "def f(d: D) -> u32:\n    return d.c\n", "E200", 10, 12),
    ("index-struct", D + "def f(d: D) -> u32:\n    return d[0]\n", "E208", 10, 12),
    ("len-struct", D + "def f(d: D) -> u32:\n    return len(d)\n", "E201", 10, 12),
    ("struct-as-view", D + VIEW + "def f(d: D) -> None:\n    g(d)\n", "E201", 14, 7),
    ("slice-struct", D + VIEW + "def f(d: D) -> None:\n    g(d[0:2])\n", "E201", 14, 7),
    ("wide-member-as-view", D + "def g(v: View[u16]) -> None:\n    pass\n\n\ndef f(d: D) -> None:\n    g(d.w)\n",
     "E208", 14, 7),
    ("wide-member-slice", D + "def g(v: View[u16]) -> None:\n    pass\n\n\ndef f(d: D) -> None:\n    g(d.w[0:1])\n",
     "E208", 14, 7),
    ("assign-array-member", D + "def f(d: D) -> None:\n    d.b = 0\n", "E201", 10, 5),
    ("member-too-wide", D + "def f(d: D) -> None:\n    d.a = -1\n", "E202", 10, 11),
    ("member-index-constant", D + "def f(d: D) -> u16:\n    return d.w[2]\n", "E208", 10, 16),
    ("reassign-struct", D + "e: D = D()\n\n\ndef f(d: D) -> None:\n    global e\n    e = d\n", "E201", 14, 5),
    ("array-member-as-array", D + "def g(b: Bytes[4]) -> None:\n    pass\n\n\ndef f(d: D) -> None:\n    g(d.b)\n",
     "E201", 14, 7),
    ("alias-member", D + "def g(d: D, m: MutView[u8]) -> None:\n    pass\n\n\ndef f(d: D) -> None:\n    g(d, d.b)\n",
     "E208", 14, 5),
    ("return-struct", D + "def f(d: D) -> D:\n    return d\n", "E201", 9, 16),
    ("struct-init", D + "e: D = D(1)\n", "E201", 9, 8),
    ("local-dma-struct", D + "def f() -> None:\n    x: Dma[D] = Dma[D]()\n", "E201", 10, 5),
    ("dma-struct-to-plain", D + "p: Dma[D] = Dma[D]()\n\n\ndef g(d: D) -> None:\n    pass\n\n\ndef f() -> None:\n    g(p)\n",
     "E201", 17, 7),
    ("dma-member-as-view", D + "p: Dma[D] = Dma[D]()\n\n\n" + VIEW + "def f() -> None:\n    g(p.b)\n", "E201", 17, 7),
    ("addr-of-member", D + "def f(d: D) -> u32:\n    return addr_of(d.b)\n", "E201", 10, 12),
]


@pytest.mark.parametrize(("source", "code", "line", "col"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_rejected_struct_use(project: Path, source: str, code: str, line: int, col: int) -> None:
    err = _check(project, HEADER + source)
    first = err.diagnostics[0]
    assert (first.code, first.line, first.col) == (code, line, col), err
    assert first.hint


ACCEPTED = HEADER + D + '''p: Dma[D] = Dma[D]()
e: D = D()


def total(v: View[u8]) -> u32:
    return u32(len(v))


def fill(m: MutView[u8]) -> None:
    m[0] = 1


def use(d: D) -> u32:
    d.a = 7
    d.a += 1
    d.w[1] = 0xFFFF
    d.b[3] = d.b[0]
    fill(d.b)
    fill(d.b[2:4])
    return d.a + d.w[1] + total(d.b) + len(d.w) + addr_of(p) + p.a


def main() -> None:
    local: D = D()
    e.a = use(local)
'''


def test_every_use_of_a_struct_the_docs_show_is_accepted(project: Path) -> None:
    path = project / "firmware" / "examples" / "case.py"
    path.write_text(ACCEPTED)
    assert check_paths([path], "mcimx6ul-evk") == 1


@struct
class Frame:
    """A host struct: the same object firmware gets when it runs in CPython."""

    kind: u16
    length: u16
    payload: Bytes[4]
    words: Array[u32, 2]


def test_host_members_are_little_endian_and_range_checked() -> None:
    f = Frame()
    f.kind, f.length = 0x0800, 4
    f.payload[1] = 0xAA
    f.words[1] = 0x11223344
    assert bytes(f) == bytes([0x00, 0x08, 4, 0, 0, 0xAA, 0, 0, 0, 0, 0, 0, 0x44, 0x33, 0x22, 0x11])
    with pytest.raises(OverflowError):
        f.length = 0x10000
    with pytest.raises(OverflowError):
        f.payload[0] = 256
    with pytest.raises(IndexError):
        f.words[2] = 0
    with pytest.raises(AttributeError):
        f.lenght = 4  # type: ignore[attr-defined]
    with pytest.raises(AttributeError):
        f.payload = Bytes[4]()  # type: ignore[misc]


def test_host_rejects_a_layout_the_checker_rejects() -> None:
    with pytest.raises(TypeError, match="offset 1"):
        @struct
        class Bad:
            flag: u8
            word: u32


def test_a_struct_variable_imports_like_an_array(project: Path) -> None:
    """``from m import packet`` binds the one struct object (no copy), so it is accepted."""
    examples = project / "firmware" / "examples"
    (examples / "shared.py").write_text(HEADER + D + "packet: D = D()\n")
    (examples / "user.py").write_text("from examples.shared import packet\nfrom tamapy.fw import u32\n\n\n"
                                      "def bump() -> u32:\n    packet.a += 1\n    return packet.a\n")
    assert check_paths([examples / "shared.py", examples / "user.py"], "mcimx6ul-evk") == 2
