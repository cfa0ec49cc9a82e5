"""Type-check function bodies and lower them to the typed IR.

Typing rules (documented for users in docs/subset.md):

* Integer literals and untyped ``Final`` constants take the type their
  context asks for, and must fit it.
* Arithmetic is computed in the narrowest machine type containing both
  operands and the type the context expects, so ``x: u64 = a * b`` with
  ``a, b: u32`` multiplies in 64 bits, exactly like Python would.
* A value used where a narrower type is expected becomes a ``Convert``:
  a range claim the verifier must prove, never a silent truncation.
* Register fields read as the narrowest unsigned type holding them.
"""

from __future__ import annotations

import ast
import contextlib
from collections.abc import Sequence

from tamapy.diagnostics import Diagnostic, display_path
from tamapy.lang import ir
from tamapy.lang.parse import is_docstring
from tamapy.lang.scope import (
    FuncSym,
    GenericSym,
    GlobalSym,
    InstanceSym,
    IntrinsicSym,
    ModuleScope,
    ModuleSym,
    Sym,
    Tables,
    TypeSym,
    span_of,
)
from tamapy.specs.interfaces import Interface
from tamapy.specs.model import Access, Field, Register

LIT = ir.IntType("int", 130, True)
"""Type of an integer constant whose machine type comes from its context."""

_ARITH = {
    ast.Add: "add", ast.Sub: "sub", ast.Mult: "mul", ast.FloorDiv: "floordiv", ast.Mod: "mod",
    ast.LShift: "lshift", ast.RShift: "rshift", ast.BitAnd: "and", ast.BitOr: "or",
    ast.BitXor: "xor",
}
_CMP = {ast.Eq: "eq", ast.NotEq: "ne", ast.Lt: "lt", ast.LtE: "le", ast.Gt: "gt", ast.GtE: "ge"}
_BARRIERS = frozenset({"wfi", "dsb", "isb", "dmb"})
_MMIO_WIDTHS = {"read8": 8, "read16": 16, "read32": 32, "write8": 8, "write16": 16, "write32": 32}
_EVERYTHING = frozenset({"*"})


class _Abort(Exception):
    """Stops checking the current statement after a diagnostic was recorded."""


def join_types(types: Sequence[ir.IntType]) -> ir.IntType | None:
    """The narrowest machine type containing the ranges of all ``types``."""
    lo = min(t.min for t in types)
    hi = max(t.max for t in types)
    return ir.smallest_containing(lo, hi)


class FunctionChecker:
    """Checks one function (and its contracts) and builds its IR."""

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
        self.for_vars: list[str] = []
        self.calls: list[ir.CallSite] = []

    # ------------------------------------------------------------ errors

    def fail(self, node: ast.AST, code: str, message: str, hint: str) -> _Abort:
        self.tables.report(self.module, node, code, message, hint)
        return _Abort()

    def span(self, node: ast.AST) -> ir.Span:
        return span_of(self.module, node)

    # ------------------------------------------------------------ entry

    def run(self) -> ir.Function | None:
        node = self.sym.node
        before = len(self.tables.diags)
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
        return ir.Function(
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
        )

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
                        self.global_names.add(name)

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
                    continue  # reason already taken by the signature pass
                if kind not in ("requires", "ensures"):
                    raise self.fail(deco, "E118", f"unknown decorator `{deco.func.id}`", "allowed: @requires, @ensures, @trusted")
                if len(deco.args) != 1 or deco.keywords or not isinstance(deco.args[0], ast.Lambda):
                    raise self.fail(deco, "E118", f"@{kind} takes one lambda", f"write @{kind}(lambda x: ...)")
                target = requires if kind == "requires" else ensures
                target.append(self._contract(deco.args[0], with_result=kind == "ensures"))
            except _Abort:
                continue
        interface = self.tables.interfaces.get((self.module.name, node.name))
        if interface is not None:
            with contextlib.suppress(_Abort):  # already reported
                self._interface_contracts(interface, requires, ensures)
        return requires, ensures

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
        try:
            return self.condition(lam.body)
        finally:
            self.locals = saved
            self.assigned = old_assigned
            self.in_contract = False

    # ------------------------------------------------------------ statements

    def block(self, stmts: Sequence[ast.stmt]) -> list[ir.Stmt]:
        out: list[ir.Stmt] = []
        for stmt in stmts:
            try:
                out.extend(self.statement(stmt))
            except _Abort:
                continue
        return out

    def statement(self, node: ast.stmt) -> list[ir.Stmt]:
        sp = self.span(node)
        if isinstance(node, ast.Pass | ast.Global):
            return []
        if isinstance(node, ast.AnnAssign):
            return [self._ann_assign(node)]
        if isinstance(node, ast.Assign):
            if len(node.targets) != 1:
                raise self.fail(node, "E114", "chained assignment is not in the subset", "assign one target at a time")
            return [self._assign(node.targets[0], node.value, sp)]
        if isinstance(node, ast.AugAssign):
            return [self._aug_assign(node)]
        if isinstance(node, ast.If):
            cond = self.condition(node.test)
            start = self.assigned
            then = self.block(node.body)
            after_then = self.assigned
            self.assigned = start
            orelse = self.block(node.orelse)
            self.assigned = _meet(after_then, self.assigned)
            return [ir.If(cond, tuple(then), tuple(orelse), sp)]
        if isinstance(node, ast.While):
            return [self._while(node)]
        if isinstance(node, ast.For):
            return [self._for(node)]
        if isinstance(node, ast.Break | ast.Continue):
            if self.loop_depth == 0:
                raise self.fail(node, "E116", "break/continue outside a loop", "remove it")
            self.assigned = _EVERYTHING
            return [ir.Break(sp) if isinstance(node, ast.Break) else ir.Continue(sp)]
        if isinstance(node, ast.Return):
            return [self._return(node)]
        if isinstance(node, ast.Assert):
            if node.msg is not None:
                raise self.fail(node, "E107", "assert messages are not supported", "drop the message")
            return [ir.Assert(self.condition(node.test), sp)]
        if isinstance(node, ast.Expr):
            return [self._expr_statement(node)]
        if isinstance(node, ast.FunctionDef | ast.ClassDef):
            raise self.fail(node, "E110", "nested definitions are not in the subset", "define it at module level")
        if isinstance(node, ast.Import | ast.ImportFrom):
            raise self.fail(node, "E115", "imports inside functions are not in the subset", "import at module level")
        raise self.fail(
            node, "E116", f"`{type(node).__name__}` statements are not in the subset",
            "see docs/subset.md for the statements tamapy compiles",
        )

    def _declare(self, node: ast.AST, name: str, t: ir.Type) -> None:
        known = self.locals.get(name)
        if known is not None and known != t:
            raise self.fail(
                node, "E201", f"`{name}` is already a {known}; it cannot also be a {t}",
                "use a different name",
            )
        if name in self.global_names:
            raise self.fail(node, "E111", f"`{name}` is declared global here", "drop the annotation")
        if known is None:
            self.locals[name] = t
            self.order.append(name)

    def _ann_assign(self, node: ast.AnnAssign) -> ir.Stmt:
        sp = self.span(node)
        if not isinstance(node.target, ast.Name):
            raise self.fail(node, "E114", "only simple names can be annotated", "annotate when first assigning")
        if node.value is None:
            raise self.fail(node, "E113", "a declaration needs a value", "write `name: T = value`")
        t = self.tables.annotation(self.scope, node.annotation)
        if t is None:
            raise _Abort()
        if isinstance(t, ir.VoidType):
            raise self.fail(node, "E201", "a variable cannot have type None", "pick a machine type")
        if isinstance(t, ir.ViewType):
            raise self.fail(
                node, "E201", "views are only parameters, not local variables",
                "pass the slice or bytes literal directly to the function that reads it",
            )
        name = node.target.id
        if isinstance(t, ir.ArrayType) and t.dma:
            raise self.fail(
                node, "E201", "DMA buffers are module-level variables (the stack is not in the DMA region)",
                f"declare `{name}: {t} = {t}()` at module level",
            )
        if isinstance(t, ir.ArrayType):
            if not (
                isinstance(node.value, ast.Call)
                and not node.value.args
                and not node.value.keywords
                and self.tables.annotation(self.scope, node.value.func, quiet=True) == t
            ):
                raise self.fail(
                    node.value, "E201", f"initialise a {t} with `{t}()`", "arrays start zeroed; fill them in code"
                )
            self._declare(node, name, t)
            self.assigned = self.assigned | {name}
            return ir.Assign(ir.Local(name, t, self.span(node.target)), ir.Const(0, t, sp), sp)
        value = self.coerce(self.expr(node.value, t), t, node.value)
        self._declare(node, name, t)
        self.assigned = self.assigned | {name}
        return ir.Assign(ir.Local(name, t, self.span(node.target)), value, sp)

    def _assign(self, target: ast.expr, value_node: ast.expr, sp: ir.Span) -> ir.Stmt:
        if isinstance(target, ast.Name):
            name = target.id
            if name in self.global_names:
                sym = self.scope.names.get(name)
                assert isinstance(sym, GlobalSym)
                if isinstance(sym.type, ir.ArrayType):
                    raise self.fail(target, "E201", "arrays cannot be re-assigned", "assign elements")
                value = self.coerce(self.expr(value_node, sym.type), sym.type, value_node)
                return ir.Assign(ir.GlobalRef(sym.symbol, sym.type, self.span(target)), value, sp)
            t = self.locals.get(name)
            if t is None:
                if isinstance(self.scope.names.get(name), GlobalSym):
                    raise self.fail(
                        target, "E111", f"assigning module variable `{name}` needs `global {name}`",
                        f"add `global {name}` at the top of the function",
                    )
                raise self.fail(
                    target, "E113", f"`{name}` is assigned without a type annotation",
                    f"declare it on first assignment: `{name}: u32 = ...`",
                )
            if isinstance(t, ir.ArrayType | ir.ViewType):
                raise self.fail(target, "E201", "arrays and views cannot be re-assigned", "assign elements")
            self._not_loop_variable(target)
            value = self.coerce(self.expr(value_node, t), t, value_node)
            self.assigned = self.assigned | {name}
            return ir.Assign(ir.Local(name, t, self.span(target)), value, sp)
        if isinstance(target, ast.Subscript):
            index = self._element(target, store=True)
            value = self.coerce(self.expr(value_node, index.type), index.type, value_node)
            return ir.Assign(index, value, sp)
        if isinstance(target, ast.Attribute):
            raise self.fail(
                target, "E205", "registers are written through their methods",
                "use REG.write(FIELD=v), REG.modify(...), REG.set(...) or REG.clear(...)",
            )
        raise self.fail(target, "E114", "unsupported assignment target", "assign to a name or an element")

    def _aug_assign(self, node: ast.AugAssign) -> ir.Stmt:
        sp = self.span(node)
        op = _ARITH.get(type(node.op))
        if op is None:
            raise self.fail(node, "E117", "unsupported operator", "see docs/subset.md")
        if isinstance(node.target, ast.Subscript) and not _is_pure(node.target.slice):
            raise self.fail(
                node.target, "E114", "the index of an augmented assignment must not call functions or read registers",
                "compute the index into a local first",
            )
        current = self.expr(node.target, None)
        if not isinstance(current.type, ir.IntType) or current.type is LIT:
            raise self.fail(node, "E201", f"`{ast.unparse(node.op)}=` needs an integer target", "use an int variable")
        rhs = self.expr(node.value, current.type)
        value = self._binary(op, current, rhs, current.type, node)
        value = self.coerce(value, current.type, node)
        if isinstance(node.target, ast.Name):
            return self._store_name(node.target, value, sp)
        if isinstance(node.target, ast.Subscript):
            return ir.Assign(self._element(node.target, store=True), value, sp)
        raise self.fail(node.target, "E114", "unsupported assignment target", "assign to a name or an element")

    def _not_loop_variable(self, target: ast.Name) -> None:
        if target.id in self.for_vars:
            raise self.fail(
                target, "E114", f"`{target.id}` is the variable of an enclosing for loop",
                "assigning it would not change the iteration; use another variable",
            )

    def _store_name(self, target: ast.Name, value: ir.Expr, sp: ir.Span) -> ir.Stmt:
        name = target.id
        self._not_loop_variable(target)
        if name in self.global_names:
            sym = self.scope.names[name]
            assert isinstance(sym, GlobalSym)
            return ir.Assign(ir.GlobalRef(sym.symbol, sym.type, self.span(target)), value, sp)
        if name not in self.locals:
            raise self.fail(target, "E111", f"assigning module variable `{name}` needs `global {name}`", "add it")
        return ir.Assign(ir.Local(name, self.locals[name], self.span(target)), value, sp)

    def _loop_header(self, body: list[ast.stmt]) -> tuple[list[ir.Expr], ast.expr | None, list[ast.stmt]]:
        """Split leading ``invariant(...)`` / ``decreases(...)`` calls off a loop body."""
        invariants: list[ir.Expr] = []
        decreases: ast.expr | None = None
        rest = list(body)
        while rest and (kind := self._annotation_call(rest[0])) is not None:
            call = rest.pop(0).value  # type: ignore[attr-defined]
            assert isinstance(call, ast.Call)
            if len(call.args) != 1 or call.keywords:
                raise self.fail(call, "E203", f"{kind}() takes one expression", f"write {kind}(expr)")
            if kind == "invariant":
                self.in_contract = True  # invariants may name ghost state, like contracts
                try:
                    invariants.append(self.condition(call.args[0]))
                finally:
                    self.in_contract = False
            elif decreases is not None:
                raise self.fail(call, "E203", "a loop has at most one decreases()", "combine the measures")
            else:
                decreases = call.args[0]
        return invariants, decreases, rest

    def _annotation_call(self, stmt: ast.stmt) -> str | None:
        if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call) and isinstance(stmt.value.func, ast.Name):
            sym = self.scope.names.get(stmt.value.func.id)
            if isinstance(sym, IntrinsicSym) and sym.name in ("invariant", "decreases"):
                return sym.name
        return None

    def _while(self, node: ast.While) -> ir.Stmt:
        sp = self.span(node)
        forever = self._is_intrinsic_call(node.test, "forever")
        cond: ir.Expr = ir.Const(1, ir.BOOL, self.span(node.test)) if forever else self.condition(node.test)
        invariants, dec_node, rest = self._loop_header(node.body)
        decreases = None
        if dec_node is not None:
            decreases = self.expr(dec_node, None)
            if not isinstance(decreases.type, ir.IntType) or decreases.type is LIT:
                raise self.fail(dec_node, "E201", "decreases() needs an integer expression", "e.g. decreases(n - i)")
        start = self.assigned
        self.loop_depth += 1
        body = self.block(rest)
        self.loop_depth -= 1
        self.assigned = start
        return ir.While(cond, tuple(body), tuple(invariants), decreases, forever, sp)

    def _for(self, node: ast.For) -> ir.Stmt:
        sp = self.span(node)
        it = node.iter
        if not (
            isinstance(node.target, ast.Name)
            and isinstance(it, ast.Call)
            and isinstance(it.func, ast.Name)
            and it.func.id == "range"
            and it.func.id not in self.scope.names
            and 1 <= len(it.args) <= 3
            and not it.keywords
        ):
            raise self.fail(node, "E119", "for loops must iterate over range(...) into a name", "write `for i in range(a, b):`")
        name = node.target.id
        args = list(it.args)
        step = 1
        if len(args) == 3:
            folded = self.tables.fold(self.scope, args[2])
            if folded is None or folded == 0:
                raise self.fail(args[2], "E119", "the range step must be a non-zero constant", "e.g. range(0, n, 4)")
            step = folded
            args = args[:2]
        if len(args) == 1:
            args = [ast.Constant(0, lineno=it.lineno, col_offset=it.col_offset), args[0]]
        declared = self.locals.get(name)
        bounds = [self.expr(a, declared) for a in args]
        if declared is None:
            typed = [b.type for b in bounds if isinstance(b.type, ir.IntType) and b.type is not LIT]
            lits = [b.value for b in bounds if isinstance(b, ir.Const) and b.type is LIT]
            if lits:
                lit_t = ir.U32 if min(lits) >= 0 and max(lits) <= ir.U32.max else ir.smallest_containing(min(lits), max(lits))
                if lit_t is None:
                    raise self.fail(node, "E202", "range bounds do not fit 64 bits", "use smaller bounds")
                if not typed:
                    typed = [lit_t]
            var_t = join_types(typed) if typed else ir.U32
            if var_t is None:
                raise self.fail(node, "E201", "no machine type holds both range bounds", "convert one bound")
            self._declare(node.target, name, var_t)
            declared = var_t
        if not isinstance(declared, ir.IntType):
            raise self.fail(node.target, "E201", f"loop variable `{name}` must be an integer", "use a new name")
        start, stop = (self.coerce(b, declared, a) for b, a in zip(bounds, args, strict=True))
        invariants_ok = self.assigned
        self.assigned = self.assigned | {name}
        invariants, dec_node, rest = self._loop_header(node.body)
        if dec_node is not None:
            raise self.fail(dec_node, "E203", "for loops over range() terminate by construction", "drop decreases()")
        self.loop_depth += 1
        self.for_vars.append(name)
        body = self.block(rest)
        self.for_vars.pop()
        self.loop_depth -= 1
        self.assigned = invariants_ok
        var = ir.Local(name, declared, self.span(node.target))
        return ir.For(var, start, stop, step, tuple(body), tuple(invariants), sp)

    def _return(self, node: ast.Return) -> ir.Stmt:
        sp = self.span(node)
        ret = self.sym.ret
        self_assigned = _EVERYTHING
        if node.value is None:
            if not isinstance(ret, ir.VoidType):
                raise self.fail(node, "E206", f"missing return value of type {ret}", "return a value")
            self.assigned = self_assigned
            return ir.Return(None, sp)
        if isinstance(ret, ir.VoidType):
            raise self.fail(node, "E206", "this function returns None", "add a return annotation or drop the value")
        value = self.coerce(self.expr(node.value, ret), ret, node.value)
        self.assigned = self_assigned
        return ir.Return(value, sp)

    def _expr_statement(self, node: ast.Expr) -> ir.Stmt:
        sp = self.span(node)
        call = node.value
        if not isinstance(call, ast.Call):
            raise self.fail(node, "E114", "this expression statement has no effect", "remove it or assign its value")
        func = call.func
        if isinstance(func, ast.Attribute):
            reg = self._register_of(func.value)
            if reg is not None:
                if func.attr == "read":
                    return ir.ExprStmt(self.expr(call, None), sp)
                return self._register_write(call, func.attr, reg[0], reg[1], sp)
            mm = self._mmio_call(func)
            if mm is not None and mm.startswith("write"):
                if self.sym.trusted is None:
                    raise self.fail(call, "E205", "raw mmio access outside a @trusted function", "use register specs")
                if len(call.args) != 2 or call.keywords:
                    raise self.fail(call, "E203", f"mmio.{mm}(address, value)", "pass two arguments")
                width = _MMIO_WIDTHS[mm]
                addr = self.coerce(self.expr(call.args[0], ir.U32), ir.U32, call.args[0])
                vt = ir.unsigned_for_bits(width)
                value = self.coerce(self.expr(call.args[1], vt), vt, call.args[1])
                return ir.MmioWrite(addr, value, width, sp)
        if isinstance(func, ast.Name):
            sym = self.scope.names.get(func.id)
            if isinstance(sym, IntrinsicSym):
                if sym.name == "panic":
                    if len(call.args) != 1 or call.keywords:
                        raise self.fail(call, "E203", "panic(code) takes one argument", "pass a u32 code")
                    code = self.coerce(self.expr(call.args[0], ir.U32), ir.U32, call.args[0])
                    self.assigned = _EVERYTHING
                    return ir.Panic(code, sp)
                if sym.name in _BARRIERS:
                    if call.args or call.keywords:
                        raise self.fail(call, "E203", f"{sym.name}() takes no arguments", "remove them")
                    return ir.Intrinsic(sym.name, sp)
                if sym.name in ("invariant", "decreases"):
                    raise self.fail(call, "E203", f"{sym.name}() must open a loop body", "move it to the top of the loop")
        return ir.ExprStmt(self.expr(call, None, allow_void=True), sp)

    # ------------------------------------------------------------ expressions

    def condition(self, node: ast.expr) -> ir.Expr:
        """An expression used as a truth value (ints compare with 0, like Python)."""
        e = self.expr(node, ir.BOOL)
        if isinstance(e.type, ir.BoolType):
            return e
        if isinstance(e, ir.Const) and e.type is LIT:
            return ir.Const(int(e.value != 0), ir.BOOL, e.span)
        if isinstance(e.type, ir.IntType):
            zero = ir.Const(0, e.type, e.span)
            return ir.Compare(("ne",), (e, zero), (e.type,), ir.BOOL, e.span)
        raise self.fail(node, "E201", f"a {e.type} is not a truth value", "compare it explicitly")

    def coerce(self, e: ir.Expr, target: ir.Type, node: ast.AST) -> ir.Expr:
        """``e`` used where ``target`` is expected (inserting a Convert range claim if needed)."""
        dma_base = e.base.type if isinstance(e, ir.SliceView) else e.type
        if isinstance(target, ir.ViewType) and isinstance(dma_base, ir.ArrayType) and dma_base.dma:
            raise self.fail(
                node, "E201", "a DMA buffer cannot be viewed as ordinary memory",
                "a DMA engine may write it at any time; copy the bytes out element by element",
            )
        if e.type == target:
            return e
        if isinstance(e, ir.Const) and e.type is LIT:
            scalar = target if isinstance(target, ir.IntType) else None
            if scalar is None:
                raise self.fail(node, "E201", f"an integer is not a {target}", _conversion_hint(target))
            if not scalar.contains(e.value):
                raise self.fail(node, "E202", f"{e.value} does not fit {target}", f"{target} holds {scalar.min}..{scalar.max}")
            return ir.Const(e.value, target, e.span)
        if isinstance(target, ir.IntType) and isinstance(e.type, ir.IntType):
            return ir.Convert(e, target, e.span)
        if isinstance(target, ir.ViewType) and isinstance(e.type, ir.ArrayType | ir.ViewType):
            if e.type.elem != target.elem:
                raise self.fail(node, "E201", f"a {e.type} is not a {target}", "element types must match")
            if isinstance(e.type, ir.ViewType):
                return e
            length = ir.Const(e.type.length, ir.U32, e.span)
            return ir.SliceView(e, ir.Const(0, ir.U32, e.span), length, target, e.span)
        raise self.fail(node, "E201", f"expected {target}, got {e.type}", _conversion_hint(target))

    def expr(self, node: ast.expr, expected: ir.Type | None, allow_void: bool = False) -> ir.Expr:
        e = self._expr(node, expected)
        if isinstance(e.type, ir.VoidType) and not allow_void:
            raise self.fail(node, "E201", "this call returns no value", "call it as a statement")
        return e

    def _expr(self, node: ast.expr, expected: ir.Type | None) -> ir.Expr:
        sp = self.span(node)
        if isinstance(node, ast.Constant):
            if isinstance(node.value, bool):
                return ir.Const(int(node.value), ir.BOOL, sp)
            if isinstance(node.value, int):
                return ir.Const(node.value, LIT, sp)
            if isinstance(node.value, bytes):
                if not node.value:
                    raise self.fail(node, "E201", "empty bytes literals are not supported", "remove it")
                symbol = self.tables.bytes_literal(self.module.name, node.value)
                return ir.GlobalRef(symbol, ir.ArrayType(ir.U8, len(node.value)), sp)
            raise self.fail(node, "E114", "unsupported constant", "use integers and booleans")
        if isinstance(node, ast.Name):
            return self._name(node)
        if isinstance(node, ast.Attribute):
            return self._attribute(node)
        if isinstance(node, ast.UnaryOp):
            return self._unary(node, expected)
        if isinstance(node, ast.BinOp):
            op = _ARITH.get(type(node.op))
            if op is None:
                raise self.fail(node, "E117", "unsupported operator", "see docs/subset.md")
            want = expected if isinstance(expected, ir.IntType) else None
            left = self.expr(node.left, want)
            right = self.expr(node.right, want if op not in ("lshift", "rshift") else None)
            return self._binary(op, left, right, want, node)
        if isinstance(node, ast.Compare):
            return self._compare(node)
        if isinstance(node, ast.BoolOp):
            values = tuple(self.condition(v) for v in node.values)
            return ir.BoolOp("and" if isinstance(node.op, ast.And) else "or", values, ir.BOOL, sp)
        if isinstance(node, ast.IfExp):
            cond = self.condition(node.test)
            a = self.expr(node.body, expected)
            b = self.expr(node.orelse, expected)
            t = self._common(a, b, expected, node)
            return ir.IfExp(cond, self.coerce(a, t, node.body), self.coerce(b, t, node.orelse), t, sp)
        if isinstance(node, ast.Call):
            return self._call(node, expected)
        if isinstance(node, ast.Subscript):
            if isinstance(node.slice, ast.Slice):
                return self._slice(node)
            return self._element(node, store=False)
        if isinstance(node, ast.Lambda):
            raise self.fail(node, "E103", "lambda is only allowed in @requires/@ensures", "define a function")
        raise self.fail(node, "E114", f"`{type(node).__name__}` expressions are not in the subset", "see docs/subset.md")

    def _name(self, node: ast.Name) -> ir.Expr:
        sp = self.span(node)
        name = node.id
        if name in self.locals and name not in self.global_names:
            if name not in self.assigned and self.assigned is not _EVERYTHING:
                raise self.fail(
                    node, "E212", f"`{name}` may be used before it is assigned",
                    "assign it on every path before this use",
                )
            return ir.Local(name, self.locals[name], sp)
        if name in ("True", "False"):
            return ir.Const(int(name == "True"), ir.BOOL, sp)
        sym = self.scope.names.get(name)
        if sym is None:
            raise self.fail(node, "E200", f"unknown name `{name}`", "define or import it")
        return self._symbol_value(sym, node)

    def _symbol_value(self, sym: Sym, node: ast.AST) -> ir.Expr:
        sp = self.span(node)
        if isinstance(sym, GlobalSym):
            if sym.const and isinstance(sym.value, int):
                return ir.Const(sym.value, LIT if sym.untyped else sym.type, sp)
            if isinstance(sym.type, ir.VoidType):
                raise _Abort()  # its declaration already failed
            return ir.GlobalRef(sym.symbol, sym.type, sp)
        if isinstance(sym, InstanceSym):
            return ir.Const(sym.base, ir.PeripheralType(sym.peripheral), sp)
        if isinstance(sym, FuncSym):
            raise self.fail(node, "E204", "functions are not values", "call it")
        raise self.fail(node, "E201", "this name is not a value", "use it as a type or call it")

    def _attribute(self, node: ast.Attribute) -> ir.Expr:
        sp = self.span(node)
        base_sym = self.tables.lookup_node(self.scope, node.value) if not self._is_local(node.value) else None
        if isinstance(base_sym, ModuleSym):
            inner = self.tables.scopes.get(base_sym.name)
            sym = inner.names.get(node.attr) if inner else None
            if sym is None:
                raise self.fail(node, "E200", f"module `{base_sym.name}` has no `{node.attr}`", "check the spelling")
            return self._symbol_value(sym, node)
        if isinstance(base_sym, TypeSym) and isinstance(base_sym.type, ir.EnumType):
            value = base_sym.type.value_of(node.attr)
            if value is None:
                raise self.fail(node, "E200", f"enum {base_sym.type} has no member `{node.attr}`", "check the spelling")
            return ir.Const(value, base_sym.type, sp)
        ghost = self._ghost_read(node) if self.in_contract else None
        if ghost is not None:
            return ghost
        reg = self._register_of(node.value)
        if reg is not None:
            inst, register = reg
            f = register.field(node.attr)
            if f is None:
                raise self.fail(
                    node, "E205", f"register {register.name} has no field `{node.attr}`",
                    f"fields: {', '.join(x.name for x in register.fields) or 'none (use .read())'}",
                )
            self._check_readable(node, register, f)
            return ir.RegRead(inst, register, f, ir.unsigned_for_bits(f.width), sp)
        if self._register_of(node) is not None:
            raise self.fail(node, "E205", "read a whole register with .read()", "write REG.read() or REG.FIELD")
        raise self.fail(node, "E114", "unsupported attribute access", "attributes are modules, enums and registers")

    def _ghost_read(self, node: ast.Attribute) -> ir.Expr | None:
        """``INSTANCE.invariant`` in a contract: a protocol invariant of the instance's spec."""
        inst: ir.Expr | None = None
        if self._is_local(node.value):
            assert isinstance(node.value, ast.Name)
            t = self.locals[node.value.id]
            if isinstance(t, ir.PeripheralType):
                inst = ir.Local(node.value.id, t, self.span(node.value))
        else:
            sym = self.tables.lookup_node(self.scope, node.value)
            if isinstance(sym, InstanceSym):
                inst = ir.Const(sym.base, ir.PeripheralType(sym.peripheral), self.span(node.value))
        if inst is None or not isinstance(inst.type, ir.PeripheralType):
            return None
        if inst.type.peripheral.invariant(node.attr) is None:
            return None
        return ir.GhostRead(inst, node.attr, ir.BOOL, self.span(node))

    def _is_local(self, node: ast.expr) -> bool:
        return isinstance(node, ast.Name) and node.id in self.locals

    def _register_of(self, node: ast.expr) -> tuple[ir.Expr, Register] | None:
        """``INSTANCE.REG`` -> (instance expression, register), else None."""
        if not isinstance(node, ast.Attribute):
            return None
        inst: ir.Expr | None = None
        base = node.value
        if self._is_local(base):
            assert isinstance(base, ast.Name)
            t = self.locals[base.id]
            if isinstance(t, ir.PeripheralType):
                inst = ir.Local(base.id, t, self.span(base))
        else:
            sym = self.tables.lookup_node(self.scope, base)
            if isinstance(sym, InstanceSym):
                inst = ir.Const(sym.base, ir.PeripheralType(sym.peripheral), self.span(base))
        if inst is None:
            return None
        assert isinstance(inst.type, ir.PeripheralType)
        periph = inst.type.peripheral
        register = periph.register(node.attr)
        if register is None:
            raise self.fail(
                node, "E205", f"{periph.name} has no register `{node.attr}`",
                f"registers are defined in {display_path(periph.source)}",
            )
        return inst, register

    def _check_readable(self, node: ast.AST, register: Register, f: Field | None) -> None:
        if register.access is Access.WO or (f is not None and f.access is Access.WO):
            what = f"{register.name}.{f.name}" if f else register.name
            raise self.fail(node, "E205", f"{what} is write-only and cannot be read", "keep a copy of what you wrote")

    def _unary(self, node: ast.UnaryOp, expected: ir.Type | None) -> ir.Expr:
        sp = self.span(node)
        if isinstance(node.op, ast.Not):
            return ir.Unary("not", self.condition(node.operand), ir.BOOL, sp)
        want = expected if isinstance(expected, ir.IntType) else None
        operand = self.expr(node.operand, want)
        if isinstance(node.op, ast.UAdd):
            return operand
        if isinstance(operand, ir.Const) and operand.type is LIT:
            value = -operand.value if isinstance(node.op, ast.USub) else ~operand.value
            return ir.Const(value, LIT, sp)
        if not isinstance(operand.type, ir.IntType):
            raise self.fail(node, "E201", f"arithmetic on a {operand.type}", "convert it to a machine integer first")
        t = join_types([operand.type, want]) if want is not None else operand.type
        if t is None:
            raise self.fail(node, "E201", f"no machine type holds both {operand.type} and {want}", "convert explicitly")
        operand = self.coerce(operand, t, node)
        return ir.Unary("neg" if isinstance(node.op, ast.USub) else "invert", operand, t, sp)

    def _binary(self, op: str, left: ir.Expr, right: ir.Expr, want: ir.IntType | None, node: ast.AST) -> ir.Expr:
        sp = self.span(node)
        for side in (left, right):
            if not isinstance(side.type, ir.IntType):
                raise self.fail(node, "E201", f"arithmetic on a {side.type}", "convert it to a machine integer first")
        lit_l = isinstance(left, ir.Const) and left.type is LIT
        lit_r = isinstance(right, ir.Const) and right.type is LIT
        if lit_l and lit_r:
            assert isinstance(left, ir.Const) and isinstance(right, ir.Const)
            folded = _eval_binary(op, left.value, right.value)
            if folded is None:
                raise self.fail(node, "E202", "this constant expression is undefined (division by zero or bad shift)", "fix the constant")
            return ir.Const(folded, LIT, sp)
        shift = op in ("lshift", "rshift")
        typed: list[ir.IntType] = []
        for side, is_lit in ((left, lit_l), (right, lit_r)):
            if not is_lit and not (shift and side is right):
                assert isinstance(side.type, ir.IntType)
                typed.append(side.type)
        if want is not None:
            typed.append(want)
        if not typed:
            typed = [ir.U32]
        t = join_types(typed)
        if t is None:
            raise self.fail(
                node, "E201", f"no machine type holds all of {', '.join(map(str, typed))}",
                "convert an operand explicitly, e.g. i64(x)",
            )
        left = self.coerce(left, t, node)
        if shift:
            if lit_r:
                assert isinstance(right, ir.Const)
                if right.value < 0:
                    raise self.fail(node, "E202", "negative shift amount", "shift by 0 or more")
                right = ir.Const(right.value, ir.U32 if right.value <= ir.U32.max else ir.U64, right.span)
        else:
            right = self.coerce(right, t, node)
        return ir.Binary(op, left, right, t, sp)

    def _common(self, a: ir.Expr, b: ir.Expr, expected: ir.Type | None, node: ast.AST) -> ir.Type:
        """Type of a two-armed expression."""
        if a.type == b.type and a.type is not LIT:
            return a.type
        ints = [x.type for x in (a, b) if isinstance(x.type, ir.IntType) and x.type is not LIT]
        if isinstance(expected, ir.IntType):
            ints.append(expected)
        if len(ints) + sum(1 for x in (a, b) if x.type is LIT) == 2 + int(isinstance(expected, ir.IntType)) and ints:
            t = join_types(ints)
            if t is not None:
                return t
        if a.type is LIT and b.type is not LIT:
            return b.type
        if b.type is LIT and a.type is not LIT:
            return a.type
        if a.type is LIT and b.type is LIT:
            return expected if expected is not None else ir.U32
        raise self.fail(node, "E201", f"the two arms have types {a.type} and {b.type}", "convert one of them")

    def _compare(self, node: ast.Compare) -> ir.Expr:
        sp = self.span(node)
        operand_nodes = [node.left, *node.comparators]
        operands = [self.expr(n, None) for n in operand_nodes]
        ops: list[str] = []
        pair_types: list[ir.IntType] = []
        for i, cmp in enumerate(node.ops):
            op = _CMP.get(type(cmp))
            if op is None:
                raise self.fail(node, "E117", "unsupported comparison", "use == != < <= > >=")
            ops.append(op)
            a, b = operands[i], operands[i + 1]
            pair_types.append(self._compare_type(a, b, op, node))
        settled: list[ir.Expr] = []
        for i, e in enumerate(operands):
            if isinstance(e, ir.Const) and e.type is LIT:
                t = pair_types[i - 1] if i > 0 else pair_types[0]
                e = self.coerce(e, t, operand_nodes[i])
            settled.append(e)
        return ir.Compare(tuple(ops), tuple(settled), tuple(pair_types), ir.BOOL, sp)

    def _compare_type(self, a: ir.Expr, b: ir.Expr, op: str, node: ast.AST) -> ir.IntType:
        for x, y in ((a, b), (b, a)):
            if isinstance(x.type, ir.EnumType | ir.BoolType):
                if y.type != x.type:
                    raise self.fail(node, "E201", f"cannot compare {x.type} with {y.type}", "compare like with like")
                if isinstance(x.type, ir.BoolType) and op not in ("eq", "ne"):
                    raise self.fail(node, "E201", "booleans only compare with == and !=", "use and/or/not")
                return ir.scalar_int(x.type) or ir.U8
        typed = [x.type for x in (a, b) if isinstance(x.type, ir.IntType) and x.type is not LIT]
        lits = [x.value for x in (a, b) if isinstance(x, ir.Const) and x.type is LIT]
        for x in (a, b):
            if not isinstance(x.type, ir.IntType):
                raise self.fail(node, "E201", f"cannot compare a {x.type}", "compare integers")
        if not typed:
            typed = [ir.smallest_containing(min(lits), max(lits)) or ir.I64]
        t = join_types(typed)
        if t is None:
            raise self.fail(node, "E201", f"no machine type holds both {a.type} and {b.type}", "convert one side")
        for v in lits:
            if not t.contains(v):
                wider = ir.smallest_containing(min(v, t.min), max(v, t.max))
                if wider is None:
                    raise self.fail(node, "E202", f"{v} does not fit any machine type", "use a smaller constant")
                t = wider
        return t

    def _element(self, node: ast.Subscript, store: bool) -> ir.Index:
        sp = self.span(node)
        base = self.expr(node.value, None)
        if not isinstance(base.type, ir.ArrayType | ir.ViewType):
            raise self.fail(node, "E208", f"cannot index a {base.type}", "index arrays, Bytes and views")
        if store:
            if isinstance(base.type, ir.ViewType):
                raise self.fail(node, "E208", "views are read-only", "pass the array itself to modify it")
            if isinstance(base, ir.GlobalRef) and self._is_const_global(base.symbol):
                raise self.fail(node, "E208", "constants cannot be modified", "copy it into an array first")
        index = self.expr(node.slice, None)
        if isinstance(index, ir.Const) and index.type is LIT:
            limit = base.type.length if isinstance(base.type, ir.ArrayType) else None
            if index.value < 0 or (limit is not None and index.value >= limit):
                raise self.fail(
                    node.slice, "E208", f"index {index.value} is out of bounds",
                    f"valid indexes are 0..{limit - 1}" if limit else "indexes are >= 0 (no negative indexing)",
                )
            index = ir.Const(index.value, ir.U32, index.span)
        if not isinstance(index.type, ir.IntType):
            raise self.fail(node.slice, "E201", f"an index must be an integer, not {index.type}", "convert it")
        return ir.Index(base, index, base.type.elem, sp)

    def _is_const_global(self, symbol: str) -> bool:
        if symbol in self.tables.literals:
            return True
        module, _, name = symbol.rpartition(".")
        scope = self.tables.scopes.get(module)
        sym = scope.names.get(name) if scope else None
        return isinstance(sym, GlobalSym) and sym.const

    def _slice(self, node: ast.Subscript) -> ir.Expr:
        sp = self.span(node)
        sl = node.slice
        assert isinstance(sl, ast.Slice)
        if sl.step is not None:
            raise self.fail(node, "E208", "slices with a step are not in the subset", "use a loop")
        base = self.expr(node.value, None)
        if not isinstance(base.type, ir.ArrayType | ir.ViewType):
            raise self.fail(node, "E208", f"cannot slice a {base.type}", "slice arrays, Bytes and views")
        start = self.coerce(self.expr(sl.lower, ir.U32), ir.U32, sl.lower) if sl.lower else ir.Const(0, ir.U32, sp)
        if sl.upper is not None:
            stop = self.coerce(self.expr(sl.upper, ir.U32), ir.U32, sl.upper)
        elif isinstance(base.type, ir.ArrayType):
            stop = ir.Const(base.type.length, ir.U32, sp)
        else:
            stop = ir.Len(base, ir.U32, sp)
        return ir.SliceView(base, start, stop, ir.ViewType(base.type.elem), sp)

    # ------------------------------------------------------------ calls

    def _is_intrinsic_call(self, node: ast.expr, name: str) -> bool:
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            sym = self.scope.names.get(node.func.id)
            if isinstance(sym, IntrinsicSym) and sym.name == name:
                if node.args or node.keywords:
                    raise self.fail(node, "E203", f"{name}() takes no arguments", "remove them")
                return True
        return False

    def _mmio_call(self, func: ast.Attribute) -> str | None:
        base = self.tables.lookup_node(self.scope, func.value)
        if isinstance(base, IntrinsicSym) and base.name == "mmio":
            if func.attr not in _MMIO_WIDTHS:
                raise self.fail(func, "E204", f"mmio has no `{func.attr}`", "read8/16/32, write8/16/32")
            return func.attr
        return None

    def _call(self, node: ast.Call, expected: ir.Type | None) -> ir.Expr:
        sp = self.span(node)
        func = node.func
        if isinstance(func, ast.Attribute):
            reg = self._register_of(func.value)
            if reg is not None:
                inst, register = reg
                if func.attr != "read":
                    raise self.fail(node, "E205", f"`{func.attr}()` does not produce a value", "call it as a statement")
                if node.args or node.keywords:
                    raise self.fail(node, "E203", "read() takes no arguments", "remove them")
                self._check_readable(node, register, None)
                return ir.RegRead(inst, register, None, ir.unsigned_for_bits(register.width), sp)
            mm = self._mmio_call(func)
            if mm is not None:
                if self.sym.trusted is None:
                    raise self.fail(node, "E205", "raw mmio access outside a @trusted function", "use register specs")
                if not mm.startswith("read") or len(node.args) != 1 or node.keywords:
                    raise self.fail(node, "E203", f"mmio.{mm} is used wrongly", "x = mmio.read32(address)")
                width = _MMIO_WIDTHS[mm]
                addr = self.coerce(self.expr(node.args[0], ir.U32), ir.U32, node.args[0])
                return ir.MmioRead(addr, width, ir.unsigned_for_bits(width), sp)
        if isinstance(func, ast.Name) and func.id == "len" and func.id not in self.scope.names:
            if len(node.args) != 1 or node.keywords:
                raise self.fail(node, "E203", "len() takes one argument", "len(array)")
            base = self.expr(node.args[0], None)
            if isinstance(base.type, ir.ArrayType):
                return ir.Const(base.type.length, LIT, sp)
            if isinstance(base.type, ir.ViewType):
                return ir.Len(base, ir.U32, sp)
            raise self.fail(node, "E201", f"len() of a {base.type}", "len() takes arrays and views")
        sym = self.tables.lookup_node(self.scope, func) if not self._is_local(func) else None
        if isinstance(sym, TypeSym):
            return self._conversion(node, sym.type)
        if isinstance(sym, IntrinsicSym):
            return self._intrinsic_value(node, sym.name)
        if isinstance(sym, GenericSym):
            raise self.fail(node, "E201", "array constructors only initialise declarations", "write `buf: Bytes[16] = Bytes[16]()`")
        if isinstance(func, ast.Name) and func.id in ("print", "int", "str", "range", "list", "bytes", "bytearray"):
            raise self.fail(node, "E204", f"`{func.id}()` is not in the subset", "see docs/subset.md")
        if not isinstance(sym, FuncSym):
            raise self.fail(node, "E204", f"`{ast.unparse(func)}` is not a function", "call a firmware function")
        if node.keywords:
            raise self.fail(node, "E203", "keyword arguments are not supported", "pass arguments by position")
        if len(node.args) != len(sym.params):
            raise self.fail(
                node, "E203", f"`{sym.node.name}` takes {len(sym.params)} argument(s), {len(node.args)} given",
                "match the function's signature",
            )
        args: list[ir.Expr] = []
        for arg_node, param in zip(node.args, sym.params, strict=True):
            want = param.type
            arg = self.expr(arg_node, want)
            if isinstance(want, ir.ArrayType):
                got = arg.type
                if isinstance(got, ir.ArrayType) and got.dma and not want.dma:
                    raise self.fail(
                        arg_node, "E201", "a DMA buffer can only be passed to a Dma[...] parameter",
                        "a DMA engine may write it at any time; copy the bytes out element by element",
                    )
                if got != want:
                    hint = "declare the argument as a Dma[...] module variable" if want.dma else "arrays must match exactly"
                    raise self.fail(arg_node, "E201", f"expected {want}, got {got}", hint)
                if isinstance(arg, ir.GlobalRef) and self._is_const_global(arg.symbol):
                    raise self.fail(
                        arg_node, "E208", "a constant cannot be passed where the callee may modify it",
                        "declare the parameter as View[...] if the callee only reads it",
                    )
            args.append(self.coerce(arg, want, arg_node))
        self._check_aliasing(node, sym, args)
        if self.in_contract:
            raise self.fail(node, "E203", "contracts cannot call functions", "state the property with operators")
        self.calls.append((sym.qualname, sp))
        return ir.Call(sym.qualname, tuple(args), sym.ret, sp)

    def _check_aliasing(self, node: ast.Call, sym: FuncSym, args: list[ir.Expr]) -> None:
        """An array the callee may modify must not reach it twice (both names would
        alias one memory, which the verifier models as two)."""
        roots: dict[str, int] = {}
        mutable: set[str] = set()
        for arg, param in zip(args, sym.params, strict=True):
            base = arg.base if isinstance(arg, ir.SliceView) else arg
            if isinstance(base, ir.Local | ir.GlobalRef) and isinstance(base.type, ir.ArrayType | ir.ViewType):
                root = base.name if isinstance(base, ir.Local) else base.symbol
                roots[root] = roots.get(root, 0) + 1
                if isinstance(param.type, ir.ArrayType):
                    mutable.add(root)
        for root, count in roots.items():
            if count > 1 and root in mutable:
                raise self.fail(
                    node, "E208", f"`{root.rsplit('.', 1)[-1]}` is passed twice and the callee may modify it",
                    "pass it once; aliased arrays are not in the subset",
                )

    def _conversion(self, node: ast.Call, target: ir.Type) -> ir.Expr:
        sp = self.span(node)
        if len(node.args) != 1 or node.keywords:
            raise self.fail(node, "E203", f"{target}(x) takes one argument", "pass the value to convert")
        if not isinstance(target, ir.IntType | ir.EnumType):
            raise self.fail(node, "E201", f"cannot convert to {target}", "convert to a machine integer or enum")
        value = self.expr(node.args[0], target if isinstance(target, ir.IntType) else None)
        if isinstance(value, ir.Const) and value.type is LIT:
            if isinstance(target, ir.EnumType):
                if all(v != value.value for _, v in target.members):
                    raise self.fail(node, "E202", f"{value.value} is not a member of {target}", "use a member")
                return ir.Const(value.value, target, sp)
            return self.coerce(value, target, node)
        if isinstance(value.type, ir.BoolType | ir.EnumType | ir.IntType):
            return ir.Convert(value, target, sp)
        raise self.fail(node, "E201", f"cannot convert a {value.type} to {target}", "convert integers")

    def _intrinsic_value(self, node: ast.Call, name: str) -> ir.Expr:
        sp = self.span(node)
        if name == "poll":
            limit_kw = [k for k in node.keywords if k.arg == "limit"]
            if len(node.args) != 1 or len(limit_kw) != 1 or len(node.keywords) != 1:
                raise self.fail(node, "E203", "poll takes a condition and limit=N", "poll(REG.FIELD == 1, limit=1000)")
            limit = self.tables.fold(self.scope, limit_kw[0].value)
            if limit is None or not 1 <= limit <= ir.U32.max:
                raise self.fail(limit_kw[0].value, "E203", "poll's limit must be a constant in 1..2**32-1", "bound the wait")
            return ir.Poll(self.condition(node.args[0]), limit, ir.BOOL, sp)
        if name == "forever":
            raise self.fail(node, "E203", "forever() only appears as `while forever():`", "write the idle loop that way")
        if name == "addr_of":
            if len(node.args) != 1 or node.keywords:
                raise self.fail(node, "E203", "addr_of(array) takes one array", "e.g. addr_of(packet)")
            base = self.expr(node.args[0], None)
            if not isinstance(base.type, ir.ArrayType) or not isinstance(base, ir.Local | ir.GlobalRef):
                raise self.fail(node, "E201", f"addr_of() takes an array variable, not {base.type}", "pass the array's name")
            return ir.AddrOf(base, ir.U32, sp)
        if name == "clock_enabled":
            if not self.in_contract:
                raise self.fail(node, "E203", "clock_enabled() is a ghost predicate for contracts", "use it in @requires/@ensures")
            if len(node.args) != 1 or node.keywords:
                raise self.fail(node, "E203", "clock_enabled(INSTANCE) takes one register instance", "e.g. clock_enabled(UART1)")
            inst = self.expr(node.args[0], None)
            if not isinstance(inst.type, ir.PeripheralType):
                raise self.fail(node, "E201", f"clock_enabled() takes a register instance, not {inst.type}", "e.g. clock_enabled(uart)")
            return ir.ClockOn(inst, ir.BOOL, sp)
        raise self.fail(node, "E204", f"{name}() does not produce a value", "call it as a statement")

    def _register_write(self, call: ast.Call, method: str, inst: ir.Expr, register: Register, sp: ir.Span) -> ir.Stmt:
        modes = {"write", "modify", "set", "clear", "toggle"}
        if method not in modes:
            raise self.fail(call, "E205", f"registers have no method `{method}`", "use read, write, modify, set, clear, toggle")
        if method != "write" and call.args:
            raise self.fail(call, "E203", f"{method}() takes FIELD=value arguments", f"REG.{method}(FIELD=1)")
        where = f"{register.name}"
        if register.access is Access.RO:
            raise self.fail(call, "E205", f"{where} is read-only", "registers marked RO in the spec cannot be written")
        if method == "write" and call.args:
            if len(call.args) != 1 or call.keywords:
                raise self.fail(call, "E203", "write(value) takes one value, or FIELD=value arguments", "pick one form")
            t = ir.unsigned_for_bits(register.width)
            raw = self.coerce(self.expr(call.args[0], t), t, call.args[0])
            return ir.RegWrite(inst, register, "raw", (), raw, sp)
        if not call.keywords:
            raise self.fail(call, "E203", f"{method}() needs at least one FIELD=value", f"REG.{method}(FIELD=1)")
        fields: list[tuple[Field, ir.Expr]] = []
        for kw in call.keywords:
            if kw.arg is None:
                raise self.fail(call, "E112", "**kwargs are not in the subset", "name each field")
            f = register.field(kw.arg)
            if f is None:
                raise self.fail(kw, "E205", f"register {register.name} has no field `{kw.arg}`",
                                f"fields: {', '.join(x.name for x in register.fields)}")
            if f.access is Access.RO:
                raise self.fail(kw, "E205", f"field {register.name}.{f.name} is read-only", "do not write it")
            t = ir.unsigned_for_bits(f.width)
            value = self.coerce(self.expr(kw.value, t), t, kw.value)
            if isinstance(value, ir.Const) and value.value > f.max_value:
                raise self.fail(kw.value, "E205", f"{value.value} does not fit the {f.width}-bit field {f.name}",
                                f"{f.name} holds 0..{f.max_value}")
            fields.append((f, value))
        if method == "modify":
            if register.access is Access.WO or register.read_sensitive or register.has_w1c:
                why = "is write-only" if register.access is Access.WO else (
                    "has read side effects" if register.read_sensitive else "has write-1-to-clear fields")
                raise self.fail(call, "E205", f"read-modify-write of {where}, which {why}",
                                "use write(...) with every field you mean, or clear(...) for W1C bits")
        elif method in ("set", "clear", "toggle"):
            alias = {"set": "SET", "clear": "CLR", "toggle": "TOG"}[method]
            w1c_clear = method == "clear" and all(f.access is Access.W1C for f, _ in fields)
            if alias not in register.aliases and not w1c_clear:
                raise self.fail(call, "E205", f"{where} has no {alias} alias", "use modify(...) or write(...)")
            if w1c_clear and alias not in register.aliases:
                for f, value in fields:
                    if not (isinstance(value, ir.Const) and value.value == f.max_value):
                        raise self.fail(call, "E205", f"clear() of W1C field {f.name} writes ones", f"write {f.name}={f.max_value}")
        return ir.RegWrite(inst, register, method, tuple(fields), None, sp)


# ---------------------------------------------------------------- helpers


def _parameter(text: str) -> ast.arg:
    """One ``name: Type`` parameter written as text (already checked to parse by the spec loader)."""
    fn = ast.parse(f"def f({text}): pass").body[0]
    assert isinstance(fn, ast.FunctionDef)
    return fn.args.args[0]


def _meet(a: frozenset[str], b: frozenset[str]) -> frozenset[str]:
    """Names assigned on both paths (an exiting path assigns everything)."""
    if a is _EVERYTHING:
        return b
    if b is _EVERYTHING:
        return a
    return a & b


def _is_pure(node: ast.AST) -> bool:
    return not any(isinstance(n, ast.Call | ast.Attribute) for n in ast.walk(node))


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


def _eval_binary(op: str, a: int, b: int) -> int | None:
    if op in ("floordiv", "mod") and b == 0:
        return None
    if op in ("lshift", "rshift") and (b < 0 or b > 128):
        return None
    return {
        "add": lambda: a + b, "sub": lambda: a - b, "mul": lambda: a * b,
        "floordiv": lambda: a // b, "mod": lambda: a % b, "lshift": lambda: a << b,
        "rshift": lambda: a >> b, "and": lambda: a & b, "or": lambda: a | b, "xor": lambda: a ^ b,
    }[op]()


def _conversion_hint(target: ir.Type) -> str:
    if isinstance(target, ir.IntType):
        return f"convert explicitly: {target}(x)"
    if isinstance(target, ir.EnumType):
        return f"use a member of {target}, or {target.name.rsplit('.', 1)[-1]}(x)"
    return "pass a value of the expected type"


def check_function(tables: Tables, scope: ModuleScope, sym: FuncSym) -> tuple[ir.Function | None, list[ir.CallSite]]:
    """Check one function; returns its IR (None on error) and its calls in the order they were typed."""
    checker = FunctionChecker(tables, scope, sym)
    return checker.run(), checker.calls


__all__ = ["LIT", "Diagnostic", "check_function", "join_types"]
