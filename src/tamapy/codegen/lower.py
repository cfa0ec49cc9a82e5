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

from tamapy.abi import PANIC_ASSERT
from tamapy.codegen.debuginfo import DebugInfo, local_spans
from tamapy.codegen.emitter import Loop
from tamapy.codegen.expressions import UDIV64, ExpressionLowering
from tamapy.codegen.llvm import CMP_SIGNED, CMP_UNSIGNED, int_of, llvm_type, quote, volatile
from tamapy.codegen.startup import PANIC, startup_ir
from tamapy.lang import ir
from tamapy.lang.core import require_core
from tamapy.lang.initialised import written_before_read
from tamapy.specs.model import WritePlan

_BARRIERS = {
    "wfi": "call void @llvm.arm.hint(i32 3)",
    "dsb": "call void @llvm.arm.dsb(i32 15)",
    "isb": "call void @llvm.arm.isb(i32 15)",
    "dmb": "call void @llvm.arm.dmb(i32 15)",
}


class FunctionLowering(ExpressionLowering):
    """One function: its signature, locals and statements."""


    # ------------------------------------------------------------ function

    def lower(self) -> str:
        fn = self.fn
        require_core(fn)
        self.unzeroed = written_before_read(fn.body)
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
                self.emit(f"store ptr %p.{p.name}, ptr %l.{p.name}")
                self.emit(f"store i32 %p.{p.name}.len, ptr %l.{p.name}.len")
            elif not isinstance(p.type, ir.ArrayType):
                self.emit(f"store {llvm_type(p.type)} %p.{p.name}, ptr %l.{p.name}")
        for name, t in fn.locals:
            self._declare_local(name, t)
        self._describe_locals()
        self.block(fn.body)
        if not self.terminated:
            if isinstance(fn.ret, ir.VoidType):
                self.terminate("ret void")
            else:
                self.terminate("unreachable")
        attrs = "#2" if self.entry else "#0"  # main stays a function of its own: traces name it
        dbg = f" !dbg {self.scope}" if self.scope else ""
        header = f"define internal {llvm_type(fn.ret)} {quote(fn.qualname)}({', '.join(params)}) {attrs}{dbg} {{"
        body = ["entry:", *self.allocas, *self.declares, *self.lines]
        return "\n".join([header, *body, "}", ""])

    def _declare_local(self, name: str, t: ir.Type) -> None:
        if isinstance(t, ir.ArrayType):
            if any(p.name == name for p in self.fn.params):
                self.allocas.append(f"  %l.{name} = getelementptr i8, ptr %p.{name}, i32 0")
            else:
                self.allocas.append(f"  %l.{name} = alloca [{t.length} x i{t.elem.bits}], align {ir.storage_align(t)}")
        elif isinstance(t, ir.ViewType):
            self.allocas.append(f"  %l.{name} = alloca ptr")
            self.allocas.append(f"  %l.{name}.len = alloca i32")
        else:
            self.allocas.append(f"  %l.{name} = alloca {llvm_type(t)}")

    def _describe_locals(self) -> None:
        """Tell the debugger where each parameter and local lives (its ``alloca``; the
        optimiser carries the description along when it moves the value to a register)."""
        if self.debug is None:
            return
        spans = local_spans(self.fn)
        named: list[tuple[str, ir.Type, ir.Span, int | None]]
        named = [(p.name, p.type, p.span, i) for i, p in enumerate(self.fn.params, 1)]
        named += [(name, t, spans.get(name, self.fn.span), None) for name, t in self.fn.locals]
        for name, t, span, arg in named:
            var = self.debug.variable(name, t, span, self.scope, arg)
            if var is None:
                continue
            loc = self.debug.location(span.line, span.col, self.scope)
            if arg is not None and isinstance(t, ir.ArrayType):  # by reference: the pointer argument itself
                self.declares.append(f"    #dbg_value(ptr %p.{name}, {var}, !DIExpression(), {loc})")
            elif isinstance(t, ir.ViewType):  # two allocas, one for each half of the structure
                for part, offset in (("", 0), (".len", 32)):
                    where = f"!DIExpression(DW_OP_LLVM_fragment, {offset}, 32)"
                    self.declares.append(f"    #dbg_declare(ptr %l.{name}{part}, {var}, {where}, {loc})")
            else:
                self.declares.append(f"    #dbg_declare(ptr %l.{name}, {var}, !DIExpression(), {loc})")

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
            self.block(s.pre)  # the condition's effects, on every iteration
            self.at(s.span)
            c = self.expr(s.cond)
            self.terminate(f"br i1 {c.ref}, label %{body}, label %{end}")
            self.start_block(body)
            self.loops.append(Loop(head, end))
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

    def _assign(self, s: ir.Assign) -> None:
        target = s.target
        if isinstance(target, ir.Local) and isinstance(target.type, ir.ArrayType):
            if target.name not in self.unzeroed:  # else every element is written before any read
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
        elif isinstance(target, ir.Member):
            ptr = self.member_ptr(target)
            self.emit(f"store{volatile(target.base)} {v.ty} {v.ref}, ptr {ptr}, align {target.member.elem.bits // 8}")
        else:
            ptr = self._element_ptr(target)
            self.emit(f"store{volatile(target.base)} {v.ty} {v.ref}, ptr {ptr}")

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
        t = int_of(s.var.type)
        ty = f"i{t.bits}"
        counter = self.slot(ty)
        start = self.expr(s.start)
        stop = self.expr(s.stop)
        self.emit(f"store {ty} {start.ref}, ptr {counter}")
        body, latch, end = self.label("for"), self.label("forlatch"), self.label("endfor")
        preds = CMP_SIGNED if t.signed else CMP_UNSIGNED
        first = self.op(f"icmp {preds['lt' if s.step > 0 else 'gt']} {ty} {start.ref}, {stop.ref}")
        self.terminate(f"br i1 {first}, label %{body}, label %{end}")
        self.start_block(body)
        cur = self.op(f"load {ty}, ptr {counter}")
        self.emit(f"store {ty} {cur}, ptr %l.{s.var.name}")
        self.loops.append(Loop(latch, end))
        self.block(s.body)
        self.loops.pop()
        self._goto(latch)
        self.start_block(latch)
        self.at(s.span)  # the step belongs to the ``for`` line
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

    def _reg_write(self, s: ir.RegWrite) -> None:
        """Python order: an array element's index, the field values, then the access (the
        operands are effect-free in core form; only their checks' order is at stake)."""
        reg = s.register
        ty = f"i{reg.width}"
        align = reg.width // 8
        if s.mode == "raw":
            assert s.raw is not None
            address = self._reg_address(s.instance, reg.offset, s.index, reg)
            v = self.expr(s.raw)
            self.emit(f"store volatile {ty} {v.ref}, ptr {address}, align {align}")
            return
        plan = reg.write_plan(s.mode, [f.name for f, _ in s.fields])
        address = self._reg_address(s.instance, plan.offset, s.index, reg)
        arrayed = next((f for f, _ in s.fields if f.count is not None), None)
        shift = self._field_shift(s.element, arrayed, reg.width) if s.element is not None and arrayed else None
        parts = self._field_parts(s, plan, ty, shift)
        if plan.reads_old:
            current = self.op(f"load volatile {ty}, ptr {address}, align {align}")
            kept = self.op(f"and {ty} {current}, {plan.keep}")
            acc = self.op(f"or {ty} {kept}, {plan.forced}")
        else:
            acc = str(plan.forced)
        for slot in plan.slots:
            if slot.stride and shift is not None:  # WritePlan.stored: the element's old bits go first
                hole = self.op(f"shl {ty} {slot.mask}, {shift}")
                acc = self.op(f"and {ty} {acc}, {self.op(f'xor {ty} {hole}, -1')}")
        for part in parts:
            acc = self.op(f"or {ty} {acc}, {part}")
        self.emit(f"store volatile {ty} {acc}, ptr {address}, align {align}")

    def _field_parts(self, s: ir.RegWrite, plan: WritePlan, ty: str, element_shift: str | None) -> list[str]:
        """Each named field's value, masked to its width and shifted into its slot (a field-array
        slot to ``element_shift``, computed at run time)."""
        parts: list[str] = []
        for (_, expr), slot in zip(s.fields, plan.slots, strict=True):
            v = self.expr(expr)
            wide = self._resize(v.ref, int_of(expr.type), s.register.width, signed=False)
            masked = self.op(f"and {ty} {wide}, {slot.mask}")
            shift = element_shift if slot.stride and element_shift is not None else str(slot.shift)
            parts.append(self.op(f"shl {ty} {masked}, {shift}") if shift != "0" else masked)
        return parts



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
        parts.append(UDIV64)
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
            align = max(dma_alignment, ir.storage_align(t))
            return f'{quote(g.symbol)} = internal global {arr} zeroinitializer, section ".dma", align {align}'
        if isinstance(g.init, bytes):
            data = "".join(f"\\{b:02X}" for b in g.init)
            return f'{quote(g.symbol)} = internal unnamed_addr {kind} {arr} c"{data}", align 4'
        if isinstance(g.init, tuple):  # a constant table: little-endian words in .rodata
            items = ", ".join(f"i{t.elem.bits} {v}" for v in g.init)
            return f"{quote(g.symbol)} = internal unnamed_addr constant {arr} [{items}], align {max(4, t.elem.bits // 8)}"
        return f"{quote(g.symbol)} = internal {kind} {arr} zeroinitializer, align {ir.storage_align(t)}"
    value = g.init if isinstance(g.init, int) else 0
    if isinstance(t, ir.BoolType):
        return f"{quote(g.symbol)} = internal {kind} i1 {'true' if value else 'false'}"
    return f"{quote(g.symbol)} = internal {kind} {llvm_type(t)} {value}"
