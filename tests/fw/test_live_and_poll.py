"""``poll`` re-evaluates its condition: register by register, exactly ``limit`` times at most."""

from __future__ import annotations

from types import ModuleType
from typing import Any

import pytest

from tamapy.fw import poll
from tamapy.fw.live import Condition, Live, is_live, reevaluate
from tamapy.sim.host import Host
from tests.fw.support import DIFF1_BASE


def _reads(host: Host) -> list[str]:
    return [a.register for a in host.trace if a.read]


def test_field_comparisons_are_conditions(host: Host) -> None:
    ctrl: Any = host.regs.DIFF1.CTRL
    cond = ctrl.MODE == 5
    assert isinstance(cond, Condition) and cond and repr(cond) == "True"
    assert cond == True  # type: ignore[comparison-overlap]  # noqa: E712 -- it compares like a bool
    assert not (ctrl.MODE != 5)  # noqa: SIM202 -- `not` of a Condition is what is tested
    assert (ctrl.MODE < 6) and (ctrl.MODE >= 5) and (ctrl.MODE > 4)
    if ctrl.MODE == 5:  # plain Python
        pass
    assert _reads(host) == ["DIFF1.CTRL"] * 6


def test_arithmetic_on_live_values_reads_again_in_order(host: Host) -> None:
    regs: Any = host.regs
    value = (regs.DIFF1.CTRL.MODE << 4) + regs.DIFF1.CFG.A * 2 - 1
    assert isinstance(value, Live) and value == 0x5 * 16 + 0 - 1
    host.device("DIFF1").set_value("CTRL", 0x80A00307)
    again = reevaluate(value)
    assert again == 0x7 * 16 - 1 and is_live(again)
    assert _reads(host) == ["DIFF1.CTRL", "DIFF1.CFG"] * 2
    assert reevaluate(3) == 3 and not is_live(3)


def test_poll_on_a_live_condition_reads_until_true(host: Host) -> None:
    ctrl: Any = host.regs.DIFF1.CTRL
    assert not poll(ctrl.MODE == 9, limit=4)
    assert _reads(host) == ["DIFF1.CTRL"] * 4
    host.trace.clear()
    assert poll(ctrl.MODE == 5, limit=4)
    assert _reads(host) == ["DIFF1.CTRL"]


def test_poll_on_callables_and_plain_values() -> None:
    calls: list[int] = []

    def never() -> bool:
        calls.append(1)
        return False

    assert not poll(never, limit=7) and len(calls) == 7
    assert poll(True, limit=3) and not poll(0, limit=3)
    for bad in (0, 2**32):
        with pytest.raises(ValueError):
            poll(True, limit=bad)


def test_hook_makes_compound_conditions_exact(host: Host, probe: ModuleType) -> None:
    """``poll(A and B)`` in a firmware module: both registers read on every try (A is true)."""
    host.device("DIFF1").set_value("CTRL", 0x81A00305)  # BUSY = 1
    host.device("DIFF1").set_value("CFG", 0x12340001)  # A = 1: the condition stays false
    assert not probe.compound_poll()
    assert _reads(host) == ["DIFF1.CTRL", "DIFF1.CFG"] * 4
    host.trace.clear()
    assert probe.negated_poll() is False
    assert _reads(host) == ["DIFF1.CTRL"] * 3


def test_poll_sees_the_model_change(host: Host) -> None:
    """UART software reset: UCR2.SRST reads 1 at once in the model, so init's poll succeeds first time."""
    uart = host.module("soc.imx6ul.uart")
    assert uart.init(host.regs.UART3)
    reads = [(a.register, a.value) for a in host.trace if a.read]
    assert reads == [("UART3.UCR2", 0x1)]
    assert host.trace[0].address == 0x021EC080 and not host.trace[0].read
    assert DIFF1_BASE not in {a.address for a in host.trace}
