"""attest.quote in CPython on the simulated board (tamapy.sim.host): no caller can get a
MAC over an empty or all-zero nonce, the value a failed or unwritten nonce holds."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tamapy.fw import Bytes
from tamapy.sim.host import Host
from tests.selftest.support import BAD_INPUT, MK2, ROOT


@pytest.fixture(scope="module")
def host() -> Iterator[Host]:
    with Host(ROOT, MK2) as h:
        yield h


@pytest.mark.parametrize("length", [0, 1, 2, 31, 32, 64])
def test_quote_refuses_an_empty_or_all_zero_nonce(host: Host, length: int) -> None:
    attest: Any = host.module("examples.selftest.attest")
    mac = Bytes[32]()
    for i in range(32):
        mac[i] = 0xA5
    assert attest.quote(bytes(length), mac) == BAD_INPUT
    assert bytes(mac[i] for i in range(32)) == bytes(32)  # no MAC, only the zeroed output
    assert not attest.measured  # refused before any work: nothing was measured or derived


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=80))
def test_usable_nonce_is_one_to_64_bytes_not_all_zero(host: Host, nonce: bytes) -> None:
    attest: Any = host.module("examples.selftest.attest")
    assert attest.usable_nonce(nonce) == (1 <= len(nonce) <= 64 and any(nonce))
