"""The native block hook counts what single-stepping counts; without a JIT the Python hook does."""

from __future__ import annotations

import pytest

from tamapy.sim import Machine, counter
from tests.sim.test_machine import stepped_run

from .support import EVK, board, hello


def test_the_hook_is_native_on_this_host() -> None:
    b, soc = board(EVK)
    assert Machine(hello(EVK), b, soc).counter.native


@pytest.mark.parametrize("chunk", [1, 7, 100_000])
def test_without_a_jit_the_python_hook_counts_the_same(chunk: int, monkeypatch: pytest.MonkeyPatch) -> None:
    native, native_steps = stepped_run(hello(EVK), chunk)

    def no_jit() -> None:
        raise RuntimeError("MCJIT unavailable")

    monkeypatch.setattr(counter, "_Native", no_jit)
    counter.native_hooks.cache_clear()
    try:
        b, soc = board(EVK)
        machine = Machine(hello(EVK), b, soc)
        assert not machine.counter.native and not machine.read_cache.enabled
        fallback, fallback_steps = stepped_run(hello(EVK), chunk)
    finally:
        counter.native_hooks.cache_clear()
    assert fallback.stop_reason == native.stop_reason == "final-line"
    assert fallback.instructions == fallback_steps == native_steps == native.instructions
    assert fallback == native
