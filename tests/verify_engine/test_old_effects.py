"""A global named only inside ``old()`` of a post-condition is one the function depends on:
the alias check at its calls and its cache key both see it (the walkers look inside ``old``)."""

from __future__ import annotations

from tamapy.lang import ir
from tamapy.verify.effects import function_effects

SPAN = ir.Span("m.py", 1, 1, 1, 1)


def test_globals_inside_old_are_touched() -> None:
    entry = ir.Old(ir.GlobalRef("m.G", ir.U32, SPAN), ir.U32, SPAN)
    ensures = ir.Compare(("eq",), (ir.Local("x", ir.U32, SPAN), entry), (ir.U32,), ir.BOOL, SPAN)
    fn = ir.Function("m.f", "m", "f", (ir.Param("x", ir.U32, SPAN),), ir.VOID, (), (), (), (ensures,), None, SPAN)
    effects = function_effects(fn, {})
    assert effects.touched == {"m.G"} and not effects.names
