"""The boot report on the USB armory Mk II: identity, RNG, known answers, measurement, quote."""

from __future__ import annotations

import re

from tamapy.sim.context import default_unique_id
from tests.selftest.support import (
    IMAGE_BASE,
    MEASURE_BYTES,
    MK2,
    Image,
    device_otp_key,
    measurement,
    quote,
    rng_stream,
    run,
)

KATS = (
    "kat sha256 dcp: ",
    "kat sha256 software: ",
    "kat aes-128-cbc-encrypt dcp: ",
    "kat aes-128-cbc-decrypt dcp: ",
    "kat hmac-sha256 dcp: ",
)


def test_boot_report_passes_every_known_answer_test(mk2: Image) -> None:
    r = run(mk2)
    assert r.lines[0] == "tamapy selftest on USB armory Mk II"
    for kat in KATS:
        assert r.value(kat) == "PASS"
    assert r.value("rng self-test: ") == "PASS"
    assert r.value("selftest: ") == "6 passed, 0 failed, 0 unavailable"
    assert r.value("dcp: ") == "present" and r.value("rngb: ") == "present"
    assert r.exited and r.outcome.code == 0
    assert r.outcome.status == 0 and r.outcome.exceptions == ()


def test_identity_is_the_simulated_device(mk2: Image) -> None:
    r = run(mk2, ["uid"], unique_id=0x0123_4567_89AB_CDEF)
    assert r.value("soc: ") == "i.MX6ULZ (DIGPROG family 0x65, revision 0x0001)"
    # printed at boot and by the `uid` command, as the 64-bit number CFG1:CFG0
    assert r.values("uid: ") == ["0123456789abcdef", "0123456789abcdef"]
    assert r.outcome.report()["peripherals"]["OCOTP"]["unique_id"] == "0x0123456789abcdef"


def test_random_bytes_are_the_rngb_output_in_order(mk2: Image) -> None:
    uid = 0x1122_3344_5566_7788
    r = run(mk2, ["rand 40", "rand 3"], unique_id=uid)
    stream = rng_stream(uid, 32 + 40 + 4)
    # 8 words at boot, 10 words for `rand 40`, 1 word (3 bytes shown) for `rand 3`
    assert r.values("random: ") == [stream[:32].hex(), stream[32:72].hex(), stream[72:75].hex()]


def test_measurement_covers_exactly_the_read_only_image(mk2: Image) -> None:
    r = run(mk2)
    assert r.value("measurement: ") == measurement(mk2).hex()
    assert r.value("measured: ") == f"sha-256 of 0x{IMAGE_BASE:08x} + {MEASURE_BYTES} bytes"


def test_boot_quote_is_the_documented_hmac(mk2: Image) -> None:
    uid = default_unique_id(MK2)
    r = run(mk2)
    nonce = bytes.fromhex(r.value("quote nonce: "))
    assert nonce == rng_stream(uid, 32)
    expected = quote(device_otp_key(MK2), nonce, measurement(mk2))
    assert r.value("quote: ") == expected.hex()


def test_boot_quote_follows_the_fresh_nonce(mk2: Image) -> None:
    """Two boots of one device (one key) with different RNG streams: different nonces, different quotes."""
    key, m = bytes(range(16)), measurement(mk2)
    runs = [run(mk2, unique_id=u, otp_key=key) for u in (1, 2)]
    nonces = [bytes.fromhex(r.value("quote nonce: ")) for r in runs]
    assert nonces == [rng_stream(1, 32), rng_stream(2, 32)] and nonces[0] != nonces[1]
    assert [r.value("quote: ") for r in runs] == [quote(key, n, m).hex() for n in nonces]


def test_quote_depends_on_the_device_key(mk2: Image) -> None:
    key_a, key_b = bytes(range(16)), bytes(range(16, 32))
    a = run(mk2, ["quote 01"], otp_key=key_a)
    b = run(mk2, ["quote 01"], otp_key=key_b)
    m = measurement(mk2)
    assert a.values("quote: ")[1] == quote(key_a, b"\x01", m).hex()
    assert b.values("quote: ")[1] == quote(key_b, b"\x01", m).hex()
    assert a.values("quote: ")[1] != b.values("quote: ")[1]


def test_banner_comes_first_and_fast(mk2: Image) -> None:
    r = run(mk2)
    assert re.match(r"tamapy selftest on ", r.text)
    # the whole boot report, known-answer tests and quote included, in a few million instructions
    assert r.outcome.instructions < 5_000_000
