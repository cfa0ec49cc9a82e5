"""``old(e)`` in ``@ensures`` on the host: the value ``e`` had on entry, evaluated before the body.

The import hook hoists every ``old()`` argument into a lambda the contract runs on entry, so
a lazy ``and``/``or``/``if`` in the condition cannot skip or reorder one, and an array
element is copied on entry (a scalar), not read again on return."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tamapy.fw import ContractError, ensures, old
from tamapy.sim.host_import import compile_firmware

SOURCE = '''
from tamapy.fw import Bytes, ensures, old, requires, u8, u32

counter: u32 = 0
buf: Bytes[4] = Bytes[4]()


@ensures(lambda: counter == old(counter) + 1)
def tick() -> None:
    global counter
    counter += 1


@ensures(lambda: counter == old(counter) + 1)
def tick_twice() -> None:
    global counter
    counter += 2


@ensures(lambda b: b[0] == old(b[1]) and b[1] == old(b[0]))
def swap(b: Bytes[4]) -> None:
    t: u8 = b[0]
    b[0] = b[1]
    b[1] = t


@ensures(lambda b: b[0] == old(b[0]))
def clobber(b: Bytes[4]) -> None:
    b[0] = b[0] + 1


@requires(lambda i: i < 4)
@ensures(lambda i, result: result == 0 or (i < 4 and buf[i] == old(buf[i]) + 1))
def bump(i: u32) -> u32:
    buf[i] = buf[i] + 1
    return 1


@ensures(lambda i, result: result == 0 or buf[i] == old(buf[i]))
def bump_wrong(i: u32) -> u32:
    buf[i] = buf[i] + 1
    return 1


@ensures(lambda result: result if old(counter) > 0 else counter == old(counter) + 1)
def lazy() -> bool:
    global counter
    counter += 1
    return counter > 5
'''


@pytest.fixture
def module(tmp_path: Path) -> dict[str, Any]:
    path = tmp_path / "olds.py"
    path.write_text(SOURCE)
    namespace: dict[str, Any] = {"__name__": "olds"}
    exec(compile_firmware(path), namespace)
    return namespace


def test_a_global_is_compared_with_its_entry_value(module: dict[str, Any]) -> None:
    module["tick"]()
    module["tick"]()
    assert module["counter"] == 2
    with pytest.raises(ContractError, match="postcondition of tick_twice"):
        module["tick_twice"]()


def test_array_elements_are_copied_on_entry(module: dict[str, Any]) -> None:
    b = module["buf"]
    b[0], b[1] = 7, 9
    module["swap"](b)
    assert (b[0], b[1]) == (9, 7)
    with pytest.raises(ContractError, match="postcondition of clobber"):
        module["clobber"](b)


def test_old_under_a_lazy_operator_is_still_taken_on_entry(module: dict[str, Any]) -> None:
    # `result == 0 or ...`: the right operand (with old()) runs only on return, its old() on entry.
    assert module["bump"](2) == 1 and module["buf"][2] == 1
    with pytest.raises(ContractError, match="postcondition of bump_wrong"):
        module["bump_wrong"](1)


def test_old_in_a_conditional_expression(module: dict[str, Any]) -> None:
    assert module["lazy"]() is False  # counter 0 on entry: the else arm, counter == 0 + 1
    assert module["counter"] == 1
    with pytest.raises(ContractError, match="postcondition of lazy"):
        module["lazy"]()  # counter 1 on entry: the then arm, result False


def test_plain_python_hoists_from_the_source() -> None:
    # This module is imported without the firmware hook: the decorator hoists from the source.
    global _plain
    _plain = 3
    _advance(2)
    assert _plain == 5
    with pytest.raises(ContractError, match="postcondition of _advance_wrong"):
        _advance_wrong(2)


def test_old_outside_a_post_condition_raises() -> None:
    with pytest.raises(RuntimeError, match="only meaningful inside @ensures"):
        old(1)


_plain = 0


@ensures(lambda n: n == 0 or _plain == old(_plain) + n)
def _advance(n: int) -> None:
    global _plain
    _plain += n


@ensures(lambda n: _plain == old(_plain) + n)
def _advance_wrong(n: int) -> None:
    global _plain
    _plain += n + 1
