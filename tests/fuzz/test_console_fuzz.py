"""Fuzzing the self-test console through the simulator: garbage, long lines, control bytes,
half commands and hostile arguments typed at the USB armory Mk II's console.

Property: the firmware never faults, panics or takes a CPU exception; it stays
responsive (the ``exit`` typed after the garbage ends the run with ``tamapy:
exit N``) within a fixed instruction budget.
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.fuzz.support import fuzz_settings, keep, regressions
from tests.selftest.support import MK2, Image, build, run

COMMANDS = ("help", "uid", "rand", "rand 0", "rand 4294967295", "rand -1", "rand 99999999999999999999",
            "sha256", "sha256 ", "sha256 zz", "sha256 0", "sha256 " + "ab" * 300, "quote", "quote 00",
            "quote " + "ff" * 64, "exit 7", "status", "\x1b[A", "\x00", "\x7f" * 20, "\r\n")
BUDGET = 40_000_000
"""Instructions: boot is about 2.6 million, each command well under a million; reaching it is a hang."""


@pytest.fixture(scope="module")
def mk2() -> Image:
    return build(MK2)


typed = st.lists(st.one_of(st.sampled_from(COMMANDS).map(str.encode), st.binary(max_size=700)), max_size=4)


def check_console(image: Image, data: bytes) -> list[str]:
    r = run(image, raw=data + b"\nexit\n", max_insns=BUDGET)
    o = r.outcome
    found = []
    if o.fault is not None:
        found.append(f"fault: {o.fault.message}")
    if o.exceptions:
        found.append(f"cpu exception: {o.exceptions[0].message}")
    if o.final != "exit":
        found.append(f"no exit line (stopped: {o.stop_reason}, final {o.final})")
    if found:
        keep("console", data, ".bin")
    return found


@fuzz_settings(60)
@given(typed)
def test_garbage_on_the_console_never_breaks_the_firmware(mk2: Image, parts: list[bytes]) -> None:
    assert check_console(mk2, b"\n".join(parts)) == []


def test_kept_console_inputs_stay_fixed(mk2: Image) -> None:
    """Every input a fuzz run kept (tests/fuzz/regressions/console/) passes now."""
    for kept in regressions("console"):
        assert check_console(mk2, kept.read_bytes()) == [], kept.name
