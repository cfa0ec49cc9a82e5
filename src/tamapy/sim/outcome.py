"""What a run produces: the outcome, located faults, MMIO trace lines, the JSON run report.

Everything here is plain data derived from the run alone (never from wall
time, except the ``timeout`` stop reason itself), so two runs of the same
image with the same parameters give equal outcomes, identical trace lines and
byte-identical JSON reports.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from tamapy.sim.context import CPU_HZ
from tamapy.sim.inject import Injection

REPORT_FORMAT = "tamapy-sim-run/1"
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


def access_text(read: bool, address: int, register: str, width: int, value: int) -> str:
    """``R|W ADDRESS REGISTER WIDTH VALUE``: one register access, as trace lines show it."""
    return f"{'R' if read else 'W'} 0x{address:08x} {register} {width} 0x{value:0{width // 4}x}"


@dataclass(frozen=True)
class MmioAccess:
    """One completed peripheral register access (a line of the MMIO trace)."""

    instructions: int
    """Instructions completed before this one."""
    pc: int
    read: bool
    address: int
    register: str
    """``INSTANCE.REG`` (``_SET``/``_CLR``/``_TOG`` appended for an alias)."""
    width: int
    """Access width in bits."""
    value: int

    def render(self) -> str:
        """``INSNS PC R|W ADDRESS REGISTER WIDTH VALUE``, e.g.
        ``412 0x80010a2c W 0x02020080 UART1.UCR1 32 0x00000001``."""
        return f"{self.instructions} 0x{self.pc:08x} " + access_text(self.read, self.address, self.register,
                                                                     self.width, self.value)


@dataclass(frozen=True)
class SimOutcome:
    output: bytes
    """Everything the console UART sent."""
    final: str | None
    """``exit`` or ``panic`` when the final line was printed, else None."""
    code: int | None
    """The exit or panic code from the final line."""
    instructions: int
    """Instructions executed (exact; see docs/simulator.md for what counts)."""
    fault: SimFault | None
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

    @property
    def status(self) -> int:
        """Process exit status for ``tamapy run``: 0 only for ``tamapy: exit 0``."""
        return 0 if self.final == "exit" and self.code == 0 else 1

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
        }

    def report_json(self) -> str:
        """:meth:`report` as stable JSON text (sorted keys, two-space indent, final newline)."""
        return json.dumps(self.report(), indent=2, sort_keys=True) + "\n"


__all__ = ["REPORT_FORMAT", "MmioAccess", "SimFault", "SimOutcome"]
