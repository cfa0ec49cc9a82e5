"""The RNGB model follows the documented sequence: self test, seed, FIFO, latched errors."""

from __future__ import annotations

import pytest

from tamapy.sim.peripherals.base import BusFault
from tamapy.sim.peripherals.rngb import Drbg

from .support import RNGB, Bench

VER, CMD, CR, SR, ESR, OUT = 0x00, 0x04, 0x08, 0x0C, 0x10, 0x14
ST, GS, CI, CE, SWR = 1, 2, 1 << 4, 1 << 5, 1 << 6
SLP, RS, STDN, SDN, NSDN = 1 << 2, 1 << 3, 1 << 4, 1 << 5, 1 << 6
ERR = 1 << 16
ST_PF = 0b111 << 21
LFE, OSCE, STE, SATE, FUFE = 1, 2, 4, 8, 16
WORD_CYCLES = 180
"""A little more than the 179.2 CPU cycles per word at 528 MHz."""


def fifo_level(bench: Bench) -> int:
    return (bench.r(RNGB + SR) >> 8) & 0xF


def ready(bench: Bench) -> Bench:
    """TamaGo's sequence: clear errors, reset, self test, seed (auto-reseed on)."""
    bench.w(RNGB + CMD, CE)
    bench.w(RNGB + CMD, SWR)
    bench.w(RNGB + CMD, ST)
    assert bench.r(RNGB + SR) & STDN and not bench.r(RNGB + SR) & (ERR | ST_PF)
    bench.w(RNGB + CR, 1 << 4)
    bench.w(RNGB + CMD, GS)
    assert bench.r(RNGB + SR) & SDN
    bench.w(RNGB + CMD, CI)
    return bench


def read_words(bench: Bench, n: int) -> list[int]:
    words = []
    for _ in range(n):
        bench.clock.advance(WORD_CYCLES)
        assert fifo_level(bench) > 0
        words.append(bench.r(RNGB + OUT))
    return words


def test_reset_state_and_version() -> None:
    bench = Bench()
    assert bench.r(RNGB + VER) >> 28 == 1  # RNGB
    sr = bench.r(RNGB + SR)
    assert sr & (SLP | RS) == SLP | RS and not sr & (STDN | SDN | ERR)
    assert (sr >> 12) & 0xF == 5 and fifo_level(bench) == 0
    assert bench.r(RNGB + CMD) == 0


def test_no_output_before_a_passed_self_test() -> None:
    bench = Bench()
    bench.clock.advance(10_000)
    assert bench.r(RNGB + OUT) == 0  # empty FIFO: underflow
    assert bench.r(RNGB + ESR) == FUFE and bench.r(RNGB + SR) & ERR
    bench.w(RNGB + CMD, CE)
    bench.w(RNGB + CMD, GS)  # seed without a self test: refused
    assert bench.r(RNGB + ESR) == STE and not bench.r(RNGB + SR) & SDN
    bench.clock.advance(10_000)
    assert fifo_level(bench) == 0


def test_sequence_gives_the_documented_drbg_stream() -> None:
    bench = ready(Bench(unique_id=0x1234))
    stream = Drbg(0x1234, 1)
    assert read_words(bench, 12) == [stream.word() for _ in range(12)]
    assert bench.r(RNGB + ESR) == 0


def test_output_depends_on_the_unique_id_only() -> None:
    assert read_words(ready(Bench(unique_id=7)), 4) == read_words(ready(Bench(unique_id=7)), 4)
    assert read_words(ready(Bench(unique_id=7)), 4) != read_words(ready(Bench(unique_id=8)), 4)


def test_fifo_fills_at_five_words_per_112_ipg_clocks_up_to_five() -> None:
    bench = ready(Bench())
    assert fifo_level(bench) == 0
    bench.clock.advance(179)
    assert fifo_level(bench) == 0
    bench.clock.advance(1)
    assert fifo_level(bench) == 1
    bench.clock.advance(896)  # five more word periods: capped at the FIFO size
    assert fifo_level(bench) == 5
    bench.r(RNGB + OUT)
    assert fifo_level(bench) == 4


def test_reading_past_the_fifo_underflows_and_the_error_latches_until_cleared() -> None:
    bench = ready(Bench())
    bench.clock.advance(10_000)
    for _ in range(5):
        bench.r(RNGB + OUT)
    assert bench.r(RNGB + OUT) == 0 and bench.r(RNGB + ESR) == FUFE
    bench.clock.advance(10_000)
    assert fifo_level(bench) == 0 and bench.r(RNGB + OUT) == 0  # latched: no output
    bench.w(RNGB + CMD, CI)  # CI does not clear errors
    assert bench.r(RNGB + SR) & ERR
    bench.w(RNGB + CMD, CE)
    assert not bench.r(RNGB + SR) & ERR and bench.r(RNGB + ESR) == 0
    bench.clock.advance(10_000)
    assert fifo_level(bench) == 5


def test_underflow_with_fufmod_2_is_a_bus_error() -> None:
    bench = Bench()
    bench.w(RNGB + CR, 0b10)
    with pytest.raises(BusFault) as info:
        bench.r(RNGB + OUT)
    assert info.value.kind == "bus-error" and "RNGB.OUT" in info.value.message


def test_software_reset_forgets_self_test_and_seed() -> None:
    bench = ready(Bench())
    bench.w(RNGB + CMD, SWR)
    sr = bench.r(RNGB + SR)
    assert not sr & (STDN | SDN) and sr & (SLP | RS)
    bench.clock.advance(10_000)
    assert fifo_level(bench) == 0


def test_injected_self_test_failure_latches_and_blocks_seeding() -> None:
    bench = Bench(inject=("rngb-selftest-fail",))
    bench.w(RNGB + CMD, ST)
    sr = bench.r(RNGB + SR)
    assert sr & STDN and sr & ERR and sr & ST_PF == ST_PF
    assert bench.r(RNGB + ESR) == STE
    bench.w(RNGB + CMD, CE)
    bench.w(RNGB + CMD, ST)  # it fails every time
    bench.w(RNGB + CMD, GS)
    bench.clock.advance(10_000)
    assert not bench.r(RNGB + SR) & SDN and fifo_level(bench) == 0
    (fault,) = bench.ctx.faults.active.values()
    assert fault.triggered == 2


def test_injected_error_during_operation_needs_clear_and_reseed() -> None:
    bench = ready(Bench(inject=("rngb-error",)))
    read_words(bench, 4)
    assert bench.r(RNGB + SR) & ERR and bench.r(RNGB + ESR) == OSCE
    bench.clock.advance(10_000)
    assert fifo_level(bench) == 0 and bench.r(RNGB + OUT) == 0
    bench.w(RNGB + CMD, CE)
    bench.clock.advance(10_000)
    assert fifo_level(bench) == 0  # the seed is gone
    bench.w(RNGB + CMD, GS)
    assert len(read_words(bench, 8)) == 8  # once per run
    assert bench.r(RNGB + ESR) == 0
    notes = bench.bus.device("RNGB").notes()
    assert notes is not None and notes["seeds"] == 2 and any("OSCE" in e for e in notes["errors"])
