"""Stable MMIO reads answered natively: the same results as Python, never a stale value."""

from __future__ import annotations

import threading
import time

from tamapy.sim import Machine, SimOutcome, simulate

from .support import EVK, LOAD, UART1, board, hello, image, ptr, store

UCR1, USR2, URXD = UART1 + 0x80, UART1 + 0x98, UART1 + 0x00
RESULT = LOAD + 0x8000


def load_to(address: int, at: int, name: str) -> str:
    return f"  %{name} = load volatile i32, {ptr(address)}\n  store volatile i32 %{name}, {ptr(at)}\n"


def word(machine: Machine, at: int) -> int:
    return int.from_bytes(machine.uc.mem_read(at, 4), "little")


def test_a_cached_register_reads_what_was_written_since() -> None:
    body = (load_to(UCR1, RESULT, "a") + load_to(UCR1, RESULT + 4, "b") + store(UCR1, 0x4001)
            + load_to(UCR1, RESULT + 8, "c") + "  ret void")
    b, soc = board(EVK)
    machine = Machine(image(body), b, soc)
    assert machine.run().stop_reason == "halted"
    assert machine.read_cache.enabled and machine.read_cache.hits == 1  # the second read of UCR1
    assert [word(machine, RESULT + i) for i in (0, 4, 8)] == [0, 0, 0x4001]


def test_input_arriving_while_the_firmware_polls_is_seen() -> None:
    """The poll of USR2.RDR is answered natively; a byte fed from another thread ends it."""
    body = f"""  br label %poll
poll:
  %s = load volatile i32, {ptr(USR2)}
  %rdr = and i32 %s, 1
  %ready = icmp eq i32 %rdr, 1
  br i1 %ready, label %got, label %poll
got:
{load_to(URXD, RESULT, "c")}  ret void"""
    b, soc = board(EVK)
    machine = Machine(image(body), b, soc)
    outcome: list[SimOutcome] = []
    runner = threading.Thread(target=lambda: outcome.append(machine.run(max_insns=10**10, timeout=60)))
    runner.start()
    deadline = time.monotonic() + 30
    while machine.read_cache.hits < 10_000 and time.monotonic() < deadline:
        time.sleep(0.001)
    assert machine.read_cache.hits >= 10_000  # the firmware is polling from the table
    machine.feed_console(b"x")
    runner.join(60)
    assert outcome and outcome[0].stop_reason == "halted"
    assert word(machine, RESULT) == 0x8000 | ord("x")  # CHARRDY | the byte


def test_cached_and_uncached_runs_agree() -> None:
    """With the trace on nothing is cached: the outcome is the same."""
    b, soc = board(EVK)
    cached = simulate(hello(EVK), b, soc)
    uncached = simulate(hello(EVK), b, soc, trace=lambda _access: None)
    assert cached == uncached

