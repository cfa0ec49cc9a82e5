"""MMIO traces of host runs, comparable with the simulator's.

Host execution and compiled code agree only if they touch the hardware in
the same way, so both are traced by the same bus: the simulator's
:class:`~tamapy.sim.bus.Bus` calls its ``tracer`` for every completed
access (a write after its checks, before the model acts on it).  A
simulator run records :class:`tamapy.sim.MmioAccess` entries (with the
instruction count and PC); a host run records :class:`Access` entries, which
have no CPU to take a PC from.  :func:`key` reduces either to what two
traces must agree on.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

from tamapy.sim.bus import Bus
from tamapy.sim.outcome import access_text

Key = tuple[int, int, int, str]
"""(address, width in bits, value, ``"r"`` or ``"w"``)."""


@dataclass(frozen=True)
class Access:
    """One completed bus access of a host run."""

    read: bool
    address: int
    register: str
    """``INSTANCE.REG`` (``_SET``/``_CLR``/``_TOG`` appended for an alias)."""
    width: int
    """Bits: 8, 16 or 32."""
    value: int
    """The value loaded, or stored."""

    def render(self) -> str:
        """``R|W ADDRESS REGISTER WIDTH VALUE``, as the simulator's trace lines without instructions and PC."""
        return access_text(self.read, self.address, self.register, self.width, self.value)

    __str__ = render


class AccessLike(Protocol):
    """A trace entry of either kind."""

    @property
    def read(self) -> bool: ...

    @property
    def address(self) -> int: ...

    @property
    def register(self) -> str: ...

    @property
    def width(self) -> int: ...

    @property
    def value(self) -> int: ...


def key(access: AccessLike) -> Key:
    """The comparable part of a trace entry (host or simulator)."""
    return access.address, access.width, access.value, "r" if access.read else "w"


def keys(trace: Iterable[AccessLike]) -> list[Key]:
    """The comparable part of a trace."""
    return [key(a) for a in trace]


def record(bus: Bus, trace: list[Access]) -> None:
    """Append every completed access of ``bus`` to ``trace``."""

    def tracer(read: bool, address: int, size: int, value: int, register: str) -> None:
        trace.append(Access(read, address, register, size * 8, value))

    bus.tracer = tracer
