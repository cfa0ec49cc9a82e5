"""``@struct`` classes on the host: members over the struct's little-endian bytes.

An instance holds its bytes (a zeroed ``Bytes[size]``) and nothing else, so the
host sees the layout the image has: a member is an integer at a fixed offset,
stored little-endian after its range claim, and a bytes member is a live view of
those bytes.  The layout rule is the checker's: members in order, each at an
offset that is a multiple of its element size, no implicit padding.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass
from typing import Any, SupportsIndex, TypeVar

from tamapy.fw.types import ArrayOf, ArrayView, FixedArray, MachineType, claim, u8

_C = TypeVar("_C", bound=type)


@dataclass(frozen=True)
class _Layout:
    name: str
    offset: int
    elem: MachineType
    count: int | None

    @property
    def width(self) -> int:
        return self.elem.bits // 8


def _get(data: FixedArray, offset: int, t: MachineType) -> int:
    return int.from_bytes(bytes(data[i] for i in range(offset, offset + t.bits // 8)), "little", signed=t.signed)


def _put(data: FixedArray, offset: int, t: MachineType, value: int) -> None:
    for i, b in enumerate(value.to_bytes(t.bits // 8, "little", signed=t.signed)):
        data[offset + i] = b


class MemberArray:
    """``s.words`` of an ``Array[u32, N]`` member: its elements, indexed with bounds checks."""

    def __init__(self, data: FixedArray, member: _Layout) -> None:
        assert member.count is not None
        self._data, self._member, self._count = data, member, member.count

    def __len__(self) -> int:
        return self._count

    def _offset(self, index: SupportsIndex) -> int:
        i = int(index)
        if not 0 <= i < self._count:
            raise IndexError(f"index {i} out of bounds for member {self._member.name} of length {self._count}")
        return self._member.offset + i * self._member.width

    def __getitem__(self, index: SupportsIndex) -> int:
        return _get(self._data, self._offset(index), self._member.elem)

    def __setitem__(self, index: SupportsIndex, value: int) -> None:
        offset = self._offset(index)
        _put(self._data, offset, self._member.elem, claim(self._member.elem, value, f"{self._member.name}[{int(index)}]"))

    def tolist(self) -> list[int]:
        return [self[i] for i in range(self._count)]


def _layout(cls: type) -> tuple[tuple[_Layout, ...], int]:
    members: list[_Layout] = []
    offset = 0
    for name, t in inspect.get_annotations(cls, eval_str=True).items():  # in the class's module
        if isinstance(t, MachineType):
            member = _Layout(name, offset, t, None)
        elif isinstance(t, ArrayOf) and not t.dma:
            member = _Layout(name, offset, t.elem, t.length)
        else:
            raise TypeError(f"struct member {cls.__name__}.{name} must be a machine integer or an array of them")
        if offset % member.width:
            raise TypeError(f"struct member {cls.__name__}.{name} would sit at offset {offset}: add padding")
        members.append(member)
        offset += member.width * (member.count or 1)
    if not members:
        raise TypeError(f"struct {cls.__name__} has no members")
    return tuple(members), offset


def _property(member: _Layout) -> property:
    if member.count is not None:
        if member.elem is u8:
            return property(lambda self: ArrayView(self._bytes, member.offset, member.offset + (member.count or 0)))
        return property(lambda self: MemberArray(self._bytes, member))

    def set_value(self: Any, value: int) -> None:
        _put(self._bytes, member.offset, member.elem, claim(member.elem, value, member.name))

    return property(lambda self: _get(self._bytes, member.offset, member.elem), set_value)


def struct(cls: _C) -> _C:
    """Make ``cls`` a struct: zeroed on construction, members read and written by name."""
    members, size = _layout(cls)
    names = {m.name for m in members}

    def init(self: Any) -> None:
        object.__setattr__(self, "_bytes", FixedArray(u8, size))

    def setattr_(self: Any, name: str, value: Any) -> None:
        if name not in names:
            raise AttributeError(f"struct {type(self).__name__} has no member {name!r}")
        object.__setattr__(self, name, value)

    def to_bytes(self: Any) -> bytes:
        return bytes(self._bytes)

    def repr_(self: Any) -> str:
        shown = ", ".join(f"{m.name}={getattr(self, m.name) if m.count is None else getattr(self, m.name).tolist()}"
                          for m in members)
        return f"{type(self).__name__}({shown})"

    for m in members:
        setattr(cls, m.name, _property(m))
    cls.__init__ = init  # type: ignore[misc]
    cls.__setattr__ = setattr_  # type: ignore[assignment]
    cls.__bytes__ = to_bytes  # type: ignore[attr-defined]
    cls.__repr__ = repr_  # type: ignore[assignment]
    cls.__struct_size__ = size  # type: ignore[attr-defined]
    return cls

