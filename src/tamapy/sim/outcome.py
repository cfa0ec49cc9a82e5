"""What a run produces: the outcome, located faults, MMIO trace lines, the JSON run report.

Everything here is plain data derived from the run alone (never from wall
time, except the ``timeout`` stop reason itself), so two runs of the same
image with the same parameters give equal outcomes, identical trace lines and
byte-identical JSON reports.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Generic, Literal, Protocol, TypeVar

from tamapy.abi import run_status
from tamapy.sim.context import CPU_HZ
from tamapy.sim.inject import Injection
from tamapy.sim.peripherals.base import BusFault
from tamapy.sim.stackwatch import StackUse

REPORT_FORMAT = "tamapy-sim-run/2"
"""``format`` of the JSON run report; bumped on incompatible changes."""


@dataclass(frozen=True)
class SimFault:
    """Why the simulated CPU could not go on (or an exception it took), located in the image."""

    kind: str
    """``unmapped``, ``width``, ``access``, ``clock-gated``, ``bus-error``,
    ``undefined-instruction`` or ``cpu-exception``."""
    address: int | None
    """The data address accessed (None for faults that are not accesses)."""
    pc: int
    symbol: str | None
    """Function containing ``pc`` (from the ELF symbol table)."""
    message: str
    line: str | None = None
    """``file:line`` of ``pc`` from the ELF's DWARF line table; None without one."""
    vector: str | None = None
    """For CPU exceptions: ``undefined``, ``svc``, ``prefetch-abort``, ``data-abort``, ... ."""

    def render(self) -> str:
        where = f"pc 0x{self.pc:08x}" + (f" in {self.symbol}" if self.symbol else "")
        where += f" ({self.line})" if self.line else ""
        return f"{self.kind} fault at {where}: {self.message}"

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "address": None if self.address is None else f"0x{self.address:08x}",
            "pc": f"0x{self.pc:08x}",
            "symbol": self.symbol,
            "line": self.line,
            "vector": self.vector,
            "message": self.message,
        }


Key = tuple[int, int, int, str]
"""What two MMIO traces must agree on per access: (address, width in bits, value, ``"r"`` or ``"w"``)."""


@dataclass(frozen=True)
class MmioAccess:
    """One completed peripheral register access (a line of the MMIO trace).

    The bus records the same access the same way on both boards; only a
    simulator run has a CPU to say when and where it happened, so on the
    board without a CPU (:mod:`tamapy.sim.host`) ``instructions`` and ``pc``
    are None.
    """

    instructions: int | None
    """Instructions completed before this one."""
    pc: int | None
    read: bool
    address: int
    register: str
    """``INSTANCE.REG`` (``_SET``/``_CLR``/``_TOG`` appended for an alias)."""
    width: int
    """Access width in bits."""
    value: int

    def key(self) -> Key:
        """The part of this access a host trace and a simulator trace must agree on."""
        return self.address, self.width, self.value, "r" if self.read else "w"

    def render(self) -> str:
        """``INSNS PC R|W ADDRESS REGISTER WIDTH VALUE``, e.g.
        ``412 0x80010a2c W 0x02020080 UART1.UCR1 32 0x00000001``; without a CPU
        the line starts at ``R|W``."""
        where = "" if self.instructions is None or self.pc is None else f"{self.instructions} 0x{self.pc:08x} "
        return (f"{where}{'R' if self.read else 'W'} 0x{self.address:08x} {self.register} {self.width} "
                f"0x{self.value:0{self.width // 4}x}")

    __str__ = render


def trace_keys(trace: Iterable[MmioAccess]) -> list[Key]:
    """The comparable part of a trace (:meth:`MmioAccess.key` of each access)."""
    return [access.key() for access in trace]


class Fault(Protocol):
    """What every kind of fault that ends a run says: its kind and the address accessed."""

    @property
    def kind(self) -> str: ...

    @property
    def address(self) -> int | None: ...


FaultT = TypeVar("FaultT", bound=Fault)


@dataclass(frozen=True, kw_only=True)
class RunEnd(Generic[FaultT]):
    """How a run ended, in what the simulator's and the host's outcomes share.

    A simulator run (:class:`SimOutcome`) boots a whole image and ends where
    the CPU stops, located by PC in the image; a host run (:class:`HostOutcome`)
    calls one firmware function in CPython and ends with its return value, with
    no CPU to locate anything.  They keep their own records for that reason;
    the panic (or exit) code and the fault are common, and so is how a fault
    is classified.
    """

    code: int | None = None
    """The exit or panic code (a host run has panic codes only)."""
    fault: FaultT | None = None
    """The fault that stopped the run, if one did."""

    @property
    def fault_kind(self) -> str | None:
        """``unmapped``, ``width``, ``access``, ``clock-gated``, ... (``SimFault.kind``), None without a fault."""
        return self.fault.kind if self.fault is not None else None


@dataclass(frozen=True, kw_only=True)
class SimOutcome(RunEnd[SimFault]):
    """How a simulator run of an image ended (``code`` is from the final line)."""

    output: bytes
    """Everything the console UART sent."""
    final: str | None
    """``exit`` or ``panic`` when the final line was printed, else None."""
    instructions: int
    """Instructions executed (exact; see docs/simulator.md for what counts)."""
    stop_reason: str
    """``final-line``, ``fault``, ``watchdog``, ``reset``, ``power-off``, ``max-insns``, ``timeout`` or ``halted``."""
    detail: str | None = None
    """What stopped the run, for ``watchdog``, ``reset`` and ``power-off``."""
    exceptions: tuple[SimFault, ...] = ()
    """CPU exceptions delivered to the firmware's vector table (first 100), in order."""
    injected: tuple[Injection, ...] = ()
    """The faults injected into this run and what they did."""
    notes: dict[str, dict[str, Any]] = field(default_factory=dict)
    """Per-instance notes of the peripheral models (only instances with something to say)."""
    board: str = ""
    soc: str = ""
    """The part simulated (``i.MX6UL``, ``i.MX6ULZ``)."""
    console_uart: str = ""
    cycles: int = 0
    """Simulated CPU cycles: the instructions plus cycles spent idle in WFI."""
    clock_hz: int = CPU_HZ
    stack: StackUse | None = None
    """The lowest SP reached on the main and the exception stack (None for an image without
    the linker's stack symbols): what the proved stack bound is held against."""
    fast_forwarded: int = 0
    """Idle cycles added while the firmware polled a timer (part of :attr:`cycles`)."""
    plain_storage: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """Peripheral type -> its instances that had no model and were plain register storage."""

    @property
    def status(self) -> int:
        """Process exit status for ``tamapy run``: 0 only for ``tamapy: exit 0``."""
        return run_status(self.final, self.code)

    @property
    def result(self) -> str:
        """One word for the run: the final line's kind (``exit``/``panic``), else the stop reason."""
        return self.final if self.final is not None else self.stop_reason

    def report(self) -> dict[str, Any]:
        """The JSON run report (docs/simulator.md, "Run report")."""
        return {
            "format": REPORT_FORMAT,
            "board": self.board,
            "soc": self.soc,
            "outcome": self.result,
            "status": self.status,
            "stop_reason": self.stop_reason,
            "final": None if self.final is None else {"kind": self.final, "code": self.code},
            "detail": self.detail,
            "instructions": self.instructions,
            "cycles": self.cycles,
            "fast_forwarded_cycles": self.fast_forwarded,
            "clock_hz": self.clock_hz,
            "simulated_us": self.cycles * 1_000_000 // self.clock_hz,
            "fault": None if self.fault is None else self.fault.to_json(),
            "exceptions": [e.to_json() for e in self.exceptions],
            "injected": [
                {"name": i.name, "description": i.description, "triggered": i.triggered,
                 "first_cycle": i.first_cycle, "detail": i.detail}
                for i in self.injected
            ],
            "console": {
                "uart": self.console_uart,
                "bytes": len(self.output),
                "output": self.output.decode("utf-8", "backslashreplace"),
            },
            "peripherals": self.notes,
            "plain_storage": {name: list(instances) for name, instances in self.plain_storage.items()},
            "stack": None if self.stack is None else self.stack.to_json(),
        }

    def report_json(self) -> str:
        """:meth:`report` as stable JSON text (sorted keys, two-space indent, final newline)."""
        return json.dumps(self.report(), indent=2, sort_keys=True) + "\n"


HostStatus = Literal["returned", "panic", "fault", "halted", "stopped"]


@dataclass(frozen=True, kw_only=True)
class HostOutcome(RunEnd[BusFault]):
    """How a firmware call on the host ended, in the simulator's terms (``code``: the panic code,
    also set for a fault inside the panic hook; ``fault``: the bus refused an access)."""

    status: HostStatus
    """``returned``; ``panic`` (``panic(code)`` or a failed safety check, after the panic hook ran);
    ``fault`` (the bus refused an access: nothing after it ran); ``halted`` (``wfi``); ``stopped``
    (a model ended the run: :attr:`stop_reason`)."""
    value: Any = None
    """The result, when it returned."""
    stop_reason: str | None = None
    """``watchdog``, ``reset`` or ``power-off`` when a model stopped the run."""
    trace: tuple[MmioAccess, ...] = ()
    """The bus accesses of this call (panic hook included)."""


__all__ = [
    "REPORT_FORMAT", "Fault", "HostOutcome", "HostStatus", "Key", "MmioAccess", "RunEnd", "SimFault", "SimOutcome",
    "trace_keys",
]
