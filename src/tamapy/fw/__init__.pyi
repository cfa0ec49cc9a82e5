"""What type checkers (mypy, pyright) see of ``tamapy.fw``: the firmware's view of its types.

The runtime (``__init__.py`` and its submodules) is unchanged; this stub only
declares its names so that firmware source type-checks as written:

* ``u8 ... i64`` are ``int``: a machine type is a range claim the verifier
  proves, not a separate kind of value, so ``x: u32 = 0`` and ``u32(x)`` are
  plain ints to a type checker.
* ``Array[u32, 4]``, ``Bytes[16]``, ``View[u8]``, ``Dma[Bytes[64]]`` and
  ``RegValue[RNGB.SR]`` take sizes and register names, which are not types.
  The classes define ``__class_getitem__`` (pyright then accepts any
  subscript and means the class) and a metaclass ``__getitem__`` (so
  ``Bytes[16]()`` is a ``Bytes`` to mypy); in annotations mypy needs the
  plugin ``tamapy.fw.mypy_plugin``, which reads them as the class.  Element
  types are all ``int`` anyway, and sizes and fields are the checker's
  (``tamapy check``) and the verifier's business.
"""

from collections.abc import Iterator
from typing import Any, NoReturn, Protocol, SupportsIndex, TypeAlias, TypeVar, overload

from tamapy.fw.contracts import ContractError as ContractError
from tamapy.fw.contracts import F as F
from tamapy.fw.contracts import decreases as decreases
from tamapy.fw.contracts import ensures as ensures
from tamapy.fw.contracts import invariant as invariant
from tamapy.fw.contracts import requires as requires
from tamapy.fw.contracts import trusted as trusted
from tamapy.fw.intrinsics import Halted as Halted
from tamapy.fw.intrinsics import Panic as Panic
from tamapy.fw.intrinsics import addr_of as addr_of
from tamapy.fw.intrinsics import clock_enabled as clock_enabled
from tamapy.fw.intrinsics import dmb as dmb
from tamapy.fw.intrinsics import dsb as dsb
from tamapy.fw.intrinsics import enable_clock as enable_clock
from tamapy.fw.intrinsics import forever as forever
from tamapy.fw.intrinsics import isb as isb
from tamapy.fw.intrinsics import mmio as mmio
from tamapy.fw.intrinsics import poll as poll
from tamapy.fw.intrinsics import wfi as wfi
from tamapy.fw.old import old as old
from tamapy.fw.types import ArrayView as ArrayView
from tamapy.fw.types import FixedArray as FixedArray

u8: TypeAlias = int
u16: TypeAlias = int
u32: TypeAlias = int
u64: TypeAlias = int
i8: TypeAlias = int
i16: TypeAlias = int
i32: TypeAlias = int
i64: TypeAlias = int

_C = TypeVar("_C")

def struct(cls: type[_C]) -> type[_C]:
    """``@struct``: a class whose annotated members are laid out little-endian, in order."""

def panic(code: int) -> NoReturn:
    """Halt with ``code`` (never returns)."""

class _Sized(type):
    """``Array[u32, 4]`` in an expression: the array class, which called makes a zeroed array."""

    def __getitem__(cls: type[_C], params: object) -> type[_C]: ...

class View(Protocol):
    """``View[T]``: a read-only bounded view (a slice, a whole array, or a bytes literal)."""

    def __class_getitem__(cls, params: object) -> Any: ...
    def __len__(self) -> int: ...
    @overload
    def __getitem__(self, index: SupportsIndex, /) -> int: ...
    @overload
    def __getitem__(self, index: slice, /) -> View: ...

class MutView(View, Protocol):
    """``MutView[T]``: a writable bounded view parameter (an array or a slice of one)."""

    @overload
    def __getitem__(self, index: SupportsIndex, /) -> int: ...
    @overload
    def __getitem__(self, index: slice, /) -> MutView: ...
    def __setitem__(self, index: SupportsIndex, value: int, /) -> None: ...

class _Elements(metaclass=_Sized):
    """What arrays and DMA buffers have in common: fixed length, int elements."""

    def __class_getitem__(cls, params: object) -> Any: ...
    def __init__(self, *elements: int) -> None:
        """Zeroed; with elements, a constant table (``Array[u32, 4](1, 2, 3, 4)``)."""
    def __len__(self) -> int: ...
    @overload
    def __getitem__(self, index: SupportsIndex, /) -> int: ...
    @overload
    def __getitem__(self, index: slice, /) -> MutView: ...
    def __setitem__(self, index: SupportsIndex, value: int, /) -> None: ...
    def __iter__(self) -> Iterator[int]: ...
    def __bytes__(self) -> bytes: ...

class Array(_Elements):
    """``Array[T, N]``: N zeroed elements of machine type T, passed by reference."""

class Bytes(Array):
    """``Bytes[N]``: ``Array[u8, N]``."""

class Dma(_Elements):
    """``Dma[Bytes[N]]``: an array in the board's DMA region (``addr_of`` gives its bus address);
    not an ``Array``: it is passed only to ``Dma[...]`` parameters.  ``Dma[Packet]`` of a
    ``@struct`` reads its members by name (typed ``Any`` here; tamapy checks them)."""

    def __getattr__(self, name: str) -> Any: ...
    def __setattr__(self, name: str, value: Any) -> None: ...

class _FieldOfValue(int):
    """A field of a register value: an int; a field array's elements index it (``sr.IO[pin]``,
    which the checker allows only for arrays)."""

    def __getitem__(self, index: int, /) -> int: ...

class RegValue(int):
    """``RegValue[INSTANCE.REG]``: what ``REG.read()`` gives, an int whose fields read by name."""

    def __class_getitem__(cls, params: object) -> Any: ...
    def __getattr__(self, name: str) -> _FieldOfValue: ...

__all__ = [
    "Array",
    "ArrayView",
    "Bytes",
    "ContractError",
    "Dma",
    "F",
    "FixedArray",
    "Halted",
    "MutView",
    "Panic",
    "RegValue",
    "View",
    "addr_of",
    "clock_enabled",
    "decreases",
    "dmb",
    "dsb",
    "enable_clock",
    "ensures",
    "forever",
    "i8",
    "i16",
    "i32",
    "i64",
    "invariant",
    "isb",
    "mmio",
    "old",
    "panic",
    "poll",
    "requires",
    "struct",
    "trusted",
    "u8",
    "u16",
    "u32",
    "u64",
    "wfi",
]
