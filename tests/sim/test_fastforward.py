"""Fast-forward of time while firmware polls a timer: fast on the host, bounded, events kept."""

from __future__ import annotations

import time

from tamapy.sim.context import CPU_HZ, IPG_HZ
from tamapy.sim.fastforward import BOUND_DIVISOR
from tamapy.sim.machine import Machine, SimOutcome
from tamapy.sim.runner import run_image

from .support import EVK, GPT1, LOAD, WDOG1, board, image, ptr, store

GPT_CR, GPT_CNT = GPT1, GPT1 + 0x24
GPT_ON = store(GPT_CR, 0x241)
"""CR = EN | CLKSRC 1 (ipg_clk, 66 MHz) | FRR."""
RESULT = LOAD + 0x8000
GPIO1_DR = 0x0209_C000
WCR = WDOG1
WDOG_ON = store(WCR, 0x34, 16)
"""WCR = WDE | SRS | WDA, WT = 0: the watchdog expires after 0.5 s."""
MS_250 = IPG_HZ // 4
"""250 ms in GPT ticks."""


def wait(ticks: int, before: str = "") -> str:
    """IR: start GPT1, wait until ``ticks`` have passed, store the ticks seen at RESULT."""
    return f"""{before}{GPT_ON}  %start = load volatile i32, {ptr(GPT_CNT)}
  br label %poll
poll:
  %now = load volatile i32, {ptr(GPT_CNT)}
  %seen = sub i32 %now, %start
  %ok = icmp uge i32 %seen, {ticks}
  br i1 %ok, label %done, label %poll
done:
  store volatile i32 %seen, {ptr(RESULT)}
  ret void"""


def run(body: str, *, fast_forward: bool = True) -> tuple[Machine, SimOutcome, float]:
    """The image of ``body`` run to its WFI: the machine, the outcome, the host seconds."""
    b, soc = board(EVK)
    machine = Machine(image(body), b, soc, fast_forward=fast_forward)
    start = time.perf_counter()
    outcome = machine.run(max_insns=50_000_000, timeout=60)
    return machine, outcome, time.perf_counter() - start


def seen(machine: Machine) -> int:
    return int.from_bytes(machine.uc.mem_read(RESULT, 4), "little")


def test_a_250_ms_gpt_wait_is_fast_and_ends_within_the_bound() -> None:
    machine, outcome, seconds = run(wait(MS_250))
    assert outcome.stop_reason == "halted"
    assert MS_250 <= seen(machine) <= MS_250 + MS_250 // BOUND_DIVISOR
    assert outcome.cycles >= CPU_HZ // 4
    assert outcome.instructions < 100_000  # against 132 million without fast-forward
    assert outcome.cycles == outcome.instructions + outcome.fast_forwarded
    assert seconds < 5


def test_without_fast_forward_the_wait_runs_every_cycle() -> None:
    machine, outcome, _ = run(wait(IPG_HZ // 1000), fast_forward=False)  # 1 ms
    assert outcome.fast_forwarded == 0 and outcome.cycles == outcome.instructions
    assert IPG_HZ // 1000 <= seen(machine) <= IPG_HZ // 1000 + 1  # one tick per 8 cycles, a poll is shorter


def test_fast_forward_is_deterministic() -> None:
    first, one, _ = run(wait(MS_250))
    second, two, _ = run(wait(MS_250))
    assert one == two
    assert seen(first) == seen(second)


def test_a_watchdog_deadline_inside_the_wait_still_fires_at_its_cycle() -> None:
    _, outcome, _ = run(wait(IPG_HZ, before=WDOG_ON))  # waits 1 s; the watchdog expires after 0.5 s
    assert outcome.stop_reason == "watchdog"
    deadline = outcome.notes["WDOG1"]["deadline_cycle"]
    assert CPU_HZ // 2 <= deadline <= CPU_HZ // 2 + 16  # enabled by the image's first instructions
    # noticed at the first block boundary at or after the deadline: within one poll (a few instructions)
    assert deadline <= outcome.cycles <= deadline + 16
    assert outcome.fast_forwarded > 0


def test_other_mmio_in_the_loop_stops_the_fast_forward() -> None:
    """A loop that also writes a register is not a pure wait: its time runs cycle by cycle."""
    body = wait(IPG_HZ // 1000).replace("poll:\n", f"poll:\n{store(GPIO1_DR, 1)}", 1)
    machine, outcome, _ = run(body)
    assert outcome.fast_forwarded == 0
    assert seen(machine) >= IPG_HZ // 1000


def test_a_loop_reading_the_counter_without_waiting_sees_time_grow_linearly() -> None:
    """100 000 reads that wait for nothing: at most 1 ms of fast-forward each, not 0.1 % compounded
    (which would be e^97 times the start)."""
    body = f"""{GPT_ON}  br label %loop
loop:
  %i = phi i32 [0, %0], [%next, %loop]
  %c = load volatile i32, {ptr(GPT_CNT)}
  %next = add i32 %i, 1
  %more = icmp ult i32 %next, 100000
  br i1 %more, label %loop, label %done
done:
  ret void"""
    _, outcome, _ = run(body)
    assert outcome.stop_reason == "halted"
    assert 0 < outcome.fast_forwarded <= 100_000 * (CPU_HZ // 1000)


def test_tamapy_run_fast_forwards_unless_told_not_to() -> None:
    b, soc = board(EVK)
    elf = image(wait(IPG_HZ // 1000))  # 1 ms
    on = run_image(elf, b, soc, echo=None, max_insns=10_000_000, timeout=60, stdin=False)
    off = run_image(elf, b, soc, echo=None, max_insns=10_000_000, timeout=60, stdin=False, fast_forward=False)
    assert on.fast_forwarded > 0 and on.instructions < off.instructions
    assert off.fast_forwarded == 0 and off.cycles == off.instructions >= CPU_HZ // 1000
