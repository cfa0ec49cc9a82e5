"""Line input from the board's console UART, with a bounded length and bounded waits.

``read_line(buf, wait, budget)`` reads one line into ``buf`` and returns its
length (0 .. MAX_LINE), or one of the codes above MAX_LINE:

* ``IDLE``: no byte arrived within ``wait`` polls before anything was typed;
* ``TIMEOUT``: the line was started but no byte arrived within ``wait`` polls
  (the partial line is discarded);
* ``TOO_LONG``: more than MAX_LINE characters before the line end; the rest of
  the line was read and discarded (up to its end);
* ``END``: Ctrl-D (EOT, 0x04) was typed; the partial line is discarded;
* ``OVERRUN``: ``budget`` bytes were taken without a line end.

Bytes: CR or LF ends the line (an LF right after a CR that ended a line is
skipped, so CR LF ends one line); backspace (0x08) or DEL (0x7F) removes the last
character; other control bytes and bytes >= 0x7F are dropped; printable
ASCII (0x20..0x7E) is stored.  Stored characters are echoed, a backspace is
echoed as "\\b \\b" and the line end as "\\n"; discarded characters are not.

Every wait is bounded: at most ``budget`` calls of ``getc(wait)``, each
polling the UART at most ``wait`` times.  Echo uses the board's ``putc``,
whose result is ignored here (output that cannot be sent is dropped).
"""

from typing import Final

from board import console as port
from soc.imx6ul import uart
from tamapy.fw import Bytes, clock_enabled, ensures, invariant, requires, u8, u32

MAX_LINE: Final = 512
"""Longest line, in characters (the size of the line buffer)."""
IDLE: Final = 0x1_0000
TIMEOUT: Final = 0x1_0001
TOO_LONG: Final = 0x1_0002
END: Final = 0x1_0003
OVERRUN: Final = 0x1_0004

BACKSPACE: Final = 0x08
DELETE: Final = 0x7F
CR: Final = 0x0D
LF: Final = 0x0A
EOT: Final = 0x04
SPACE: Final = 0x20

after_cr: bool = False
"""The last byte taken was a CR (so an LF right after it belongs to the same line end)."""


@requires(lambda: clock_enabled(port.PORT))
def erase() -> None:
    """Echo a backspace: step back, blank the character, step back."""
    uart.putc(port.PORT, BACKSPACE)
    uart.putc(port.PORT, SPACE)
    uart.putc(port.PORT, BACKSPACE)


@requires(lambda buf, wait, budget: clock_enabled(port.PORT))
@ensures(lambda buf, wait, budget, result: result <= MAX_LINE or result == IDLE or result == TIMEOUT
         or result == TOO_LONG or result == END or result == OVERRUN)
def read_line(buf: Bytes[512], wait: u32, budget: u32) -> u32:
    """Read one line into ``buf[0:result]``; see the module docstring for the codes."""
    global after_cr
    count: u32 = 0
    started: bool = False
    overflow: bool = False
    for _ in range(0, budget):
        invariant(count <= MAX_LINE)
        c: u32 = uart.getc(port.PORT, wait)
        if c >= uart.NO_BYTE:
            after_cr = False
            if started:
                return TIMEOUT
            return IDLE
        if c == LF and after_cr:
            after_cr = False
            continue
        after_cr = c == CR
        started = True
        if c == CR or c == LF:
            uart.putc(port.PORT, LF)
            if overflow:
                return TOO_LONG
            return count
        if c == EOT:
            uart.putc(port.PORT, LF)
            return END
        if c == BACKSPACE or c == DELETE:
            if count > 0 and not overflow:
                count -= 1
                erase()
        elif SPACE <= c and c < DELETE and not overflow:
            if count < MAX_LINE:
                buf[count] = u8(c)
                count += 1
                uart.putc(port.PORT, u8(c))
            else:
                overflow = True
    return OVERRUN
