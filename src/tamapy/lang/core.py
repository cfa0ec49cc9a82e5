"""Lower the typed IR to its core form: one evaluation order, decided here.

Python evaluates operands left to right, a call's arguments before the call,
a short-circuit operand only when it is reached, and a loop or ``poll``
condition again on every iteration.  The core form states that order as
statements, so nothing downstream re-derives it: every call, register read
and raw ``mmio`` read is the whole value of an assignment (or an expression
statement) whose operands have no effects; an operand evaluated before a
later effect is fixed in a temporary first (or, for a slice, checked in
place); ``and``/``or``, conditional expressions and chained comparisons with
effects after their first operand become ``if`` statements; a ``while``
condition with effects is computed by the loop's ``pre`` statements on every
iteration; ``poll(cond, limit=N)`` becomes a bounded ``for`` loop.

The checker hands only core functions on (:func:`to_core`), and the verifier
and the code generator both refuse anything else (:func:`require_core`), so
what is proved and what is compiled cannot differ in evaluation order.
Temporaries are named ``t.N``, a name no source variable can have.
"""

from __future__ import annotations

from dataclasses import replace

from tamapy.lang import ir
from tamapy.lang.walk import stmt_exprs, walk_expr, walk_stmts

EFFECTS = (ir.Call, ir.RegRead, ir.MmioRead, ir.Poll)
"""Expression nodes that do something besides computing a value (or that may observe a change)."""

TEMP_PREFIX = "t."
"""Names of the temporaries the lowering introduces (source names cannot contain a dot)."""


class NotSequenceable(Exception):
    """An expression whose order cannot be stated in the core form (reported by the checker)."""

    def __init__(self, span: ir.Span, message: str, hint: str) -> None:
        super().__init__(message)
        self.span = span
        self.message = message
        self.hint = hint


def has_effect(e: ir.Expr) -> bool:
    return any(isinstance(sub, EFFECTS) for sub in walk_expr(e))


def to_core(fn: ir.Function) -> ir.Function:
    """``fn`` with its body in core form (contracts, invariants and measures are ghost code: untouched)."""
    lowering = _Sequencer({n for n, _ in fn.locals} | {p.name for p in fn.params})
    body = lowering.block(fn.body)
    if not lowering.temps:
        return fn
    return replace(fn, body=body, locals=(*fn.locals, *lowering.temps))


def require_core(fn: ir.Function) -> None:
    """Refuse a function that is not in core form: consumers never guess an evaluation order."""
    for s in walk_stmts(fn.body):
        for top in stmt_exprs(s):
            allowed = top if isinstance(s, ir.ExprStmt) or (isinstance(s, ir.Assign) and top is s.value) else None
            for sub in walk_expr(top):
                if isinstance(sub, ir.Poll) or (isinstance(sub, EFFECTS) and sub is not allowed):
                    raise AssertionError(f"{sub.span}: `{fn.qualname}` is not in core form ({type(sub).__name__} inside an expression)")
            if allowed is not None and any(has_effect(a) for a in _operands(allowed)):
                raise AssertionError(f"{top.span}: `{fn.qualname}` is not in core form (an effect among the operands of an effect)")


def _operands(e: ir.Expr) -> list[ir.Expr]:
    if isinstance(e, ir.Call):
        return list(e.args)
    if isinstance(e, ir.RegRead):
        return [e.instance] + [x for x in (e.index, e.element) if x is not None]
    if isinstance(e, ir.MmioRead):
        return [e.address]
    return []


class _Sequencer:
    """Statement by statement, the core form of one function body."""

    def __init__(self, taken: set[str]) -> None:
        self.taken = taken
        self.temps: list[tuple[str, ir.Type]] = []

    def temp(self, t: ir.Type, span: ir.Span) -> ir.Local:
        name = f"{TEMP_PREFIX}{len(self.temps)}"
        assert name not in self.taken
        self.temps.append((name, t))
        return ir.Local(name, t, span)

    # ------------------------------------------------------------ statements

    def block(self, stmts: tuple[ir.Stmt, ...]) -> tuple[ir.Stmt, ...]:
        out: list[ir.Stmt] = []
        for s in stmts:
            self.stmt(s, out)
        return tuple(out)

    def stmt(self, s: ir.Stmt, out: list[ir.Stmt]) -> None:
        if isinstance(s, ir.Assign):
            self._assign(s, out)
        elif isinstance(s, ir.ExprStmt):
            out.append(replace(s, expr=self.value(s.expr, out)))
        elif isinstance(s, ir.If):
            cond = self.pure(s.cond, out)
            out.append(replace(s, cond=cond, then=self.block(s.then), orelse=self.block(s.orelse)))
        elif isinstance(s, ir.While):
            pre: list[ir.Stmt] = []
            cond = self.pure(s.cond, pre)
            out.append(replace(s, pre=tuple(pre), cond=cond, body=self.block(s.body)))
        elif isinstance(s, ir.For):
            start, stop = self.operands([s.start, s.stop], out)
            out.append(replace(s, start=start, stop=stop, body=self.block(s.body)))
        elif isinstance(s, ir.Return):
            out.append(replace(s, value=None if s.value is None else self.pure(s.value, out)))
        elif isinstance(s, ir.Assert):
            out.append(replace(s, cond=self.pure(s.cond, out)))
        elif isinstance(s, ir.Panic):
            out.append(replace(s, code=self.pure(s.code, out)))
        elif isinstance(s, ir.RegWrite):
            self._reg_write(s, out)
        elif isinstance(s, ir.MmioWrite):
            address, value = self.operands([s.address, s.value], out)
            out.append(replace(s, address=address, value=value))
        else:
            out.append(s)  # Break, Continue, Intrinsic: nothing evaluated

    def _assign(self, s: ir.Assign, out: list[ir.Stmt]) -> None:
        target = s.target
        if isinstance(target, ir.Index) and has_effect(target.index):
            # Python evaluates the value, then the target's index.
            value = self.fixed(s.value, out)
            target = replace(target, index=self.pure(target.index, out))
            out.append(replace(s, target=target, value=value))
            return
        out.append(replace(s, value=self.value(s.value, out)))

    def _reg_write(self, s: ir.RegWrite, out: list[ir.Stmt]) -> None:
        # Python: the element's index (``REG[i]``), a field array's element (the method's first
        # argument), then the other arguments, then the access.
        head = [x for x in (s.index, s.element) if x is not None]
        exprs = head + [e for _, e in s.fields] + ([s.raw] if s.raw is not None else [])
        done = self.operands(exprs, out)
        values = done[len(head):]
        fields = tuple((f, v) for (f, _), v in zip(s.fields, values[: len(s.fields)], strict=True))
        lead = iter(done[: len(head)])
        out.append(replace(s, index=next(lead) if s.index is not None else None,
                           element=next(lead) if s.element is not None else None, fields=fields,
                           raw=values[-1] if s.raw is not None else None))

    # ------------------------------------------------------------ expressions

    def pure(self, e: ir.Expr, out: list[ir.Stmt]) -> ir.Expr:
        """An effect-free expression with ``e``'s value, valid right after ``out``."""
        v = self.value(e, out)
        if isinstance(v, EFFECTS):
            t = self.temp(v.type, v.span)
            out.append(ir.Assign(t, v, v.span))
            return t
        return v

    def fixed(self, e: ir.Expr, out: list[ir.Stmt]) -> ir.Expr:
        """``e`` evaluated now (its checks at this point), as an expression later effects cannot change."""
        if isinstance(e, ir.Const | ir.Local):
            return e  # a local changes only by assignment; a view or array local is a reference
        if isinstance(e.type, ir.ArrayType | ir.ViewType):
            if isinstance(e, ir.GlobalRef | ir.Member):
                return e  # a place: a later effect may change its contents, never which memory it is
            if isinstance(e, ir.SliceView):
                base, start, stop = (self.fixed(x, out) for x in (e.base, e.start, e.stop))
                view = replace(e, base=base, start=start, stop=stop)
                out.append(ir.ExprStmt(view, e.span))  # the bounds check, where Python makes it
                return view
            raise NotSequenceable(
                e.span, "this buffer is chosen before a call or register access in the same expression, "
                "and a buffer cannot be held in a temporary", "compute the call or register read into a local first",
            )
        v = self.pure(e, out)
        if isinstance(v, ir.Const | ir.Local):
            return v
        t = self.temp(v.type, v.span)
        out.append(ir.Assign(t, v, v.span))
        return t

    def operands(self, exprs: list[ir.Expr], out: list[ir.Stmt]) -> list[ir.Expr]:
        """Operands in Python's order: each one before a later effect is fixed first."""
        last = max((i for i, x in enumerate(exprs) if has_effect(x)), default=-1)
        return [self.fixed(x, out) if i < last else self.pure(x, out) for i, x in enumerate(exprs)]

    def value(self, e: ir.Expr, out: list[ir.Stmt]) -> ir.Expr:
        """``e`` with every effect inside it moved into ``out``, in order; the result may itself
        be one call or register read (with effect-free operands), for the caller to place."""
        if not has_effect(e):
            return e
        if isinstance(e, ir.Call):
            return replace(e, args=tuple(self.operands(list(e.args), out)))
        if isinstance(e, ir.RegRead):
            if e.index is None and e.element is None:
                return replace(e, instance=self.pure(e.instance, out))
            # Python: the instance, the register's [index], then the field's [element].
            parts = [x for x in (e.instance, e.index, e.element) if x is not None]
            done = iter(self.operands(parts, out))
            return replace(e, instance=next(done), index=next(done) if e.index is not None else None,
                           element=next(done) if e.element is not None else None)
        if isinstance(e, ir.MmioRead):
            return replace(e, address=self.pure(e.address, out))
        if isinstance(e, ir.Poll):
            return self._poll(e, out)
        if isinstance(e, ir.BoolOp) and any(has_effect(v) for v in e.values[1:]):
            return self._short_circuit(e, out)
        if isinstance(e, ir.IfExp) and (has_effect(e.then) or has_effect(e.orelse)):
            return self._conditional(e, out)
        if isinstance(e, ir.Compare) and any(has_effect(v) for v in e.operands[2:]):
            return self._chain(e, out)
        return self._rebuild(e, out)

    def _rebuild(self, e: ir.Expr, out: list[ir.Stmt]) -> ir.Expr:
        """A node whose operands are all evaluated, left to right, before it."""
        if isinstance(e, ir.Unary):
            return replace(e, operand=self.pure(e.operand, out))
        if isinstance(e, ir.Convert):
            return replace(e, value=self.pure(e.value, out))
        if isinstance(e, ir.Binary):
            left, right = self.operands([e.left, e.right], out)
            return replace(e, left=left, right=right)
        if isinstance(e, ir.Index):
            base, index = self.operands([e.base, e.index], out)
            return replace(e, base=base, index=index)
        if isinstance(e, ir.SliceView):
            base, start, stop = self.operands([e.base, e.start, e.stop], out)
            return replace(e, base=base, start=start, stop=stop)
        if isinstance(e, ir.FieldElement):
            value, index = self.operands([e.value, e.index], out)
            return replace(e, value=value, index=index)
        if isinstance(e, ir.Len):
            return replace(e, base=self.pure(e.base, out))
        if isinstance(e, ir.AddrOf):
            return replace(e, base=self.pure(e.base, out))
        if isinstance(e, ir.Compare):
            return replace(e, operands=tuple(self.operands(list(e.operands), out)))
        if isinstance(e, ir.BoolOp):
            return replace(e, values=(self.pure(e.values[0], out), *e.values[1:]))
        if isinstance(e, ir.IfExp):
            return replace(e, cond=self.pure(e.cond, out))
        raise AssertionError(f"{e.span}: no core lowering for {type(e).__name__}")  # pragma: no cover

    def _result(self, e: ir.Expr) -> ir.Local:
        if isinstance(e.type, ir.ViewType | ir.ArrayType):
            raise NotSequenceable(
                e.span, "a view chosen by a condition with calls or register reads in its operands "
                "cannot be sequenced", "compute those values into locals first",
            )
        return self.temp(e.type, e.span)

    def _short_circuit(self, e: ir.BoolOp, out: list[ir.Stmt]) -> ir.Expr:
        """``a and b and c``: evaluate each operand only if the ones before it did not decide."""
        result = self._result(e)
        out.append(ir.Assign(result, self.pure(e.values[0], out), e.span))
        nested: tuple[ir.Stmt, ...] = ()
        for v in reversed(e.values[1:]):
            inner: list[ir.Stmt] = []
            value = self.pure(v, inner)
            inner.append(ir.Assign(result, value, v.span))
            inner.extend(nested)
            nested = (self._unless_decided(e.op, result, tuple(inner), v.span),)
        out.extend(nested)
        return result

    @staticmethod
    def _unless_decided(op: str, result: ir.Local, then: tuple[ir.Stmt, ...], span: ir.Span) -> ir.Stmt:
        return ir.If(result, then, (), span) if op == "and" else ir.If(result, (), then, span)

    def _conditional(self, e: ir.IfExp, out: list[ir.Stmt]) -> ir.Expr:
        result = self._result(e)
        cond = self.pure(e.cond, out)
        arms: list[tuple[ir.Stmt, ...]] = []
        for arm in (e.then, e.orelse):
            body: list[ir.Stmt] = []
            value = self.pure(arm, body)
            body.append(ir.Assign(result, value, arm.span))
            arms.append(tuple(body))
        out.append(ir.If(cond, arms[0], arms[1], e.span))
        return result

    def _chain(self, e: ir.Compare, out: list[ir.Stmt]) -> ir.Expr:
        """``a < b < c``: ``c`` is evaluated only if ``a < b``; ``b`` once."""
        result = self.temp(ir.BOOL, e.span)
        out.append(ir.Assign(result, ir.Const(0, ir.BOOL, e.span), e.span))

        def pair(i: int, left: ir.Expr, body: list[ir.Stmt]) -> None:
            last = i == len(e.ops) - 1
            right = self.pure(e.operands[i + 1], body) if last else self.fixed(e.operands[i + 1], body)
            test = ir.Compare((e.ops[i],), (left, right), (e.pair_types[i],), ir.BOOL, e.span)
            if last:
                body.append(ir.Assign(result, test, e.span))
                return
            inner: list[ir.Stmt] = []
            pair(i + 1, right, inner)
            body.append(ir.If(test, tuple(inner), (), e.span))

        pair(0, self.fixed(e.operands[0], out), out)
        return result

    def _poll(self, e: ir.Poll, out: list[ir.Stmt]) -> ir.Expr:
        """``poll(cond, limit=N)``: ``for k in range(N): if cond: result = True; break``."""
        result = self.temp(ir.BOOL, e.span)
        out.append(ir.Assign(result, ir.Const(0, ir.BOOL, e.span), e.span))
        counter_type = ir.smallest_containing(0, e.limit) or ir.U64
        counter = self.temp(counter_type, e.span)
        body: list[ir.Stmt] = []
        cond = self.pure(e.cond, body)
        body.append(ir.If(cond, (ir.Assign(result, ir.Const(1, ir.BOOL, e.span), e.span), ir.Break(e.span)), (), e.span))
        start, stop = ir.Const(0, counter_type, e.span), ir.Const(e.limit, counter_type, e.span)
        out.append(ir.For(counter, start, stop, 1, tuple(body), (), e.span))
        return result
