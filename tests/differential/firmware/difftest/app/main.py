"""Differential harness: op and arguments in, result out, through OCRAM.

Words at 0x00900000: op, a, b, c, d.  ``cases.run``'s i64 result goes to
0x00900104 (low word) and 0x00900108 (high word), then DONE to 0x00900100,
so the test can tell a return from a halt.  OCRAM is RAM, not a peripheral:
these accesses do not reach the bus and are not part of the MMIO trace.
"""

from typing import Final

from difftest import cases
from tamapy.fw import i64, mmio, trusted, u32

IN: Final = 0x00900000
OUT: Final = 0x00900100
DONE: Final = 0xD0D0D0D0


@trusted("differential harness input from OCRAM")
def arg(i: u32) -> u32:
    return mmio.read32(IN + 4 * i)


@trusted("differential harness output to OCRAM")
def put(i: u32, v: u32) -> None:
    mmio.write32(OUT + 4 * i, v)


def main() -> None:
    r: i64 = cases.run(arg(0), arg(1), arg(2), arg(3), arg(4))
    put(1, u32(r & 0xFFFFFFFF))
    put(2, u32((r >> 32) & 0xFFFFFFFF))
    put(0, DONE)
