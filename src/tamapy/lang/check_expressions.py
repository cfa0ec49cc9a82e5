"""Typing of expressions.

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
from dataclasses import replace

from tamapy.lang import ir
from tamapy.lang.check_base import ARITH_OPS, EVERYTHING, LIT, Abort, join_types
from tamapy.lang.check_calls import CallChecker
from tamapy.lang.scope import FuncSym, GlobalSym, InstanceSym, ModuleSym, Sym, TypeSym

_CMP = {ast.Eq: "eq", ast.NotEq: "ne", ast.Lt: "lt", ast.LtE: "le", ast.Gt: "gt", ast.GtE: "ge"}


class ExpressionChecker(CallChecker):
    """Expressions: each is typed against the type its context expects."""

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

    def _boolean_operand(self, node: ast.expr, op: str) -> ir.Expr:
        """An operand of ``and``/``or``/``not``: a bool, not an integer standing for one.

        Python's ``a or b`` is one of its operands (``3 or 5`` is 3), not a
        bool, so integer operands would give the subset a meaning CPython
        does not have; comparing explicitly keeps both the same.
        """
        e = self.expr(node, ir.BOOL)
        if isinstance(e.type, ir.BoolType):
            return e
        if isinstance(e, ir.Const) and e.type is LIT and isinstance(node, ast.Constant) and isinstance(node.value, bool):
            return ir.Const(int(e.value != 0), ir.BOOL, e.span)
        raise self.fail(node, "E122", f"the operands of `{op}` must be bool, not {e.type}",
                        "compare explicitly, e.g. `x != 0`")

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
        if isinstance(target, ir.RegisterValueType):
            raise self.fail(node, "E201", f"expected {target}, got {e.type}",
                            f"only a read of {target.peripheral}.{target.register.name} (REG.read()) is a {target}")
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
            self._viewable(e, node)
            if e.type.elem != target.elem:
                raise self.fail(node, "E201", f"a {e.type} is not a {target}", "element types must match")
            if target.writable and not self._writable(e):
                raise self.fail(node, "E208", f"a read-only {e.type} cannot be passed where the callee writes it",
                                "pass a slice of an array (not of a constant or a View)")
            if isinstance(e.type, ir.ViewType):  # a writable view passed as read-only says so
                if e.type.writable == target.writable:
                    return e
                if isinstance(e, ir.SliceView):
                    return replace(e, type=target)
                return ir.SliceView(e, ir.Const(0, ir.U32, e.span), ir.Len(e, ir.U32, e.span), target, e.span)
            length = ir.Const(e.type.length, ir.U32, e.span)
            return ir.SliceView(e, ir.Const(0, ir.U32, e.span), length, target, e.span)
        raise self.fail(node, "E201", f"expected {target}, got {e.type}", _conversion_hint(target))

    def _viewable(self, e: ir.Expr, node: ast.AST) -> None:
        """A view is of elements in memory order: a struct is used only through its members,
        and of its members only a bytes array is a run of elements."""
        if isinstance(e.type, ir.StructType):
            raise self.fail(node, "E201", f"a struct ({e.type}) is not an array of bytes",
                            "read and write its members by name")
        if isinstance(e, ir.Member) and isinstance(e.type, ir.ArrayType) and e.type.elem != ir.U8:
            raise self.fail(node, "E208", f"only a bytes member can be viewed, not {e.type}",
                            "index its elements: s.member[i]")

    def _writable(self, e: ir.Expr) -> bool:
        """Whether the memory ``e`` names may be written through a view of it: an array that
        is not a constant (nor DMA: rejected before), or a writable view."""
        if isinstance(e.type, ir.ViewType):
            return e.type.writable
        return not (isinstance(e, ir.GlobalRef) and self._is_const_global(e.symbol))

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
            op = ARITH_OPS.get(type(node.op))
            if op is None:
                raise self.fail(node, "E117", "unsupported operator", "see docs/subset.md")
            want = expected if isinstance(expected, ir.IntType) else None
            left = self.expr(node.left, want)
            right = self.expr(node.right, want if op not in ("lshift", "rshift") else None)
            return self._binary(op, left, right, want, node)
        if isinstance(node, ast.Compare):
            return self._compare(node)
        if isinstance(node, ast.BoolOp):
            values = tuple(self._boolean_operand(v, "and" if isinstance(node.op, ast.And) else "or") for v in node.values)
            return ir.BoolOp("and" if isinstance(node.op, ast.And) else "or", values, ir.BOOL, sp)
        if isinstance(node, ast.IfExp):
            cond = self.condition(node.test)
            a = self.expr(node.body, expected)
            b = self.expr(node.orelse, expected)
            t = self._conditional_view(a, b, expected, node) or self._common(a, b, expected, node)
            return ir.IfExp(cond, self.coerce(a, t, node.body), self.coerce(b, t, node.orelse), t, sp)
        if isinstance(node, ast.Call):
            return self._call(node, expected)
        if isinstance(node, ast.Subscript):
            if isinstance(node.slice, ast.Slice):
                return self._slice(node)
            return self._field_element_read(node) or self._element(node, store=False)
        if isinstance(node, ast.Lambda):
            raise self.fail(node, "E103", "lambda is only allowed in @requires/@ensures", "define a function")
        raise self.fail(node, "E114", f"`{type(node).__name__}` expressions are not in the subset", "see docs/subset.md")

    def _name(self, node: ast.Name) -> ir.Expr:
        sp = self.span(node)
        name = node.id
        if name in self.locals and name not in self.global_names:
            if name not in self.assigned and self.assigned is not EVERYTHING:
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
                raise Abort()  # its declaration already failed
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
        struct = self._struct_of(node.value)
        if struct is not None:
            return self._member(node, struct)
        ghost = self._ghost_read(node) if self.in_contract else None
        if ghost is not None:
            return ghost
        if isinstance(node.value, ast.Name) and self._is_local(node.value):
            t = self.locals[node.value.id]
            if isinstance(t, ir.RegisterValueType):
                return self._value_field(node, ir.Local(node.value.id, t, self.span(node.value)))
        reg = self._register_of(node.value)
        if reg is not None:
            return self._field_read(node, *reg)
        if self._register_of(node) is not None:
            raise self.fail(node, "E205", "read a whole register with .read()", "write REG.read() or REG.FIELD")
        raise self.fail(node, "E114", "unsupported attribute access", "attributes are modules, enums and registers")

    def _struct_of(self, node: ast.expr) -> ir.Expr | None:
        """The struct variable ``node`` names (a local, or a module variable directly or through
        its module), else None: only variables have members, never a call's result."""
        if isinstance(node, ast.Name) and node.id in self.locals and node.id not in self.global_names:
            local = self._name(node)
            return local if isinstance(local.type, ir.StructType) else None
        sym = self.tables.lookup_node(self.scope, node) if isinstance(node, ast.Name | ast.Attribute) else None
        if isinstance(sym, GlobalSym) and isinstance(sym.type, ir.StructType):
            return ir.GlobalRef(sym.symbol, sym.type, self.span(node))
        return None

    def _member(self, node: ast.Attribute, struct: ir.Expr) -> ir.Member:
        t = struct.type
        assert isinstance(t, ir.StructType)
        m = t.member(node.attr)
        if m is None:
            raise self.fail(node, "E200", f"struct {t} has no member `{node.attr}`",
                            f"its members are {', '.join(x.name for x in t.members)}")
        member_type: ir.Type = m.elem if m.count is None else ir.ArrayType(m.elem, m.count, dma=t.dma)
        return ir.Member(struct, m, member_type, self.span(node))

    def _unary(self, node: ast.UnaryOp, expected: ir.Type | None) -> ir.Expr:
        sp = self.span(node)
        if isinstance(node.op, ast.Not):
            return ir.Unary("not", self._boolean_operand(node.operand, "not"), ir.BOOL, sp)
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

    def _conditional_view(self, a: ir.Expr, b: ir.Expr, expected: ir.Type | None, node: ast.AST) -> ir.Type | None:
        """A conditional expression over arrays or views chooses a read-only view (so the arms may
        differ in length, ``b"on" if x else b"off"``); it never chooses an array to modify."""
        if not any(isinstance(x.type, ir.ArrayType | ir.ViewType) for x in (a, b)):
            return None
        if not isinstance(expected, ir.ViewType) or expected.writable:
            raise self.fail(node, "E201", "a conditional expression chooses arrays only as a read-only view",
                            "pass it where a View[...] is expected, or choose with an if statement")
        return expected

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
        if isinstance(a.type, ir.PeripheralType) or isinstance(b.type, ir.PeripheralType):
            if a.type != b.type or op not in ("eq", "ne"):
                raise self.fail(node, "E201", f"cannot compare {a.type} with {b.type} by `{op}`",
                                "instances of one peripheral compare with == and != (the same block or not)")
            return ir.machine_int(a.type)
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
        if not isinstance(base.type, ir.ArrayType | ir.ViewType) or isinstance(base.type, ir.StructType):
            raise self.fail(node, "E208", f"cannot index a {base.type}", "index arrays, Bytes and views; "
                            "a struct's members are read by name")
        if store:
            if isinstance(base.type, ir.ViewType) and not (base.type.writable and isinstance(base, ir.Local)):
                raise self.fail(node, "E208", "views are read-only",
                                "pass the array itself, or declare the parameter MutView[...] to write through it")
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

    def _slice(self, node: ast.Subscript) -> ir.Expr:
        sp = self.span(node)
        sl = node.slice
        assert isinstance(sl, ast.Slice)
        if sl.step is not None:
            raise self.fail(node, "E208", "slices with a step are not in the subset", "use a loop")
        base = self.expr(node.value, None)
        if not isinstance(base.type, ir.ArrayType | ir.ViewType):
            raise self.fail(node, "E208", f"cannot slice a {base.type}", "slice arrays, Bytes and views")
        self._viewable(base, node)
        if isinstance(base, ir.SliceView):
            # The aliasing rules follow a view to the buffer it was cut from, one slice deep.
            raise self.fail(node, "E124", "a slice of a slice is not in the subset", "slice the buffer once: `a[i + j:i + k]`")
        start = self.coerce(self.expr(sl.lower, ir.U32), ir.U32, sl.lower) if sl.lower else ir.Const(0, ir.U32, sp)
        if sl.upper is not None:
            stop = self.coerce(self.expr(sl.upper, ir.U32), ir.U32, sl.upper)
        elif isinstance(base.type, ir.ArrayType):
            stop = ir.Const(base.type.length, ir.U32, sp)
        else:
            stop = ir.Len(base, ir.U32, sp)
        return ir.SliceView(base, start, stop, ir.ViewType(base.type.elem, self._writable(base)), sp)


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
