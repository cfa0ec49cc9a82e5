# expect: proved
# Decoding a 2-bit field into an enum, and an enum into register fields.
from enum import IntEnum

from soc.imx6ul.regs import UART1

from tamapy.fw import clock_enabled, requires, u8


class Parity(IntEnum):
    NONE = 0
    EVEN = 2
    ODD = 3


def parity_of(bits: u8) -> Parity:
    v: u8 = bits & 3
    if v == 1:
        return Parity.NONE
    return Parity(v)


@requires(lambda p: clock_enabled(UART1))
def set_parity(p: Parity) -> None:
    if p == Parity.NONE:
        UART1.UCR2.modify(PREN=0)
    else:
        UART1.UCR2.modify(PREN=1, PROE=u8(p) & 1)
