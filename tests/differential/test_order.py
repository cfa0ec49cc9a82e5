"""Evaluation order with calls inside expressions, compiled against CPython.

The probes (tests/differential/firmware/difftest/order.py) record which calls
ran, in which order; a few results are also checked against the order worked
out by hand from Python's rules, so agreement cannot hide a shared mistake.
"""

from __future__ import annotations

import pytest

from tests.differential.harness import Differential


def _observed(value: int, count: int, trace: int) -> int:
    return (value << 24) | (count << 16) | trace


@pytest.mark.parametrize("op", [80, 81, 82, 83, 84, 85, 86])
def test_compiled_and_cpython_run_the_same_calls_in_the_same_order(evk: Differential, op: int) -> None:
    for a in range(16):
        evk.check(op, a)


@pytest.mark.parametrize(
    ("op", "a", "expected"),
    [
        (80, 3, _observed(0 + 3 + 1, 1, 0x3)),  # count read before the call, then after it
        (81, 1, _observed(3, 2, 0x13)),  # `and` decided by step(1): the `or`'s step(2) skipped
        (81, 2, _observed(3, 1, 0x2)),  # `and` fails first: step(1) never runs
        (82, 3, _observed(1, 2, 0x14)),  # 1 < 3, so step(4) runs
        (82, 0, _observed(0, 1, 0x1)),  # 1 < 0 fails: step(4) does not run
        (84, 2, _observed(2, 3, 0x777)),  # the condition runs three times for two iterations
        (85, 2, _observed(1, 3, 0x888)),  # poll stops at the third evaluation
        (85, 7, _observed(0, 5, 0x8888)),  # ... and gives up after limit=5
        (86, 3, _observed(9 + 0x23, 4, 0x9323)),  # value before index; arguments left to right
    ],
)
def test_order_matches_pythons_rules(evk: Differential, op: int, a: int, expected: int) -> None:
    assert evk.check(op, a).value == expected
