"""The generator's model of the subset's types and of what a function can see.

Programs are produced as text, so the generator keeps only what it needs to
stay inside the type checker's rules: each integer's machine type (and so
its range and signedness family), which arrays and views are in scope and
whether they may be written, and the signatures and effects of the helpers
already generated (calls must go to earlier helpers: the call graph stays
acyclic).
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class IntType:
    """A machine integer type: its name, width and signedness."""

    name: str
    bits: int
    signed: bool

    @property
    def lo(self) -> int:
        return -(1 << (self.bits - 1)) if self.signed else 0

    @property
    def hi(self) -> int:
        return (1 << (self.bits - 1)) - 1 if self.signed else (1 << self.bits) - 1

    def contains(self, other: IntType) -> bool:
        """Whether every value of ``other`` fits this type (no range claim needed)."""
        return self.lo <= other.lo and other.hi <= self.hi


U8 = IntType("u8", 8, False)
U16 = IntType("u16", 16, False)
U32 = IntType("u32", 32, False)
U64 = IntType("u64", 64, False)
I32 = IntType("i32", 32, True)
I64 = IntType("i64", 64, True)
SCALARS: tuple[IntType, ...] = (U8, U16, U32, I32, U64)
ELEMENTS: tuple[IntType, ...] = (U8, U16, U32)


def join(a: IntType | None, b: IntType | None) -> IntType | None:
    """The type the checker computes ``a op b`` in (ignoring the context); None: both literals."""
    if a is None or b is None:
        return a or b
    for t in (U8, U16, U32, I32, U64, I64):
        if t.contains(a) and t.contains(b):
            return t
    raise ValueError(f"no machine type holds {a.name} and {b.name}")


def compatible(target: IntType, t: IntType) -> bool:
    """Whether a value of ``t`` may appear in an expression computed for ``target``.

    No machine type holds both u64 and a signed type, so the two never meet in
    one expression: signed places take i32 and the narrower unsigned types,
    unsigned places take unsigned values only (the checker widens, and a
    narrower target is a range claim).
    """
    if target.signed:
        return t != U64
    return not t.signed


@dataclass(frozen=True)
class Var:
    """A scalar in scope: a local, parameter, loop variable or module global."""

    name: str
    type: IntType | None
    """None: a bool."""
    kind: str
    """``local``, ``param``, ``loop`` or ``global``."""

    @property
    def assignable(self) -> bool:
        return self.kind in ("local", "global")


@dataclass(frozen=True)
class Arr:
    """An array or view in scope."""

    name: str
    elem: IntType
    length: int | None
    """None: a view (its length is known only at run time)."""
    writable: bool
    is_global: bool


@dataclass(frozen=True)
class Param:
    """A helper's parameter: a scalar, an ``Array[T, N]`` or a ``View[T]``."""

    name: str
    type: IntType | None
    array: Arr | None = None
    bound: int | None = None
    """For a scalar required to be below ``bound`` (an index), else None."""

    def annotation(self) -> str:
        if self.array is None:
            return self.type.name if self.type else "bool"
        a = self.array
        return f"View[{a.elem.name}]" if a.length is None else f"Array[{a.elem.name}, {a.length}]"


@dataclass
class Helper:
    """A generated function others may call: its signature and what it may change."""

    name: str
    params: list[Param]
    ret: IntType | None
    """None: returns bool."""
    globals_used: set[str] = field(default_factory=set)
    """Module arrays it reads or writes by name (passing one of them to it aliases)."""
    requires_globals: str | None = None
    """A pre-condition over module globals, if any (callers may or may not establish it)."""


@dataclass
class Scope:
    """What one function body can see while it is being generated."""

    vars: list[Var]
    arrays: list[Arr]
    helpers: list[Helper]
    globals_written: set[str] = field(default_factory=set)
    globals_used: set[str] = field(default_factory=set)
    safe: dict[str, str] = field(default_factory=dict)
    """Array name -> a loop variable known to index it (the loop runs over its length)."""
    loop_depth: int = 0
    counter: int = 0

    def fresh(self, prefix: str) -> str:
        self.counter += 1
        return f"{prefix}{self.counter}"

    def ints(self, target: IntType) -> list[Var]:
        return [v for v in self.vars if v.type is not None and compatible(target, v.type)]

    def bools(self) -> list[Var]:
        return [v for v in self.vars if v.type is None]

    def targets(self) -> list[Var]:
        return [v for v in self.vars if v.assignable and v.type is not None]
