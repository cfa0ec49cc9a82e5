"""GPT, WDOG and SNVS drivers in the simulator: the GPT counts microseconds, delays last what
they say, a serviced watchdog never fires and an unserviced one does, the RTCs count 32 kHz
ticks from the value they were set to."""

from __future__ import annotations

import pytest

from tamapy.sim import CPU_HZ
from tests.drivers.support import OP_GPT, OP_RTC, OP_WDOG, Harness

SLOW_CLOCK = 1_000_000
"""Simulated instructions per second for the long-running tests (1 instruction = 1 us)."""


def u64(words: list[int], at: int) -> int:
    return words[at] | words[at + 1] << 32


@pytest.mark.parametrize("us", [1, 100, 1000])
def test_gpt_delay_counts_microseconds(mk2: Harness, us: int) -> None:
    run = mk2.run(OP_GPT, (us,))
    assert run.finished
    assert run.words[1] == 1 and run.words[4] == 1
    before, after = u64(run.words, 2), u64(run.words, 5)
    assert us <= after - before <= us + 2
    # 1 MHz ticks: the delay took about us microseconds of simulated time.
    assert run.outcome.instructions >= us * CPU_HZ // 1_000_000


def test_gpt_rate_does_not_depend_on_the_cpu_clock(mk2: Harness) -> None:
    run = mk2.run(OP_GPT, (50_000,), clock_hz=SLOW_CLOCK)
    before, after = u64(run.words, 2), u64(run.words, 5)
    assert run.words[4] == 1 and 50_000 <= after - before <= 50_100
    assert 50_000 <= run.outcome.instructions <= 50_000 + 20_000  # + start-up and set-up


def test_serviced_watchdog_does_not_fire(mk2: Harness) -> None:
    # 0.5 s time-out, serviced every 0.2 s for 1.2 s.
    run = mk2.run(OP_WDOG, (500, 6, 200_000, 1), clock_hz=SLOW_CLOCK)
    assert run.finished, run.outcome.detail
    assert run.words[1] == 6
    wcr = run.words[2]
    assert wcr >> 8 == 0 and wcr & 0b1100 == 0b1100  # WT = 0 (0.5 s), WDT and WDE set
    assert wcr & 0b11_0000 == 0b11_0000  # SRS and WDA still 1: no reset, no WDOG_B
    assert run.outcome.notes["WDOG1"]["services"] == 6


def test_unserviced_watchdog_fires_after_its_timeout(mk2: Harness) -> None:
    run = mk2.run(OP_WDOG, (1000, 6, 200_000, 0), clock_hz=SLOW_CLOCK)
    assert run.outcome.stop_reason == "watchdog"
    assert "time-out 1 s" in (run.outcome.detail or "")
    assert run.words[2] >> 8 == 1
    assert run.words[1] == 4  # rounds 5 and 6 never came


def test_watchdog_that_ignores_service_fires(mk2: Harness) -> None:
    run = mk2.run(OP_WDOG, (500, 6, 200_000, 1), clock_hz=SLOW_CLOCK, inject=("wdog-unserviced",))
    assert run.outcome.stop_reason == "watchdog"
    [fault] = run.outcome.injected
    assert fault.triggered >= 1


def test_power_down_counters_are_disabled(mk2: Harness) -> None:
    run = mk2.run(OP_GPT, (1,))
    for wdog in ("WDOG1", "WDOG2", "WDOG3"):
        assert run.outcome.notes[wdog]["pde"] is False


def test_rtcs_count_from_where_they_were_set(mk2: Harness) -> None:
    start = 1_700_000_000 * 32_768  # seconds << 15, above 2**32 ticks
    run = mk2.run(OP_RTC, (start & 0xFFFF_FFFF, start >> 32, 100_000), clock_hz=SLOW_CLOCK)
    assert run.finished
    assert run.words[1] == 1 and run.words[2] == 1
    lp = u64(run.words, 3)
    assert 3276 <= lp - start <= 3300  # 0.1 s of 32.768 kHz ticks
    assert run.words[5] == 1 and run.words[6] == 1
    hp = u64(run.words, 7)
    assert 3276 <= hp <= 3300  # started from 0
    assert u64(run.words, 9) == hp >> 15
