"""Type-check one function and lower it to the typed IR.

The checker is layered (see :mod:`tamapy.lang.check_base`); this top layer
checks the function itself: its decorators and interface contracts, its
body, and that it returns on every path.
"""

from __future__ import annotations

import ast
import contextlib
from collections.abc import Sequence

from tamapy.abi import APP_MODULE, ENTRY_NAME
from tamapy.diagnostics import Diagnostic
from tamapy.lang import ir
from tamapy.lang.check_base import Abort
from tamapy.lang.check_statements import StatementChecker
from tamapy.lang.core import NotSequenceable, to_core
from tamapy.lang.parse import is_docstring
from tamapy.lang.scope import FuncSym, GlobalSym, IntrinsicSym, ModuleScope, Tables
from tamapy.specs.interfaces import Interface


class FunctionChecker(StatementChecker):
    """Checks one function (and its contracts) and builds its IR."""

    def run(self) -> ir.Function | None:
        node = self.sym.node
        before = len(self.tables.diags)
        for arg in node.args.args:
            with contextlib.suppress(Abort):
                self._not_shadowing(arg, arg.arg)
        requires, ensures = self._decorators(node)
        body_nodes = node.body
        if body_nodes and is_docstring(body_nodes[0]):
            body_nodes = body_nodes[1:]
        self._predeclare(body_nodes)
        body = self.block(body_nodes)
        clean = len(self.tables.diags) == before
        if clean and not isinstance(self.sym.ret, ir.VoidType) and not _always_exits(body):
            self.tables.report(
                self.module, node, "E206", f"`{node.name}` can reach its end without returning a {self.sym.ret}",
                "add a return on every path",
            )
        if len(self.tables.diags) > before:
            return None
        function = ir.Function(
            qualname=self.sym.qualname,
            module=self.module.name,
            name=node.name,
            params=self.sym.params,
            ret=self.sym.ret,
            body=tuple(body),
            locals=tuple((n, self.locals[n]) for n in self.order),
            requires=tuple(requires),
            ensures=tuple(ensures),
            trusted=self.sym.trusted,
            span=self.span(node),
            modifies=self.modifies,
        )
        try:
            return to_core(function)
        except NotSequenceable as exc:
            self.tables.diags.append(Diagnostic(self.module.display, exc.span.line, exc.span.col, "E125", exc.message, exc.hint))
            return None

    def _predeclare(self, stmts: list[ast.stmt]) -> None:
        """Collect ``global`` statements (Python makes them function-wide)."""
        for stmt in stmts:
            for sub in ast.walk(stmt):
                if isinstance(sub, ast.Global):
                    for name in sub.names:
                        sym = self.scope.names.get(name)
                        if not (isinstance(sym, GlobalSym) and not sym.const):
                            self.tables.report(
                                self.module, sub, "E111", f"`global {name}` does not name a module variable",
                                "declare `name: T = value` at module level (constants cannot be assigned)",
                            )
                            continue  # reported; the function's own uses of the name are checked as locals
                        self.global_names.add(name)

    def _is_entry(self, node: ast.FunctionDef) -> bool:
        """Whether this is an application's ``main`` (``def main`` in a ``main.py``)."""
        return node.name == ENTRY_NAME and self.module.name.split(".")[-1] == APP_MODULE

    def _decorators(self, node: ast.FunctionDef) -> tuple[list[ir.Expr], list[ir.Expr]]:
        requires: list[ir.Expr] = []
        ensures: list[ir.Expr] = []
        for deco in node.decorator_list:
            try:
                if not isinstance(deco, ast.Call) or not isinstance(deco.func, ast.Name):
                    raise self.fail(deco, "E118", "unknown decorator", "allowed: @requires, @ensures, @trusted")
                sym = self.scope.names.get(deco.func.id)
                kind = sym.name if isinstance(sym, IntrinsicSym) else None
                if kind == "trusted":
                    self.modifies = self._trusted_modifies(deco)  # the reason was taken by the signature pass
                    continue
                if kind not in ("requires", "ensures"):
                    raise self.fail(deco, "E118", f"unknown decorator `{deco.func.id}`", "allowed: @requires, @ensures, @trusted")
                if len(deco.args) != 1 or deco.keywords or not isinstance(deco.args[0], ast.Lambda):
                    raise self.fail(deco, "E118", f"@{kind} takes one lambda", f"write @{kind}(lambda x: ...)")
                if kind == "requires" and self._is_entry(node):
                    raise self.fail(deco, "E209", "`main` cannot have a pre-condition: it is called from reset, "
                                    "so nothing establishes it",
                                    "check the condition at the start of main and panic if it does not hold")
                target = requires if kind == "requires" else ensures
                target.append(self._contract(deco.args[0], with_result=kind == "ensures"))
            except Abort:
                continue
        interface = self.tables.interfaces.get((self.module.name, node.name))
        if interface is not None:
            with contextlib.suppress(Abort):  # already reported
                self._interface_contracts(interface, requires, ensures)
        return requires, ensures

    def _trusted_modifies(self, deco: ast.Call) -> tuple[str, ...] | None:
        """``modifies=("G", "BUF", "CCM")``: module variables and peripherals the raw accesses may change."""
        given = [k.value for k in deco.keywords if k.arg == "modifies"]
        if not given:
            return None
        node = given[0]
        if not isinstance(node, ast.Tuple | ast.List):
            raise self.fail(node, "E118", "modifies= takes a tuple of names", 'e.g. modifies=("counter", "CCM")')
        out: list[str] = []
        for item in node.elts:
            name = item.value if isinstance(item, ast.Constant) and isinstance(item.value, str) else None
            sym = self.scope.names.get(name) if name is not None else None
            if isinstance(sym, GlobalSym) and not sym.const:
                out.append(f"${sym.symbol}")
            elif name is not None and self.tables.soc.peripheral(name) is not None:
                out.append(name)
            else:
                raise self.fail(item, "E118", "modifies= names module variables and peripherals, as strings",
                                "name a variable this module defines or imports, or a peripheral such as \"CCM\"")
        return tuple(sorted(set(out)))

    def _interface_contracts(self, interface: Interface, requires: list[ir.Expr], ensures: list[ir.Expr]) -> None:
        """Check the signature against the interface spec and attach its contracts."""
        node = self.sym.node
        actual = [f"{a.arg}: {ast.unparse(a.annotation)}" if a.annotation else a.arg for a in node.args.args]
        wanted = [ast.unparse(_parameter(p)) for p in interface.params]
        returns = ast.unparse(node.returns) if node.returns else "None"
        if actual != wanted or returns != ast.unparse(ast.parse(interface.returns, mode="eval").body):
            raise self.fail(node, "E213", f"`{node.name}` does not have the signature of interface `{interface.name}`",
                            f"{interface.source}:{interface.line} wants ({', '.join(wanted)}) -> {interface.returns}")
        params = [a.arg for a in node.args.args]
        for kind, texts in (("requires", interface.requires), ("ensures", interface.ensures)):
            for text in texts:
                names = params + (["result"] if kind == "ensures" else [])
                lam = ast.parse(f"lambda {', '.join(names)}: ({text})", mode="eval").body
                assert isinstance(lam, ast.Lambda)
                ast.increment_lineno(lam, node.lineno - 1)
                for sub in ast.walk(lam):  # point diagnostics at the function
                    if hasattr(sub, "col_offset"):
                        sub.col_offset = node.col_offset
                (ensures if kind == "ensures" else requires).append(self._contract(lam, with_result=kind == "ensures"))

    def _contract(self, lam: ast.Lambda, with_result: bool) -> ir.Expr:
        saved = dict(self.locals)
        names = {p.name: p.type for p in self.sym.params}
        if with_result and not isinstance(self.sym.ret, ir.VoidType):
            names["result"] = self.sym.ret
        for arg in lam.args.args:
            if arg.arg not in names:
                raise self.fail(
                    arg, "E203", f"contract parameter `{arg.arg}` is not a parameter of the function",
                    "name the function's parameters (and `result` in @ensures)",
                )
        self.locals = {a.arg: names[a.arg] for a in lam.args.args}
        old_assigned = self.assigned
        self.assigned = frozenset(self.locals)
        self.in_contract = True
        self.old_allowed = with_result
        try:
            return self.condition(lam.body)
        finally:
            self.locals = saved
            self.assigned = old_assigned
            self.in_contract = False
            self.old_allowed = False


def _parameter(text: str) -> ast.arg:
    """One ``name: Type`` parameter written as text (already checked to parse by the spec loader)."""
    fn = ast.parse(f"def f({text}): pass").body[0]
    assert isinstance(fn, ast.FunctionDef)
    return fn.args.args[0]


def _always_exits(body: Sequence[ir.Stmt]) -> bool:
    """True if control cannot fall off the end of ``body``."""
    if not body:
        return False
    last = body[-1]
    if isinstance(last, ir.Return | ir.Panic):
        return True
    if isinstance(last, ir.If):
        return _always_exits(last.then) and _always_exits(last.orelse)
    if isinstance(last, ir.While) and last.forever:
        return not any(isinstance(s, ir.Break) for s in _walk_same_loop(last.body))
    return False


def _walk_same_loop(body: Sequence[ir.Stmt]) -> list[ir.Stmt]:
    """Statements of ``body`` not nested inside an inner loop."""
    out: list[ir.Stmt] = []
    for s in body:
        out.append(s)
        if isinstance(s, ir.If):
            out.extend(_walk_same_loop(s.then))
            out.extend(_walk_same_loop(s.orelse))
    return out


def check_function(tables: Tables, scope: ModuleScope, sym: FuncSym) -> tuple[ir.Function | None, list[ir.CallSite]]:
    """Check one function; returns its IR (None on error) and its calls in the order they were typed."""
    checker = FunctionChecker(tables, scope, sym)
    return checker.run(), checker.calls


__all__ = ["check_function"]
