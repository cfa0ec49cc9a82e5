"""The line console on the USB armory Mk II: results equal the host's, bad input is
answered with an error line and the console keeps serving."""

from __future__ import annotations

import hashlib

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tests.selftest.support import MK2, Image, aes_cbc, device_otp_key, measurement, quote, run

SETTINGS = settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
MAX_SHA = 252
"""Longest message a 512-character `sha256 HEX` line can carry."""


@SETTINGS
@given(st.lists(st.binary(max_size=MAX_SHA), min_size=1, max_size=6))
@example([b"", b"abc", bytes(range(252))])
def test_sha256_equals_hashlib(mk2: Image, messages: list[bytes]) -> None:
    r = run(mk2, [f"sha256 {m.hex()}" for m in messages])
    assert r.responses() == [f"digest: {hashlib.sha256(m).hexdigest()}" for m in messages]


def test_sha256_takes_either_case_and_extra_spaces(mk2: Image) -> None:
    r = run(mk2, ["sha256 616263", "  sha256   616263  ", "sha256 6A6B"])
    assert r.responses() == [f"digest: {hashlib.sha256(b'abc').hexdigest()}"] * 2 + [
        f"digest: {hashlib.sha256(b'jk').hexdigest()}"]


BLOCKS = st.integers(min_value=1, max_value=13).flatmap(lambda n: st.binary(min_size=16 * n, max_size=16 * n))


@SETTINGS
@given(st.lists(st.tuples(st.binary(min_size=16, max_size=16), st.binary(min_size=16, max_size=16), BLOCKS),
                min_size=1, max_size=4))
def test_aes_cbc_equals_cryptography(mk2: Image, cases: list[tuple[bytes, bytes, bytes]]) -> None:
    r = run(mk2, [f"aes-cbc {k.hex()} {iv.hex()} {d.hex()}" for k, iv, d in cases])
    assert r.responses() == [f"ciphertext: {aes_cbc(k, iv, d).hex()}" for k, iv, d in cases]


@SETTINGS
@given(st.lists(st.binary(min_size=1, max_size=64).filter(any), min_size=1, max_size=5),
       st.binary(min_size=16, max_size=16))
def test_quote_equals_the_host_hmac(mk2: Image, nonces: list[bytes], otp_key: bytes) -> None:
    r = run(mk2, [f"quote {n.hex()}" for n in nonces], otp_key=otp_key)
    measured = measurement(mk2)
    assert r.responses() == [f"quote: {quote(otp_key, n, measured).hex()}" for n in nonces]


def test_quote_with_the_default_device_key(mk2: Image) -> None:
    nonce = bytes(range(64))
    r = run(mk2, [f"quote {nonce.hex()}"])
    assert r.responses() == [f"quote: {quote(device_otp_key(MK2), nonce, measurement(mk2)).hex()}"]


GOOD = "sha256 00"
GOOD_ANSWER = "digest: " + hashlib.sha256(bytes(1)).hexdigest()
BAD = [
    ("frobnicate", "error: unknown command (type help)"),
    ("sha256 0g", "error: bad hex digit"),
    ("sha256 abc", "error: odd number of hex digits"),
    ("sha256 00 11", "error: usage: sha256 HEX"),
    ("rand", "error: usage: rand N (N = 1..256)"),
    ("rand 0", "error: usage: rand N (N = 1..256)"),
    ("rand 257", "error: usage: rand N (N = 1..256)"),
    ("rand 12x", "error: usage: rand N (N = 1..256)"),
    ("rand 99999999999", "error: usage: rand N (N = 1..256)"),
    ("aes-cbc 00 11 22", "error: the key must be 16 bytes"),
    ("aes-cbc " + "00" * 16 + " 11 22", "error: the IV must be 16 bytes"),
    ("aes-cbc " + "00" * 16 + " " + "11" * 16 + " 22", "error: the data must be a non-empty multiple of 16 bytes"),
    ("aes-cbc " + "00" * 16 + " " + "11" * 16, "error: the data must be a non-empty multiple of 16 bytes"),
    ("aes-cbc " + "00" * 16 + " " + "11" * 16 + " " + "22" * 16 + " 33", "error: usage: aes-cbc KEYHEX IVHEX DATAHEX"),
    ("aes-cbc zz", "error: bad hex digit"),
    ("quote", "error: the nonce must be 1..64 bytes"),
    ("quote " + "00" * 65, "error: the nonce must be 1..64 bytes"),
    ("quote 0", "error: odd number of hex digits"),
    ("quote 00", "error: the nonce must not be all zero"),
    ("quote " + "00" * 64, "error: the nonce must not be all zero"),
    ("sha256 " + "00" * 253, "error: line too long (at most 512 characters)"),
    ("sha256 " + "0" * 2000, "error: line too long (at most 512 characters)"),
]


def test_bad_input_gets_an_error_line_and_the_console_keeps_serving(mk2: Image) -> None:
    commands = [c for bad, _ in BAD for c in (bad, GOOD)]
    r = run(mk2, commands)
    expected = [a for _, answer in BAD for a in (answer, GOOD_ANSWER)]
    assert r.responses() == expected
    assert r.exited and r.outcome.code == 0


def test_the_longest_line_is_accepted(mk2: Image) -> None:
    r = run(mk2, ["sha256 " + "ab" * 252])  # 511 characters
    assert r.responses() == [f"digest: {hashlib.sha256(bytes([0xAB]) * 252).hexdigest()}"]


def test_line_editing_backspace_and_crlf(mk2: Image) -> None:
    raw = b"sha256 61x\x0862x\x7f63\r\nsha256 61\rhelp\n\n  \nexit\r\n"
    r = run(mk2, raw=raw)
    assert r.responses() == [f"digest: {hashlib.sha256(b'abc').hexdigest()}",
                             f"digest: {hashlib.sha256(b'a').hexdigest()}"]
    assert "commands:" in r.lines and r.exited


def test_control_d_ends_the_run(mk2: Image) -> None:
    r = run(mk2, raw=b"sha256 00\n\x04sha256 11\n")
    assert r.responses() == [GOOD_ANSWER]
    assert r.value("console: ") == "end of input"
    assert r.exited and r.outcome.code == 0


def test_idle_input_ends_the_run_after_the_bounded_wait(mk2: Image) -> None:
    r = run(mk2, ["sha256 00"], end=False)
    assert r.responses() == [GOOD_ANSWER]
    assert r.value("console: ") == "no input, done"
    assert r.exited and r.outcome.code == 0


def test_a_line_cut_off_by_the_end_of_input_times_out(mk2: Image) -> None:
    r = run(mk2, raw=b"sha256 00\nsha25")
    assert r.responses() == [GOOD_ANSWER, "error: line timed out"]
    assert r.value("console: ") == "no input, done" and r.exited


def test_reset_requests_a_software_reset(mk2: Image) -> None:
    r = run(mk2, ["sha256 00", "reset", "sha256 11"])
    assert r.responses() == [GOOD_ANSWER]
    assert r.value("reset: ") == "requesting a software reset"
    assert r.outcome.stop_reason == "reset" and r.outcome.final is None


def test_help_lists_every_command(mk2: Image) -> None:
    r = run(mk2, ["help"])
    listed = {line.split()[0] for line in r.lines if line.startswith("  ")}
    assert listed == {"help", "uid", "rand", "sha256", "aes-cbc", "quote", "reset", "exit"}
