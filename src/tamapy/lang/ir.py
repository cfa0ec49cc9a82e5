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
from tamapy.lang.ir_types import BOOL as BOOL
from tamapy.lang.ir_types import I8 as I8
from tamapy.lang.ir_types import I16 as I16
from tamapy.lang.ir_types import I32 as I32
from tamapy.lang.ir_types import I64 as I64
from tamapy.lang.ir_types import INT_TYPES as INT_TYPES
from tamapy.lang.ir_types import U8 as U8
from tamapy.lang.ir_types import U16 as U16
from tamapy.lang.ir_types import U32 as U32
from tamapy.lang.ir_types import U64 as U64
from tamapy.lang.ir_types import VOID as VOID
from tamapy.lang.ir_types import ArrayType as ArrayType
from tamapy.lang.ir_types import BoolType as BoolType
from tamapy.lang.ir_types import EnumType as EnumType
from tamapy.lang.ir_types import IntType as IntType
from tamapy.lang.ir_types import PeripheralType as PeripheralType
from tamapy.lang.ir_types import RegisterValueType as RegisterValueType
from tamapy.lang.ir_types import StructMember as StructMember
from tamapy.lang.ir_types import StructType as StructType
from tamapy.lang.ir_types import Type as Type
from tamapy.lang.ir_types import ViewType as ViewType
from tamapy.lang.ir_types import VoidType as VoidType
from tamapy.lang.ir_types import machine_int as machine_int
from tamapy.lang.ir_types import modifiable as modifiable
from tamapy.lang.ir_types import register_value as register_value
from tamapy.lang.ir_types import scalar_int as scalar_int
from tamapy.lang.ir_types import smallest_containing as smallest_containing
from tamapy.lang.ir_types import storage_align as storage_align
from tamapy.lang.ir_types import unsigned_for_bits as unsigned_for_bits
from tamapy.specs.model import Board, Field, Register, Soc

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
class Member:
    """``s.f`` of a ``@struct`` variable: a scalar member (``type`` its integer type), or an array
    member (``type`` an ArrayType of its elements, DMA if the struct is), which is indexed
    (``s.a[i]``: an :class:`Index` of it) or, for bytes, viewed."""

    base: Expr
    """A struct-typed Local or GlobalRef."""
    member: StructMember
    type: Type
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
    | Member
    | GhostRead
    | Old
)

# ---------------------------------------------------------------- statements


@dataclass(frozen=True)
class Assign:
    """Assignment to a local (first assignment declares it), a global, an array element or a struct member."""

    target: Local | GlobalRef | Index | Member
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
