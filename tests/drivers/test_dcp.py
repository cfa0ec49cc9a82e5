"""soc.imx6ul.dcp compiled for the USB armory Mk II and run in the simulator: SHA-256 equals
hashlib and AES-128 ECB/CBC equals the ``cryptography`` library, for every key source and for
messages that span several 1 KiB packets; bad lengths, DCP errors and hangs give the right
status and no result."""

from __future__ import annotations

import hashlib
import random

import pytest
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from hypothesis import example, given, settings
from hypothesis import strategies as st

from tamapy.sim.context import default_otp_key, default_unique_id
from tests.drivers.support import (
    DCP_BAD_LENGTH,
    DCP_BASE,
    DCP_ERROR,
    DCP_OK,
    DCP_SIZE,
    DCP_TIMEOUT,
    MK2,
    OP_AES,
    OP_DCP_INIT,
    OP_SHA,
    SOURCE_PAYLOAD,
    SOURCE_SLOT,
    SOURCE_UNIQUE,
    Harness,
)

CHUNK = 1024
MAX_CIPHER = 4096
ERROR_SRC = 1 << 4
OTP_KEY = default_otp_key(default_unique_id(MK2))

blocks = st.integers(1, MAX_CIPHER // 16).flatmap(lambda n: st.binary(min_size=16 * n, max_size=16 * n))
keys = st.binary(min_size=16, max_size=16)
sources = st.sampled_from([SOURCE_PAYLOAD, SOURCE_SLOT, SOURCE_UNIQUE])


def message(n: int, seed: int) -> bytes:
    return random.Random(seed).randbytes(n)


def dcp_sha256(h: Harness, data: bytes, inject: tuple[str, ...] = ()) -> tuple[int, bytes, list[int]]:
    run = h.run(OP_SHA, (len(data),), data, out_bytes=32, inject=inject)
    assert run.finished, run.outcome
    assert run.words[1] == DCP_OK  # init
    return run.words[2], run.data, run.words


def aes(key: bytes, iv: bytes | None, data: bytes, *, encrypt: bool) -> bytes:
    engine = Cipher(algorithms.AES(key), modes.CBC(iv) if iv is not None else modes.ECB())
    worker = engine.encryptor() if encrypt else engine.decryptor()
    return worker.update(data) + worker.finalize()


def dcp_aes(h: Harness, data: bytes, key: bytes, iv: bytes, *, source: int, cbc: bool, encrypt: bool,
            key_len: int = 0, iv_len: int = 0, out_len: int = 0, inject: tuple[str, ...] = (),
            otp_key: bytes | None = None) -> tuple[int, bytes, list[int]]:
    args = (len(data), source, int(cbc), int(encrypt), key_len, iv_len, out_len)
    run = h.run(OP_AES, args, data, key, iv, out_bytes=min(len(data), MAX_CIPHER), inject=inject, otp_key=otp_key)
    assert run.finished, run.outcome
    assert run.words[1] == DCP_OK  # init
    return run.words[2], run.data, run.words


# ------------------------------------------------------------------ SHA-256


@settings(max_examples=60, deadline=None)
@given(n=st.integers(0, 5 * CHUNK + 100), seed=st.integers(0, 2**32 - 1))
@example(n=0, seed=0)
@example(n=1, seed=1)
@example(n=64, seed=2)
@example(n=CHUNK, seed=3)
@example(n=CHUNK + 1, seed=4)
@example(n=2 * CHUNK, seed=5)
@example(n=3 * CHUNK + 63, seed=6)
def test_sha256_matches_hashlib(mk2: Harness, n: int, seed: int) -> None:
    data = message(n, seed)
    status, digest, _ = dcp_sha256(mk2, data)
    assert status == DCP_OK
    assert digest == hashlib.sha256(data).digest()


def test_sha256_of_the_largest_harness_message(mk2: Harness) -> None:
    data = message(16384, 7)
    status, digest, _ = dcp_sha256(mk2, data)
    assert (status, digest) == (DCP_OK, hashlib.sha256(data).digest())


def test_sha256_runs_one_packet_per_chunk(mk2: Harness) -> None:
    run = mk2.run(OP_SHA, (2 * CHUNK + 5,), message(2 * CHUNK + 5, 8), out_bytes=32)
    ops = run.outcome.notes["DCP"]["operations"]
    assert [op["hash_stage"] for op in ops] == ["init+update", "update", "term"]
    assert [op["bytes"] for op in ops] == [CHUNK, CHUNK, 5]


# ------------------------------------------------------------------ AES-128


@settings(max_examples=60, deadline=None)
@given(key=keys, iv=keys, data=blocks, source=sources, cbc=st.booleans(), encrypt=st.booleans())
@example(key=bytes(16), iv=bytes(16), data=bytes(3 * CHUNK + 16), source=SOURCE_PAYLOAD, cbc=True, encrypt=True)
@example(key=bytes(16), iv=bytes(16), data=bytes(MAX_CIPHER), source=SOURCE_SLOT, cbc=True, encrypt=False)
def test_aes_matches_cryptography(mk2: Harness, key: bytes, iv: bytes, data: bytes, source: int, cbc: bool,
                                  encrypt: bool) -> None:
    status, out, _ = dcp_aes(mk2, data, key, iv, source=source, cbc=cbc, encrypt=encrypt)
    assert status == DCP_OK
    used = OTP_KEY if source == SOURCE_UNIQUE else key
    assert out == aes(used, iv if cbc else None, data, encrypt=encrypt)


def test_unique_key_is_the_devices(mk2: Harness) -> None:
    otp = bytes(range(16))
    data, iv = message(64, 9), message(16, 10)
    status, out, _ = dcp_aes(mk2, data, bytes(16), iv, source=SOURCE_UNIQUE, cbc=True, encrypt=True, otp_key=otp)
    assert (status, out) == (DCP_OK, aes(otp, iv, data, encrypt=True))


@pytest.mark.parametrize(("n", "key_len", "iv_len"), [(17, 0, 0), (8, 0, 0), (MAX_CIPHER + 16, 0, 0),
                                                      (32, 15, 0), (32, 0, 8)])
def test_bad_lengths_are_refused_without_touching_the_dcp(mk2: Harness, n: int, key_len: int, iv_len: int) -> None:
    status, out, _ = dcp_aes(mk2, bytes(n), bytes(16), bytes(16), source=SOURCE_PAYLOAD, cbc=True, encrypt=True,
                             key_len=key_len, iv_len=iv_len)
    assert status == DCP_BAD_LENGTH
    assert out == bytes(len(out))


@settings(max_examples=6, deadline=None)
@given(source=sources, cbc=st.booleans())
def test_aes_output_of_the_callers_size(mk2: Harness, source: int, cbc: bool) -> None:
    """The output is a view of the caller's size: exactly enough is filled, one block short is
    BAD_LENGTH with the output untouched."""
    key, iv, data = message(16, 20), message(16, 21), message(64, 22)
    status, out, _ = dcp_aes(mk2, data, key, iv, source=source, cbc=cbc, encrypt=True, out_len=64)
    if source == SOURCE_PAYLOAD:
        assert (status, out) == (DCP_OK, aes(key, iv if cbc else None, data, encrypt=True))
    else:
        assert status == DCP_OK and len(out) == 64 and out != data
    status, out, _ = dcp_aes(mk2, data, key, iv, source=source, cbc=cbc, encrypt=True, out_len=48)
    assert (status, out) == (DCP_BAD_LENGTH, bytes(64))


def test_empty_aes_message_is_empty(mk2: Harness) -> None:
    status, out, _ = dcp_aes(mk2, b"", bytes(16), bytes(16), source=SOURCE_PAYLOAD, cbc=False, encrypt=True)
    assert (status, out) == (DCP_OK, b"")


# ------------------------------------------------------------------ faults


def test_channel_error_is_reported_with_its_status_and_no_digest(mk2: Harness) -> None:
    status, digest, words = dcp_sha256(mk2, message(3000, 11), inject=("dcp-channel-error",))
    assert status == DCP_ERROR
    assert words[3] & ERROR_SRC
    assert digest == bytes(32)


def test_channel_error_gives_no_ciphertext(mk2: Harness) -> None:
    data = message(2 * CHUNK + 32, 12)
    status, out, words = dcp_aes(mk2, data, message(16, 13), bytes(16), source=SOURCE_PAYLOAD, cbc=True,
                                 encrypt=True, inject=("dcp-channel-error",))
    assert status == DCP_ERROR
    assert words[3] & ERROR_SRC and words[4] == 0  # a bus error carries no ERROR_CODE
    assert out == bytes(len(data))


def test_hang_times_out_and_recovers_the_block(mk2: Harness) -> None:
    run = mk2.run(OP_SHA, (100,), message(100, 14), out_bytes=32, inject=("dcp-hang",))
    assert run.finished
    assert run.words[2] == DCP_TIMEOUT
    assert run.data == bytes(32)
    [hang] = run.outcome.injected
    assert hang.triggered >= 1 and "1 packet(s) accepted" in hang.detail
    # The timed-out packet was aborted by a soft reset: nothing is left pending.
    assert "hung_channels" not in run.outcome.notes.get("DCP", {})


def test_hang_gives_no_ciphertext(mk2: Harness) -> None:
    status, out, _ = dcp_aes(mk2, message(48, 15), bytes(16), bytes(16), source=SOURCE_SLOT, cbc=False,
                             encrypt=False, inject=("dcp-hang",))
    assert (status, out) == (DCP_TIMEOUT, bytes(48))


def test_init_alone(mk2: Harness) -> None:
    run = mk2.run(OP_DCP_INIT, trace=True)
    assert run.finished and run.words[1] == DCP_OK
    names = [a.register for a in run.touched(DCP_BASE, DCP_SIZE) if not a.read]
    # STMP reset sequence, then configuration and channel 0 only.
    assert names[:5] == ["DCP.CTRL_CLR", "DCP.CTRL_CLR", "DCP.CTRL_SET", "DCP.CTRL_CLR", "DCP.CTRL_CLR"]
    assert "DCP.CHANNELCTRL" in names
