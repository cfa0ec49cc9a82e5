# expect: proved
# Contracts over typed constants, a register-instance alias and an enum.
from enum import IntEnum
from typing import Final

from soc.imx6ul.regs import UART1

from tamapy.fw import clock_enabled, ensures, requires, u32

LIMIT: Final[u32] = 64
PORT: Final = UART1


class Mode(IntEnum):
    OFF = 0
    ON = 1


@requires(lambda n, m: n < LIMIT and m == Mode.ON and clock_enabled(PORT))
@ensures(lambda n, m, result: result == (n + 1 if n < 10 else n))
def step(n: u32, m: Mode) -> u32:
    UART1.UCR1.modify(UARTEN=1)
    if n < 10:
        return n + 1
    return n


@requires(lambda: clock_enabled(PORT))
def six() -> u32:
    v: u32 = step(5, Mode.ON)
    assert v == 6
    return v
