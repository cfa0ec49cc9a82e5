"""crypto.sha256_sw and crypto.hmac_sw compiled for the MCIMX6UL-EVK and run in Unicorn
give exactly what hashlib and hmac compute (the image is built once for this module)."""

from __future__ import annotations

import hashlib
import hmac
import struct

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from tests.crypto_sw.support import (
    MSG_MAX,
    OP_HMAC,
    OP_NEAR_LIMIT,
    OP_REPEAT,
    OP_SHA256,
    OP_STREAM,
    Target,
    build_target,
)
from tests.crypto_sw.vectors import (
    HMAC_VECTORS,
    KEY_EDGES,
    PADDING_EDGES,
    SHA256_VECTORS,
    HashVector,
    MacVector,
    edge_message,
)

MAX_TOTAL = 2**61 - 1
MESSAGES = st.binary(min_size=0, max_size=300)
KEYS = st.binary(min_size=0, max_size=150)


@pytest.fixture(scope="module")
def target(tmp_path_factory: pytest.TempPathFactory) -> Target:
    return build_target(tmp_path_factory.mktemp("crypto_sw"))


def _sha256(target: Target, message: bytes) -> bytes:
    return target.run(OP_SHA256, message).digest


def _stream(target: Target, message: bytes, chunk: int) -> bytes:
    result = target.run(OP_STREAM, message, chunk=chunk)
    assert result.status == 0, "an update was refused"
    return result.digest


def _hmac(target: Target, key: bytes, message: bytes) -> bytes:
    return target.run(OP_HMAC, message, key).digest


@pytest.mark.parametrize("vector", SHA256_VECTORS, ids=lambda v: v.name)
def test_nist_vectors(target: Target, vector: HashVector) -> None:
    if vector.repeat == 1:
        assert _sha256(target, vector.unit).hex() == vector.digest
        assert _stream(target, vector.unit, 7).hex() == vector.digest
    result = target.run(OP_REPEAT, vector.unit, reps=vector.repeat, limit=2_000_000_000)
    assert result.status == 0
    assert result.digest.hex() == vector.digest


@pytest.mark.parametrize("vector", HMAC_VECTORS, ids=lambda v: v.name)
def test_rfc4231_vectors(target: Target, vector: MacVector) -> None:
    assert _hmac(target, vector.key, vector.message).hex().startswith(vector.mac)


@pytest.mark.parametrize("n", PADDING_EDGES)
def test_padding_edges(target: Target, n: int) -> None:
    message = edge_message(n)
    expected = hashlib.sha256(message).digest()
    assert _sha256(target, message) == expected
    for chunk in (1, 55, 56, 63, 64, 65, 1024):
        assert _stream(target, message, chunk) == expected


@pytest.mark.parametrize("k", KEY_EDGES)
@pytest.mark.parametrize("n", [0, 55, 56, 64, 120])
def test_hmac_key_and_message_edges(target: Target, k: int, n: int) -> None:
    key, message = edge_message(k)[::-1], edge_message(n)
    assert _hmac(target, key, message) == hmac.new(key, message, hashlib.sha256).digest()


@settings(max_examples=150, deadline=None)
@given(message=MESSAGES)
def test_sha256_matches_hashlib(target: Target, message: bytes) -> None:
    assert _sha256(target, message) == hashlib.sha256(message).digest()


@settings(max_examples=100, deadline=None)
@given(message=MESSAGES, chunk=st.integers(1, 130))
@example(message=bytes(120), chunk=60).via("length field in its own block")
def test_streaming_matches_hashlib(target: Target, message: bytes, chunk: int) -> None:
    assert _stream(target, message, chunk) == hashlib.sha256(message).digest()


@settings(max_examples=150, deadline=None)
@given(key=KEYS, message=MESSAGES)
@example(key=bytes(64), message=b"").via("block-sized key")
@example(key=bytes(range(65)), message=bytes(56)).via("hashed key")
def test_hmac_matches_hmac_module(target: Target, key: bytes, message: bytes) -> None:
    assert _hmac(target, key, message) == hmac.new(key, message, hashlib.sha256).digest()


@pytest.mark.parametrize("n", [1, 64, MSG_MAX])
def test_update_accepts_up_to_the_maximum_length(target: Target, n: int) -> None:
    result = target.run(OP_NEAR_LIMIT, bytes(n), count=MAX_TOTAL - n)
    assert result.status == 1
    assert struct.unpack(">Q", result.digest[:8])[0] == MAX_TOTAL


@pytest.mark.parametrize("count", [MAX_TOTAL - 63, MAX_TOTAL, 2**64 - 1])
def test_update_refuses_a_message_longer_than_the_maximum(target: Target, count: int) -> None:
    result = target.run(OP_NEAR_LIMIT, bytes(64), count=count)
    assert result.status == 0
    assert struct.unpack(">Q", result.digest[:8])[0] == count, "a refused update changed the count"


def test_count_crosses_32_bits(target: Target) -> None:
    result = target.run(OP_NEAR_LIMIT, bytes(10), count=2**32 - 3)
    assert result.status == 1
    assert struct.unpack(">Q", result.digest[:8])[0] == 2**32 + 7

