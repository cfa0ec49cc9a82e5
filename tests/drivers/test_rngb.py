"""soc.imx6ul.rngb compiled for the USB armory Mk II and run in the simulator: words come only
after a passed self-test and a seed, they are the generator's output, and a failed self-test or
a run-time error releases nothing."""

from __future__ import annotations

import struct

import pytest

from tamapy.sim.context import default_unique_id
from tamapy.sim.peripherals.rngb import Drbg
from tests.drivers.support import (
    MK2,
    OP_RNG,
    RNG_ERROR,
    RNG_NOT_READY,
    RNG_OK,
    RNG_SELFTEST_FAILED,
    RNGB_BASE,
    RNGB_SIZE,
    Harness,
)

AGAIN = 0x100
"""Byte offset in the output of the words read by the second init/read round."""


def words_of(data: bytes, at: int, n: int) -> list[int]:
    return list(struct.unpack(f"<{n}I", data[at:at + 4 * n]))


def expected(seed: int, n: int, unique_id: int | None = None) -> list[int]:
    """The simulator's RNG output for seed number ``seed`` of a run (its documented DRBG)."""
    drbg = Drbg(default_unique_id(MK2) if unique_id is None else unique_id, seed)
    return [drbg.word() for _ in range(n)]


@pytest.mark.parametrize("n", [1, 5, 8, 64])
def test_words_after_self_test_and_seed(mk2: Harness, n: int) -> None:
    run = mk2.run(OP_RNG, (n, 0), out_bytes=4 * n, trace=True)
    assert run.finished
    assert run.words[1:3] == [RNG_OK, RNG_OK]
    assert words_of(run.data, 0, n) == expected(1, n)
    notes = run.outcome.notes["RNGB"]
    assert notes["self_test"] == "passed" and notes["words_read"] == n and notes["underflows"] == 0
    # Every OUT read follows an SR read (the order the verifier proves the protocol on).
    regs = [a.register for a in run.touched(RNGB_BASE, RNGB_SIZE) if a.read]
    for i, reg in enumerate(regs):
        if reg == "RNGB.OUT":
            assert regs[i - 1] == "RNGB.SR"
    writes = [(a.register, a.value) for a in run.touched(RNGB_BASE, RNGB_SIZE) if not a.read]
    cmd = [v for r, v in writes if r == "RNGB.CMD"]
    assert cmd[:4] == [1 << 5, 1 << 6, 1 << 0, 1 << 1]  # CE, SR, ST, GS


def test_no_words_before_self_test_and_seed(mk2: Harness) -> None:
    run = mk2.run(OP_RNG, (8, 2), out_bytes=32, trace=True)
    assert run.finished
    assert run.words[2] == RNG_NOT_READY
    assert run.data == bytes(32)
    assert "RNGB.OUT" not in {a.register for a in run.trace}


def test_words_depend_on_the_device(mk2: Harness) -> None:
    run = mk2.run(OP_RNG, (4, 0), out_bytes=16, unique_id=0x1122334455667788)
    assert run.words[1:3] == [RNG_OK, RNG_OK]
    assert words_of(run.data, 0, 4) == expected(1, 4, 0x1122334455667788)


def test_failed_self_test_releases_nothing(mk2: Harness) -> None:
    run = mk2.run(OP_RNG, (8, 0), out_bytes=32, inject=("rngb-selftest-fail",))
    assert run.finished
    assert run.words[1] == RNG_SELFTEST_FAILED
    assert run.words[2] == RNG_ERROR
    assert run.data == bytes(32)
    notes = run.outcome.notes["RNGB"]
    assert notes["words_read"] == 0 and notes["underflows"] == 0


def test_error_while_reading_releases_nothing_until_reinit(mk2: Harness) -> None:
    run = mk2.run(OP_RNG, (8, 1), out_bytes=AGAIN + 32, inject=("rngb-error",))
    assert run.finished
    assert run.words[1:3] == [RNG_OK, RNG_ERROR]
    assert run.data[:32] == bytes(32)  # the 4 words read before the error are not released
    [fault] = run.outcome.injected
    assert fault.triggered == 1
    # init again: clear the error, reset, self test, a new seed -- then words flow again.
    assert run.words[3:5] == [RNG_OK, RNG_OK]
    assert words_of(run.data, AGAIN, 8) == expected(2, 8)
    assert run.outcome.notes["RNGB"]["underflows"] == 0


def test_short_request_after_error_is_refused_too(mk2: Harness) -> None:
    run = mk2.run(OP_RNG, (5, 0), out_bytes=20, inject=("rngb-error",))
    assert run.words[1:3] == [RNG_OK, RNG_ERROR]
    assert run.data == bytes(20)
