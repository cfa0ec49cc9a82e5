"""The USB armory Mk II console is UART2 (QEMU's second serial port).

A board package holds only what differs between boards; the console code
itself is ``runtime.console``, for every board.
"""

from typing import Final

from soc.imx6ul.regs import UART2

NAME: Final = b"USB armory Mk II"
PORT: Final = UART2
"""The console UART."""
