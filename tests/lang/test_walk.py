"""The IR walkers: the nodes they yield, their order, and that no field escapes them."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any, get_args, get_origin, get_type_hints

from tamapy.lang import ir
from tamapy.lang.program import check_tree, load_program
from tamapy.lang.walk import NOT_EVALUATED, function_calls, stmt_exprs, walk_expr, walk_stmts

PROGRAM = '''\
from soc.imx6ul.regs import CCM
from tamapy.fw import Bytes, decreases, invariant, mmio, trusted, u32

buf: Bytes[4] = Bytes[4]()


def f(x: u32) -> u32:
    return x


def g(x: u32) -> u32:
    return x


@trusted("writes a test address")
def poke(a: u32) -> None:
    mmio.write32(a + g(0), f(1))


def body(n: u32) -> None:
    total: u32 = f(g(n))
    buf[f(1)] = 2
    if total > 3:
        CCM.CCGR5.modify(CG12=g(3))
    else:
        for i in range(0, f(4)):
            invariant(i >= 0)
            total = g(i)
    while total > 0:
        decreases(total)
        total = total - 1
'''


def _functions(project: Path) -> dict[str, ir.Function]:
    pkg = project / "firmware" / "examples" / "walk"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "prog.py").write_text(PROGRAM)
    checked, _ = check_tree([pkg], "mcimx6ul-evk")
    assert checked[0].calls == {q: function_calls(fn) for q, fn in checked[0].functions.items()}
    return checked[0].functions


def _describe(e: ir.Expr) -> str:
    if isinstance(e, ir.Call):
        return f"call {e.function.rsplit('.', 1)[-1]}"
    if isinstance(e, ir.Local):
        return e.name
    if isinstance(e, ir.Const):
        return str(e.value)
    return type(e).__name__


def _walked(fn: ir.Function) -> list[tuple[str, list[str]]]:
    return [
        (type(s).__name__, [_describe(e) for top in stmt_exprs(s) for e in walk_expr(top)])
        for s in walk_stmts(fn.body)
    ]


def test_walkers_yield_statements_and_expressions_in_source_order(project: Path) -> None:
    """The checker's IR is in core form: each call is a statement of its own, in CPython's order."""
    functions = _functions(project)
    assert _walked(functions["examples.walk.prog.body"]) == [
        ("Assign", ["call g", "n"]),  # the argument's call first
        ("Assign", ["call f", "t.0"]),
        ("Assign", ["call f", "1"]),  # the index's call after the value (a constant here)
        ("Assign", ["2", "t.1"]),  # the value, then the element target's index
        ("If", ["Compare", "total", "3"]),
        ("Assign", ["call g", "3"]),
        ("RegWrite", ["Convert", "t.2"]),  # not the instance written
        ("Assign", ["call f", "4"]),  # range()'s bounds, once, before the loop
        ("For", ["0", "t.3"]),  # not the loop variable nor the invariant
        ("Assign", ["call g", "i"]),
        ("While", ["Compare", "total", "0"]),  # not the decreases() measure
        ("Assign", ["Binary", "total", "1"]),
    ]
    # mmio.write32(a + g(0), f(1)): the address (fixed before the value's call), then the value;
    # the write yields the value written before the address.
    assert _walked(functions["examples.walk.prog.poke"]) == [
        ("Assign", ["call g", "0"]),
        ("Assign", ["Binary", "a", "t.0"]),
        ("Assign", ["call f", "1"]),
        ("MmioWrite", ["t.2", "t.1"]),
    ]


def test_function_calls_lists_every_call_of_the_body_in_walk_order(project: Path) -> None:
    functions = _functions(project)
    calls = function_calls(functions["examples.walk.prog.body"])
    assert [(callee.rsplit(".", 1)[-1], span.line) for callee, span in calls] == [
        ("g", 21), ("f", 21), ("f", 22), ("g", 24), ("f", 26), ("g", 28),
    ]


def test_a_program_carries_the_call_graph_of_its_functions() -> None:
    program = load_program(Path(__file__).resolve().parents[2] / "firmware" / "examples" / "hello", "mcimx6ul-evk")
    assert program.calls == {fn.qualname: function_calls(fn) for fn in program.functions}
    assert program.calls[program.entry]


# ------------------------------------------------------------ every field is reached


def _mentions(hint: Any, classes: tuple[type, ...]) -> bool:
    return hint in classes or any(_mentions(a, classes) for a in get_args(hint))


def _sample(hint: Any, marker: object, classes: tuple[type, ...]) -> object:
    """A value of the field's shape whose IR nodes are all ``marker`` (other parts None)."""
    if get_origin(hint) is tuple:
        args = get_args(hint)
        if len(args) == 2 and args[1] is Ellipsis:
            return (_sample(args[0], marker, classes),)
        return tuple(_sample(a, marker, classes) for a in args)
    return marker if _mentions(hint, classes) else None


def _unreached(cls: type) -> set[str]:
    """Fields of ``cls`` holding IR nodes that the walkers do not reach."""
    exprs, stmts = get_args(ir.Expr), get_args(ir.Stmt)
    markers: dict[str, object] = {}
    values: dict[str, object] = {}
    # In ir's namespace: the ghost-only nodes (lang/ir_ghost.py) name ir's types for type checkers only.
    for name, hint in get_type_hints(cls, globalns=vars(ir)).items():
        if _mentions(hint, exprs):
            markers[name] = ir.Local(f"{cls.__name__}.{name}", ir.U32, ir.Span(name, 1, 1, 1, 1))
            values[name] = _sample(hint, markers[name], exprs)
        elif _mentions(hint, stmts):
            markers[name] = ir.Break(ir.Span(name, 1, 1, 1, 1))
            values[name] = _sample(hint, markers[name], stmts)
        else:
            values[name] = None
    node = cls(**values)
    if cls in stmts:
        reached = [*walk_stmts([node]), *(e for top in stmt_exprs(node) for e in walk_expr(top))]
    else:
        reached = list(walk_expr(node))
    return {name for name, marker in markers.items() if not any(r is marker for r in reached)}


def test_every_field_holding_ir_nodes_is_walked_or_excluded_with_a_reason() -> None:
    for cls in (*get_args(ir.Stmt), *get_args(ir.Expr)):
        excluded = {name for c, name in NOT_EVALUATED if c is cls}
        assert _unreached(cls) == excluded, cls.__name__


def test_the_exclusions_name_real_fields() -> None:
    for cls, name in NOT_EVALUATED:
        assert name in {f.name for f in dataclasses.fields(cls)}, (cls, name)
        assert NOT_EVALUATED[cls, name]
