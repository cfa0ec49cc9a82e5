"""Injected hardware faults: the self-test releases no random bytes or results it should
not, reports the error where it can, and never waits past its bounded waits."""

from __future__ import annotations

import hashlib

import pytest

from tests.selftest.support import BUDGET, Image, Run, run

COMMANDS = ["rand 8", "sha256 616263", "aes-cbc " + "00" * 16 + " " + "11" * 16 + " " + "22" * 32, "quote 00"]
ZERO_NONCE = "00" * 32


def _ended_in_budget(r: Run) -> None:
    assert r.outcome.stop_reason != "max-insns" and r.outcome.instructions < BUDGET
    assert r.outcome.fault is None and r.outcome.exceptions == ()


def _triggered(r: Run, name: str) -> int:
    return next(i.triggered for i in r.outcome.injected if i.name == name)


@pytest.mark.parametrize("fault", ["rngb-selftest-fail", "rngb-error"])
def test_rng_faults_release_no_random_bytes(mk2: Image, fault: str) -> None:
    r = run(mk2, COMMANDS, inject=(fault,))
    _ended_in_budget(r)
    assert _triggered(r, fault) > 0
    if fault == "rngb-selftest-fail":
        assert r.value("rng self-test: ") == "FAIL (UNHEALTHY)"
    else:
        assert r.value("rng self-test: ") == "PASS"  # the oscillator fails later, after 4 words
        assert r.outcome.report()["peripherals"]["RNGB"]["words_read"] == 4
    assert r.value("random: ") == "refused (UNHEALTHY)"
    assert r.value("quote nonce: ") == ZERO_NONCE
    # refused from then on (a failure is sticky until a new self test), the rest still works
    answers = r.responses()
    assert answers[0] == "error: rand UNHEALTHY"
    assert answers[1] == f"digest: {hashlib.sha256(b'abc').hexdigest()}"
    assert answers[2].startswith("ciphertext: ") and answers[3].startswith("quote: ")
    assert r.exited and r.outcome.code == 1  # a failed self test is exit status 1


@pytest.mark.parametrize(("fault", "status"), [("dcp-channel-error", "ENGINE_ERROR"), ("dcp-hang", "TIMEOUT")])
def test_dcp_faults_release_no_results(mk2: Image, fault: str, status: str) -> None:
    r = run(mk2, COMMANDS, inject=(fault,))
    _ended_in_budget(r)
    assert _triggered(r, fault) > 0
    for kat in ("sha256 dcp", "aes-128-cbc-encrypt dcp", "aes-128-cbc-decrypt dcp", "hmac-sha256 dcp"):
        assert r.value(f"kat {kat}: ") == f"FAIL ({status})"
    assert r.value("kat sha256 software: ") == "PASS"
    assert r.value("quote: ") == f"refused ({status})"
    answers = r.responses()
    assert answers[0].startswith("random: ")  # the RNGB is not affected
    assert answers[1:] == [f"error: sha256 {status}", f"error: aes-cbc {status}", f"error: quote {status}"]
    assert not any(line.startswith(("digest: ", "ciphertext: ")) for line in r.lines)
    assert r.exited and r.outcome.code == 1


def test_stuck_console_stops_serving_and_the_watchdog_ends_the_run(mk2: Image) -> None:
    r = run(mk2, COMMANDS, inject=("uart-stuck",))
    _ended_in_budget(r)
    assert r.outcome.output == b""
    # the first refused byte costs the UART driver's bounded wait (one million status polls);
    # then the firmware sends nothing more, idles, and the running watchdog expires
    assert r.outcome.stop_reason == "watchdog" and "WDOG1" in (r.outcome.detail or "")
    assert r.outcome.report()["peripherals"]["UART2"]["busy_status_reads"] == 1_000_000


SLOW_CLOCK = 100_000
"""Simulated instructions per second that let the 32 s watchdog expire within a run."""


def test_unserviced_watchdog_ends_the_run(mk2: Image) -> None:
    serviced = run(mk2, end=False, clock_hz=SLOW_CLOCK)
    assert serviced.exited and serviced.outcome.code == 0  # serviced in time: the idle rule ends it
    r = run(mk2, end=False, clock_hz=SLOW_CLOCK, inject=("wdog-unserviced",))
    _ended_in_budget(r)
    assert _triggered(r, "wdog-unserviced") > 0
    assert r.outcome.stop_reason == "watchdog" and r.outcome.final is None
    assert r.value("selftest: ") == "6 passed, 0 failed, 0 unavailable"
