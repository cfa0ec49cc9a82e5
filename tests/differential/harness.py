"""Run one differential case compiled (Unicorn + the simulator's models) and in CPython.

Both sides call ``difftest.cases.run(op, a, b, c, d)`` (see
``firmware/difftest``): the compiled image through a harness ``main`` that
takes the arguments from OCRAM, the host directly.  Each side yields a
:class:`Result` -- how the run ended, the value or panic code or fault
kind, the MMIO trace, what every UART sent and the final register state of
every peripheral -- and the tests require the two results to be equal.
"""

from __future__ import annotations

import shutil
import struct
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

from tamapy.abi import final_outcome
from tamapy.build import compile_app
from tamapy.sim import Machine, MmioAccess
from tamapy.sim.bus import Bus
from tamapy.sim.host import Host
from tamapy.sim.outcome import HostOutcome, Key
from tamapy.sim.peripherals import Uart
from tests.fw.support import make_project

FIRMWARE = Path(__file__).with_name("firmware")
APP = "difftest/app"
IN, OUT = 0x00900000, 0x00900100
DONE = 0xD0D0D0D0
MAX_INSNS = 20_000_000
STOPS = ("watchdog", "reset", "power-off")
"""Stop reasons of runs a peripheral model ended (``HostOutcome.status == "stopped"`` on the host)."""


@dataclass(frozen=True)
class Result:
    """Everything observable about one run, in a form both sides produce."""

    status: str
    """``returned``, ``panic``, ``fault``, ``halted`` or ``stopped``."""
    value: int | None
    """The result (returned) or the panic code (panic)."""
    fault: tuple[str, int] | None
    """(kind, address) of a fault."""
    trace: tuple[Key, ...]
    sent: tuple[tuple[str, bytes], ...]
    """(UART instance, bytes it transmitted), for every UART that sent something."""
    registers: tuple[tuple[str, str, int], ...]
    """(instance, register, stored value) for every register of every peripheral."""
    named_trace: tuple[MmioAccess, ...] = ()
    """The trace with register names, for failure messages (not compared)."""

    def comparable(self) -> tuple[object, ...]:
        return self.status, self.value, self.fault, self.trace, self.sent, self.registers


def _state(bus: Bus) -> tuple[tuple[tuple[str, bytes], ...], tuple[tuple[str, str, int], ...]]:
    sent = tuple((d.instance, bytes(d.transmitted)) for d in bus.devices
                 if isinstance(d, Uart) and d.transmitted)
    registers = tuple((d.instance, r.name, d.value(r.name)) for d in bus.devices for r in d.peripheral.storage)
    return sent, registers


def _final_line(output: bytes) -> tuple[str, int] | None:
    """The first final line (``tamapy: exit N`` / ``tamapy: panic 0x...``) in console output."""
    for line in output.split(b"\n")[:-1]:
        final = final_outcome(line)
        if final is not None:
            return final
    return None


def _signed64(lo: int, hi: int) -> int:
    v = lo | hi << 32
    return v - (1 << 64) if v >> 63 else v


class Compiled:
    """The harness image for one board, run in a fresh simulator machine per case."""

    def __init__(self, project: Path, board: str) -> None:
        self.board_name = board
        result = compile_app(project / "firmware" / APP, board, verify=False)
        self.elf = result.image.elf
        self.board = result.program.board
        self.soc = result.program.soc

    def run(self, op: int, args: tuple[int, ...], rx: Mapping[str, bytes]) -> Result:
        trace: list[MmioAccess] = []
        machine = Machine(self.elf, self.board, self.soc, trace=trace.append)
        words = [op, *args, *[0] * (4 - len(args))]
        machine.uc.mem_write(IN, struct.pack("<5I", *words))
        for instance, data in rx.items():
            machine.uart(instance).receive(data)
        outcome = machine.run(max_insns=MAX_INSNS, timeout=20.0)
        value: int | None = None
        fault: tuple[str, int] | None = None
        if outcome.fault is not None:
            status = "fault"
            fault = (outcome.fault.kind, outcome.fault.address or 0)
        elif outcome.final == "panic":
            status, value = "panic", outcome.code
        elif outcome.final == "exit":
            status = "halted"  # runtime.system.finish: the host sees the wfi that follows
        elif outcome.stop_reason in STOPS:
            status = "stopped"
        elif outcome.stop_reason == "halted":
            marker, lo, hi = struct.unpack("<3I", machine.uc.mem_read(OUT, 12))
            status, value = ("returned", _signed64(lo, hi)) if marker == DONE else ("halted", None)
        else:
            raise AssertionError(f"compiled run ended with {outcome.stop_reason} after {outcome.instructions} instructions")
        sent, registers = _state(machine.bus)
        return Result(status, value, fault, tuple(a.key() for a in trace), sent, registers, tuple(trace))


class Hosted:
    """The same cases in CPython, on a :class:`Host` that is reset before each case."""

    def __init__(self, host: Host) -> None:
        self.host = host

    @property
    def cases(self) -> ModuleType:
        return self.host.module("difftest.cases")

    def run(self, op: int, args: tuple[int, ...], rx: Mapping[str, bytes]) -> Result:
        host = self.host
        host.reset()
        for instance, data in rx.items():
            host.uart(instance).receive(data)
        words = [*args, *[0] * (4 - len(args))]
        outcome: HostOutcome = host.run(self.cases.run, op, *words)
        status: str = outcome.status
        value: int | None = None
        fault: tuple[str, int] | None = None
        if outcome.status == "returned":
            value = int(outcome.value)
            final = _final_line(bytes(host.console.transmitted))
            if final is not None:
                # The simulator stops at a final console line (docs/simulator.md); the host ran on to the return.
                status, value = ("panic", final[1]) if final[0] == "panic" else ("halted", None)
        elif outcome.status == "panic":
            value = outcome.code
        elif outcome.fault is not None:
            fault = (outcome.fault.kind, outcome.fault.address)
        sent, registers = _state(host.bus)
        return Result(status, value, fault, tuple(a.key() for a in outcome.trace), sent, registers, outcome.trace)


def make_differential_project(destination: Path) -> Path:
    """A copy of the project with the DIFF block and the ``difftest`` firmware."""
    make_project(destination)
    shutil.copytree(FIRMWARE / "difftest", destination / "firmware" / "difftest")
    return destination


def explain(compiled: Result, hosted: Result) -> str:
    """A readable account of where two results differ."""
    lines = []
    for name in ("status", "value", "fault", "sent"):
        a, b = getattr(compiled, name), getattr(hosted, name)
        if a != b:
            lines.append(f"{name}: compiled {a!r}, host {b!r}")
    if compiled.trace != hosted.trace:
        n = next((i for i, (x, y) in enumerate(zip(compiled.trace, hosted.trace, strict=False)) if x != y),
                 min(len(compiled.trace), len(hosted.trace)))
        lines.append(f"traces differ at access {n} (lengths {len(compiled.trace)}, {len(hosted.trace)}):")
        for label, r in (("compiled", compiled), ("host", hosted)):
            lines.extend(f"  {label} {i}: {a.render()}" for i, a in enumerate(r.named_trace[max(0, n - 2): n + 3], max(0, n - 2)))
    if compiled.registers != hosted.registers:
        diffs = [(x, y) for x, y in zip(compiled.registers, hosted.registers, strict=False) if x != y]
        lines.append(f"final registers differ: {diffs[:5]}")
    return "\n".join(lines)


Runner = Callable[[int, tuple[int, ...], Mapping[str, bytes]], Result]


@dataclass
class Differential:
    """Both sides for one board; :meth:`check` runs a case on each and compares."""

    compiled: Compiled
    hosted: Hosted
    runs: int = 0

    def check(self, op: int, *args: int, rx: Mapping[str, bytes] | None = None) -> Result:
        """Run ``cases.run(op, *args)`` on both sides; fail unless every observable agrees."""
        feed = rx or {}
        c = self.compiled.run(op, args, feed)
        h = self.hosted.run(op, args, feed)
        self.runs += 1
        assert c.comparable() == h.comparable(), f"op {op} args {args}:\n{explain(c, h)}"
        return h
