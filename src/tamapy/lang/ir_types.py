"""The IR's types: machine integers, arrays, structs, views, enums, register values and blocks.

Kept apart from the nodes (``lang/ir.py``, which re-exports every name here) so each module
stays one concern; both are values, frozen and hashable."""

from __future__ import annotations

from dataclasses import dataclass

from tamapy.specs.model import Peripheral, Register


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
class StructMember:
    """One field of a ``@struct``: ``count`` elements of ``elem`` (None: a scalar) at ``offset`` bytes."""

    name: str
    offset: int
    elem: IntType
    count: int | None = None

    @property
    def size(self) -> int:
        return (self.count or 1) * self.elem.bits // 8


@dataclass(frozen=True)
class StructType(ArrayType):
    """A ``@struct``: its bytes (``elem`` u8, ``length`` the size), whose members are little-endian
    integers and arrays at fixed, naturally aligned offsets.  Being an array of bytes underneath,
    it is passed by reference, placed (``Dma[...]``, ``addr_of``) and framed like one; the
    checker lets it be used only through its members."""

    name: str = ""
    members: tuple[StructMember, ...] = ()

    def __str__(self) -> str:
        short = self.name.rsplit(".", 1)[-1]
        return f"Dma[{short}]" if self.dma else short

    @property
    def align(self) -> int:
        """The widest member's size: every member is aligned to its own size within the struct."""
        return max(m.elem.bits // 8 for m in self.members)

    def member(self, name: str) -> StructMember | None:
        return next((m for m in self.members if m.name == name), None)


def storage_align(t: ArrayType) -> int:
    """The alignment an array's storage needs (a word at least)."""
    return max(4, t.align if isinstance(t, StructType) else t.elem.bits // 8)


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
