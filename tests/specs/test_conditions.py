"""Spec conditions (``when`` of invariant rules): parsed once, meaning Python's on integers."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tamapy.specs.conditions import (
    INT_OPERATIONS,
    BitOp,
    Comparison,
    FieldValue,
    Logic,
    NonZero,
    Number,
    evaluate,
    names_in,
    parse_condition,
)
from tamapy.specs.model import Access, Field, GhostRule, Register

TEXTS = [
    "STDN == 1 and SDN == 1 and ST_PF == 0 and ERR == 0",
    "(EN >> 1) & 1 == 1",
    "ERR == 1 or not (value & 0x30)",
    "0 < MODE <= 2",
    "MODE != 3 and value | 1",
    "not ERR",
]


def test_parse_builds_the_typed_tree() -> None:
    assert parse_condition("(EN >> 1) & 1 == 1") == Comparison(
        BitOp("&", BitOp(">>", FieldValue("EN"), Number(1)), Number(1)), (("==", Number(1)),)
    )
    assert parse_condition("ERR or 0") == Logic("or", (NonZero(FieldValue("ERR")), NonZero(Number(0))))


@pytest.mark.parametrize("text", ["ERR +", "ERR + 1 == 2", "f(ERR)", "ERR == 'x'", "-ERR == 1",
                                  "(ERR == 1) & 1", "(A == 1) == (B == 1)", "ERR in (1, 2)", "ERR is 1"])
def test_text_outside_the_language_is_refused(text: str) -> None:
    assert parse_condition(text) is None


def test_names_in_lists_every_field_read() -> None:
    condition = parse_condition(TEXTS[0])
    assert condition is not None
    assert names_in(condition) == {"STDN", "SDN", "ST_PF", "ERR"}


@settings(max_examples=200, deadline=None)
@given(text=st.sampled_from(TEXTS), values=st.fixed_dictionaries(
    {n: st.integers(0, 7) for n in ("STDN", "SDN", "ST_PF", "ERR", "EN", "MODE", "value")}))
def test_integers_mean_what_python_means(text: str, values: dict[str, int]) -> None:
    condition = parse_condition(text)
    assert condition is not None
    assert evaluate(condition, values.__getitem__, INT_OPERATIONS) == bool(eval(text, {}, values))


def test_a_rule_holds_of_a_register_value() -> None:
    sr = Register("SR", 0, 32, Access.RO, 0, (Field("DONE", 4, 1, Access.RO), Field("ERR", 16, 2, Access.RO)))
    text = "DONE == 1 and ERR == 0"
    condition = parse_condition(text)
    assert condition is not None
    rule = GhostRule("set", "read", "SR", text, condition)
    assert rule.holds(sr, 0x10)
    assert not rule.holds(sr, 0x2_0010)
    assert "condition" not in repr(rule)  # cache keys hash the spec's repr: the text stands for the tree
