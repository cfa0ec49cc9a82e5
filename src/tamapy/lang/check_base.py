"""State and helpers shared by the layers of the function checker.

The checker is one class built in layers, each in its own module, each
layer a subclass of the one below: register rules (``check_registers``),
calls (``check_calls``), expressions (``check_expressions``), statements
(``check_statements``) and the function with its contracts (``check``).
A lower layer reaches expression typing, which sits above it, through the
abstract methods declared here.
"""

from __future__ import annotations

import ast
import builtins
from abc import ABC, abstractmethod
from collections.abc import Sequence

from tamapy.lang import ir
from tamapy.lang.scope import FuncSym, GlobalSym, ModuleScope, Tables, span_of

LIT = ir.IntType("int", 130, True)
"""Type of an integer constant whose machine type comes from its context."""

ARITH_OPS = {
    ast.Add: "add", ast.Sub: "sub", ast.Mult: "mul", ast.FloorDiv: "floordiv", ast.Mod: "mod",
    ast.LShift: "lshift", ast.RShift: "rshift", ast.BitAnd: "and", ast.BitOr: "or",
    ast.BitXor: "xor",
}
MMIO_WIDTHS = {"read8": 8, "read16": 16, "read32": 32, "write8": 8, "write16": 16, "write32": 32}
EVERYTHING = frozenset({"*"})
"""The assigned-names set after a path that exits: it has assigned everything."""


class Abort(Exception):
    """Stops checking the current statement after a diagnostic was recorded."""


def join_types(types: Sequence[ir.IntType]) -> ir.IntType | None:
    """The narrowest machine type containing the ranges of all ``types``."""
    lo = min(t.min for t in types)
    hi = max(t.max for t in types)
    return ir.smallest_containing(lo, hi)


BUILTIN_NAMES = frozenset(name for name in dir(builtins) if not name.startswith("_"))
"""Python's builtins: no local may take one of these names."""


class CheckerBase(ABC):
    """What checking one function keeps track of, and the typing every layer may call."""

    def __init__(self, tables: Tables, scope: ModuleScope, sym: FuncSym) -> None:
        self.tables = tables
        self.scope = scope
        self.module = scope.module
        self.sym = sym
        self.locals: dict[str, ir.Type] = {p.name: p.type for p in sym.params}
        self.order: list[str] = []
        self.global_names: set[str] = set()
        self.assigned: frozenset[str] = frozenset(self.locals)
        self.loop_depth = 0
        self.in_contract = False
        self.old_allowed = False
        """True while checking a post-condition: the only place ``old()`` means something."""
        self.in_old = False
        self.for_vars: list[str] = []
        self.calls: list[ir.CallSite] = []
        self.modifies: tuple[str, ...] | None = None

    def fail(self, node: ast.AST, code: str, message: str, hint: str) -> Abort:
        self.tables.report(self.module, node, code, message, hint)
        return Abort()

    def span(self, node: ast.AST) -> ir.Span:
        return span_of(self.module, node)

    def _not_shadowing(self, node: ast.AST, name: str) -> None:
        """A local may not hide a builtin or a module-level name.

        Python decides per function whether a name is local, so a local that
        shadows a module global makes every read of it before the assignment
        an ``UnboundLocalError``, and one named ``len`` or ``range`` is no
        longer the builtin; the subset refuses both instead of modelling them.
        """
        if name in self.scope.names and name not in self.global_names:
            raise self.fail(node, "E121", f"local `{name}` shadows the module-level `{name}`",
                            "use another name (or `global` to assign the module variable)")
        if name in BUILTIN_NAMES:
            raise self.fail(node, "E121", f"local `{name}` shadows the builtin `{name}`", "use another name")

    def _pure_in_contracts(self, node: ast.AST, what: str) -> None:
        """Contracts, invariants and measures are mathematics: CPython evaluates them on the
        host and the image never does, so one that touched hardware would differ between the two."""
        if self.in_contract:
            raise self.fail(node, "E203", f"contracts cannot {what}",
                            "read the value into a variable in code, or state the property with ghost predicates")

    def _is_local(self, node: ast.expr) -> bool:
        return isinstance(node, ast.Name) and node.id in self.locals

    def _is_const_global(self, symbol: str) -> bool:
        if symbol in self.tables.literals:
            return True
        module, _, name = symbol.rpartition(".")
        scope = self.tables.scopes.get(module)
        sym = scope.names.get(name) if scope else None
        return isinstance(sym, GlobalSym) and sym.const

    @abstractmethod
    def condition(self, node: ast.expr) -> ir.Expr:
        """An expression used as a truth value (typed by the expression layer)."""

    @abstractmethod
    def coerce(self, e: ir.Expr, target: ir.Type, node: ast.AST) -> ir.Expr:
        """``e`` used where ``target`` is expected (by the expression layer)."""

    @abstractmethod
    def expr(self, node: ast.expr, expected: ir.Type | None, allow_void: bool = False) -> ir.Expr:
        """``node`` typed and lowered (by the expression layer)."""
