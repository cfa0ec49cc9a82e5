"""The board simulator: Unicorn runs the image, Python models answer its MMIO.

The machine starts the image the way QEMU's ``-kernel`` does (PT_LOAD
segments at their physical addresses, entry point in Secure SVC mode with
IRQ/FIQ masked), maps the board's memory regions as RAM and every peripheral
window the board's part has as MMIO, and leaves everything else unmapped so
that a stray access stops the run with a located :class:`SimFault`.

Instructions are counted exactly with a native block hook
(:mod:`tamapy.sim.counter`: the sum of the basic blocks the CPU ran,
corrected for the one a stop interrupts), which also cuts the run into
chunks; between chunks the loop checks the budget, the wall clock and timed
events (watchdog deadlines).  Simulated time is the instruction count (one
instruction per cycle at 528 MHz) plus idle cycles (WFI, and fast-forward
while the firmware polls a timer, :mod:`tamapy.sim.fastforward`), so timers
and the watchdog are deterministic.  Stable MMIO reads are answered natively
(:mod:`tamapy.sim.readcache`).  A run stops at the firmware's final console
line (``tamapy: exit N`` / ``tamapy: panic 0x...``), at a fault, when a
watchdog expires, on a software reset or power-off request, when the CPU
halts in WFI with nothing left to wake it, or when the instruction budget or
the timeout runs out.

CPU exceptions (undefined instruction, SVC, prefetch and data abort) are
delivered through the firmware's vector table, as the CPU does, whenever the
vector lies in RAM; each is recorded (:attr:`SimOutcome.exceptions`).  With
``exceptions="stop"``, or when the vector is not in RAM, the exception is a
fault that stops the run instead.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import replace
from typing import Any

import unicorn
from unicorn import (
    UC_ARCH_ARM,
    UC_ERR_EXCEPTION,
    UC_ERR_INSN_INVALID,
    UC_HOOK_INSN_INVALID,
    UC_HOOK_INTR,
    UC_HOOK_MEM_UNMAPPED,
    UC_MEM_FETCH_UNMAPPED,
    UC_MEM_WRITE_UNMAPPED,
    UC_MODE_ARM,
)
from unicorn.arm_const import UC_ARM_REG_CPSR, UC_CPU_ARM_CORTEX_A7

from tamapy.abi import final_outcome
from tamapy.diagnostics import error
from tamapy.sim.bus import Bus, BusFault
from tamapy.sim.capi import PcReader
from tamapy.sim.context import CPU_HZ, SimContext
from tamapy.sim.counter import INSN_BYTES, BlockCounter
from tamapy.sim.fastforward import FastForward
from tamapy.sim.image import BAD_IMAGE, IMAGE_NAME, Image, LoadSegment, Symbols, read_image
from tamapy.sim.inject import Injections
from tamapy.sim.memory import RegionMemory, UnicornStore, merge_spans, page_span
from tamapy.sim.outcome import MmioAccess, SimFault, SimOutcome
from tamapy.sim.peripherals import Ccm, RegisterFile, Uart, build_devices, plain_storage
from tamapy.sim.peripherals.base import SPEC_MISMATCH
from tamapy.sim.readcache import ReadCache
from tamapy.sim.stackwatch import StackWatch
from tamapy.sim.variants import bad_parameter, variant_for
from tamapy.sim.vectors import (
    CPU_EXCEPTIONS,
    INTR_VECTORS,
    SVC,
    UNDEFINED,
    Vector,
    enter_exception,
    system_control,
    vector_base,
)
from tamapy.specs.model import Board, Soc

IMAGE_OUTSIDE_MEMORY = "E521"
"""A loadable segment lies outside the board's memory."""

UNICORN: Any = unicorn
"""The Unicorn binding, used through ``Any``: mypy sees its decorated methods as untyped."""

CHUNK_INSNS = 100_000
"""Instructions per emu_start call (at least; a chunk ends at a block boundary);
the timeout is checked between chunks."""
RESET_CPSR = 0x1D3
"""Secure SVC mode, IRQ, FIQ and asynchronous aborts masked: what QEMU's ``-kernel`` starts with."""
NO_EXIT = 0xFFFF_FFFF
"""``until`` for emu_start: an odd address, which no ARM instruction can sit at."""

HINT_MASK = 0x0FFF_FFFF
"""Instruction word without its condition field."""
WFI = 0x0320_F003
WFE = 0x0320_F002
YIELD = 0x0320_F001

FF_STEPS_PER_SECOND = 1000
"""Fast-forward adds at most 1 ms of simulated time per timer poll."""
EXCEPTION_MODES = ("deliver", "stop")
MAX_RECORDED_EXCEPTIONS = 100
MAX_EXCEPTIONS = 10_000
"""Delivered exceptions after which the run is stopped as a fault (a handler that faults itself)."""

__all__ = [
    "BAD_IMAGE", "CHUNK_INSNS", "IMAGE_NAME", "IMAGE_OUTSIDE_MEMORY", "Image", "LoadSegment", "Machine",
    "MmioAccess", "SimFault", "SimOutcome", "Symbols", "read_image", "simulate",
]


# ----------------------------------------------------------------- the machine


class Machine:
    """One board with one image loaded, ready to :meth:`run` once.

    ``inject`` names faults to inject (:data:`tamapy.sim.inject.FAULTS`);
    ``unique_id`` (64 bits) and ``otp_key`` (16 bytes) choose the device's
    identity, derived from the board name when None; ``variant`` overrides the
    board's part (:data:`tamapy.sim.variants.VARIANTS`); ``trace`` receives every
    MMIO access, or only those of the instances and peripheral types ``trace_only``
    names when it names any; ``exceptions`` is ``deliver`` or ``stop`` (module docstring);
    ``clock_hz`` is the simulated instructions per second; ``fast_forward`` lets time
    run on while the firmware polls a timer (:mod:`tamapy.sim.fastforward`; off by
    default, so that time is the instruction count; ``tamapy run`` turns it on).
    """

    def __init__(self, elf: bytes, board: Board, soc: Soc, *,
                 echo: Callable[[bytes], None] | None = None, chunk: int = CHUNK_INSNS,
                 inject: Iterable[str] = (), unique_id: int | None = None, otp_key: bytes | None = None,
                 variant: str | None = None, trace: Callable[[MmioAccess], None] | None = None,
                 exceptions: str = "deliver", clock_hz: int = CPU_HZ, fast_forward: bool = False,
                 trace_only: Iterable[str] = ()) -> None:
        if exceptions not in EXCEPTION_MODES:
            raise bad_parameter(f"unknown exception handling {exceptions!r}", "use 'deliver' or 'stop'")
        if clock_hz <= 0:
            raise bad_parameter(f"clock_hz {clock_hz} is not positive", "give the simulated CPU clock in Hz")
        self.board = board
        self.image = read_image(elf)
        self.echo = echo
        self.chunk = chunk
        self.exceptions = exceptions
        self.hz = clock_hz
        self.variant = variant_for(board.name, variant)
        self.faults = Injections.of(inject)
        self._trace = trace

        self._idle = 0
        self._chunk_base = 0
        self._event_insn: int | None = None
        self._in_emulation = False
        self._fault: SimFault | None = None
        self._request: tuple[str, str] | None = None
        self._request_in_emulation = False
        self._final: tuple[str, int] | None = None
        self._exceptions: list[SimFault] = []
        self._exception_count = 0
        self._line_start = 0
        self._echoed = 0
        self._error: BaseException | None = None
        self._ran = False

        self.uc: Any = UNICORN.Uc(UC_ARCH_ARM, UC_MODE_ARM)
        self.uc.ctl_set_cpu_model(UC_CPU_ARM_CORTEX_A7)
        self.counter = BlockCounter(self.uc)
        self._pc = PcReader(self.uc)
        self.read_cache = ReadCache(enabled=trace is None)
        """Stable MMIO reads answered natively; none while tracing (every access is traced)."""
        self._hits_seen = 0
        self.ctx = SimContext(clock=self, memory=RegionMemory(board.memory, UnicornStore(self.uc)), variant=self.variant,
                              board=board.name, unique_id=unique_id, otp_key=otp_key, faults=self.faults,
                              console=board.console_uart, stop=self._request_stop,
                              reschedule=self._reschedule)
        devices = build_devices(soc, self.ctx)
        ccm = next((d for d in devices if isinstance(d, Ccm)), None)
        self.bus = Bus(devices, ccm)
        if trace is not None:
            self.bus.tracer = self._on_trace
        names = list(trace_only)
        self._traced = self.bus.instances_named(names) if names else None
        self._absent = [(p.name, base, p.size) for p in soc.peripherals if p.name in self.variant.absent
                        for _, base in p.instances]
        self._timed = [d for d in devices if type(d).next_event is not RegisterFile.next_event]
        self.plain_storage = plain_storage(devices)
        """Peripheral type -> instances with no model (plain register storage)."""
        self._ff = FastForward([d.base + d.register(name).offset for d in devices if fast_forward
                                for name in d.time_registers], max_step=clock_hz // FF_STEPS_PER_SECOND)
        self.console = self._connect_uarts(soc)

        self._map_memory()
        self._load()
        self.uc.reg_write(UC_ARM_REG_CPSR, RESET_CPSR)
        self.uc.hook_add(UC_HOOK_MEM_UNMAPPED, self._on_unmapped)
        self.uc.hook_add(UC_HOOK_INTR, self._on_exception)
        self.uc.hook_add(UC_HOOK_INSN_INVALID, self._on_invalid)
        self._stack = StackWatch.of(self.image.executable)
        if self._stack is not None:
            self._stack.attach(self.uc)

    # -- set-up ------------------------------------------------------------------

    def _connect_uarts(self, soc: Soc) -> Uart:
        """The console UART, watched for the final line; every UART's input invalidates the read cache."""
        console = next((d for d in self.bus.devices if d.instance == self.board.console_uart), None)
        if not isinstance(console, Uart):
            raise error(self.board.source, 0, 0, SPEC_MISMATCH,
                        f"console UART {self.board.console_uart} is not a UART of SoC {soc.name}",
                        "name one of the SoC's UART instances in [console] uart")
        console.on_transmit = self._on_console_byte
        for device in self.bus.devices:
            if isinstance(device, Uart):
                device.on_receive = self.read_cache.received
        return console

    def _map_memory(self) -> None:
        """RAM for the board's regions, MMIO for the part's peripheral windows."""
        for region in self.board.memory:
            self._map(f"memory region {region.name}", *page_span(region.base, region.size), mmio=False)
        spans = merge_spans([page_span(d.base, d.peripheral.size) for d in self.bus.devices])
        for start, end in spans:
            self._map(f"peripheral windows at 0x{start:08x}", start, end, mmio=True)
            # A memory hook over the window makes Unicorn keep the PC exact at each
            # access there (otherwise it reads as the start of the block), so faults
            # name the faulting instruction and stops land right after it.
            self.counter.watch_pc(start, end - 1)

    def _map(self, what: str, start: int, end: int, *, mmio: bool) -> None:
        try:
            if mmio:
                self.read_cache.map(self.uc, start, end - start, self._mmio_read, self._mmio_write)
            else:
                self.uc.mem_map(start, end - start)
        except UNICORN.UcError as exc:
            raise error(self.board.source, 0, 0, SPEC_MISMATCH,
                        f"cannot map the {what}: it overlaps another region ({exc})",
                        "memory regions and peripheral windows must not overlap") from None

    def _load(self) -> None:
        for seg in self.image.segments:
            if not any(r.contains(seg.address, seg.memsz) for r in self.board.memory):
                raise error(IMAGE_NAME, 0, 0, IMAGE_OUTSIDE_MEMORY,
                            f"the segment at 0x{seg.address:08x} (0x{seg.memsz:x} bytes) is outside "
                            f"the memory of board {self.board.name}",
                            "build the image for this board (`--board`)")
            self.uc.mem_write(seg.address, seg.data + bytes(seg.memsz - len(seg.data)))

    # -- inputs and state -----------------------------------------------------------

    def feed_console(self, data: bytes) -> None:
        """Bytes typed on the console: the firmware reads them from the console UART.

        Safe to call from another thread while :meth:`run` runs (``tamapy run``
        forwards stdin this way).
        """
        self.console.receive(data)

    def uart(self, instance: str) -> Uart:
        """A UART model, e.g. to read what a non-console UART sent."""
        device = self.bus.device(instance)
        if not isinstance(device, Uart):
            raise KeyError(instance)
        return device

    @property
    def instructions(self) -> int:
        return self.counter.insns

    def _done(self) -> int:
        """Instructions completed, exact at the access being served."""
        if not self._in_emulation:
            return self.counter.insns
        return self.counter.done_at(self._pc())

    def cycles(self) -> int:
        """Simulated time in cycles, exact at the access being served (the clock of the models)."""
        return self._done() + self._idle

    def symbol(self, pc: int) -> str | None:
        return self.image.symbols.function_at(pc)

    # -- the run loop ---------------------------------------------------------------

    def run(self, *, max_insns: int = 50_000_000, timeout: float = 30.0) -> SimOutcome:
        """Run from the entry point until the final line, a fault, a stop request, WFI,
        the budget or the timeout."""
        if self._ran:
            raise RuntimeError("a Machine runs once; build a new one to run again")
        self._ran = True
        start = time.monotonic()
        pc = self.image.entry
        self._reschedule()
        while True:
            if self.counter.insns >= max_insns:
                return self._outcome("max-insns")
            if time.monotonic() - start > timeout:
                return self._outcome("timeout")
            self._chunk_base = self.counter.insns
            self.counter.start_chunk(self._chunk_end(), max_insns)
            failure: Any = None
            self._in_emulation = True
            try:
                self.uc.emu_start(pc, NO_EXIT)
            except UNICORN.UcError as exc:
                failure = exc
            finally:
                self._in_emulation = False
            self._flush_echo()
            if self._error is not None:
                raise self._error
            pc = self._pc()
            if failure is not None and self._fault is None:
                hint = self._hint_before(pc) if failure.errno == UC_ERR_INSN_INVALID else None
                if hint == YIELD:  # a no-op on one core; Unicorn stops on it
                    self._settle(pc, completed=False)
                    continue
                if hint == WFE:  # nothing here sends events: it waits forever, like WFI
                    self._settle(pc, completed=False)
                    return self._idle_until_event()
                self._fault = self._cpu_fault(failure, pc)
            if self._fault is not None:
                self._settle(self._fault.pc, completed=False)
                return self._outcome("fault")
            if self._final is not None:
                self._settle(pc, completed=True)
                return self._outcome("final-line")
            if self._request is not None:
                if self._request_in_emulation:
                    self._settle(pc, completed=True)
                return self._outcome(self._request[0])
            stopped_by = self.counter.stopped_by
            if stopped_by == "max-insns":
                return self._outcome("max-insns")
            if stopped_by == "chunk":
                self._check_events()
                if self._request is not None:
                    return self._outcome(self._request[0])
                continue
            if self._hint_before(pc) == WFI:
                return self._idle_until_event()
            raise RuntimeError(f"internal error: Unicorn stopped at 0x{pc:08x} for no known reason")

    def _outcome(self, reason: str) -> SimOutcome:
        final, code = self._final if self._final is not None else (None, None)
        notes = {d.instance: n for d in self.bus.devices if (n := d.notes()) is not None}
        return SimOutcome(
            output=bytes(self.console.transmitted), final=final, code=code, instructions=self.counter.insns,
            fault=self._fault, stop_reason=reason,
            detail=self._request[1] if self._request is not None and reason == self._request[0] else None,
            exceptions=tuple(self._exceptions),
            injected=tuple(replace(i) for i in self.faults.active.values()),
            notes=notes, board=self.board.name, soc=self.variant.name,
            console_uart=self.board.console_uart, cycles=self.counter.insns + self._idle, clock_hz=self.hz,
            stack=self._stack.use() if self._stack is not None else None, fast_forwarded=self._ff.skipped,
            plain_storage=self.plain_storage,
        )

    def _settle(self, pc: int, *, completed: bool) -> None:
        """Un-count the part of the current block a stop at ``pc`` kept from running.

        The block hook counted the whole block; the instruction at ``pc`` ran
        only if ``completed`` (a store that printed the final line).
        """
        self.counter.settle(pc, completed=completed)

    def _hint_before(self, pc: int) -> int | None:
        """The hint instruction (WFI, WFE, YIELD) just before ``pc``, if it is one."""
        try:
            word = int.from_bytes(self.uc.mem_read(pc - INSN_BYTES, INSN_BYTES), "little")
        except UNICORN.UcError:
            return None
        return word & HINT_MASK if word & HINT_MASK in (WFI, WFE, YIELD) else None

    # -- time and events --------------------------------------------------------------

    def _reschedule(self) -> None:
        """Recompute the next timed event and let the block hook stop there."""
        events = [t for d in self._timed if (t := d.next_event()) is not None]
        self._event_insn = min(events) - self._idle if events else None
        self.counter.set_chunk_end(self._chunk_end())

    def _chunk_end(self) -> int:
        """Where the block hook stops the current chunk: its size, or the next event."""
        end = self._chunk_base + self.chunk
        if self._event_insn is not None:
            end = min(end, max(self._event_insn, self._chunk_base + 1))
        return end

    def _check_events(self) -> None:
        """Let every timed model act on the current time (may request a stop)."""
        for device in self._timed:
            event = device.next_event()
            if event is not None and event <= self.cycles():
                device.on_time()
        self._reschedule()

    def _idle_until_event(self) -> SimOutcome:
        """The CPU waits (WFI/WFE) and nothing can wake it (no interrupt controller is
        modelled): time runs on to the next timed event, which may end the run
        (a watchdog expiring); otherwise the run is ``halted``."""
        events = [t for d in self._timed if (t := d.next_event()) is not None]
        if events:
            self._idle += max(0, min(events) - self.cycles())
            self._check_events()
            if self._request is not None:
                return self._outcome(self._request[0])
        return self._outcome("halted")

    def _request_stop(self, reason: str, detail: str) -> None:
        """A model asks to end the run (watchdog, software reset, power-off)."""
        if self._request is not None:
            return
        self._request = (reason, detail)
        self._request_in_emulation = self._in_emulation
        if self._in_emulation:
            self.uc.emu_stop()

    # -- faults and exceptions ----------------------------------------------------------

    def _cpu_fault(self, failure: Any, pc: int) -> SimFault:
        if failure.errno == UC_ERR_INSN_INVALID:
            word = int.from_bytes(self.uc.mem_read(pc, INSN_BYTES), "little")
            return self._make_fault("undefined-instruction", None, pc, f"undefined instruction 0x{word:08x}",
                                    UNDEFINED.name)
        if failure.errno == UC_ERR_EXCEPTION:
            return self._make_fault("cpu-exception", None, pc, "unhandled CPU exception")
        return self._make_fault("cpu-exception", None, pc, str(failure))

    def _make_fault(self, kind: str, address: int | None, pc: int, message: str,
                    vector: str | None = None) -> SimFault:
        return SimFault(kind, address, pc, self.symbol(pc), message, self.image.line_at(pc), vector)

    def _deliver(self, vector: Vector, pc: int, fault: SimFault, resume: int) -> SimFault | None:
        """Take exception ``vector`` for the instruction at ``pc`` as the CPU would:
        banked mode, SPSR, LR, CPSR, jump to VBAR + offset.  ``resume`` is where the
        interrupted block stopped (what ran of it stays counted).  Returns the fault
        to stop with instead when it cannot (or must not) be delivered."""
        if self.exceptions == "stop":
            return replace(fault, message=fault.message + " (not delivered: exceptions='stop')")
        self._exception_count += 1
        if self._exception_count > MAX_EXCEPTIONS:
            return replace(fault, message=fault.message + f" (not delivered: more than {MAX_EXCEPTIONS} "
                                                          "exceptions, the handlers keep faulting)")
        sctlr = system_control(self.uc)
        base = vector_base(self.uc, sctlr)
        target = (base + vector.offset) & 0xFFFF_FFFF
        if self.board.region_of(target) is None:
            return replace(fault, message=fault.message + f" (not delivered: the {vector.name} vector at "
                                                          f"0x{target:08x} is not in RAM; VBAR = 0x{base:08x})")
        self._settle(resume, completed=False)
        self._ff.reset()
        enter_exception(self.uc, vector, pc, target, sctlr)
        if len(self._exceptions) < MAX_RECORDED_EXCEPTIONS:
            self._exceptions.append(replace(fault, message=fault.message + f" (delivered to 0x{target:08x})"))
        return None

    def _flush_echo(self) -> None:
        out = self.console.transmitted
        if self.echo is not None and self._echoed < len(out):
            self.echo(bytes(out[self._echoed:]))
        self._echoed = len(out)

    # -- Unicorn callbacks (exceptions cannot cross them: they are kept and re-raised) --

    def _on_trace(self, read: bool, address: int, size: int, value: int, name: str) -> None:
        assert self._trace is not None
        if self._traced is not None and name.partition(".")[0] not in self._traced:
            return
        pc = self._pc()
        self._trace(MmioAccess(self.counter.done_at(pc), pc, read, address, name, size * 8, value))

    def _stop(self, uc: Any, exc: BaseException) -> None:
        if isinstance(exc, BusFault):
            pc = self._pc()
            self._fault = self._make_fault(exc.kind, exc.address, pc, exc.message)
        else:
            self._error = exc
        uc.emu_stop()

    def _fast_forward(self, address: int) -> None:
        """A time register read: let the idle time grow if it is a poll (never past an event)."""
        pc = self._pc()
        done = self.counter.done_at(pc)
        now = done + self._idle
        limit = None if self._event_insn is None else self._event_insn + self._idle - now
        skip = self._ff.poll(pc, address, done, now, limit)
        if skip:  # the events stay where they are in cycles: they come ``skip`` instructions sooner
            self._idle += skip
            if self._event_insn is not None:
                self._event_insn -= skip
                self.counter.set_chunk_end(self._chunk_end())

    def _mmio_read(self, _handle: Any, offset: int, size: int, base: int) -> int:
        if self._fault is not None or self._error is not None or self._request is not None:
            return 0
        address = base + offset
        reads = self.read_cache
        stamps = reads.stamps()
        if reads.hits != self._hits_seen:  # reads answered natively since: accesses too
            self._hits_seen = reads.hits
            self._ff.reset()
        try:
            if address in self._ff.watched:
                self._fast_forward(address)
            elif self._ff.site is not None:
                self._ff.reset()
            value = self.bus.read(address, size)
            if reads.enabled and self.bus.stable(address):
                reads.store(address, size, value, stamps)
            return value
        except BaseException as exc:  # must not unwind through Unicorn
            self._stop(self.uc, exc)
            return 0

    def _mmio_write(self, _handle: Any, offset: int, size: int, value: int, base: int) -> None:
        if self._fault is not None or self._error is not None or self._request is not None:
            return
        self._ff.reset()
        self.read_cache.written()
        try:
            self.bus.write(base + offset, size, value)
        except BaseException as exc:  # must not unwind through Unicorn
            self._stop(self.uc, exc)

    def _on_unmapped(self, uc: Any, access: int, address: int, size: int, value: int, _user: Any) -> bool:
        pc = self._pc()
        if access == UC_MEM_FETCH_UNMAPPED:
            what = "instruction fetch"
        elif access == UC_MEM_WRITE_UNMAPPED:
            what = f"write of {size} bytes"
        else:
            what = f"read of {size} bytes"
        message = f"{what} at 0x{address:08x}: no memory or peripheral is mapped there"
        for name, base, window in self._absent:
            if base <= address < base + window:
                message = (f"{what} at 0x{address:08x}: that is the {name} window (0x{base:08x}), and the "
                           f"{self.variant.name} of board {self.board.name} has no {name}")
        self._fault = self._make_fault("unmapped", address, pc, message)
        return False

    def _on_exception(self, uc: Any, number: int, _user: Any) -> None:
        pc = self._pc()
        name = CPU_EXCEPTIONS.get(number, f"exception {number}")
        vector = INTR_VECTORS.get(number)
        if vector is SVC:
            pc -= INSN_BYTES  # Unicorn reports SVC with the PC already past it
        fault = self._make_fault("cpu-exception", None, pc, name, vector.name if vector else None)
        if vector is not None:
            stop = self._deliver(vector, pc, fault, pc + (INSN_BYTES if vector is SVC else 0))
            if stop is None:
                return
            fault = stop
        else:
            fault = replace(fault, message=f"{name} (not delivered: not modelled)")
        self._fault = fault
        uc.emu_stop()

    def _on_invalid(self, uc: Any, _user: Any) -> bool:
        """An undefined instruction -- or YIELD/WFE, which Unicorn reports the same way
        (with the PC already past the hint, at the end of its block)."""
        pc = self._pc()
        if not self.counter.in_block(pc):
            return False  # a hint: the run loop handles it
        word = int.from_bytes(uc.mem_read(pc, INSN_BYTES), "little")
        fault = self._make_fault("undefined-instruction", None, pc, f"undefined instruction 0x{word:08x}",
                                 UNDEFINED.name)
        stop = self._deliver(UNDEFINED, pc, fault, pc)
        if stop is None:
            return True
        self._fault = stop
        return False

    def _on_console_byte(self, byte: int) -> None:
        """Watch for the final line; stop right after the store that completes it."""
        if byte != 0x0A:
            return
        out = self.console.transmitted
        seen = final_outcome(bytes(out[self._line_start:-1]))
        self._line_start = len(out)
        if seen is not None and self._final is None:
            self._final = seen
            self.uc.emu_stop()


def simulate(elf: bytes, board: Board, soc: Soc, *, max_insns: int = 50_000_000, timeout: float = 30.0,
             echo: Callable[[bytes], None] | None = None, inject: Iterable[str] = (),
             unique_id: int | None = None, otp_key: bytes | None = None, variant: str | None = None,
             trace: Callable[[MmioAccess], None] | None = None, exceptions: str = "deliver",
             clock_hz: int = CPU_HZ, console_input: bytes = b"", fast_forward: bool = False) -> SimOutcome:
    """Boot ``elf`` on the simulated ``board`` and run it to its end (see :class:`Machine`).

    ``console_input`` is queued on the console UART before the run starts.
    """
    machine = Machine(elf, board, soc, echo=echo, inject=inject, unique_id=unique_id, otp_key=otp_key,
                      variant=variant, trace=trace, exceptions=exceptions, clock_hz=clock_hz,
                      fast_forward=fast_forward)
    if console_input:
        machine.feed_console(console_input)
    return machine.run(max_insns=max_insns, timeout=timeout)
