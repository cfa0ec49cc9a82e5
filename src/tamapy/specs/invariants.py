"""The ``[invariants.NAME]`` tables of a register map: protocol rules as data.

An invariant is a ghost boolean per peripheral instance.  Rules say which
accesses set or clear it (``when`` is a condition over the register's fields,
parsed by :mod:`tamapy.specs.conditions` and never executed), and guards say which
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

from tamapy.specs.conditions import WHOLE_REGISTER, names_in, parse_condition
from tamapy.specs.model import GhostRule, ProtocolInvariant, Register
from tamapy.specs.validate import E_INVARIANT, Table

_INVARIANT_KEYS = ("description", "initial", "set", "clear", "guards_read", "guards_write")
_RULE_KEYS = ("on", "register", "when")


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
                condition = parse_condition(when)
                # A field array is not one value: a condition names single fields (or `value`).
                fields = {f.name for f in register.fields if f.count is None} | {WHOLE_REGISTER} if register else set()
                unknown = sorted(names_in(condition) - fields) if condition else []
                if on not in ("read", "write") or register is None or condition is None or unknown:
                    problem = (
                        f"`on` must be read or write, not {on!r}" if on not in ("read", "write")
                        else f"no register {reg_name!r}" if register is None
                        else f"`when` = {when!r} is not a condition over the register's fields"
                        + (f" (unknown: {', '.join(unknown)})" if unknown else "")
                    )
                    raise inv.fail(effect, E_INVARIANT, f"`{inv.key(effect)}`: {problem}",
                                   "use ==, !=, <, and, or, not, &, |, >>, integers and field names")
                rules.append(GhostRule(effect, on, reg_name, when, condition))
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
