"""runtime.hexcodec and runtime.line run in CPython on the simulated board (tamapy.sim.host):
hex decoding agrees with Python's, and line input keeps its bounds."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tamapy.fw import Bytes
from tamapy.sim.host import Host
from tests.selftest.support import MK2, ROOT

HEX = "0123456789abcdefABCDEF"


@pytest.fixture(scope="module")
def host() -> Iterator[Host]:
    with Host(ROOT, MK2) as h:
        yield h


def _decode(host: Host, text: bytes) -> tuple[int, bytes]:
    codec: Any = host.module("runtime.hexcodec")
    out = Bytes[256]()
    result = codec.decode(text, out)
    return result, bytes(out[i] for i in range(min(result, 256)))


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=HEX, max_size=520))
def test_decode_equals_bytes_fromhex(host: Host, text: str) -> None:
    codec: Any = host.module("runtime.hexcodec")
    result, data = _decode(host, text.encode())
    if len(text) % 2:
        assert result == codec.ODD_LENGTH
    elif len(text) > 512:
        assert result == codec.TOO_LONG
    else:
        assert result == len(text) // 2 and data == bytes.fromhex(text)


@settings(max_examples=100, deadline=None)
@given(st.text(alphabet=HEX, min_size=1, max_size=40).map(lambda s: s[: len(s) // 2 * 2] or "00"),
       st.integers(min_value=0), st.sampled_from("gGxz -:\x00\xff"))
def test_a_bad_digit_anywhere_is_refused(host: Host, text: str, where: int, bad: str) -> None:
    codec: Any = host.module("runtime.hexcodec")
    i = where % len(text)
    broken = (text[:i] + bad + text[i + 1:]).encode("latin-1")
    assert _decode(host, broken)[0] == codec.BAD_DIGIT


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=256))
def test_encode_is_lower_case_hex(host: Host, data: bytes) -> None:
    codec: Any = host.module("runtime.hexcodec")
    out = Bytes[512]()
    n = codec.encode(data, out)
    assert n == 2 * len(data) and bytes(out[i] for i in range(n)) == data.hex().encode()


def _read(host: Host, data: bytes, wait: int = 50, budget: int = 2000) -> tuple[int, bytes, bytes]:
    """read_line over ``data`` queued on the console: (result, the line, what was echoed)."""
    host.reset()
    console: Any = host.module("runtime.console")
    line: Any = host.module("runtime.line")
    assert console.init()
    host.console.receive(data)
    buf = Bytes[512]()
    before = len(host.console.transmitted)
    result = line.read_line(buf, wait, budget)
    text = bytes(buf[i] for i in range(result)) if result <= line.MAX_LINE else b""
    return result, text, bytes(host.console.transmitted[before:])


def test_read_line_results(host: Host) -> None:
    line: Any = host.module("runtime.line")
    assert _read(host, b"hello\n") == (5, b"hello", b"hello\n")
    assert _read(host, b"ab\x08c\r") == (2, b"ac", b"ab\x08 \x08c\n")
    assert _read(host, b"\x01\x1bx\xffy\n")[:2] == (2, b"xy")  # control and non-ASCII bytes dropped
    assert _read(host, b"")[0] == line.IDLE
    assert _read(host, b"abc")[0] == line.TIMEOUT
    assert _read(host, b"ab\x04cd\n")[0] == line.END
    assert _read(host, b"x" * 40, budget=20)[0] == line.OVERRUN


def test_too_long_line_is_refused_and_discarded_to_its_end(host: Host) -> None:
    line: Any = host.module("runtime.line")
    result, _, echo = _read(host, b"y" * 600 + b"\n")
    assert result == line.TOO_LONG and echo == b"y" * 512 + b"\n"
    assert _read(host, b"y" * 512 + b"\n")[0] == 512
