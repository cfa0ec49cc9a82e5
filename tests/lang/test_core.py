"""The core form: the one evaluation order the verifier and the code generator consume."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from tamapy.codegen.lower import FunctionLowering
from tamapy.diagnostics import TamapyError
from tamapy.lang import ir
from tamapy.lang.core import EFFECTS, TEMP_PREFIX, require_core
from tamapy.lang.program import check_tree
from tamapy.lang.walk import stmt_exprs, walk_expr, walk_stmts
from tamapy.verify.state import Context
from tamapy.verify.symbolic import FunctionEncoder

ROOT = Path(__file__).resolve().parents[2]

PROGRAM = '''\
from soc.imx6ul.regs import GPIO1, UART1
from tamapy.fw import Bytes, View, poll, u8, u32

count: u32 = 0
buf: Bytes[8] = Bytes[8]()


def bump() -> u32:
    global count
    count = (count + 1) & 0xFF
    return count


def first(v: View[u8], n: u32) -> u32:
    return n


def global_then_call() -> u32:
    return count + bump()


def right_operand_with_call(x: u32) -> bool:
    return x > 2 and bump() == 3


def chain_with_call(x: u32) -> bool:
    return bump() < x < bump()


def loop_with_call() -> u32:
    n: u32 = 0
    while bump() < 5 and n < 5:
        n += 1
    return n


def polled() -> bool:
    return poll(UART1.USR2.TXDC == 1, limit=7)


def slice_before_call(n: u32) -> u32:
    return first(buf[0:n & 7], bump())


def element_then_value() -> None:
    GPIO1.DR.IO.write(bump() & 31, bump() & 1)


def element_of_a_read() -> u32:
    return GPIO1.PSR.IO[bump() & 31] + bump()
'''


def _functions(project: Path, source: str = PROGRAM) -> dict[str, ir.Function]:
    pkg = project / "firmware" / "examples" / "core"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "prog.py").write_text(source)
    checked, _ = check_tree([pkg], "mcimx6ul-evk")
    return {q.rsplit(".", 1)[-1]: f for q, f in checked[0].functions.items()}


def _stmts(fn: ir.Function) -> list[ir.Stmt]:
    return list(walk_stmts(fn.body))


def test_the_checker_hands_on_only_core_functions() -> None:
    checked, _ = check_tree([ROOT / "firmware"], "mcimx6ul-evk")
    functions = [f for c in checked for f in c.functions.values()]
    assert len(functions) > 100
    for fn in functions:
        require_core(fn)
        for s in walk_stmts(fn.body):
            assert not any(isinstance(sub, ir.Poll) for top in stmt_exprs(s) for sub in walk_expr(top))
    # The firmware really has expressions the lowering had to take apart.
    assert sum(any(n.startswith(TEMP_PREFIX) for n, _ in fn.locals) for fn in functions) >= 10


def test_a_global_read_before_a_call_is_fixed_first(project: Path) -> None:
    fn = _functions(project)["global_then_call"]
    first, second, ret = fn.body
    assert isinstance(first, ir.Assign) and isinstance(first.value, ir.GlobalRef)  # count, before bump()
    assert isinstance(second, ir.Assign) and isinstance(second.value, ir.Call)
    assert isinstance(ret, ir.Return) and isinstance(ret.value, ir.Binary)
    assert (ret.value.left, ret.value.right) == (first.target, second.target)


def test_a_call_in_a_right_operand_runs_only_when_reached(project: Path) -> None:
    fn = _functions(project)["right_operand_with_call"]
    guard = next(s for s in fn.body if isinstance(s, ir.If))
    assert any(isinstance(s, ir.Assign) and isinstance(s.value, ir.Call) for s in walk_stmts(guard.then))
    assert not guard.orelse


def test_a_chained_comparison_evaluates_its_last_operand_only_after_the_first_test(project: Path) -> None:
    fn = _functions(project)["chain_with_call"]
    calls = [s for s in walk_stmts(fn.body) if isinstance(s, ir.Assign) and isinstance(s.value, ir.Call)]
    assert len(calls) == 2
    guard = next(s for s in fn.body if isinstance(s, ir.If))
    assert calls[0] in fn.body and calls[1] in list(walk_stmts(guard.then))


def test_a_loop_condition_with_a_call_is_recomputed_by_pre(project: Path) -> None:
    loop = next(s for s in _stmts(_functions(project)["loop_with_call"]) if isinstance(s, ir.While))
    assert any(isinstance(s, ir.Assign) and isinstance(s.value, ir.Call) for s in loop.pre)
    assert not any(isinstance(sub, EFFECTS) for sub in walk_expr(loop.cond))


def test_poll_becomes_a_bounded_loop_re_reading_its_condition(project: Path) -> None:
    loop = next(s for s in _stmts(_functions(project)["polled"]) if isinstance(s, ir.For))
    assert isinstance(loop.stop, ir.Const) and loop.stop.value == 7 and loop.step == 1
    reads = [s for s in walk_stmts(loop.body) if isinstance(s, ir.Assign) and isinstance(s.value, ir.RegRead)]
    assert len(reads) == 1 and any(isinstance(s, ir.Break) for s in walk_stmts(loop.body))


def test_a_slice_before_a_call_is_checked_where_python_checks_it(project: Path) -> None:
    fn = _functions(project)["slice_before_call"]
    kinds = [type(s).__name__ for s in fn.body]
    check = next(i for i, s in enumerate(fn.body) if isinstance(s, ir.ExprStmt) and isinstance(s.expr, ir.SliceView))
    call = next(i for i, s in enumerate(fn.body) if isinstance(s, ir.Assign) and isinstance(s.value, ir.Call))
    assert check < call, kinds


def test_a_buffer_chosen_before_a_call_is_rejected(project: Path) -> None:
    source = PROGRAM + '''

def chosen(x: bool) -> u32:
    return first(b"ab" if x else b"cd", bump())
'''
    with pytest.raises(TamapyError) as info:
        _functions(project, source)
    d = info.value.diagnostics[0]
    assert (d.code, d.line) == ("E125", source.count("\n"))
    assert d.hint


def test_consumers_refuse_a_function_not_in_core_form(project: Path) -> None:
    fn = _functions(project)["global_then_call"]
    call = next(s.value for s in fn.body if isinstance(s, ir.Assign) and isinstance(s.value, ir.Call))
    ret = fn.body[-1]
    assert isinstance(ret, ir.Return) and ret.value is not None
    nested = ir.Binary("add", ir.Const(1, ir.U32, ret.span), call, ir.U32, ret.span)
    raw = replace(fn, body=(ir.Return(nested, ret.span),))
    with pytest.raises(AssertionError, match="not in core form"):
        require_core(raw)
    with pytest.raises(AssertionError, match="not in core form"):
        FunctionLowering(raw, True, entry=False, debug=None).lower()
    context = Context.__new__(Context)
    with pytest.raises(AssertionError, match="not in core form"):
        FunctionEncoder(raw, context)


def test_a_field_array_element_is_evaluated_before_the_value_written(project: Path) -> None:
    """``REG.FIELD.write(i, v)``: Python evaluates ``i``, then ``v``, then the method makes its accesses."""
    fn = _functions(project)["element_then_value"]
    calls = [s for s in fn.body if isinstance(s, ir.Assign) and isinstance(s.value, ir.Call)]
    write = fn.body[-1]
    assert len(calls) == 2 and isinstance(write, ir.RegWrite) and write.mode == "modify"
    assert write.element is not None and fn.body.index(calls[0]) < fn.body.index(calls[1]) < len(fn.body) - 1
    # The element is fixed from the first call before the second call runs.
    assert isinstance(write.element, ir.Local)
    fixed = next(i for i, x in enumerate(fn.body) if isinstance(x, ir.Assign) and x.target == write.element)
    assert calls[0].target in list(walk_expr(fn.body[fixed].value))
    assert fixed < fn.body.index(calls[1])


def test_a_field_array_read_is_fixed_before_a_later_call(project: Path) -> None:
    fn = _functions(project)["element_of_a_read"]
    order = [type(s.value).__name__ for s in fn.body if isinstance(s, ir.Assign) and isinstance(s.value, EFFECTS)]
    assert order == ["Call", "RegRead", "Call"], order
    read = next(s.value for s in fn.body if isinstance(s, ir.Assign) and isinstance(s.value, ir.RegRead))
    assert isinstance(read, ir.RegRead) and read.element is not None and read.field is not None
