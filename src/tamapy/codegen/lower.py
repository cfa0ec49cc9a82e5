"""Lower the typed IR to textual LLVM IR.

Text is emitted rather than built with ``llvmlite.ir`` because register
accesses must be ``load volatile``/``store volatile`` of the declared width,
which llvmlite's builder cannot express (DESIGN §3, toolchain notes).

Python's meaning is kept where it differs from C's: ``//`` and ``%`` floor,
shifts by the width or more give Python's result instead of LLVM poison,
and ``range`` loops never wrap their counter.  Arithmetic itself wraps
(no ``nsw``/``nuw``): the verifier's job is to prove it never needs to.
Each local lives in an ``alloca``; LLVM's mem2reg turns them into registers.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from tamapy.abi import PANIC_ASSERT, PANIC_BOUNDS, PANIC_DIVIDE
from tamapy.codegen.startup import PANIC, startup_ir
from tamapy.lang import ir
from tamapy.specs.model import WritePlan

_CMP_SIGNED = {"eq": "eq", "ne": "ne", "lt": "slt", "le": "sle", "gt": "sgt", "ge": "sge"}
_CMP_UNSIGNED = {"eq": "eq", "ne": "ne", "lt": "ult", "le": "ule", "gt": "ugt", "ge": "uge"}
_SIMPLE_BINOPS = {"add": "add", "sub": "sub", "mul": "mul", "and": "and", "or": "or", "xor": "xor"}
_BARRIERS = {
    "wfi": "call void @llvm.arm.hint(i32 3)",
    "dsb": "call void @llvm.arm.dsb(i32 15)",
    "isb": "call void @llvm.arm.isb(i32 15)",
    "dmb": "call void @llvm.arm.dmb(i32 15)",
}


def quote(symbol: str) -> str:
    return f'@"{symbol}"'


def llvm_type(t: ir.Type) -> str:
    """LLVM type of a scalar value (arrays and views are handled as pointers)."""
    if isinstance(t, ir.BoolType):
        return "i1"
    if isinstance(t, ir.VoidType):
        return "void"
    if isinstance(t, ir.PeripheralType):
        return "i32"
    if isinstance(t, ir.ArrayType | ir.ViewType):
        return "ptr"
    scalar = ir.scalar_int(t)
    assert scalar is not None
    return f"i{scalar.bits}"


def _int_of(t: ir.Type) -> ir.IntType:
    """Machine integer behind a scalar type; a bool is an LLVM ``i1`` here."""
    return ir.IntType("bool", 1, False) if isinstance(t, ir.BoolType) else ir.machine_int(t)


@dataclass
class Value:
    """An SSA value or constant; views carry their length too."""

    ref: str
    ty: str
    length: str | None = None


class DebugInfo:
    """DWARF line-table metadata, so an address in the image maps back to a source line
    (the simulator's fault reports use it).  Paths are project-relative: reproducible."""

    FIRST_ID = 10  # !0 and !1 are taken by the startup code and branch weights

    def __init__(self) -> None:
        self.nodes: list[str] = []
        self.files: dict[str, str] = {}
        self.locations: dict[tuple[int, int, str], str] = {}
        self.unit = self._add("")  # filled in by module_metadata()

    def _add(self, text: str) -> str:
        ref = f"!{self.FIRST_ID + len(self.nodes)}"
        self.nodes.append(text)
        return ref

    def file(self, path: str) -> str:
        if path not in self.files:
            self.files[path] = self._add(f'!DIFile(filename: "{path}", directory: ".")')
        return self.files[path]

    def subprogram(self, fn: ir.Function) -> str:
        f = self.file(fn.span.file)
        kind = self._add("!DISubroutineType(types: !{})")
        return self._add(
            f'distinct !DISubprogram(name: "{fn.name}", linkageName: "{fn.qualname}", scope: {f}, file: {f}, '
            f"line: {fn.span.line}, type: {kind}, scopeLine: {fn.span.line}, "
            f"spFlags: DISPFlagDefinition | DISPFlagOptimized | DISPFlagLocalToUnit, unit: {self.unit})"
        )

    def location(self, line: int, col: int, scope: str) -> str:
        key = (line, col, scope)
        if key not in self.locations:
            self.locations[key] = self._add(f"!DILocation(line: {line}, column: {col}, scope: {scope})")
        return self.locations[key]

    def module_metadata(self) -> list[str]:
        first_file = next(iter(self.files.values()), None) or self.file("firmware")
        self.nodes[int(self.unit[1:]) - self.FIRST_ID] = (
            f'distinct !DICompileUnit(language: DW_LANG_Python, file: {first_file}, producer: "tamapy", '
            "isOptimized: true, runtimeVersion: 0, emissionKind: LineTablesOnly)"
        )
        flags = [self._add('!{i32 7, !"Dwarf Version", i32 4}'), self._add('!{i32 2, !"Debug Info Version", i32 3}')]
        out = [f"!{self.FIRST_ID + i} = {text}" for i, text in enumerate(self.nodes)]
        return [*out, f"!llvm.dbg.cu = !{{{self.unit}}}", f"!llvm.module.flags = !{{{', '.join(flags)}}}"]


@dataclass
class _Loop:
    cont: str
    exit: str


@dataclass
class FunctionLowering:
    fn: ir.Function
    checks: bool
    entry: bool = False
    lines: list[str] = field(default_factory=list)
    allocas: list[str] = field(default_factory=list)
    counter: int = 0
    terminated: bool = False
    loops: list[_Loop] = field(default_factory=list)
    uses_udiv64: set[str] = field(default_factory=set)
    debug: DebugInfo | None = None
    scope: str = ""
    loc: str = ""

    # ------------------------------------------------------------ plumbing

    def at(self, span: ir.Span) -> None:
        """Attribute the instructions emitted from now on to ``span``."""
        if self.debug is not None:
            self.loc = self.debug.location(span.line, span.col, self.scope)

    def tmp(self) -> str:
        self.counter += 1
        return f"%t{self.counter}"

    def label(self, hint: str) -> str:
        self.counter += 1
        return f"{hint}{self.counter}"

    def emit(self, text: str) -> None:
        if self.terminated:
            self.start_block(self.label("dead"))
        self.lines.append(f"  {text}, !dbg {self.loc}" if self.loc else f"  {text}")

    def start_block(self, name: str) -> None:
        if not self.terminated:
            self.lines.append(f"  br label %{name}")
        self.lines.append(f"{name}:")
        self.terminated = False

    def terminate(self, text: str) -> None:
        self.emit(text)
        self.terminated = True

    def slot(self, ty: str, name: str | None = None) -> str:
        ref = f"%l.{name}" if name else f"%s{self.counter + 1}"
        self.counter += 1
        self.allocas.append(f"  {ref} = alloca {ty}")
        return ref

    def op(self, text: str) -> str:
        ref = self.tmp()
        self.emit(f"{ref} = {text}")
        return ref

    # ------------------------------------------------------------ function

    def lower(self) -> str:
        fn = self.fn
        if self.debug is not None:
            self.scope = self.debug.subprogram(fn)
            self.at(fn.span)
        params: list[str] = []
        for p in fn.params:
            if isinstance(p.type, ir.ViewType):
                params += [f"ptr %p.{p.name}", f"i32 %p.{p.name}.len"]
            else:
                params.append(f"{llvm_type(p.type)} %p.{p.name}")
        for p in fn.params:
            self._declare_local(p.name, p.type)
            if isinstance(p.type, ir.ViewType):
                self.lines.append(f"  store ptr %p.{p.name}, ptr %l.{p.name}")
                self.lines.append(f"  store i32 %p.{p.name}.len, ptr %l.{p.name}.len")
            elif not isinstance(p.type, ir.ArrayType):
                self.lines.append(f"  store {llvm_type(p.type)} %p.{p.name}, ptr %l.{p.name}")
        for name, t in fn.locals:
            self._declare_local(name, t)
        self.block(fn.body)
        if not self.terminated:
            if isinstance(fn.ret, ir.VoidType):
                self.terminate("ret void")
            else:
                self.terminate("unreachable")
        attrs = "#2" if self.entry else "#0"  # main stays a function of its own: traces name it
        dbg = f" !dbg {self.scope}" if self.scope else ""
        header = f"define internal {llvm_type(fn.ret)} {quote(fn.qualname)}({', '.join(params)}) {attrs}{dbg} {{"
        body = ["entry:", *self.allocas, *self.lines]
        return "\n".join([header, *body, "}", ""])

    def _declare_local(self, name: str, t: ir.Type) -> None:
        if isinstance(t, ir.ArrayType):
            if any(p.name == name for p in self.fn.params):
                self.allocas.append(f"  %l.{name} = getelementptr i8, ptr %p.{name}, i32 0")
            else:
                self.allocas.append(f"  %l.{name} = alloca [{t.length} x i{t.elem.bits}], align 4")
        elif isinstance(t, ir.ViewType):
            self.allocas.append(f"  %l.{name} = alloca ptr")
            self.allocas.append(f"  %l.{name}.len = alloca i32")
        else:
            self.allocas.append(f"  %l.{name} = alloca {llvm_type(t)}")

    # ------------------------------------------------------------ statements

    def block(self, stmts: tuple[ir.Stmt, ...]) -> None:
        for s in stmts:
            self.stmt(s)

    def stmt(self, s: ir.Stmt) -> None:
        self.at(s.span)
        if isinstance(s, ir.Assign):
            self._assign(s)
        elif isinstance(s, ir.ExprStmt):
            self.expr(s.expr)
        elif isinstance(s, ir.If):
            then, orelse, end = self.label("then"), self.label("else"), self.label("endif")
            c = self.expr(s.cond)
            self.terminate(f"br i1 {c.ref}, label %{then}, label %{orelse}")
            self.start_block(then)
            self.block(s.then)
            self._goto(end)
            self.start_block(orelse)
            self.block(s.orelse)
            self._goto(end)
            self.start_block(end)
        elif isinstance(s, ir.While):
            head, body, end = self.label("while"), self.label("body"), self.label("endwhile")
            self._goto(head)
            self.start_block(head)
            c = self.expr(s.cond)
            self.terminate(f"br i1 {c.ref}, label %{body}, label %{end}")
            self.start_block(body)
            self.loops.append(_Loop(head, end))
            self.block(s.body)
            self.loops.pop()
            self._goto(head)
            self.start_block(end)
        elif isinstance(s, ir.For):
            self._for(s)
        elif isinstance(s, ir.Break):
            self.terminate(f"br label %{self.loops[-1].exit}")
        elif isinstance(s, ir.Continue):
            self.terminate(f"br label %{self.loops[-1].cont}")
        elif isinstance(s, ir.Return):
            if s.value is None:
                self.terminate("ret void")
            else:
                v = self.expr(s.value)
                self.terminate(f"ret {v.ty} {v.ref}")
        elif isinstance(s, ir.Assert):
            c = self.expr(s.cond)
            self._check(c.ref, PANIC_ASSERT, always=True)
        elif isinstance(s, ir.RegWrite):
            self._reg_write(s)
        elif isinstance(s, ir.Panic):
            code = self.expr(s.code)
            self.emit(f"call void @{PANIC}(i32 {code.ref})")
            self.terminate("unreachable")
        elif isinstance(s, ir.Intrinsic):
            self.emit(_BARRIERS[s.name])
        elif isinstance(s, ir.MmioWrite):
            addr = self.expr(s.address)
            v = self.expr(s.value)
            ptr = self.op(f"inttoptr i32 {addr.ref} to ptr")
            self.emit(f"store volatile {v.ty} {v.ref}, ptr {ptr}, align {s.width // 8}")
        else:  # pragma: no cover - the IR is closed
            raise AssertionError(s)

    def _goto(self, label: str) -> None:
        if not self.terminated:
            self.terminate(f"br label %{label}")

    def _check(self, ok: str, code: int, always: bool = False) -> None:
        """Panic with ``code`` unless the i1 ``ok`` holds."""
        if not (self.checks or always):
            return
        good, bad = self.label("ok"), self.label("fail")
        self.terminate(f"br i1 {ok}, label %{good}, label %{bad}, !prof !1")
        self.start_block(bad)
        self.emit(f"call void @{PANIC}(i32 {code})")
        self.terminate("unreachable")
        self.start_block(good)

    def _assign(self, s: ir.Assign) -> None:
        target = s.target
        if isinstance(target, ir.Local) and isinstance(target.type, ir.ArrayType):
            self._zero_array(f"%l.{target.name}", target.type)
            return
        v = self.expr(s.value)
        if isinstance(target, ir.Local):
            if isinstance(target.type, ir.ViewType):
                self.emit(f"store ptr {v.ref}, ptr %l.{target.name}")
                self.emit(f"store i32 {v.length}, ptr %l.{target.name}.len")
            else:
                self.emit(f"store {v.ty} {v.ref}, ptr %l.{target.name}")
        elif isinstance(target, ir.GlobalRef):
            self.emit(f"store {v.ty} {v.ref}, ptr {quote(target.symbol)}")
        else:
            ptr = self._element_ptr(target)
            self.emit(f"store{_volatile(target.base)} {v.ty} {v.ref}, ptr {ptr}")

    def _zero_array(self, ptr: str, t: ir.ArrayType) -> None:
        """Zero an array element by element (volatile-free, no memset libcall)."""
        elem = f"i{t.elem.bits}"
        idx = self.slot("i32")
        head, body, end = self.label("zero"), self.label("zerobody"), self.label("zerodone")
        self.emit(f"store i32 0, ptr {idx}")
        self.start_block(head)
        i = self.op(f"load i32, ptr {idx}")
        more = self.op(f"icmp ult i32 {i}, {t.length}")
        self.terminate(f"br i1 {more}, label %{body}, label %{end}")
        self.start_block(body)
        p = self.op(f"getelementptr {elem}, ptr {ptr}, i32 {i}")
        self.emit(f"store {elem} 0, ptr {p}")
        nxt = self.op(f"add i32 {i}, 1")
        self.emit(f"store i32 {nxt}, ptr {idx}")
        self.terminate(f"br label %{head}")
        self.start_block(end)

    def _for(self, s: ir.For) -> None:
        t = _int_of(s.var.type)
        ty = f"i{t.bits}"
        counter = self.slot(ty)
        start = self.expr(s.start)
        stop = self.expr(s.stop)
        self.emit(f"store {ty} {start.ref}, ptr {counter}")
        body, latch, end = self.label("for"), self.label("forlatch"), self.label("endfor")
        preds = _CMP_SIGNED if t.signed else _CMP_UNSIGNED
        first = self.op(f"icmp {preds['lt' if s.step > 0 else 'gt']} {ty} {start.ref}, {stop.ref}")
        self.terminate(f"br i1 {first}, label %{body}, label %{end}")
        self.start_block(body)
        cur = self.op(f"load {ty}, ptr {counter}")
        self.emit(f"store {ty} {cur}, ptr %l.{s.var.name}")
        self.loops.append(_Loop(latch, end))
        self.block(s.body)
        self.loops.pop()
        self._goto(latch)
        self.start_block(latch)
        cur = self.op(f"load {ty}, ptr {counter}")
        # Another iteration exists iff |step| < distance to stop; computed without overflow.
        dist = self.op(f"sub {ty} {stop.ref}, {cur}" if s.step > 0 else f"sub {ty} {cur}, {stop.ref}")
        magnitude = abs(s.step)
        if magnitude > (1 << t.bits) - 1:
            self.terminate(f"br label %{end}")
        else:
            more = self.op(f"icmp ugt {ty} {dist}, {magnitude}")
            nxt = self.op(f"add {ty} {cur}, {s.step if magnitude < (1 << (t.bits - 1)) else s.step % (1 << t.bits)}")
            self.emit(f"store {ty} {nxt}, ptr {counter}")
            self.terminate(f"br i1 {more}, label %{body}, label %{end}")
        self.start_block(end)

    # ------------------------------------------------------------ registers

    def _reg_address(self, instance: ir.Expr, offset: int) -> str:
        if isinstance(instance, ir.Const):
            return f"inttoptr (i32 {instance.value + offset} to ptr)"
        base = self.expr(instance)
        addr = self.op(f"add i32 {base.ref}, {offset}")
        return self.op(f"inttoptr i32 {addr} to ptr")

    def _reg_write(self, s: ir.RegWrite) -> None:
        """Python order: the field values (which may read registers) first, then the access."""
        reg = s.register
        ty = f"i{reg.width}"
        align = reg.width // 8
        if s.mode == "raw":
            assert s.raw is not None
            v = self.expr(s.raw)
            self.emit(f"store volatile {ty} {v.ref}, ptr {self._reg_address(s.instance, reg.offset)}, align {align}")
            return
        plan = reg.write_plan(s.mode, [f.name for f, _ in s.fields])
        parts = self._field_parts(s, plan, ty)
        address = self._reg_address(s.instance, plan.offset)
        if plan.reads_old:
            current = self.op(f"load volatile {ty}, ptr {address}, align {align}")
            kept = self.op(f"and {ty} {current}, {plan.keep}")
            acc = self.op(f"or {ty} {kept}, {plan.forced}")
        else:
            acc = str(plan.forced)
        for part in parts:
            acc = self.op(f"or {ty} {acc}, {part}")
        self.emit(f"store volatile {ty} {acc}, ptr {address}, align {align}")

    def _field_parts(self, s: ir.RegWrite, plan: WritePlan, ty: str) -> list[str]:
        """Each named field's value, masked to its width and shifted into its slot."""
        parts: list[str] = []
        for (_, expr), slot in zip(s.fields, plan.slots, strict=True):
            v = self.expr(expr)
            wide = self._resize(v.ref, _int_of(expr.type), s.register.width, signed=False)
            masked = self.op(f"and {ty} {wide}, {slot.mask}")
            parts.append(self.op(f"shl {ty} {masked}, {slot.shift}") if slot.shift else masked)
        return parts

    # ------------------------------------------------------------ expressions

    def expr(self, e: ir.Expr) -> Value:
        if isinstance(e, ir.Const):
            if isinstance(e.type, ir.BoolType):
                return Value("true" if e.value else "false", "i1")
            return Value(str(e.value), llvm_type(e.type))
        if isinstance(e, ir.Local):
            if isinstance(e.type, ir.ArrayType):
                return Value(f"%l.{e.name}", "ptr")
            if isinstance(e.type, ir.ViewType):
                ptr = self.op(f"load ptr, ptr %l.{e.name}")
                length = self.op(f"load i32, ptr %l.{e.name}.len")
                return Value(ptr, "ptr", length)
            ty = llvm_type(e.type)
            return Value(self.op(f"load {ty}, ptr %l.{e.name}"), ty)
        if isinstance(e, ir.GlobalRef):
            if isinstance(e.type, ir.ArrayType):
                return Value(quote(e.symbol), "ptr")
            ty = llvm_type(e.type)
            return Value(self.op(f"load {ty}, ptr {quote(e.symbol)}"), ty)
        if isinstance(e, ir.Unary):
            v = self.expr(e.operand)
            if e.op == "not":
                return Value(self.op(f"xor i1 {v.ref}, true"), "i1")
            if e.op == "neg":
                return Value(self.op(f"sub {v.ty} 0, {v.ref}"), v.ty)
            return Value(self.op(f"xor {v.ty} {v.ref}, -1"), v.ty)
        if isinstance(e, ir.Binary):
            return self._binary(e)
        if isinstance(e, ir.Compare):
            return self._compare(e)
        if isinstance(e, ir.BoolOp):
            return self._boolop(e)
        if isinstance(e, ir.IfExp):
            ty = llvm_type(e.type)
            slot = self.slot(ty)
            c = self.expr(e.cond)
            a, b, end = self.label("ifa"), self.label("ifb"), self.label("ifend")
            self.terminate(f"br i1 {c.ref}, label %{a}, label %{b}")
            for lbl, arm in ((a, e.then), (b, e.orelse)):
                self.start_block(lbl)
                v = self.expr(arm)
                self.emit(f"store {ty} {v.ref}, ptr {slot}")
                self.terminate(f"br label %{end}")
            self.start_block(end)
            return Value(self.op(f"load {ty}, ptr {slot}"), ty)
        if isinstance(e, ir.Convert):
            v = self.expr(e.value)
            src, dst = _int_of(e.value.type), _int_of(e.type)
            return Value(self._resize(v.ref, src, dst.bits, signed=src.signed), f"i{dst.bits}")
        if isinstance(e, ir.Call):
            return self._call(e)
        if isinstance(e, ir.Index):
            ptr = self._element_ptr(e)
            ty = f"i{e.type.bits}"
            return Value(self.op(f"load{_volatile(e.base)} {ty}, ptr {ptr}"), ty)
        if isinstance(e, ir.SliceView):
            base = self.expr(e.base)
            start = self.expr(e.start)
            stop = self.expr(e.stop)
            limit = base.length if base.length is not None else str(_array_length(e.base.type))
            ok1 = self.op(f"icmp ule i32 {start.ref}, {stop.ref}")
            ok2 = self.op(f"icmp ule i32 {stop.ref}, {limit}")
            self._check(self.op(f"and i1 {ok1}, {ok2}"), PANIC_BOUNDS)
            ptr = self.op(f"getelementptr i{e.type.elem.bits}, ptr {base.ref}, i32 {start.ref}")
            return Value(ptr, "ptr", self.op(f"sub i32 {stop.ref}, {start.ref}"))
        if isinstance(e, ir.Len):
            base = self.expr(e.base)
            return Value(base.length or str(_array_length(e.base.type)), "i32")
        if isinstance(e, ir.RegRead):
            reg = e.register
            ty = f"i{reg.width}"
            addr = self._reg_address(e.instance, reg.offset)
            raw = self.op(f"load volatile {ty}, ptr {addr}, align {reg.width // 8}")
            if e.field is None:
                return Value(raw, ty)
            shifted = self.op(f"lshr {ty} {raw}, {e.field.lsb}") if e.field.lsb else raw
            masked = self.op(f"and {ty} {shifted}, {e.field.max_value}")
            return Value(self._resize(masked, _int_of(ir.unsigned_for_bits(reg.width)), e.type.bits, False), f"i{e.type.bits}")
        if isinstance(e, ir.Poll):
            return self._poll(e)
        if isinstance(e, ir.AddrOf):
            base = self.expr(e.base)
            return Value(self.op(f"ptrtoint ptr {base.ref} to i32"), "i32")
        if isinstance(e, ir.MmioRead):
            address = self.expr(e.address)
            ptr = self.op(f"inttoptr i32 {address.ref} to ptr")
            ty = f"i{e.width}"
            return Value(self.op(f"load volatile {ty}, ptr {ptr}, align {e.width // 8}"), ty)
        raise AssertionError(e)  # pragma: no cover - the IR is closed

    def _resize(self, ref: str, src: ir.IntType, bits: int, signed: bool) -> str:
        if src.bits == bits:
            return ref
        if src.bits > bits:
            return self.op(f"trunc i{src.bits} {ref} to i{bits}")
        return self.op(f"{'sext' if signed else 'zext'} i{src.bits} {ref} to i{bits}")

    def _element_ptr(self, e: ir.Index) -> str:
        base = self.expr(e.base)
        idx = self.expr(e.index)
        it = _int_of(e.index.type)
        length = base.length if base.length is not None else str(_array_length(e.base.type))
        wide = self._resize(idx.ref, it, 64, it.signed) if it.bits < 64 else idx.ref
        len64 = self.op(f"zext i32 {length} to i64")
        self._check(self.op(f"icmp ult i64 {wide}, {len64}"), PANIC_BOUNDS)
        idx32 = self._resize(wide, ir.U64, 32, False)
        return self.op(f"getelementptr i{e.type.bits}, ptr {base.ref}, i32 {idx32}")

    def _binary(self, e: ir.Binary) -> Value:
        t = e.type
        ty = f"i{t.bits}"
        a = self.expr(e.left)
        b = self.expr(e.right)
        if e.op in _SIMPLE_BINOPS:
            return Value(self.op(f"{_SIMPLE_BINOPS[e.op]} {ty} {a.ref}, {b.ref}"), ty)
        if e.op in ("lshift", "rshift"):
            return Value(self._shift(e, a.ref, b.ref, _int_of(e.right.type)), ty)
        nonzero = self.op(f"icmp ne {ty} {b.ref}, 0")
        self._check(nonzero, PANIC_DIVIDE, always=True)
        if not t.signed:
            return Value(self._udivrem(e.op, ty, a.ref, b.ref), ty)
        return Value(self._floor_divmod(e.op, ty, a.ref, b.ref), ty)

    def _udivrem(self, op: str, ty: str, a: str, b: str) -> str:
        if ty == "i64":
            name = "__tamapy_udiv64" if op == "floordiv" else "__tamapy_urem64"
            self.uses_udiv64.add(name)
            return self.op(f"call i64 @{name}(i64 {a}, i64 {b})")
        return self.op(f"{'udiv' if op == 'floordiv' else 'urem'} {ty} {a}, {b}")

    def _floor_divmod(self, op: str, ty: str, a: str, b: str) -> str:
        """Python's floor division/modulo from magnitudes, with no overflow traps."""
        zero = "0"
        a_neg = self.op(f"icmp slt {ty} {a}, {zero}")
        b_neg = self.op(f"icmp slt {ty} {b}, {zero}")
        a_mag = self.op(f"select i1 {a_neg}, {ty} {self.op(f'sub {ty} 0, {a}')}, {ty} {a}")
        b_mag = self.op(f"select i1 {b_neg}, {ty} {self.op(f'sub {ty} 0, {b}')}, {ty} {b}")
        q = self._udivrem("floordiv", ty, a_mag, b_mag)
        r = self._udivrem("mod", ty, a_mag, b_mag)
        signs_differ = self.op(f"xor i1 {a_neg}, {b_neg}")
        r_nonzero = self.op(f"icmp ne {ty} {r}, 0")
        adjust = self.op(f"and i1 {signs_differ}, {r_nonzero}")
        if op == "floordiv":
            q_signed = self.op(f"select i1 {signs_differ}, {ty} {self.op(f'sub {ty} 0, {q}')}, {ty} {q}")
            q_minus = self.op(f"sub {ty} {q_signed}, 1")
            return self.op(f"select i1 {adjust}, {ty} {q_minus}, {ty} {q_signed}")
        # Remainder takes the sign of the divisor: r' = sign(a)*r, then + b when signs differ.
        r_signed = self.op(f"select i1 {a_neg}, {ty} {self.op(f'sub {ty} 0, {r}')}, {ty} {r}")
        r_plus = self.op(f"add {ty} {r_signed}, {b}")
        return self.op(f"select i1 {adjust}, {ty} {r_plus}, {ty} {r_signed}")

    def _shift(self, e: ir.Binary, a: str, n: str, nt: ir.IntType) -> str:
        t = e.type
        ty = f"i{t.bits}"
        # An amount >= width (or negative, seen unsigned) gives Python's result, not poison.
        too_far = self.op(f"icmp uge i{nt.bits} {n}, {t.bits}")
        amount = self._resize(n, nt, t.bits, False) if nt.bits != t.bits else n
        safe = self.op(f"select i1 {too_far}, {ty} {t.bits - 1}, {ty} {amount}")
        if e.op == "lshift":
            shifted = self.op(f"shl {ty} {a}, {safe}")
            return self.op(f"select i1 {too_far}, {ty} 0, {ty} {shifted}")
        if t.signed:
            return self.op(f"ashr {ty} {a}, {safe}")
        shifted = self.op(f"lshr {ty} {a}, {safe}")
        return self.op(f"select i1 {too_far}, {ty} 0, {ty} {shifted}")

    def _compare(self, e: ir.Compare) -> Value:
        if len(e.ops) == 1:
            return Value(self._compare_pair(e, 0, self.expr(e.operands[0]), self.expr(e.operands[1])), "i1")
        slot = self.slot("i1")
        end = self.label("cmpend")
        self.emit(f"store i1 false, ptr {slot}")
        left = self.expr(e.operands[0])
        for i in range(len(e.ops)):
            right = self.expr(e.operands[i + 1])
            ok = self._compare_pair(e, i, left, right)
            nxt = self.label("cmpnext")
            self.terminate(f"br i1 {ok}, label %{nxt}, label %{end}")
            self.start_block(nxt)
            left = right
        self.emit(f"store i1 true, ptr {slot}")
        self.start_block(end)
        return Value(self.op(f"load i1, ptr {slot}"), "i1")

    def _compare_pair(self, e: ir.Compare, i: int, a: Value, b: Value) -> str:
        t = e.pair_types[i]
        refs = []
        for v, operand in ((a, e.operands[i]), (b, e.operands[i + 1])):
            src = _int_of(operand.type)
            refs.append(self._resize(v.ref, src, t.bits, src.signed))
        preds = _CMP_SIGNED if t.signed else _CMP_UNSIGNED
        return self.op(f"icmp {preds[e.ops[i]]} i{t.bits} {refs[0]}, {refs[1]}")

    def _boolop(self, e: ir.BoolOp) -> Value:
        slot = self.slot("i1")
        end = self.label("boolend")
        short = "false" if e.op == "and" else "true"
        self.emit(f"store i1 {short}, ptr {slot}")
        for v in e.values[:-1]:
            c = self.expr(v)
            nxt = self.label("boolnext")
            if e.op == "and":
                self.terminate(f"br i1 {c.ref}, label %{nxt}, label %{end}")
            else:
                self.terminate(f"br i1 {c.ref}, label %{end}, label %{nxt}")
            self.start_block(nxt)
        last = self.expr(e.values[-1])
        self.emit(f"store i1 {last.ref}, ptr {slot}")
        self.start_block(end)
        return Value(self.op(f"load i1, ptr {slot}"), "i1")

    def _poll(self, e: ir.Poll) -> Value:
        result = self.slot("i1")
        count = self.slot("i32")
        head, hit, miss, end = self.label("poll"), self.label("pollhit"), self.label("pollmiss"), self.label("polldone")
        self.emit(f"store i1 false, ptr {result}")
        self.emit(f"store i32 {e.limit}, ptr {count}")
        self.start_block(head)
        c = self.expr(e.cond)
        self.terminate(f"br i1 {c.ref}, label %{hit}, label %{miss}")
        self.start_block(hit)
        self.emit(f"store i1 true, ptr {result}")
        self.terminate(f"br label %{end}")
        self.start_block(miss)
        n = self.op(f"load i32, ptr {count}")
        left = self.op(f"sub i32 {n}, 1")
        self.emit(f"store i32 {left}, ptr {count}")
        again = self.op(f"icmp ne i32 {left}, 0")
        self.terminate(f"br i1 {again}, label %{head}, label %{end}")
        self.start_block(end)
        return Value(self.op(f"load i1, ptr {result}"), "i1")

    def _call(self, e: ir.Call) -> Value:
        args: list[str] = []
        for a in e.args:
            v = self.expr(a)
            if isinstance(a.type, ir.ViewType):
                args += [f"ptr {v.ref}", f"i32 {v.length}"]
            else:
                args.append(f"{v.ty} {v.ref}")
        ret = llvm_type(e.type)
        call = f"call {ret} {quote(e.function)}({', '.join(args)})"
        if ret == "void":
            self.emit(call)
            return Value("", "void")
        return Value(self.op(call), ret)


def _volatile(base: ir.Expr) -> str:
    """DMA buffers are shared with hardware: their element accesses are volatile, in order."""
    return " volatile" if isinstance(base.type, ir.ArrayType) and base.type.dma else ""


def _array_length(t: ir.Type) -> int:
    assert isinstance(t, ir.ArrayType), t
    return t.length


_UDIV64 = """
define internal i64 @__tamapy_udivmod64(i64 %n, i64 %d, ptr %rem) #0 {
entry:
  br label %loop
loop:
  %i = phi i32 [ 64, %entry ], [ %i1, %step ]
  %q = phi i64 [ 0, %entry ], [ %q2, %step ]
  %r = phi i64 [ 0, %entry ], [ %r3, %step ]
  %done = icmp eq i32 %i, 0
  br i1 %done, label %out, label %step
step:
  %i1 = sub i32 %i, 1
  %sh = zext i32 %i1 to i64
  %bit = lshr i64 %n, %sh
  %b1 = and i64 %bit, 1
  %r1 = shl i64 %r, 1
  %r2 = or i64 %r1, %b1
  %ge = icmp uge i64 %r2, %d
  %rs = sub i64 %r2, %d
  %r3 = select i1 %ge, i64 %rs, i64 %r2
  %qb = zext i1 %ge to i64
  %qs = shl i64 %q, 1
  %q2 = or i64 %qs, %qb
  br label %loop
out:
  store i64 %r, ptr %rem
  ret i64 %q
}
define internal i64 @__tamapy_udiv64(i64 %n, i64 %d) #0 {
  %rem = alloca i64
  %q = call i64 @__tamapy_udivmod64(i64 %n, i64 %d, ptr %rem)
  ret i64 %q
}
define internal i64 @__tamapy_urem64(i64 %n, i64 %d) #0 {
  %rem = alloca i64
  %q = call i64 @__tamapy_udivmod64(i64 %n, i64 %d, ptr %rem)
  %r = load i64, ptr %rem
  ret i64 %r
}
"""
"""64-bit division by shift-and-subtract: the ARM has no 64-bit divider and the
image has no compiler runtime library to call."""


def lower_program(program: ir.Program, checks: bool = True, debug: bool = True) -> str:
    """The whole program, startup included, as one LLVM IR module (text)."""
    parts = [
        "; tamapy generated module",
        'target datalayout = "e-m:e-p:32:32-Fi8-i64:64-v128:64:128-a:0:32-n32-S64"',
        'target triple = "armv7a-none-eabi"',
        "",
    ]
    for g in program.globals:
        parts.append(_global(g, max(4, program.board.dma_alignment)))
    parts.append("")
    helpers: set[str] = set()
    info = DebugInfo() if debug else None
    for fn in program.functions:
        lowering = FunctionLowering(fn, checks, entry=fn.qualname == program.entry, debug=info)
        parts.append(lowering.lower())
        helpers |= lowering.uses_udiv64
    if helpers:
        parts.append(_UDIV64)
    parts.append(startup_ir(program.entry, program.panic_handler))
    parts.append('attributes #0 = { nounwind "frame-pointer"="none" "no-builtins" }')
    parts.append('attributes #2 = { noinline nounwind "frame-pointer"="none" "no-builtins" }')
    parts.append('!1 = !{!"branch_weights", i32 2000, i32 1}')
    if info is not None:
        parts.extend(info.module_metadata())
    return "\n".join(parts) + "\n"


def _global(g: ir.GlobalVar, dma_alignment: int) -> str:
    t = g.type
    kind = "constant" if g.const else "global"
    if isinstance(t, ir.ArrayType):
        arr = f"[{t.length} x i{t.elem.bits}]"
        if t.dma:
            return f'{quote(g.symbol)} = internal global {arr} zeroinitializer, section ".dma", align {dma_alignment}'
        if isinstance(g.init, bytes):
            data = "".join(f"\\{b:02X}" for b in g.init)
            return f'{quote(g.symbol)} = internal unnamed_addr {kind} {arr} c"{data}", align 4'
        return f"{quote(g.symbol)} = internal {kind} {arr} zeroinitializer, align 4"
    value = g.init if isinstance(g.init, int) else 0
    if isinstance(t, ir.BoolType):
        return f"{quote(g.symbol)} = internal {kind} i1 {'true' if value else 'false'}"
    return f"{quote(g.symbol)} = internal {kind} {llvm_type(t)} {value}"
