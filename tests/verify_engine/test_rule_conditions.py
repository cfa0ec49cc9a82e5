"""The verifier's Z3 reading of a spec rule's condition agrees with its meaning on integers."""

from __future__ import annotations

from pathlib import Path

import z3
from hypothesis import given, settings
from hypothesis import strategies as st

from tamapy.specs import load_soc
from tamapy.specs.model import GhostRule, Register
from tamapy.verify.hardware import rule_holds
from tamapy.verify.state import bv

ROOT = Path(__file__).resolve().parents[2]


def _rules() -> list[tuple[GhostRule, Register]]:
    soc = load_soc(ROOT / "specs", "imx6ul")
    out: list[tuple[GhostRule, Register]] = []
    for p in soc.peripherals:
        for inv in p.invariants:
            for rule in inv.rules:
                reg = p.register(rule.register)
                assert reg is not None
                out.append((rule, reg))
    return out


RULES = _rules()


def test_the_shipped_maps_have_rules() -> None:
    assert len(RULES) >= 4


@settings(max_examples=200, deadline=None)
@given(data=st.data())
def test_z3_and_integers_agree(data: st.DataObject) -> None:
    rule, reg = data.draw(st.sampled_from(RULES))
    # Values built from the fields the rule reads, so both outcomes are drawn often.
    value = 0
    for f in reg.fields:
        value |= data.draw(st.sampled_from([0, 1, f.max_value])) << f.lsb
    term = z3.simplify(rule_holds(rule, reg, bv(value)))
    assert z3.is_true(term) == rule.holds(reg, value)
    assert z3.is_true(term) or z3.is_false(term)
