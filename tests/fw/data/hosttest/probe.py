"""Firmware for the host-runtime tests (copied to firmware/hosttest/ of a project copy)."""

from typing import Final

from soc.imx6ul.regs import CCM, DIFF, DIFF1, UART1

from tamapy.fw import (
    Bytes,
    clock_enabled,
    decreases,
    ensures,
    forever,
    invariant,
    mmio,
    panic,
    poll,
    requires,
    trusted,
    u8,
    u32,
    wfi,
)

LIMIT: Final = 4
counter: u32 = 0
buffer: Bytes[4] = Bytes[4]()


def compound_poll() -> bool:
    """Both registers are read on every evaluation: the hook passes the condition as a lambda."""
    return poll(DIFF1.CTRL.BUSY == 1 and DIFF1.CFG.A == 0, limit=LIMIT)


def negated_poll() -> bool:
    return poll(not DIFF1.CTRL.MODE == 5, limit=3)  # noqa: SIM201 -- `not` is what is tested


def narrow(value: u32) -> u8:
    """A result claim: the returned value must fit u8."""
    return value


def local_claim(value: u32) -> u32:
    small: u8 = 0
    small = value
    return small


def augmented_claim(value: u32) -> u32:
    total: u8 = 250
    total += value
    return total


def bump() -> u32:
    global counter
    counter += 1
    buffer[counter % 4] = u8(counter)
    return counter


@requires(lambda n: n < 10)
@ensures(lambda n, result: result == n + 1)
def next_small(n: u32) -> u32:
    return n + 1


@ensures(lambda result: result == 0)
def broken_post() -> u32:
    return 1


@requires(lambda: DIFF1.FIFO.VALUE == 0x42)
def reads_fifo_in_contract() -> u32:
    return 1


@requires(lambda: DIFF1.CTRL.MODE == 5)
def reads_ctrl_in_contract() -> u32:
    return 1


@requires(lambda inst: clock_enabled(inst))
def needs_clock(inst: DIFF) -> u32:
    return inst.CTRL.MODE


def uart1_gate_off() -> None:
    CCM.CCGR5.modify(CG12=0)


def loop_with_invariant(n: u32) -> u32:
    total: u32 = 0
    i: u32 = 0
    while i < n:
        invariant(total == i * 2)
        decreases(n - i)
        total += 2
        i += 1
    return total


def bad_invariant() -> None:
    for i in range(0, 3):
        invariant(i < 2)


def out_of_bounds(i: u32) -> u32:
    return buffer[i]


def divide(a: u32, b: u32) -> u32:
    return a // b


def fails_assert() -> None:
    assert counter == 12345


def stops(code: u32) -> None:
    panic(code)


def idles() -> None:
    while forever():
        wfi()


@trusted("test: raw access to OCRAM and to a register")
def raw(address: u32, value: u32) -> u32:
    mmio.write32(address, value)
    return mmio.read32(address)


def uart_ready() -> bool:
    return UART1.USR1.TRDY == 1
