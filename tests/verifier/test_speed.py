"""Speed samples: how long typical driver code takes to verify.

The time is printed (run with ``-s`` to see it) and recorded as a test
property; it is not asserted — performance is measured by benchmarks, a
test only requires that everything is proved.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pytest

from tamapy.verify import Status, verify_tree

BOARD = "mcimx6ul-evk"

DRIVER = '''\
"""A receive routine in the style of soc/imx6ul/uart.py."""

from typing import Final

from soc.imx6ul.regs import UART
from tamapy.fw import Bytes, clock_enabled, ensures, invariant, poll, requires, u8, u32

RX_POLL_LIMIT: Final = 100_000
ERR_BIT: Final = 14


@requires(lambda uart, buf, want: clock_enabled(uart) and want <= 64)
@ensures(lambda uart, buf, want, result: result <= want)
def receive(uart: UART, buf: Bytes[64], want: u32) -> u32:
    """Receive up to `want` bytes into `buf`; stop at a timeout or a line error."""
    got: u32 = 0
    for i in range(0, want):
        invariant(got == i)
        if not poll(uart.USR2.RDR == 1, limit=RX_POLL_LIMIT):
            return got
        word: u32 = uart.URXD.read()
        if (word >> ERR_BIT) & 1 == 1:
            uart.USR1.clear(FRAMERR=1, PARITYERR=1)
            return got
        buf[got] = u8(word & 0xFF)
        got = got + 1
    return got
'''

PACKING = '''\
"""Register values and words assembled from bit fields."""

from soc.imx6ul.regs import UART1
from tamapy.fw import clock_enabled, ensures, requires, u8, u32


@requires(lambda rxtl, rfdiv, txtl: rxtl < 64 and rfdiv < 8 and txtl < 64)
@ensures(lambda rxtl, rfdiv, txtl, result: result & 0x3F == rxtl and (result >> 7) & 0x7 == rfdiv and (result >> 10) & 0x3F == txtl and result >> 16 == 0)
def ufcr_value(rxtl: u32, rfdiv: u32, txtl: u32) -> u32:
    return rxtl | (rfdiv << 7) | (txtl << 10)


@requires(lambda level: clock_enabled(UART1))
def set_fifo(level: u32) -> None:
    UART1.UFCR.write(ufcr_value(level & 0x3F, 4, (level >> 6) & 0x3F))


@ensures(lambda a, b, c, d, result: result >> 24 == a and (result >> 16) & 0xFF == b and (result >> 8) & 0xFF == c and result & 0xFF == d)
def pack(a: u8, b: u8, c: u8, d: u8) -> u32:
    return (u32(a) << 24) | (u32(b) << 16) | (u32(c) << 8) | d


@ensures(lambda word, result: result == word)
def repack(word: u32) -> u32:
    return pack(u8(word >> 24), u8((word >> 16) & 0xFF), u8((word >> 8) & 0xFF), u8(word & 0xFF))
'''


@pytest.mark.parametrize(
    "name, source",
    [("driver_loop", DRIVER), ("bit_fields", PACKING)],
    ids=["driver_loop", "bit_fields"],
)
def test_speed_sample(
    project: Path, record_property: Callable[[str, object], None], name: str, source: str
) -> None:
    module = project / "firmware" / "examples" / "speed" / f"{name}.py"
    module.parent.mkdir()
    module.write_text(source)
    start = time.perf_counter()
    report = verify_tree([module], BOARD, workers=1)
    seconds = time.perf_counter() - start
    obligations = report.obligations
    record_property("verify_seconds", round(seconds, 3))
    record_property("obligations", len(obligations))
    print(
        f"\n{name}: {len(obligations)} obligations in {len(report.results)} functions verified in {seconds:.2f} s"
    )
    assert obligations
    unproved = [
        f"line {o.span.line}: {o.status.value}[{o.category.value}] {o.message}"
        for o in obligations
        if o.status is not Status.PROVED
    ]
    assert not unproved, "\n".join(unproved)
