"""The ``[invariants.NAME]`` tables of a register map: protocol rules as data.

An invariant is a ghost boolean per peripheral instance.  Rules say which
accesses set or clear it (``when`` is a small expression over the register's
fields, parsed here with :mod:`ast` and never executed), and guards say which
register accesses require it:

    [invariants.healthy]
    description = "a self-test passed and no error was seen since"
    initial = false
    set = [{ on = "read", register = "SR", when = "ST_DONE == 1 and ST_PF == 0 and ERR == 0" }]
    clear = [{ on = "read", register = "SR", when = "ERR == 1" },
             { on = "write", register = "CMD", when = "SW_RST == 1" }]
    guards_read = ["OUT"]
"""

from __future__ import annotations

import ast

from tamapy.specs.model import GhostRule, ProtocolInvariant, Register
from tamapy.specs.validate import E_INVARIANT, Table

_INVARIANT_KEYS = ("description", "initial", "set", "clear", "guards_read", "guards_write")
_RULE_KEYS = ("on", "register", "when")
_ALLOWED = (
    ast.Expression, ast.BoolOp, ast.And, ast.Or, ast.UnaryOp, ast.Not, ast.Compare, ast.Eq, ast.NotEq,
    ast.Lt, ast.LtE, ast.Gt, ast.GtE, ast.BinOp, ast.BitAnd, ast.BitOr, ast.RShift, ast.LShift,
    ast.Name, ast.Load, ast.Constant,
)


def parse_when(text: str) -> ast.Expression | None:
    """The condition's syntax tree, or None if it is not in the allowed expression language."""
    try:
        tree = ast.parse(text, mode="eval")
    except SyntaxError:
        return None
    for node in ast.walk(tree):
        if not isinstance(node, _ALLOWED) or (isinstance(node, ast.Constant) and not isinstance(node.value, int)):
            return None
    return tree


def invariants(top: Table, registers: list[Register]) -> tuple[ProtocolInvariant, ...]:
    table = top.get_table("invariants", optional=True)
    by_name = {r.name: r for r in registers}
    out: list[ProtocolInvariant] = []
    for name, raw in table.entries():
        inv = Table(table.doc, (*table.path, name), raw, _INVARIANT_KEYS)
        rules: list[GhostRule] = []
        for effect in ("set", "clear"):
            items = inv.raw.get(effect, [])
            if not isinstance(items, list):
                raise inv.fail(effect, E_INVARIANT, f"`{inv.key(effect)}` must be an array of rule tables",
                               '[{ on = "read", register = "SR", when = "ERR == 1" }]')
            for i, item in enumerate(items):
                rule = Table(table.doc, (*inv.path, effect, str(i)), item, _RULE_KEYS)
                on, reg_name, when = rule.get_str("on"), rule.get_str("register"), rule.get_str("when")
                register = by_name.get(reg_name)
                tree = parse_when(when)
                fields = {f.name for f in register.fields} | {"value"} if register else set()
                unknown = sorted({n.id for n in ast.walk(tree) if isinstance(n, ast.Name)} - fields) if tree else []
                if on not in ("read", "write") or register is None or tree is None or unknown:
                    problem = (
                        f"`on` must be read or write, not {on!r}" if on not in ("read", "write")
                        else f"no register {reg_name!r}" if register is None
                        else f"`when` = {when!r} is not a condition over the register's fields"
                        + (f" (unknown: {', '.join(unknown)})" if unknown else "")
                    )
                    raise inv.fail(effect, E_INVARIANT, f"`{inv.key(effect)}`: {problem}",
                                   "use ==, !=, <, and, or, not, &, |, >>, integers and field names")
                rules.append(GhostRule(effect, on, reg_name, when))
        guards = {}
        for key in ("guards_read", "guards_write"):
            names = inv.get_strs(key)
            missing = [n for n in names if n not in by_name]
            if missing:
                raise inv.fail(key, E_INVARIANT, f"`{inv.key(key)}` names no register {missing[0]!r}", "list register names")
            guards[key] = names
        out.append(ProtocolInvariant(
            name, inv.get_str("description", ""), inv.get_bool("initial", False), tuple(rules),
            guards["guards_read"], guards["guards_write"],
        ))
    return tuple(out)
