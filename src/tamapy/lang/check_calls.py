"""Calls: firmware functions, type conversions, intrinsics and raw mmio reads."""

from __future__ import annotations

import ast

from tamapy.abi import APP_MODULE, ENTRY_NAME
from tamapy.lang import ir
from tamapy.lang.check_base import LIT, MMIO_WIDTHS
from tamapy.lang.check_registers import RegisterRules
from tamapy.lang.scope import FuncSym, GenericSym, IntrinsicSym, TypeSym
from tamapy.lang.walk import array_roots, walk_expr


class CallChecker(RegisterRules):
    """Calls in expressions, and the argument rules of each kind of callee."""

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
            if func.attr not in MMIO_WIDTHS:
                raise self.fail(func, "E204", f"mmio has no `{func.attr}`", "read8/16/32, write8/16/32")
            return func.attr
        return None

    def _call(self, node: ast.Call, expected: ir.Type | None) -> ir.Expr:
        sp = self.span(node)
        func = node.func
        if isinstance(func, ast.Attribute):
            reg = self._register_of(func.value)
            if reg is not None:
                return self._register_read(node, func.attr, *reg)
            mm = self._mmio_call(func)
            if mm is not None:
                if self.sym.trusted is None:
                    raise self.fail(node, "E205", "raw mmio access outside a @trusted function", "use register specs")
                if not mm.startswith("read") or len(node.args) != 1 or node.keywords:
                    raise self.fail(node, "E203", f"mmio.{mm} is used wrongly", "x = mmio.read32(address)")
                width = MMIO_WIDTHS[mm]
                addr = self.coerce(self.expr(node.args[0], ir.U32), ir.U32, node.args[0])
                return ir.MmioRead(addr, width, ir.unsigned_for_bits(width), sp)
        if isinstance(func, ast.Name) and func.id == "len" and func.id not in self.scope.names:
            if len(node.args) != 1 or node.keywords:
                raise self.fail(node, "E203", "len() takes one argument", "len(array)")
            base = self.expr(node.args[0], None)
            if isinstance(base.type, ir.StructType):
                raise self.fail(node, "E201", f"len() of a struct ({base.type})", "a struct's size is not a length")
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
        if sym.qualname.split(".")[-2:] == [APP_MODULE, ENTRY_NAME]:
            raise self.fail(node, "E209", "an application's `main` runs once, from reset: it is proved from the reset "
                            "state, which a later call would not start from", "move the work into a function both call")
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
                if isinstance(arg, ir.Member):
                    raise self.fail(arg_node, "E201", "a struct's array member is not an array variable",
                                    "pass the struct, or a bytes member as a View/MutView")
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
            for root in sorted({b.name if isinstance(b, ir.Local) else b.symbol for b in array_roots(arg)}):
                roots[root] = roots.get(root, 0) + 1
                if ir.modifiable(param.type):
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
        if name in ("poll", "addr_of"):
            self._pure_in_contracts(node, "wait on hardware" if name == "poll" else "take addresses")
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
        if name == "old":
            return self._old(node)
        raise self.fail(node, "E204", f"{name}() does not produce a value", "call it as a statement")

    def _old(self, node: ast.Call) -> ir.Expr:
        """``old(e)`` in a post-condition: ``e`` on entry.  Only scalars, so the value kept on
        entry is a copy (an array would be a reference to contents that change)."""
        if not self.old_allowed:
            raise self.fail(node, "E203", "old() is only allowed in @ensures",
                            "post-conditions compare with entry values; in code, copy the value into a local")
        if self.in_old:
            raise self.fail(node, "E203", "old() cannot be nested", "old(x) already means x on entry")
        if len(node.args) != 1 or node.keywords:
            raise self.fail(node, "E203", "old(x) takes one expression", "e.g. old(counter), old(buf[0])")
        self.in_old = True
        try:
            value = self.expr(node.args[0], None)
        finally:
            self.in_old = False
        if isinstance(value, ir.Const):
            return value  # a constant is the same on entry
        if not isinstance(value.type, ir.IntType | ir.BoolType | ir.EnumType):
            raise self.fail(node, "E201", f"old() takes an integer, bool or enum, not {value.type}",
                            "name an element or a length: old(buf[i]), old(len(v))")
        if not isinstance(self.sym.ret, ir.VoidType) and any(
                isinstance(sub, ir.Local) and sub.name == "result" for sub in walk_expr(value)):
            raise self.fail(node, "E203", "old() cannot name `result`: there is no result on entry",
                            "compare result with old(...) of the parameters or globals")
        return ir.Old(value, value.type, self.span(node))
