"""The self-test: what this board is, whether its crypto engines work, and a console.

Boot report (docs/selftest.md shows a run):

    tamapy selftest on <board>                  the banner
    soc, uid, dcp, rngb                         the part, its unique ID, its engines
    rng self-test, random                       RNGB self test, 32 random bytes
    kat ...                                     known-answer tests (boot.py)
    measurement, measured, quote nonce, quote   the image measurement, a quote (only
                                                over a fresh nonce: boot.attestation)
    selftest: P passed, F failed, U unavailable
    ready: type help

Then a line console (shell.py) on the console UART.

The run ends with ``tamapy: exit N`` (N = 0 if no known-answer test or self
test failed, else 1) on ``exit``, on Ctrl-D, or when the input has been idle
for IDLE_WAITS consecutive waits of GETC_POLLS UART status polls each
(500 000 polls: about 2.5 million instructions, under 5 ms of simulated time,
in the simulator; on the board about as many register reads, well under a
second).  The rule is meant for scripted input (the simulator's or QEMU's
stdin, a serial script): a person typing on the board must keep pauses
shorter than one wait, or raise GETC_POLLS.  A console whose transmitter
refuses a byte (``out.alive()`` False) ends the service: the CPU idles and
the running watchdog resets the board (the simulator reports stop reason
``watchdog``).

The system watchdog (WDOG1) runs from the start with a WATCHDOG_MS time-out
and is serviced between the boot steps and before every console line; the
power-down counters of all three watchdogs are stopped.
"""

from typing import Final

from board import console as port
from crypto import api
from examples.selftest import boot, out, shell
from runtime import console, line
from runtime.system import finish
from soc.imx6ul import ccm, gpt, wdog
from soc.imx6ul.regs import DCP, GPT1, OCOTP, WDOG1, WDOG2, WDOG3
from tamapy.fw import Bytes, clock_enabled, ensures, forever, requires, u32, wfi

CONSOLE_FAILED: Final = 2
WATCHDOG_MS: Final = 32_000
GETC_POLLS: Final = 100_000
"""UART polls per wait for a byte."""
IDLE_WAITS: Final = 5
"""Consecutive empty waits that end the run."""
LINE_BUDGET: Final = 1100
"""Bytes one line may take (MAX_LINE, a discarded overflow, slack): a bound on one
``read_line`` of at most LINE_BUDGET x GETC_POLLS polls, between two watchdog services."""
NO_FAILURE: Final = 0
SOME_FAILURE: Final = 1

linebuf: Bytes[512] = Bytes[512]()
nonce: Bytes[32] = Bytes[32]()


def halt() -> None:
    """Idle for good (the console is dead; the watchdog, if running, resets)."""
    while forever():
        wfi()


@requires(lambda: clock_enabled(port.PORT))
def exit_code() -> u32:
    if boot.any_failed():
        return SOME_FAILURE
    return NO_FAILURE


@requires(lambda: clock_enabled(port.PORT) and clock_enabled(OCOTP) and clock_enabled(DCP)
          and clock_enabled(WDOG1) and clock_enabled(GPT1))
def serve() -> None:
    """The console loop; returns only after ``finish`` (which does not return) or to halt."""
    idle: u32 = 0
    prompt: bool = True
    while forever():
        wdog.service()
        if not out.alive():
            return
        if prompt:
            out.write(b"> ")
            prompt = False
        got: u32 = line.read_line(linebuf, GETC_POLLS, LINE_BUDGET)
        if got == line.IDLE or got == line.TIMEOUT:
            if got == line.TIMEOUT:
                out.newline()
                out.line(b"error: line timed out")
                prompt = True
            if idle < IDLE_WAITS:
                idle += 1
            if idle >= IDLE_WAITS:
                if not prompt:
                    out.newline()
                out.line(b"console: no input, done")
                finish(exit_code())
                return
            continue
        idle = 0
        prompt = True
        if got == line.END:
            out.line(b"console: end of input")
            finish(exit_code())
            return
        if got == line.TOO_LONG:
            out.line(b"error: line too long (at most 512 characters)")
        elif got == line.OVERRUN:
            out.line(b"error: no line end")
        elif shell.execute(linebuf, got) == shell.Next.EXIT:
            finish(exit_code())
            return


@ensures(lambda: clock_enabled(GPT1) and clock_enabled(WDOG1) and clock_enabled(WDOG2) and clock_enabled(WDOG3)
         and clock_enabled(OCOTP) and clock_enabled(DCP))
def open_clock_gates() -> None:
    """The gates of every block the self-test drives (each call keeps the gates opened before)."""
    ccm.enable_gpt1()
    ccm.enable_wdogs()
    ccm.enable_ocotp()
    ccm.enable_dcp()


def main() -> None:
    if not console.init():
        finish(CONSOLE_FAILED)
        return
    open_clock_gates()
    wdog.disable_all_power_down()
    wdog.init(WATCHDOG_MS)
    gpt.init()
    out.write(b"tamapy selftest on ")
    out.line(port.NAME)
    boot.identity()
    wdog.service()
    fresh: api.CryptoStatus = boot.rng(nonce)
    wdog.service()
    boot.known_answers()
    wdog.service()
    boot.attestation(nonce, fresh)
    wdog.service()
    boot.summary()
    out.line(b"ready: type help")
    serve()
    halt()
