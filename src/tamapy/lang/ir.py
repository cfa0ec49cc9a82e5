"""The typed IR shared by the verifier and the code generator.

One IR, produced once by the type checker (in core form), is what gets proved and compiled
(DESIGN §1.1).  Expressions carry machine type and span; conversions are :class:`Convert`
nodes.  Nodes are frozen dataclasses: the IR is a value, hashable and printable."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from tamapy.lang.ir_ghost import ClockOn as ClockOn
from tamapy.lang.ir_ghost import GhostRead as GhostRead
from tamapy.lang.ir_ghost import Old as Old
from tamapy.specs.model import Board, Field, Peripheral, Register, Soc

# ---------------------------------------------------------------- types


@dataclass(frozen=True)
class IntType:
    """A fixed-width machine integer; a range claim on a Python int."""

    name: str
    bits: int
    signed: bool

    @property
    def min(self) -> int:
        return -(1 << (self.bits - 1)) if self.signed else 0

    @property
    def max(self) -> int:
        return (1 << (self.bits - 1)) - 1 if self.signed else (1 << self.bits) - 1

    def contains(self, value: int) -> bool:
        return self.min <= value <= self.max

    def __str__(self) -> str: return self.name


@dataclass(frozen=True)
class RegisterValueType(IntType):
    """What a read of one register gave (``RegValue[RNGB.SR]``): a word whose fields read by name."""

    peripheral: str
    register: Register


def register_value(peripheral: str, register: Register) -> RegisterValueType:
    return RegisterValueType(f"RegValue[{peripheral}.{register.name}]", register.width, False, peripheral, register)


@dataclass(frozen=True)
class BoolType:
    def __str__(self) -> str: return "bool"


@dataclass(frozen=True)
class VoidType:
    def __str__(self) -> str: return "None"


@dataclass(frozen=True)
class ArrayType:
    """A fixed-size array, passed by reference."""

    elem: IntType
    length: int
    dma: bool = False
    """Placed in the board's DMA region (``Dma[...]``): its address may be given to a DMA engine."""

    def __str__(self) -> str:
        inner = f"Bytes[{self.length}]" if self.elem == U8 else f"Array[{self.elem}, {self.length}]"
        return f"Dma[{inner}]" if self.dma else inner

    @property
    def size(self) -> int:
        return self.length * self.elem.bits // 8


@dataclass(frozen=True)
class ViewType:
    """A bounded view of an array (a slice, a bytes literal); ``writable``: a ``MutView`` parameter."""

    elem: IntType
    writable: bool = False

    def __str__(self) -> str:
        return f"{'MutView' if self.writable else 'View'}[{self.elem}]"


@dataclass(frozen=True)
class EnumType:
    """An ``IntEnum``: named constants of an underlying machine type."""

    name: str
    members: tuple[tuple[str, int], ...]
    base: IntType

    def __str__(self) -> str:
        return self.name

    def value_of(self, member: str) -> int | None:
        for name, value in self.members:
            if name == member:
                return value
        return None


@dataclass(frozen=True)
class PeripheralType:
    """A register block type; a value of it is one instance's base address."""

    peripheral: Peripheral

    def __str__(self) -> str:
        return self.peripheral.name


Type = IntType | BoolType | VoidType | ArrayType | ViewType | EnumType | PeripheralType


def modifiable(t: Type) -> bool:
    """Whether a parameter of type ``t`` lets the callee modify the caller's memory (an array, a MutView)."""
    return isinstance(t, ArrayType) or (isinstance(t, ViewType) and t.writable)

U8 = IntType("u8", 8, False)
U16 = IntType("u16", 16, False)
U32 = IntType("u32", 32, False)
U64 = IntType("u64", 64, False)
I8 = IntType("i8", 8, True)
I16 = IntType("i16", 16, True)
I32 = IntType("i32", 32, True)
I64 = IntType("i64", 64, True)
BOOL = BoolType()
VOID = VoidType()

INT_TYPES: dict[str, IntType] = {t.name: t for t in (U8, U16, U32, U64, I8, I16, I32, I64)}


def smallest_containing(lo: int, hi: int) -> IntType | None:
    """The narrowest machine type holding every value in [lo, hi] (unsigned preferred)."""
    for t in (U8, I8, U16, I16, U32, I32, U64, I64):
        if t.min <= lo and hi <= t.max:
            return t
    return None


def unsigned_for_bits(bits: int) -> IntType:
    """The narrowest unsigned type holding a ``bits``-wide field."""
    for t in (U8, U16, U32, U64):
        if bits <= t.bits:
            return t
    raise ValueError(f"no unsigned type of {bits} bits")


def machine_int(t: Type) -> IntType:
    """The machine integer a scalar value is held in (a peripheral instance is its address)."""
    if isinstance(t, PeripheralType):
        return U32
    scalar = scalar_int(t)
    assert scalar is not None, t
    return scalar


def scalar_int(t: Type) -> IntType | None:
    """The machine integer type behind a scalar (enums and bools included), else None."""
    if isinstance(t, IntType):
        return t
    if isinstance(t, EnumType):
        return t.base
    if isinstance(t, BoolType):
        return U8
    return None


# ---------------------------------------------------------------- spans


@dataclass(frozen=True)
class Span:
    """A source range; lines and columns are 1-based as users see them."""

    file: str
    line: int
    col: int
    end_line: int
    end_col: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.col}"


# ---------------------------------------------------------------- expressions


@dataclass(frozen=True)
class Const:
    """An integer constant; with an ArrayType it denotes a fresh, zeroed array."""

    value: int
    type: Type
    span: Span


@dataclass(frozen=True)
class Local:
    """A parameter or local variable of the enclosing function."""

    name: str
    type: Type
    span: Span


@dataclass(frozen=True)
class GlobalRef:
    """A module-level variable or constant array (``symbol`` is its link name)."""

    symbol: str
    type: Type
    span: Span


@dataclass(frozen=True)
class Unary:
    op: str
    """``neg`` (-x), ``invert`` (~x) or ``not``."""
    operand: Expr
    type: Type
    span: Span


@dataclass(frozen=True)
class Binary:
    """Arithmetic or bitwise operation, computed in ``type`` (both operands have it,
    except shifts, whose right operand keeps its own integer type)."""

    op: str
    """add sub mul floordiv mod lshift rshift and or xor"""
    left: Expr
    right: Expr
    type: IntType
    span: Span


@dataclass(frozen=True)
class Compare:
    """A (possibly chained) comparison; each operand is evaluated once, left to right,
    short-circuiting like Python.  ``pair_types[i]`` is the type in which
    ``operands[i] ops[i] operands[i+1]`` is compared (a type containing both ranges)."""

    ops: tuple[str, ...]  # eq ne lt le gt ge
    operands: tuple[Expr, ...]
    pair_types: tuple[IntType, ...]
    type: BoolType
    span: Span


@dataclass(frozen=True)
class BoolOp:
    op: str
    """``and`` / ``or``, short-circuiting; operands are bool."""
    values: tuple[Expr, ...]
    type: BoolType
    span: Span


@dataclass(frozen=True)
class IfExp:
    cond: Expr
    then: Expr
    orelse: Expr
    type: Type
    span: Span


@dataclass(frozen=True)
class Convert:
    """Value of one scalar type used as another.  A range claim: the verifier proves
    the value fits ``type`` whenever ``type`` does not contain the source range."""

    value: Expr
    type: Type
    span: Span


@dataclass(frozen=True)
class Call:
    function: str
    """Qualified name of a subset function."""
    args: tuple[Expr, ...]
    type: Type
    span: Span


@dataclass(frozen=True)
class Index:
    base: Expr  # an array or a view
    index: Expr
    type: IntType
    span: Span


@dataclass(frozen=True)
class SliceView:
    """``base[start:stop]``: a view; the verifier proves 0 <= start <= stop <= len(base)."""

    base: Expr
    start: Expr
    stop: Expr
    type: ViewType
    span: Span


@dataclass(frozen=True)
class Len:
    base: Expr
    type: IntType
    span: Span


@dataclass(frozen=True)
class RegRead:
    """One volatile load of ``register`` (the whole value, or one field of it)."""

    instance: Expr
    """A peripheral-typed expression (usually a constant instance)."""
    register: Register
    field: Field | None
    type: IntType
    span: Span
    index: Expr | None = None  # the element of a register array (INSTANCE.REG[i])
    element: Expr | None = None  # the element of a field array (REG.FIELD[i]), after ``index``


@dataclass(frozen=True)
class FieldElement:
    """``sr.FIELD[i]``: element ``i`` of a field array of the register value ``value`` (no load);
    the verifier proves ``i < field.count`` (index), the code generator checks it."""

    value: Expr
    field: Field
    index: Expr
    type: IntType
    span: Span


@dataclass(frozen=True)
class Poll:
    """``poll(cond, limit=N)``: re-evaluate ``cond`` up to ``limit`` times; True once it holds."""

    cond: Expr
    limit: int
    type: BoolType
    span: Span


@dataclass(frozen=True)
class MmioRead:
    """Raw volatile load (trusted functions only)."""

    address: Expr
    width: int
    type: IntType
    span: Span


@dataclass(frozen=True)
class AddrOf:
    """``addr_of(array)``: the array's bus address (for DMA descriptors and registers)."""

    base: Expr
    type: IntType
    span: Span


Expr = (
    Const
    | Local
    | GlobalRef
    | Unary
    | Binary
    | Compare
    | BoolOp
    | IfExp
    | Convert
    | Call
    | Index
    | SliceView
    | Len
    | RegRead
    | FieldElement
    | Poll
    | MmioRead
    | ClockOn
    | AddrOf
    | GhostRead
    | Old
)

# ---------------------------------------------------------------- statements


@dataclass(frozen=True)
class Assign:
    """Assignment to a local (first assignment declares it), a global, or an array element."""

    target: Local | GlobalRef | Index
    value: Expr
    span: Span


@dataclass(frozen=True)
class ExprStmt:
    expr: Expr
    span: Span


@dataclass(frozen=True)
class If:
    cond: Expr
    then: tuple[Stmt, ...]
    orelse: tuple[Stmt, ...]
    span: Span


@dataclass(frozen=True)
class While:
    """``while cond:``; in core form ``pre`` computes the condition's effects before each test."""

    pre: tuple[Stmt, ...]
    cond: Expr
    body: tuple[Stmt, ...]
    invariants: tuple[Expr, ...]
    decreases: Expr | None
    forever: bool
    """``while forever():`` — the one idle loop that is meant not to terminate."""
    span: Span


@dataclass(frozen=True)
class For:
    """``for var in range(start, stop, step)`` with a constant non-zero step."""

    var: Local
    start: Expr
    stop: Expr
    step: int
    body: tuple[Stmt, ...]
    invariants: tuple[Expr, ...]
    span: Span


@dataclass(frozen=True)
class Break:
    span: Span


@dataclass(frozen=True)
class Continue:
    span: Span


@dataclass(frozen=True)
class Return:
    value: Expr | None
    span: Span


@dataclass(frozen=True)
class Assert:
    cond: Expr
    span: Span


@dataclass(frozen=True)
class RegWrite:
    """A register write in one of the forms of DESIGN §3 (one volatile store, or a load and a
    store for ``modify``).  ``mode``: ``write`` (whole register: named fields, others at reset
    value, reserved bits at their required value), ``modify`` (read-modify-write), ``set`` /
    ``clear`` / ``toggle`` (through a SET/CLR/TOG alias, or ``clear`` of write-1-to-clear fields
    by writing ones), ``raw`` (``write(value)``)."""

    instance: Expr
    register: Register
    mode: str
    fields: tuple[tuple[Field, Expr], ...]
    raw: Expr | None
    span: Span
    index: Expr | None = None  # the element of a register array, evaluated before the values
    element: Expr | None = None  # the element of the one field-array field written, after ``index``


@dataclass(frozen=True)
class Panic:
    code: Expr
    span: Span


@dataclass(frozen=True)
class Intrinsic:
    """A machine-level operation with no operands: ``wfi``, ``dsb``, ``isb``, ``dmb``."""

    name: str
    span: Span


@dataclass(frozen=True)
class MmioWrite:
    address: Expr
    value: Expr
    width: int
    span: Span


Stmt = (
    Assign
    | ExprStmt
    | If
    | While
    | For
    | Break
    | Continue
    | Return
    | Assert
    | RegWrite
    | Panic
    | Intrinsic
    | MmioWrite
)

# ---------------------------------------------------------------- program


CallSite = tuple[str, Span]
"""A call: the callee's qualified name and the span of the call expression."""


@dataclass(frozen=True)
class Param:
    name: str
    type: Type
    span: Span


@dataclass(frozen=True)
class Function:
    qualname: str
    module: str
    name: str
    params: tuple[Param, ...]
    ret: Type
    body: tuple[Stmt, ...]
    locals: tuple[tuple[str, Type], ...]
    """Every local (parameters excluded), in order of first declaration."""
    requires: tuple[Expr, ...]
    ensures: tuple[Expr, ...]
    """Post-conditions; the return value is the local named ``result``."""
    trusted: str | None
    """Reason given in ``@trusted("...")``; None for ordinary (proved) code."""
    span: Span
    modifies: tuple[str, ...] | None = None
    """What a trusted function declares its raw ``mmio`` may change beyond what its body
    shows: globals as ``$symbol``, peripherals by name.  None: undeclared, so callers
    forget every global, DMA buffer, clock gate and protocol invariant after the call."""


@dataclass(frozen=True)
class GlobalVar:
    symbol: str
    type: Type
    init: int | bytes | tuple[int, ...] | None
    """Scalar initial value, bytes content for a bytes constant, a table's elements, None for zeros."""
    const: bool
    span: Span


@dataclass(frozen=True)
class Program:
    """Everything one application needs: its functions (callees first), globals and target."""

    functions: tuple[Function, ...]
    globals: tuple[GlobalVar, ...]
    entry: str
    """Qualified name of the application's ``main``."""
    panic_handler: str | None
    """Qualified name of the firmware's panic hook, called by compiled checks."""
    board: Board
    soc: Soc
    calls: Mapping[str, tuple[CallSite, ...]] = field(compare=False, repr=False)
    """qualname -> the calls its body makes, in walk order (derived from ``functions``)."""
    sources: tuple[str, ...] = field(default=())
    """Paths of every firmware and spec file that went into the program."""

    def function(self, qualname: str) -> Function:
        for f in self.functions:
            if f.qualname == qualname:
                return f
        raise KeyError(qualname)
