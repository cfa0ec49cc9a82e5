"""The EVK's console is UART1 (QEMU's first serial port).

A board package holds only what differs between boards; the console code
itself is ``runtime.console``, for every board.
"""

from typing import Final

from soc.imx6ul.regs import UART1

NAME: Final = b"MCIMX6UL-EVK"
PORT: Final = UART1
"""The console UART."""
