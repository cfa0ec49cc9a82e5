"""Run firmware modules in CPython against the simulator's peripheral models.

A :class:`Host` is one simulated board without a CPU: the peripheral models
of :mod:`tamapy.sim` behind a :class:`~tamapy.fw.trace.TracingBus`, RAM for
the board's memory regions, and an import hook that makes the firmware's
modules importable (``import soc.imx6ul.regs``, ``from board import
console``) with the register objects bound to that bus::

    with Host(project_root, "mcimx6ul-evk") as host:
        from board import console
        console.init()
        console.putc(ord("A"))
        assert host.console.transmitted == b"A"

Firmware modules live in ``sys.modules`` under their firmware names while
the host is active and are removed when it exits, so one host is active at
a time.  :meth:`Host.run` calls a firmware function with the compiled
code's end-of-run behaviour (a failed check or ``panic`` calls the panic
hook once, ``wfi`` halts, a bus fault stops) and returns an
:class:`Outcome` to compare with a simulator run.  See docs/host.md.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType, TracebackType
from typing import Any, Literal

from tamapy.fw import intrinsics
from tamapy.fw.contracts import ContractError
from tamapy.fw.importer import FirmwareFinder, purge
from tamapy.fw.intrinsics import Halted, Panic
from tamapy.fw.regs import build_regs_module
from tamapy.fw.trace import MmioAccess, TracingBus
from tamapy.lang.resolve import PANIC_MODULE, find_project
from tamapy.sim.bus import BusFault
from tamapy.sim.peripherals import Ccm, Uart, build_devices
from tamapy.sim.peripherals.base import RegisterFile
from tamapy.specs import load_board, load_soc
from tamapy.specs.model import Board, MemoryRegion, Register, Soc

PANIC_HOOK = "on_panic"
"""The panic hook's function name in :data:`~tamapy.lang.resolve.PANIC_MODULE`."""
PANIC_BOUNDS = 0xFFFF0001
PANIC_DIVIDE = 0xFFFF0002
PANIC_ASSERT = 0xFFFF0003
"""Panic codes of the compiled safety checks (docs/subset.md), which CPython reports as exceptions."""

Status = Literal["returned", "panic", "fault", "halted"]


@dataclass(frozen=True)
class Outcome:
    """How a firmware call ended on the host, in the simulator's terms."""

    status: Status
    """``returned``; ``panic`` (``panic(code)`` or a failed safety check, after the panic hook ran);
    ``fault`` (the bus refused an access: nothing after it ran); ``halted`` (``wfi``)."""
    value: Any = None
    """The result, when it returned."""
    code: int | None = None
    """The panic code (also set for a fault inside the panic hook)."""
    fault: BusFault | None = None
    trace: tuple[MmioAccess, ...] = ()
    """The bus accesses of this call (panic hook included)."""

    @property
    def fault_kind(self) -> str | None:
        """``unmapped``, ``width``, ``access`` or ``clock-gated``, as in ``SimFault.kind``."""
        return self.fault.kind if self.fault else None


PAGE = 0x1000


class Memory:
    """The board's RAM regions, for raw ``mmio`` access: sparse, zero-filled, little-endian."""

    def __init__(self, regions: tuple[MemoryRegion, ...]) -> None:
        self.regions = regions
        self._pages: dict[int, bytearray] = {}

    def contains(self, address: int, size: int) -> bool:
        return any(r.contains(address, size) for r in self.regions)

    def _check(self, address: int, size: int) -> None:
        if not self.contains(address, size):
            raise BusFault("unmapped", address, f"{size} bytes at 0x{address:08x} are outside the board's memory")

    def load(self, address: int, size: int) -> bytes:
        """``size`` bytes from ``address``."""
        self._check(address, size)
        out = bytearray()
        for a in range(address, address + size):
            page = self._pages.get(a // PAGE)
            out.append(page[a % PAGE] if page is not None else 0)
        return bytes(out)

    def store(self, address: int, data: bytes) -> None:
        """Put ``data`` at ``address``."""
        self._check(address, len(data))
        for i, b in enumerate(data):
            a = address + i
            self._pages.setdefault(a // PAGE, bytearray(PAGE))[a % PAGE] = b

    def read(self, address: int, width: int) -> int:
        return int.from_bytes(self.load(address, width // 8), "little")

    def write(self, address: int, width: int, value: int) -> None:
        self.store(address, value.to_bytes(width // 8, "little"))


@dataclass
class _Saved:
    modules: dict[str, ModuleType] = field(default_factory=dict)


class Host:
    """One simulated board for running firmware modules in CPython (see the module docstring).

    ``project_root`` is any path inside the project (the directory holding
    ``firmware/`` and ``specs/`` is looked up from it); ``board`` a board
    name from ``specs/boards/``.  ``check_claims`` checks machine-type range
    claims at assignments and function boundaries (:mod:`tamapy.fw.importer`).
    """

    def __init__(self, project_root: Path, board: str, *, check_claims: bool = True) -> None:
        self.project = find_project(project_root)
        self.board: Board = load_board(self.project.specs, board)
        self.soc: Soc = load_soc(self.project.specs, self.board.soc)
        self.regs_module_name = f"soc.{self.soc.name}.regs"
        self.trace: list[MmioAccess] = []
        """Every bus access since the last :meth:`reset` (the list is kept, its contents cleared)."""
        self.memory = Memory(self.board.memory)
        self.bus = self._new_bus()
        self._regs = build_regs_module(self.regs_module_name, self.soc, self)
        self._finder = FirmwareFinder(self.project.firmware, self.board.firmware_package,
                                      {self.regs_module_name: lambda: self._regs}, check_claims)
        self._saved: _Saved | None = None

    # -- activation -----------------------------------------------------------

    def __enter__(self) -> Host:
        intrinsics.activate(self)
        self._saved = _Saved(purge(self._finder.owns))
        sys.meta_path.insert(0, self._finder)
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if self._finder in sys.meta_path:
            sys.meta_path.remove(self._finder)
        purge(self._finder.owns)
        if self._saved is not None:
            sys.modules.update(self._saved.modules)
            self._saved = None
        intrinsics.deactivate(self)

    @property
    def active(self) -> bool:
        return self._saved is not None

    def module(self, name: str) -> ModuleType:
        """Import the firmware module ``name`` (``runtime.console``, ``board.console``, ``soc.imx6ul.regs``)."""
        if not self.active:
            raise RuntimeError("enter the host (`with Host(...) as host:`) before importing firmware")
        if not self._finder.owns(name):
            raise ModuleNotFoundError(f"{name} is not a firmware module (firmware root {self.project.firmware})",
                                      name=name)
        return importlib.import_module(name)

    @property
    def regs(self) -> ModuleType:
        """The generated ``soc.<soc>.regs`` module (usable without entering the host)."""
        return self._regs

    def reset(self, *, modules: bool = True) -> None:
        """Power-on reset: peripherals at their reset values, RAM zeroed, trace cleared, and with
        ``modules`` the firmware modules forgotten, so their globals start afresh on the next import."""
        self.bus = self._new_bus()
        self.memory = Memory(self.board.memory)
        self.trace.clear()
        if modules and self.active:
            purge(self._finder.owns)

    def _new_bus(self) -> TracingBus:
        devices = build_devices(self.soc)
        ccm = next((d for d in devices if isinstance(d, Ccm)), None)
        return TracingBus(devices, ccm, self.trace)

    # -- the board's state -------------------------------------------------------

    def device(self, instance: str) -> RegisterFile:
        """The peripheral model of ``instance`` (``KeyError`` if the SoC has none)."""
        return self.bus.device(instance)

    def uart(self, instance: str) -> Uart:
        """A UART model: ``.transmitted`` holds what it sent, ``.receive(data)`` queues input."""
        device = self.device(instance)
        if not isinstance(device, Uart):
            raise KeyError(instance)
        return device

    @property
    def console(self) -> Uart:
        """The board's console UART model."""
        return self.uart(self.board.console_uart)

    # -- the RegisterBus and MmioPort protocols -------------------------------------

    def load(self, address: int, width: int) -> int:
        return self.bus.read(address, width // 8)

    def store(self, address: int, width: int, value: int) -> None:
        self.bus.write(address, width // 8, value)

    def peek(self, instance: str, register: Register) -> int:
        return self.device(instance).read(register)

    def gate_open(self, instance: str) -> bool:
        found = self.soc.instance(instance)
        gate = found[0].clock_of(instance) if found else None
        if gate is None:
            return True
        ccm = next((d for d in self.bus.devices if isinstance(d, Ccm)), None)
        if ccm is None:
            return True
        reg, fld = gate
        return ccm.field_value(reg, fld) != 0

    def mmio_read(self, address: int, width: int) -> int:
        if self.memory.contains(address, width // 8):
            return self.memory.read(address, width)
        return self.bus.read(address, width // 8)

    def mmio_write(self, address: int, width: int, value: int) -> None:
        if self.memory.contains(address, width // 8):
            self.memory.write(address, width, value)
        else:
            self.bus.write(address, width // 8, value)

    # -- running ------------------------------------------------------------------

    def run(self, function: Callable[..., Any], *args: Any) -> Outcome:
        """Call a firmware function and report how it ended, as the compiled code would end.

        A ``panic(code)`` or failed safety check (IndexError 0xFFFF0001,
        ZeroDivisionError 0xFFFF0002, a failed ``assert`` 0xFFFF0003) calls the
        firmware's panic hook once, as ``__tamapy_panic`` does; a second panic
        inside the hook halts at once.  Contract violations and failed range
        claims are raised, not reported: they mean the call is outside what the
        verifier proves, where the compiled code's behaviour is not defined.
        """
        start = len(self.trace)

        def done(status: Status, **kw: Any) -> Outcome:
            return Outcome(status, trace=tuple(self.trace[start:]), **kw)

        try:
            return done("returned", value=function(*args))
        except Halted:
            return done("halted")
        except BusFault as fault:
            return done("fault", fault=fault)
        except BaseException as exc:
            code = _panic_code(exc)
            if code is None:
                raise
        hook = self._panic_hook()
        if hook is not None:
            try:
                hook(code)
            except BusFault as fault:
                return done("fault", code=code, fault=fault)
            except (Halted, Panic, IndexError, ZeroDivisionError):
                pass
            except AssertionError as exc:
                if isinstance(exc, ContractError):
                    raise
        return done("panic", code=code)

    def _panic_hook(self) -> Callable[[int], object] | None:
        if not self.active or self._finder.find_spec(PANIC_MODULE) is None:
            return None
        hook = getattr(self.module(PANIC_MODULE), PANIC_HOOK, None)
        return hook if callable(hook) else None


def _panic_code(exc: BaseException) -> int | None:
    """The panic code the compiled code stops with where CPython raised ``exc`` (None: not a panic)."""
    if isinstance(exc, Panic):
        return exc.code
    if isinstance(exc, ContractError):
        return None
    if isinstance(exc, IndexError):
        return PANIC_BOUNDS
    if isinstance(exc, ZeroDivisionError):
        return PANIC_DIVIDE
    if isinstance(exc, AssertionError):
        return PANIC_ASSERT
    return None
