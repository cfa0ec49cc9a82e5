"""What code may change beyond its return value: the frames of calls and loops.

A call is replaced by its callee's contract, and a loop is cut at its head,
so the encoder must forget exactly what the callee or the loop body may
change — variables, clock gates, protocol invariants — and keep the rest.
:func:`code_effects` reads that off the IR; a function's effects include
its callees' (transitively, see :func:`tamapy.verify.engine.compute_effects`).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from tamapy.lang import ir
from tamapy.lang.walk import array_roots, stmt_exprs, walk_expr, walk_stmts

_FIELD_NAMING_KINDS = ("modify", "set", "clear", "toggle")
"""Register writes that change only the fields they name (the others keep their value)."""


ANY_GLOBAL = "$*"
"""In :attr:`Effects.names`: any global may change (a raw ``mmio`` write can reach any of them)."""
ANY_PERIPHERAL = "*"
"""In :attr:`Effects.peripherals`: any register may have been written behind the specs' back."""


@dataclass(frozen=True)
class Effects:
    """What code may change beyond its return value (for a function: transitively)."""

    names: frozenset[str] = frozenset()
    """Variables it assigns: locals by name, globals as ``$symbol``, arrays by their root."""
    gates: frozenset[tuple[str, str]] = frozenset()
    """CCM (register, field) pairs it writes: the clock gates it may change (close included)."""
    opens: frozenset[tuple[str, str]] = frozenset()
    """CCM (register, field) pairs it writes only with non-zero constants, never in ``gates``:
    a gate that was on stays on (a caller keeps what it knew of an open gate)."""
    accesses: frozenset[tuple[str, str, str]] = frozenset()
    """(peripheral, register, "read" or "write") accesses: the protocol invariants it may change."""
    touched: frozenset[str] = frozenset()
    """Globals it reads or writes, its contracts and loop annotations included."""
    peripherals: frozenset[str] = frozenset()
    """Peripherals whose registers trusted code may have written raw: their clock gates (CCM)
    and protocol invariants are unknown afterwards."""

    @property
    def globals(self) -> frozenset[str]:
        return frozenset(n[1:] for n in self.names if n.startswith("$"))

    def may_write(self, symbol: str) -> bool:
        """Whether the global ``symbol`` may change."""
        return f"${symbol}" in self.names or ANY_GLOBAL in self.names

    def may_touch(self, symbol: str) -> bool:
        """Whether the global ``symbol`` may be read or written."""
        return symbol in self.touched or ANY_GLOBAL in self.names

    def callee_view(self) -> Effects:
        """What a caller sees: the callee's locals are its own."""
        return replace(self, names=frozenset(n for n in self.names if n.startswith("$")))


def root_var(e: ir.Expr) -> ir.Local | ir.GlobalRef:
    """The variable an array expression or a struct member is part of."""
    if isinstance(e, ir.Member):
        return root_var(e.base)
    if isinstance(e, ir.Local | ir.GlobalRef):
        return e
    raise AssertionError(f"not an array variable: {e}")


def root_name(e: ir.Expr) -> str:
    """The variable an array expression names: a local by name, a global as ``$symbol``."""
    root = root_var(e)
    return root.name if isinstance(root, ir.Local) else f"${root.symbol}"


@dataclass
class _Collected:
    names: set[str]
    gates: set[tuple[str, str]]
    opens: set[tuple[str, str]]
    accesses: set[tuple[str, str, str]]
    touched: set[str]
    peripherals: set[str]

    def add(self, other: Effects) -> None:
        self.names |= other.names
        self.gates |= other.gates
        self.opens |= other.opens
        self.accesses |= other.accesses
        self.touched |= other.touched
        self.peripherals |= other.peripherals

    def frozen(self) -> Effects:
        return Effects(frozenset(self.names), frozenset(self.gates), frozenset(self.opens - self.gates),
                       frozenset(self.accesses), frozenset(self.touched), frozenset(self.peripherals))


def function_effects(fn: ir.Function, callees: dict[str, Effects]) -> Effects:
    """What a call of ``fn`` may change and which globals it depends on: its body, the calls in
    it (``callees``: their effects), the globals its contracts and loop annotations read, and for
    trusted code what its declaration says its raw accesses reach (everything when undeclared)."""
    body = code_effects(fn.body, callees, raw=fn.modifies)
    ghost = {sub.symbol for e in ghost_exprs(fn) for sub in walk_expr(e) if isinstance(sub, ir.GlobalRef)}
    return replace(body, touched=body.touched | ghost)


def ghost_exprs(fn: ir.Function) -> list[ir.Expr]:
    """A function's ghost code: contracts, loop invariants and measures (never compiled)."""
    out = [*fn.requires, *fn.ensures]
    for s in walk_stmts(fn.body):
        if isinstance(s, ir.While | ir.For):
            out += s.invariants
        if isinstance(s, ir.While) and s.decreases is not None:
            out.append(s.decreases)
    return out


def raw_access_effects(declared: tuple[str, ...] | None) -> Effects:
    """What a raw ``mmio`` access of trusted code may change: what its function declares, or anything."""
    if declared is None:
        return Effects(names=frozenset({ANY_GLOBAL}), peripherals=frozenset({ANY_PERIPHERAL}))
    return Effects(names=frozenset(d for d in declared if d.startswith("$")),
                   peripherals=frozenset(d for d in declared if not d.startswith("$")))


def code_effects(body: tuple[ir.Stmt, ...], callees: dict[str, Effects], raw: tuple[str, ...] | None = None) -> Effects:
    """The effects of a statement list, including what the calls in it may do; ``raw``: the
    declaration standing for its raw ``mmio`` accesses (None: they may change anything)."""
    out = _Collected(set(), set(), set(), set(), set(), set())
    for s in walk_stmts(body):
        _statement_effects(s, out)
        if isinstance(s, ir.MmioWrite) or any(isinstance(sub, ir.MmioRead) for e in stmt_exprs(s) for sub in walk_expr(e)):
            out.add(raw_access_effects(raw))
        for e in stmt_exprs(s):
            for sub in walk_expr(e):
                _expression_effects(sub, callees, out)
    return out.frozen()


def _statement_effects(s: ir.Stmt, out: _Collected) -> None:
    if isinstance(s, ir.Assign):
        root = root_var(s.target.base if isinstance(s.target, ir.Index) else s.target)
        out.names.add(root_name(root))
        if isinstance(root, ir.GlobalRef):
            out.touched.add(root.symbol)
    elif isinstance(s, ir.For):
        out.names.add(s.var.name)
    elif isinstance(s, ir.RegWrite) and isinstance(s.instance.type, ir.PeripheralType):
        periph = s.instance.type.peripheral
        out.accesses.add((periph.name, s.register.name, "write"))
        if periph.name == "CCM":
            _gate_effects(s, out)


def _gate_effects(s: ir.RegWrite, out: _Collected) -> None:
    """The gate fields a CCM write changes; those it can only turn on (a non-zero constant by
    ``modify`` or ``set``) go to ``opens``, every other to ``gates``."""
    named = [f for f, _ in s.fields] if s.mode in _FIELD_NAMING_KINDS else list(s.register.fields)
    for f in named:
        value = dict(s.fields).get(f) if s.mode in ("modify", "set") else None
        opens = isinstance(value, ir.Const) and 0 < value.value < (1 << f.width)
        (out.opens if opens else out.gates).add((s.register.name, f.name))


def _expression_effects(e: ir.Expr, callees: dict[str, Effects], out: _Collected) -> None:
    if isinstance(e, ir.GlobalRef):
        out.touched.add(e.symbol)
    elif isinstance(e, ir.RegRead) and isinstance(e.instance.type, ir.PeripheralType):
        out.accesses.add((e.instance.type.peripheral.name, e.register.name, "read"))
    elif isinstance(e, ir.Call):
        callee = callees.get(e.function)
        if callee is not None:
            out.add(callee.callee_view())
        for a in e.args:  # the memory an array or MutView argument names (its type is the parameter's)
            if ir.modifiable(a.type):
                out.names |= {root_name(r) for r in array_roots(a)}
