"""The same firmware modules run unchanged in CPython through the ``tamapy.fw`` host
library (machine types are range-checked int constructors, arrays are range-checked,
contracts are run-time checks) and agree with hashlib / hmac.  Every test runs twice:
imported with firmware/ on sys.path, and through the Host import hook."""

from __future__ import annotations

import hashlib
import hmac
import importlib
import sys
from collections.abc import Iterator
from types import ModuleType
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tamapy.fw import Array, Bytes, ContractError, u32, u64
from tests.crypto_sw.support import BOARD, FIRMWARE, ROOT
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


def _import_on_sys_path() -> Iterator[tuple[ModuleType, ModuleType]]:
    """Plain CPython import with firmware/ on sys.path (removed afterwards)."""
    sys.path.insert(0, str(FIRMWARE))
    try:
        yield importlib.import_module("crypto.sha256_sw"), importlib.import_module("crypto.hmac_sw")
    finally:
        sys.path.remove(str(FIRMWARE))
        for name in [m for m in sys.modules if m == "crypto" or m.startswith("crypto.")]:
            del sys.modules[name]


def _import_through_host() -> Iterator[tuple[ModuleType, ModuleType]]:
    """Through tamapy.sim.host.Host's import hook, which also checks the range claims of
    typed locals, arguments and results."""
    from tamapy.sim.host import Host

    with Host(ROOT, BOARD):
        yield importlib.import_module("crypto.sha256_sw"), importlib.import_module("crypto.hmac_sw")


@pytest.fixture(scope="module", params=["sys.path", "host"])
def fw(request: pytest.FixtureRequest) -> Iterator[tuple[ModuleType, ModuleType]]:
    """``crypto.sha256_sw`` and ``crypto.hmac_sw`` as CPython modules."""
    yield from (_import_on_sys_path() if request.param == "sys.path" else _import_through_host())


def _digest(array: Any) -> bytes:
    return bytes(array[0:32])


def sha256_oneshot(sha: ModuleType, message: bytes) -> bytes:
    digest = Bytes[32]()
    sha.sha256(message, digest)
    return _digest(digest)


def sha256_stream(sha: ModuleType, message: bytes, chunk: int) -> bytes:
    state, block, count, digest = Array[u32, 8](), Bytes[64](), Array[u64, 1](), Bytes[32]()
    sha.init(state, block, count)
    for i in range(0, len(message), chunk):
        assert sha.update(state, block, count, message[i:i + chunk])
    sha.final(state, block, count, digest)
    return _digest(digest)


def hmac_sha256(mac_mod: ModuleType, key: bytes, message: bytes) -> bytes:
    mac = Bytes[32]()
    mac_mod.hmac_sha256(key, message, mac)
    return _digest(mac)


@pytest.mark.parametrize("vector", [v for v in SHA256_VECTORS if v.repeat == 1], ids=lambda v: v.name)
def test_nist_vectors(fw: tuple[ModuleType, ModuleType], vector: HashVector) -> None:
    sha, _ = fw
    assert sha256_oneshot(sha, vector.unit).hex() == vector.digest
    assert sha256_stream(sha, vector.unit, 5).hex() == vector.digest


@pytest.mark.parametrize("vector", HMAC_VECTORS, ids=lambda v: v.name)
def test_rfc4231_vectors(fw: tuple[ModuleType, ModuleType], vector: MacVector) -> None:
    assert hmac_sha256(fw[1], vector.key, vector.message).hex().startswith(vector.mac)


@pytest.mark.parametrize("n", PADDING_EDGES)
def test_padding_edges(fw: tuple[ModuleType, ModuleType], n: int) -> None:
    sha, _ = fw
    message = edge_message(n)
    expected = hashlib.sha256(message).digest()
    assert sha256_oneshot(sha, message) == expected
    for chunk in (1, 63, 64, 65):
        assert sha256_stream(sha, message, chunk) == expected


@pytest.mark.parametrize("k", KEY_EDGES)
def test_hmac_key_edges(fw: tuple[ModuleType, ModuleType], k: int) -> None:
    key, message = edge_message(k)[::-1], edge_message(56)
    assert hmac_sha256(fw[1], key, message) == hmac.new(key, message, hashlib.sha256).digest()


@settings(max_examples=30, deadline=None)
@given(message=st.binary(max_size=300), chunk=st.integers(1, 130))
def test_sha256_matches_hashlib(fw: tuple[ModuleType, ModuleType], message: bytes, chunk: int) -> None:
    sha, _ = fw
    expected = hashlib.sha256(message).digest()
    assert sha256_oneshot(sha, message) == expected
    assert sha256_stream(sha, message, chunk) == expected


@settings(max_examples=20, deadline=None)
@given(key=st.binary(max_size=150), message=st.binary(max_size=300))
def test_hmac_matches_hmac_module(fw: tuple[ModuleType, ModuleType], key: bytes, message: bytes) -> None:
    assert hmac_sha256(fw[1], key, message) == hmac.new(key, message, hashlib.sha256).digest()


def test_update_refuses_beyond_the_maximum_and_changes_nothing(fw: tuple[ModuleType, ModuleType]) -> None:
    sha, _ = fw
    state, block, count = Array[u32, 8](), Bytes[64](), Array[u64, 1]()
    sha.init(state, block, count)
    count[0] = MAX_TOTAL - 3
    before = (list(state[0:8]), bytes(block[0:64]), count[0])
    assert not sha.update(state, block, count, b"abcd")
    assert (list(state[0:8]), bytes(block[0:64]), count[0]) == before
    assert sha.update(state, block, count, b"abc")
    assert count[0] == MAX_TOTAL
    assert not sha.update(state, block, count, b"x")
    assert sha.update(state, block, count, b"")


def test_contracts_are_checked_on_the_host(fw: tuple[ModuleType, ModuleType]) -> None:
    sha, _ = fw
    with pytest.raises(ContractError):
        sha.compress(Array[u32, 8](), bytes(63))
    with pytest.raises(ContractError):
        sha.finish(Array[u32, 8](), Bytes[64](), 64, 0, Bytes[32]())
    with pytest.raises(ContractError):
        sha.rotr(1, 32)
