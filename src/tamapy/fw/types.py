"""Machine integer types, fixed-size arrays and read-only views, as CPython objects.

On the target ``u8 ... i64`` are machine types; in the subset their values
are ordinary Python integers and a type is a *range claim* the verifier
proves.  On the host a claim that does not hold must not pass silently, so
constructing ``u8(300)`` raises :class:`OverflowError`, and the result of a
successful construction is a plain ``int`` (never an instance of the type):
arithmetic on it is exact Python arithmetic, as the subset's meaning says.

Arrays (``Array[T, N]()``, ``Bytes[N]()``) are zeroed, fixed-size and
element-checked (given elements, ``Array[T, N](...)`` is a constant table that
cannot be written), and index out of bounds raises :class:`IndexError` (the
compiled code panics with 0xFFFF0001 there).  A slice ``a[i:j]`` is a
:class:`ArrayView`: a live window onto the array (written through only as a ``MutView``), like the
pointer-and-length view the compiler produces -- a copy would not see later
stores into the array.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Final, SupportsIndex


class MachineType(type):
    """Metaclass of ``u8 ... i64``: ``isinstance(x, u8)`` checks the range of an ``int``.

    Values are plain ints (a machine type is a claim about a value, not a
    kind of object), so ``isinstance`` answers the only question it can:
    does the value fit.
    """

    bits: int
    signed: bool
    min: int
    max: int

    def __instancecheck__(cls, value: object) -> bool:
        return isinstance(value, int) and not isinstance(value, bool) and cls.min <= value <= cls.max

    def fits(cls, value: int) -> bool:
        """Whether ``value`` satisfies this range claim."""
        return cls.min <= value <= cls.max

    def __repr__(cls) -> str:
        return cls.__name__


def _machine_type(name: str, bits: int, signed: bool) -> MachineType:
    lo = -(1 << (bits - 1)) if signed else 0
    hi = (1 << (bits - 1)) - 1 if signed else (1 << bits) - 1

    def new(cls: type[int], value: SupportsIndex | bool = 0) -> int:
        v = int(value)
        if not lo <= v <= hi:
            raise OverflowError(f"{v} does not fit {name} ({lo}..{hi})")
        return v

    doc = (
        f"{bits}-bit {'signed' if signed else 'unsigned'} range claim: ``{name}(x)`` is ``int(x)`` "
        f"if it lies in {lo}..{hi}, else OverflowError."
    )
    namespace: dict[str, Any] = {
        "__new__": new, "min": lo, "max": hi, "bits": bits, "signed": signed, "__doc__": doc,
        "__module__": "tamapy.fw",
    }
    return MachineType(name, (int,), namespace)


u8: Final = _machine_type("u8", 8, False)
u16: Final = _machine_type("u16", 16, False)
u32: Final = _machine_type("u32", 32, False)
u64: Final = _machine_type("u64", 64, False)
i8: Final = _machine_type("i8", 8, True)
i16: Final = _machine_type("i16", 16, True)
i32: Final = _machine_type("i32", 32, True)
i64: Final = _machine_type("i64", 64, True)

MACHINE_TYPES: Final[dict[str, MachineType]] = {
    t.__name__: t for t in (u8, u16, u32, u64, i8, i16, i32, i64)
}
"""Name -> machine type, for code that maps annotations to claims."""


def unsigned_for_bits(bits: int) -> MachineType:
    """The narrowest unsigned machine type holding ``bits`` bits (as the checker picks for fields)."""
    for t in (u8, u16, u32, u64):
        if bits <= t.bits:
            return t
    raise ValueError(f"no unsigned machine type of {bits} bits")


def claim(t: MachineType, value: int, what: str) -> int:
    """``t(value)`` with ``what`` named in the error: the host's form of a failed range claim."""
    v = int(value)
    if not t.min <= v <= t.max:
        raise OverflowError(f"{what} = {v} does not fit {t.__name__} ({t.min}..{t.max})")
    return v


# ---------------------------------------------------------------- arrays


def _check_index(index: SupportsIndex, length: int) -> int:
    i = int(index)
    if not 0 <= i < length:
        raise IndexError(f"index {i} out of bounds for length {length}")
    return i


def _slice_bounds(index: slice, length: int) -> tuple[int, int]:
    """``[start:stop]`` of a view: no step, and ``0 <= start <= stop <= length`` (else IndexError,
    where CPython's lists would clamp and the compiled code panics)."""
    if index.step is not None:
        raise IndexError("views take no step")
    start = 0 if index.start is None else int(index.start)
    stop = length if index.stop is None else int(index.stop)
    if not 0 <= start <= stop <= length:
        raise IndexError(f"slice [{start}:{stop}] out of bounds for length {length}")
    return start, stop


class FixedArray:
    """``Array[T, N]()`` / ``Bytes[N]()``: N elements of machine type T, zeroed, passed by reference."""

    def __init__(self, elem: MachineType, length: int) -> None:
        self._elem = elem
        self._data = [0] * length

    @property
    def elem(self) -> MachineType:
        """The element type."""
        return self._elem

    def __len__(self) -> int:
        return len(self._data)

    def __getitem__(self, index: SupportsIndex | slice) -> Any:
        if isinstance(index, slice):
            start, stop = _slice_bounds(index, len(self._data))
            return ArrayView(self, start, stop)
        return self._data[_check_index(index, len(self._data))]

    def __setitem__(self, index: SupportsIndex, value: int) -> None:
        i = _check_index(index, len(self._data))
        self._data[i] = claim(self._elem, value, f"element {i}")

    def __iter__(self) -> Iterator[int]:
        return iter(list(self._data))

    def __bytes__(self) -> bytes:
        return bytes(self._data) if self._elem is u8 else bytes(self.tolist())

    def tolist(self) -> list[int]:
        """A copy of the elements (for tests)."""
        return list(self._data)

    def __repr__(self) -> str:
        if self._elem is u8:
            return f"Bytes[{len(self._data)}]({bytes(self._data)!r})"
        return f"Array[{self._elem.__name__}, {len(self._data)}]({self._data!r})"


class ConstTable(FixedArray):
    """A constant table: a :class:`FixedArray` whose elements are fixed (the image keeps it in
    read-only data), so a store raises where the checker would have rejected it."""

    def __init__(self, elem: MachineType, elements: list[int]) -> None:
        super().__init__(elem, len(elements))
        self._data = elements

    def __setitem__(self, index: SupportsIndex, value: int) -> None:
        raise TypeError("constant tables cannot be modified")


class ArrayView:
    """``a[i:j]`` of an array: a window that sees later stores into ``a`` (read-only as a
    ``View``; a ``MutView`` parameter stores through it, the checker decides which)."""

    def __init__(self, base: FixedArray, start: int, stop: int) -> None:
        self._base = base
        self._start = start
        self._stop = stop

    def __len__(self) -> int:
        return self._stop - self._start

    def __getitem__(self, index: SupportsIndex | slice) -> Any:
        if isinstance(index, slice):
            start, stop = _slice_bounds(index, len(self))
            return ArrayView(self._base, self._start + start, self._start + stop)
        return self._base[self._start + _check_index(index, len(self))]

    def __setitem__(self, index: SupportsIndex, value: int) -> None:
        self._base[self._start + _check_index(index, len(self))] = value

    def __iter__(self) -> Iterator[int]:
        return iter(self.tolist())

    def __bytes__(self) -> bytes:
        return bytes(self.tolist())

    def tolist(self) -> list[int]:
        """A copy of the elements in view (for tests)."""
        return [self._base[i] for i in range(self._start, self._stop)]

    def __repr__(self) -> str:
        return f"View({self.tolist()!r})"


class ArrayOf:
    """``Array[T, N]`` / ``Bytes[N]`` as a value: calling it makes the zeroed array."""

    def __init__(self, elem: MachineType, length: int, dma: bool = False) -> None:
        if length <= 0:
            raise ValueError(f"an array needs a positive length, not {length}")
        self.elem, self.length, self.dma = elem, length, dma

    def __call__(self, *elements: int) -> FixedArray:
        """No arguments: a zeroed array.  Elements: a constant table (``K: Final = Array[u32, 2](1, 2)``),
        exactly ``length`` of them, each fitting the element type; it cannot be written."""
        if not elements:
            return FixedArray(self.elem, self.length)
        if self.dma or len(elements) != self.length:
            raise TypeError(f"{self!r} needs {self.length} elements, got {len(elements)}")
        return ConstTable(self.elem, [claim(self.elem, v, f"element {i}") for i, v in enumerate(elements)])

    def __repr__(self) -> str:
        inner = f"Bytes[{self.length}]" if self.elem is u8 else f"Array[{self.elem.__name__}, {self.length}]"
        return f"Dma[{inner}]" if self.dma else inner


class Generic:
    """``Array``, ``Bytes``, ``View`` and ``Dma``: subscripted in annotations and constructors."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __getitem__(self, args: Any) -> Any:
        if self.name in ("View", "MutView", "RegValue"):
            return object
        if self.name == "Bytes":
            return ArrayOf(u8, int(args))
        if self.name == "Dma":
            if isinstance(args, type) and "__struct_size__" in args.__dict__:
                return args  # a struct in the DMA region: on the host, the struct itself
            if not isinstance(args, ArrayOf):
                raise TypeError("Dma[...] wraps an array or struct type, e.g. Dma[Bytes[64]]")
            return ArrayOf(args.elem, args.length, dma=True)
        elem, length = args
        if not isinstance(elem, MachineType):
            raise TypeError(f"array elements must be machine integers, not {elem!r}")
        return ArrayOf(elem, int(length))

    def __repr__(self) -> str:
        return self.name


Array: Final = Generic("Array")
Bytes: Final = Generic("Bytes")
View: Final = Generic("View")
MutView: Final = Generic("MutView")
"""``MutView[u8]``: a parameter through which the callee writes part of the caller's array."""
Dma: Final = Generic("Dma")
RegValue: Final = Generic("RegValue")
"""``RegValue[RNGB.SR]``: the type of what ``RNGB.SR.read()`` gives (its fields read by name)."""
