"""Which local arrays are written before any read, so their zeroing can be left out.

Each case is a function over a local ``w``; the analysis must name ``w`` only
when no read can see an element the function has not written.  The negative
cases are the ways a read could see the (skipped) zeroing.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tamapy.lang.initialised import written_before_read
from tamapy.lang.program import check_tree

HEADER = "from tamapy.fw import Array, View, invariant, u8, u32\n\n\ndef use(x: u32) -> u32:\n    return x\n\n\n"

FILLED = '''def f(a: View[u8]) -> u32:
    w: Array[u32, 8] = Array[u32, 8]()
    n: u32 = 3
    for t in range(0, 2):
        w[t] = u32(a[0])
    for t in range(2, 8):
        x: u32 = w[t - 1] & 0xFF
        w[t] = x + (w[t - 2] & 0xFF)
    return w[7]
'''

KEPT = {
    "read of the element being written": FILLED.replace("w[t] = x + (w[t - 2] & 0xFF)", "w[t] = x + (w[t] & 0xFF)"),
    "read ahead of the written prefix": FILLED.replace("w[t - 2]", "w[t + 1]"),
    "read before the loops": FILLED.replace("    n: u32 = 3\n", "    n: u32 = w[5]\n"),
    "a gap between the loops": FILLED.replace("range(2, 8)", "range(3, 8)"),
    "loops that stop short": FILLED.replace("range(2, 8)", "range(2, 7)"),
    "a loop that may write nothing": FILLED.replace("range(0, 2)", "range(0, n)"),
    "a step of 2": FILLED.replace("range(2, 8)", "range(2, 8, 2)"),
    "a conditional write": FILLED.replace("        w[t] = u32(a[0])\n", "        if a[0] == 1:\n"
                                                                         "            w[t] = u32(a[0])\n"),
    "the array passed to a call": FILLED.replace("    n: u32 = 3\n", "    n: u32 = g(w)\n")
    + "\n\ndef g(v: Array[u32, 8]) -> u32:\n    return v[5]\n",
    "a view of the array": FILLED.replace("    n: u32 = 3\n", "    n: u32 = h(w[0:4])\n")
    + "\n\ndef h(v: View[u32]) -> u32:\n    return v[3]\n",
    "a break in the loop": FILLED.replace("        w[t] = u32(a[0])\n", "        w[t] = u32(a[0])\n"
                                                                       "        if a[1] == 0:\n            break\n"),
    "an invariant naming the array": FILLED.replace("        x: u32 = w[t - 1] & 0xFF\n",
                                                    "        invariant(w[0] == w[0])\n        x: u32 = w[t - 1] & 0xFF\n"),
    "the write not last": FILLED.replace("        w[t] = x + (w[t - 2] & 0xFF)\n",
                                         "        w[t] = x + (w[t - 2] & 0xFF)\n        use(w[t])\n"),
    "a loop nested in an if": FILLED.replace("    for t in range(2, 8):\n", "    if n == 3:\n      for t in range(2, 8):\n")
    .replace("        x: u32 = w[t - 1]", "          x: u32 = w[t - 1]").replace("        w[t] = x +", "          w[t] = x +"),
}


def analyse(project: Path, source: str) -> frozenset[str]:
    path = project / "firmware" / "examples" / "init_case.py"
    path.write_text(HEADER + source)
    checked, _ = check_tree([path], "mcimx6ul-evk")
    return written_before_read(checked[0].functions["examples.init_case.f"].body)


def test_an_array_every_read_finds_written_is_named(project: Path) -> None:
    assert analyse(project, FILLED) == {"w"}


@pytest.mark.parametrize("case", sorted(KEPT))
def test_any_read_that_could_see_the_zeroing_keeps_it(project: Path, case: str) -> None:
    assert KEPT[case] != FILLED  # the edit applied
    assert analyse(project, KEPT[case]) == frozenset()


def test_the_sha256_message_schedule_is_not_zeroed() -> None:
    """The case the analysis exists for: 64 dead stores per compressed block."""
    root = Path(__file__).resolve().parents[2]
    checked, _ = check_tree([root / "firmware" / "crypto" / "sha256_sw.py"], "mcimx6ul-evk")
    assert written_before_read(checked[0].functions["crypto.sha256_sw.compress"].body) == {"w"}
