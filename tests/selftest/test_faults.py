"""Injected hardware faults: the self-test releases no random bytes or results it should
not, reports the error where it can, and never waits past its bounded waits."""

from __future__ import annotations

import hashlib
import re

import pytest

from tests.selftest.support import BUDGET, MK2, Image, Run, device_otp_key, measurement, quote, run

COMMANDS = ["rand 8", "sha256 616263", "aes-cbc " + "00" * 16 + " " + "11" * 16 + " " + "22" * 32, "quote 01"]
RNG_FAULTS = ["rngb-selftest-fail", "rngb-error"]
NO_NONCE = "unavailable (no fresh nonce: rng UNHEALTHY)"
MAC = re.compile(r"[0-9a-f]{64}")


def _ended_in_budget(r: Run) -> None:
    assert r.outcome.stop_reason != "max-insns" and r.outcome.instructions < BUDGET
    assert r.outcome.fault is None and r.outcome.exceptions == ()


def _triggered(r: Run, name: str) -> int:
    return next(i.triggered for i in r.outcome.injected if i.name == name)


def _boot_quotes(r: Run) -> list[str]:
    """The hex MACs the boot report released (the ``quote:`` lines before the console)."""
    boot = r.lines[:r.lines.index("ready: type help")]
    return [line[len("quote: "):] for line in boot
            if line.startswith("quote: ") and MAC.fullmatch(line[len("quote: "):])]


@pytest.mark.parametrize("fault", RNG_FAULTS)
def test_rng_faults_release_no_random_bytes(mk2: Image, fault: str) -> None:
    r = run(mk2, COMMANDS, inject=(fault,))
    _ended_in_budget(r)
    assert _triggered(r, fault) > 0
    if fault == "rngb-selftest-fail":
        assert r.value("rng self-test: ") == "FAIL (UNHEALTHY)"
        assert r.value("selftest: ") == "5 passed, 2 failed, 0 unavailable"
    else:
        assert r.value("rng self-test: ") == "PASS"  # the oscillator fails later, after 4 words
        assert r.outcome.report()["peripherals"]["RNGB"]["words_read"] == 4
        assert r.value("selftest: ") == "6 passed, 1 failed, 0 unavailable"
    assert r.value("random: ") == "refused (UNHEALTHY)"
    # no fresh nonce: no boot quote, and no nonce line (the zeroed buffer is never shown or MACed)
    assert r.values("quote nonce: ") == []
    assert _boot_quotes(r) == []
    assert r.values("quote: ")[0] == NO_NONCE
    # refused from then on (a failure is sticky until a new self test), the rest still works,
    # the console's quote too: its nonce is the verifier's
    answers = r.responses()
    assert answers[0] == "error: rand UNHEALTHY"
    assert answers[1] == f"digest: {hashlib.sha256(b'abc').hexdigest()}"
    assert answers[2].startswith("ciphertext: ")
    assert answers[3] == "quote: " + quote(device_otp_key(MK2), b"\x01", measurement(mk2)).hex()
    assert r.exited and r.outcome.code == 1  # a failed self test is exit status 1


SAME_KEY = bytes(range(16))
"""One device key for two boots that differ only in their unique ID (so in their RNG stream)."""


@pytest.mark.parametrize("fault", RNG_FAULTS)
def test_rng_faults_release_no_replayable_boot_quote(mk2: Image, fault: str) -> None:
    uids = (0x0102_0304_0506_0708, 0x1112_1314_1516_1718)
    healthy = [run(mk2, unique_id=u, otp_key=SAME_KEY) for u in uids]
    released = [_boot_quotes(r) for r in healthy]
    assert all(len(q) == 1 for q in released) and released[0] != released[1]
    faulty = [run(mk2, inject=(fault,), unique_id=u, otp_key=SAME_KEY) for u in uids]
    for r in faulty:
        _ended_in_budget(r)
        assert _boot_quotes(r) == [] and r.value("quote: ") == NO_NONCE
        assert all(set(n) != {"0"} for n in r.values("quote nonce: "))
        assert "00" * 32 not in r.text


def test_console_quote_refuses_an_all_zero_nonce_under_rng_faults(mk2: Image) -> None:
    for fault in RNG_FAULTS:
        r = run(mk2, ["quote " + "00" * 32, "quote 00", "quote 5a"], inject=(fault,))
        assert r.responses() == ["error: the nonce must not be all zero"] * 2 + [
            "quote: " + quote(device_otp_key(MK2), b"\x5a", measurement(mk2)).hex()]


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
