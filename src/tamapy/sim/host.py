"""The board without a CPU: firmware modules run in CPython against the simulator's models.

A :class:`Host` is one simulated board whose CPU is CPython: the peripheral
models of :mod:`tamapy.sim` behind the simulator's bus, recording the same
:class:`~tamapy.sim.outcome.MmioAccess` trace, the board's RAM regions
(:class:`~tamapy.sim.memory.RegionMemory` over plain pages), and an import
hook (:mod:`tamapy.sim.host_import`) that makes the firmware's modules
importable (``import soc.imx6ul.regs``, ``from board import console``) with
the register objects of :mod:`tamapy.fw.regs` bound to that bus::

    with Host(project_root, "mcimx6ul-evk") as host:
        from board import console
        console.init()
        console.putc(ord("A"))
        assert host.console.transmitted == b"A"

Firmware modules live in ``sys.modules`` under their firmware names while
the host is active and are removed when it exits, so one host is active at
a time.  :meth:`Host.run` calls a firmware function with the compiled
code's end-of-run behaviour (a failed check or ``panic`` calls the panic
hook once, ``wfi`` halts, a bus fault stops) and returns a
:class:`~tamapy.sim.outcome.HostOutcome` to compare with a simulator run.
See docs/host.md.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from types import ModuleType, TracebackType
from typing import Any

from tamapy.abi import PANIC_ASSERT, PANIC_BOUNDS, PANIC_DIVIDE, PANIC_HOOK, PANIC_MODULE
from tamapy.fw import intrinsics
from tamapy.fw.contracts import ContractError
from tamapy.fw.intrinsics import Halted, Panic
from tamapy.fw.live import Condition, Live
from tamapy.fw.regs import build_regs_module
from tamapy.project import find_project
from tamapy.sim.bus import Bus, BusFault
from tamapy.sim.context import ManualClock, SimContext
from tamapy.sim.host_import import FirmwareFinder, purge
from tamapy.sim.inject import Injections
from tamapy.sim.memory import RegionMemory
from tamapy.sim.outcome import HostOutcome, HostStatus, MmioAccess
from tamapy.sim.peripherals import Ccm, Uart, build_devices
from tamapy.sim.peripherals.base import RegisterFile
from tamapy.sim.variants import SocVariant, variant_for
from tamapy.specs import load_board, load_soc
from tamapy.specs.model import Board, Register, Soc


class Stopped(Exception):
    """A peripheral model ended the run (watchdog expiry, software reset, power-off).

    The simulator stops with ``stop_reason == reason``; on the host the access
    that caused it completes, then this is raised into the firmware code.
    """

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail


class Host:
    """One simulated board for running firmware modules in CPython (see the module docstring).

    ``project_root`` is any path inside the project (the directory holding
    ``firmware/`` and ``specs/`` is looked up from it); ``board`` a board
    name from ``specs/boards/``.  ``check_claims`` checks machine-type range
    claims at assignments and function boundaries (:mod:`tamapy.sim.host_import`).
    ``variant``, ``unique_id``, ``otp_key`` and ``inject`` (fault names,
    :data:`tamapy.sim.FAULTS`) choose the part, the device's identity and the
    injected faults as :class:`tamapy.sim.Machine` does; :attr:`ctx` ``.faults``
    records which took effect.

    Simulated time does not pass by itself: there is no CPU counting
    instructions.  :attr:`clock` is a hand-driven clock (``host.clock.advance(cycles)``)
    for the timer models (GPT, WDOG, SNVS, RNGB).
    """

    def __init__(self, project_root: Path, board: str, *, check_claims: bool = True,
                 variant: str | None = None, unique_id: int | None = None, otp_key: bytes | None = None,
                 inject: Iterable[str] = ()) -> None:
        self.project = find_project(project_root)
        self.board: Board = load_board(self.project.specs, board)
        self.soc: Soc = load_soc(self.project.specs, self.board.soc)
        self.variant: SocVariant = variant_for(self.board.name, variant)
        self._identity = (unique_id, otp_key)
        self._inject = tuple(inject)
        self.regs_module_name = f"soc.{self.soc.name}.regs"
        self.trace: list[MmioAccess] = []
        """Every bus access since the last :meth:`reset` (the list is kept, its contents cleared)."""
        self._stop: tuple[str, str] | None = None
        self.memory = RegionMemory(self.board.memory)
        """The board's RAM: raw ``mmio`` accesses to RAM land here, and the DCP reaches it by DMA."""
        self.clock = ManualClock()
        self.ctx = self._new_context()
        self.bus = self._new_bus()
        self._regs = build_regs_module(self.regs_module_name, self.soc, self)
        self._finder = FirmwareFinder(self.project.firmware, self.board.firmware_package,
                                      {self.regs_module_name: lambda: self._regs}, check_claims)
        self._shadowed: dict[str, ModuleType] | None = None
        """Modules of firmware names that were loaded before entering (restored on exit); None when not entered."""

    # -- activation -----------------------------------------------------------

    def __enter__(self) -> Host:
        intrinsics.activate(self)
        self._shadowed = purge(self._finder.owns)
        sys.meta_path.insert(0, self._finder)
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if self._finder in sys.meta_path:
            sys.meta_path.remove(self._finder)
        purge(self._finder.owns)
        if self._shadowed is not None:
            sys.modules.update(self._shadowed)
            self._shadowed = None
        intrinsics.deactivate(self)

    @property
    def active(self) -> bool:
        """Whether the host is entered (its firmware modules importable)."""
        return self._shadowed is not None

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
        """Power-on reset: peripherals at their reset values, RAM zeroed, time 0, trace cleared,
        and with ``modules`` the firmware modules forgotten, so their globals start afresh on
        the next import (as the image's .data and .bss do)."""
        self.memory = RegionMemory(self.board.memory)
        self.clock = ManualClock()
        self._stop = None
        self.ctx = self._new_context()
        self.bus = self._new_bus()
        self.trace.clear()
        if modules and self.active:
            purge(self._finder.owns)

    def _new_context(self) -> SimContext:
        unique_id, otp_key = self._identity
        return SimContext(clock=self.clock, memory=self.memory, variant=self.variant, board=self.board.name,
                          unique_id=unique_id, otp_key=otp_key, faults=Injections.of(self._inject),
                          console=self.board.console_uart, stop=self._request_stop)

    def _new_bus(self) -> Bus:
        devices = build_devices(self.soc, self.ctx)
        ccm = next((d for d in devices if isinstance(d, Ccm)), None)
        bus = Bus(devices, ccm)
        bus.tracer = self._record
        return bus

    def _record(self, read: bool, address: int, size: int, value: int, register: str) -> None:
        """The bus's tracer: every completed access, without the instruction count and PC a CPU would give."""
        self.trace.append(MmioAccess(None, None, read, address, register, size * 8, value))

    def _request_stop(self, reason: str, detail: str) -> None:
        """A model asks to end the run; raised as :class:`Stopped` once the access completes."""
        if self._stop is None:
            self._stop = (reason, detail)

    def _after_access(self) -> None:
        if self._stop is not None:
            raise Stopped(*self._stop)

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
        """A register load through the bus (traced); register objects and ``mmio`` call this."""
        self._after_access()
        value = self.bus.read(address, width // 8)
        self._after_access()
        return value

    def store(self, address: int, width: int, value: int) -> None:
        """A register store through the bus (traced)."""
        self._after_access()
        self.bus.write(address, width // 8, value)
        self._after_access()

    def peek(self, instance: str, register: Register) -> int:
        """What the model would return for ``register``, without a bus access (ghost code)."""
        return self.device(instance).read(register)

    def gate_open(self, instance: str) -> bool:
        """Whether ``instance``'s clock gate (from the specs' ``[clocks]``) is on in the CCM model."""
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
        """``mmio.readN``: RAM if ``address`` is in the board's memory, else the bus."""
        if self.memory.contains(address, width // 8):
            return self.memory.read_int(address, width)
        return self.load(address, width)

    def mmio_write(self, address: int, width: int, value: int) -> None:
        """``mmio.writeN``: RAM if ``address`` is in the board's memory, else the bus."""
        if self.memory.contains(address, width // 8):
            self.memory.write_int(address, width, value)
        else:
            self.store(address, width, value)

    # -- running ------------------------------------------------------------------

    def run(self, function: Callable[..., Any], *args: Any) -> HostOutcome:
        """Call a firmware function and report how it ended, as the compiled code would end.

        A ``panic(code)`` or failed safety check (IndexError 0xFFFF0001,
        ZeroDivisionError 0xFFFF0002, a failed ``assert`` 0xFFFF0003) calls the
        firmware's panic hook once, as ``__tamapy_panic`` does; a second panic
        inside the hook halts at once.  Contract violations and failed range
        claims are raised, not reported: they mean the call is outside what the
        verifier proves, where the compiled code's behaviour is not defined.
        """
        start = len(self.trace)

        def done(status: HostStatus, **kw: Any) -> HostOutcome:
            return HostOutcome(status=status, trace=tuple(self.trace[start:]), **kw)

        try:
            return done("returned", value=plain(function(*args)))
        except Halted:
            return done("halted")
        except Stopped as stop:
            return done("stopped", stop_reason=stop.reason)
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
            except Stopped as stop:
                return done("stopped", code=code, stop_reason=stop.reason)
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


def plain(value: object) -> object:
    """A live register value as the plain ``int`` / ``bool`` the compiled code would return."""
    if isinstance(value, Condition):
        return bool(value)
    if isinstance(value, Live):
        return int(value)
    return value


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
