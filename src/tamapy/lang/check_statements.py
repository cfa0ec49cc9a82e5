"""Statements, and the definite assignment they change.

Besides typing, the statement layer tracks which locals are assigned on
every path (``assigned``), so a use before assignment is rejected.
"""

from __future__ import annotations

import ast
from collections.abc import Sequence

from tamapy.lang import ir
from tamapy.lang.check_base import ARITH_OPS, EVERYTHING, LIT, MMIO_WIDTHS, Abort, join_types
from tamapy.lang.check_expressions import ExpressionChecker
from tamapy.lang.scope import GlobalSym, IntrinsicSym

_BARRIERS = frozenset({"wfi", "dsb", "isb", "dmb"})


class StatementChecker(ExpressionChecker):
    """Statements of a function body, lowered to IR statements."""

    def block(self, stmts: Sequence[ast.stmt]) -> list[ir.Stmt]:
        out: list[ir.Stmt] = []
        for stmt in stmts:
            try:
                out.extend(self.statement(stmt))
            except Abort:
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
            self.assigned = EVERYTHING
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
        self._not_shadowing(node, name)
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
            raise Abort()
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
        if isinstance(target, ast.Attribute) and (struct := self._struct_of(target.value)) is not None:
            member = self._scalar_member(target, struct)
            return ir.Assign(member, self.coerce(self.expr(value_node, member.type), member.type, value_node), sp)
        if isinstance(target, ast.Attribute):
            raise self.fail(
                target, "E205", "registers are written through their methods",
                "use REG.write(FIELD=v), REG.modify(...), REG.set(...) or REG.clear(...)",
            )
        raise self.fail(target, "E114", "unsupported assignment target", "assign to a name or an element")

    def _index_may_change(self, index: ast.expr, value: ast.expr) -> bool:
        """Whether a call in ``value`` may change a module variable that ``index`` reads."""
        calls = any(isinstance(n, ast.Call) for n in ast.walk(value))
        reads_global = any(
            isinstance(n, ast.Name) and n.id not in self.locals
            and isinstance(sym := self.scope.names.get(n.id), GlobalSym) and not sym.const
            for n in ast.walk(index)
        )
        return calls and reads_global

    def _aug_assign(self, node: ast.AugAssign) -> ir.Stmt:
        sp = self.span(node)
        op = ARITH_OPS.get(type(node.op))
        if op is None:
            raise self.fail(node, "E117", "unsupported operator", "see docs/subset.md")
        if isinstance(node.target, ast.Subscript) and not _is_pure(node.target.slice):
            raise self.fail(
                node.target, "E114", "the index of an augmented assignment must not call functions or read registers",
                "compute the index into a local first",
            )
        if isinstance(node.target, ast.Subscript) and self._index_may_change(node.target.slice, node.value):
            raise self.fail(
                node.target, "E114", "the index of this augmented assignment reads a module variable that the call "
                "on the right may change (Python evaluates the index first)", "compute the index into a local first",
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
        if isinstance(node.target, ast.Attribute) and (struct := self._struct_of(node.target.value)) is not None:
            return ir.Assign(self._scalar_member(node.target, struct), value, sp)
        raise self.fail(node.target, "E114", "unsupported assignment target", "assign to a name or an element")

    def _scalar_member(self, target: ast.Attribute, struct: ir.Expr) -> ir.Member:
        """A member assigned as a whole: an integer one (an array member is written element by element)."""
        member = self._member(target, struct)
        if not isinstance(member.type, ir.IntType):
            raise self.fail(target, "E201", f"array member `{target.attr}` cannot be assigned as a whole",
                            f"assign its elements: {ast.unparse(target)}[i] = ...")
        return member

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
            self.in_contract = True  # a measure is ghost code: pure, no calls (compiled code never evaluates it)
            try:
                decreases = self.expr(dec_node, None)
            finally:
                self.in_contract = False
            if not isinstance(decreases.type, ir.IntType) or decreases.type is LIT:
                raise self.fail(dec_node, "E201", "decreases() needs an integer expression", "e.g. decreases(n - i)")
        start = self.assigned
        self.loop_depth += 1
        body = self.block(rest)
        self.loop_depth -= 1
        self.assigned = start
        return ir.While((), cond, tuple(body), tuple(invariants), decreases, forever, sp)

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
        self._not_loop_variable(node.target)
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
        self_assigned = EVERYTHING
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
            element_write = self._field_element_write(call, sp)
            if element_write is not None:
                return element_write
            reg = self._register_of(func.value)
            if reg is not None:
                if func.attr == "read":
                    return ir.ExprStmt(self.expr(call, None), sp)
                return self._register_write(call, func.attr, *reg, sp)
            mm = self._mmio_call(func)
            if mm is not None and mm.startswith("write"):
                if self.sym.trusted is None:
                    raise self.fail(call, "E205", "raw mmio access outside a @trusted function", "use register specs")
                if len(call.args) != 2 or call.keywords:
                    raise self.fail(call, "E203", f"mmio.{mm}(address, value)", "pass two arguments")
                width = MMIO_WIDTHS[mm]
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
                    self.assigned = EVERYTHING
                    return ir.Panic(code, sp)
                if sym.name == "enable_clock":
                    return self._enable_clock(call, sp)
                if sym.name in _BARRIERS:
                    if call.args or call.keywords:
                        raise self.fail(call, "E203", f"{sym.name}() takes no arguments", "remove them")
                    return ir.Intrinsic(sym.name, sp)
                if sym.name in ("invariant", "decreases"):
                    raise self.fail(call, "E203", f"{sym.name}() must open a loop body", "move it to the top of the loop")
        return ir.ExprStmt(self.expr(call, None, allow_void=True), sp)


def _meet(a: frozenset[str], b: frozenset[str]) -> frozenset[str]:
    """Names assigned on both paths (an exiting path assigns everything)."""
    if a is EVERYTHING:
        return b
    if b is EVERYTHING:
        return a
    return a & b


def _is_pure(node: ast.AST) -> bool:
    return not any(isinstance(n, ast.Call | ast.Attribute) for n in ast.walk(node))
