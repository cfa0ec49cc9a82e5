"""The board simulator: Unicorn runs the image, Python models answer its MMIO.

The machine starts the image the way QEMU's ``-kernel`` does (PT_LOAD
segments at their physical addresses, entry point in Secure SVC mode with
IRQ/FIQ masked), maps the board's memory regions as RAM and every peripheral
window of the SoC as MMIO, and leaves everything else unmapped so that a
stray access stops the run with a located :class:`SimFault`.

Instructions are counted exactly with a block hook (the sum of the basic
blocks the CPU ran, corrected for the one a stop interrupts), which also
cuts the run into chunks; between chunks the loop checks the budget and the
wall clock.  A run stops at the firmware's final console line
(``tamapy: exit N`` / ``tamapy: panic 0x...``), at a fault, when the CPU
halts in WFI, or when the instruction budget or the timeout runs out.
Nothing depends on wall time except the timeout, so a run is deterministic.
"""

from __future__ import annotations

import bisect
import io
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import unicorn
from elftools.common.exceptions import ELFError
from elftools.elf.elffile import ELFFile
from unicorn import (
    UC_ARCH_ARM,
    UC_ERR_EXCEPTION,
    UC_ERR_INSN_INVALID,
    UC_HOOK_BLOCK,
    UC_HOOK_INTR,
    UC_HOOK_MEM_READ,
    UC_HOOK_MEM_UNMAPPED,
    UC_HOOK_MEM_WRITE,
    UC_MEM_FETCH_UNMAPPED,
    UC_MEM_WRITE_UNMAPPED,
    UC_MODE_ARM,
)
from unicorn.arm_const import UC_ARM_REG_CPSR, UC_ARM_REG_PC, UC_CPU_ARM_CORTEX_A7

from tamapy.diagnostics import TamapyError, error
from tamapy.qemu import FINAL_LINE
from tamapy.sim.bus import Bus, BusFault
from tamapy.sim.peripherals import Ccm, Uart, build_devices
from tamapy.sim.peripherals.base import SPEC_MISMATCH
from tamapy.specs.model import Board, Soc

BAD_IMAGE = "E520"
"""The image is not an ELF32 little-endian ARM executable, or is truncated."""
IMAGE_OUTSIDE_MEMORY = "E521"
"""A loadable segment lies outside the board's memory."""

UNICORN: Any = unicorn
"""The Unicorn binding, used through ``Any``: mypy sees its decorated methods as untyped."""

IMAGE_NAME = "<image>"
"""File name in diagnostics: the simulator is given bytes, not a path."""

CHUNK_INSNS = 100_000
"""Instructions per emu_start call (at least; a chunk ends at a block boundary);
the timeout is checked between chunks."""
RESET_CPSR = 0x1D3
"""Secure SVC mode, IRQ, FIQ and asynchronous aborts masked: what QEMU's ``-kernel`` starts with."""
PAGE = 0x1000
NO_EXIT = 0xFFFF_FFFF
"""``until`` for emu_start: an odd address, which no ARM instruction can sit at."""
INSN_BYTES = 4
"""ARM state only: the firmware is compiled for ARM, never Thumb."""

HINT_MASK = 0x0FFF_FFFF
"""Instruction word without its condition field."""
WFI = 0x0320_F003
WFE = 0x0320_F002
YIELD = 0x0320_F001

CPU_EXCEPTIONS = {
    2: "supervisor call",
    3: "prefetch abort",
    4: "data abort",
    5: "IRQ",
    6: "FIQ",
    7: "breakpoint",
    11: "hypervisor call",
    13: "secure monitor call",
}
"""QEMU's ARM exception numbers (``EXCP_*``) as Unicorn reports them to an interrupt hook."""


@dataclass(frozen=True)
class SimFault:
    """Why the simulated CPU could not go on, located in the image."""

    kind: str
    """``unmapped``, ``width``, ``access``, ``clock-gated``, ``undefined-instruction`` or ``cpu-exception``."""
    address: int | None
    """The data address accessed (None for faults that are not accesses)."""
    pc: int
    symbol: str | None
    """Function containing ``pc`` (from the ELF symbol table)."""
    message: str

    def render(self) -> str:
        where = f"pc 0x{self.pc:08x}" + (f" in {self.symbol}" if self.symbol else "")
        return f"{self.kind} fault at {where}: {self.message}"


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
    """``final-line``, ``fault``, ``max-insns``, ``timeout`` or ``halted``."""

    @property
    def status(self) -> int:
        """Process exit status for ``tamapy run``: 0 only for ``tamapy: exit 0``."""
        return 0 if self.final == "exit" and self.code == 0 else 1


# ----------------------------------------------------------------- the image


@dataclass(frozen=True)
class LoadSegment:
    address: int
    data: bytes
    memsz: int
    executable: bool


class Symbols:
    """Function symbols of an image, to name the function a PC is in."""

    def __init__(self, functions: list[tuple[int, int, str]]) -> None:
        self._functions = sorted(functions)
        self._starts = [f[0] for f in self._functions]

    def function_at(self, pc: int) -> str | None:
        """The function whose [value, value + size) holds ``pc``; for a size-0
        symbol, the nearest one at or below ``pc``."""
        i = bisect.bisect_right(self._starts, pc) - 1
        if i < 0:
            return None
        start, size, name = self._functions[i]
        return name if size == 0 or pc < start + size else None


@dataclass(frozen=True)
class Image:
    entry: int
    segments: tuple[LoadSegment, ...]
    symbols: Symbols


def _bad_image(message: str, hint: str = "") -> TamapyError:
    return error(IMAGE_NAME, 0, 0, BAD_IMAGE, message, hint)


def _functions(elf: ELFFile) -> Iterator[tuple[int, int, str]]:
    symtab = elf.get_section_by_name(".symtab")
    if symtab is None or not hasattr(symtab, "iter_symbols"):
        return
    for sym in symtab.iter_symbols():
        if sym["st_info"]["type"] == "STT_FUNC" and sym.name:
            yield sym["st_value"] & ~1, sym["st_size"], sym.name


def read_image(elf_bytes: bytes) -> Image:
    """Loadable segments, entry point and function symbols of an ARM executable."""
    try:
        elf = ELFFile(io.BytesIO(elf_bytes))
        if elf.elfclass != 32 or not elf.little_endian or elf["e_machine"] != "EM_ARM":
            raise _bad_image("the image is not a 32-bit little-endian ARM ELF file",
                             "build it with `tamapy build APP --board B`")
        if elf["e_type"] != "ET_EXEC":
            raise _bad_image(f"the image is an ELF {elf['e_type']} file, not an executable",
                             "link the object first (`tamapy build`)")
        segments = []
        for seg in elf.iter_segments():
            if seg["p_type"] != "PT_LOAD" or seg["p_memsz"] == 0:
                continue
            data = seg.data()
            if len(data) != seg["p_filesz"] or seg["p_filesz"] > seg["p_memsz"]:
                raise _bad_image(f"the loadable segment at 0x{seg['p_paddr']:08x} is truncated or inconsistent")
            segments.append(LoadSegment(seg["p_paddr"], data, seg["p_memsz"], bool(seg["p_flags"] & 1)))
        symbols = Symbols(list(_functions(elf)))
        entry = elf["e_entry"]
    except (ELFError, ValueError, KeyError, OSError) as exc:
        raise _bad_image(f"the image is not a readable ELF file ({exc})") from None
    if not any(s.executable and s.address <= entry < s.address + s.memsz for s in segments):
        raise _bad_image(f"the entry point 0x{entry:08x} is not in an executable loadable segment")
    return Image(entry, tuple(segments), symbols)


# ----------------------------------------------------------------- the machine


def _page_span(base: int, size: int) -> tuple[int, int]:
    start = base & ~(PAGE - 1)
    end = (base + size + PAGE - 1) & ~(PAGE - 1)
    return start, end


def _merge_spans(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


class Machine:
    """One board with one image loaded, ready to :meth:`run` once."""

    def __init__(self, elf: bytes, board: Board, soc: Soc, *,
                 echo: Callable[[bytes], None] | None = None, chunk: int = CHUNK_INSNS) -> None:
        self.board = board
        self.image = read_image(elf)
        self.echo = echo
        self.chunk = chunk
        devices = build_devices(soc)
        ccm = next((d for d in devices if isinstance(d, Ccm)), None)
        self.bus = Bus(devices, ccm)
        try:
            console = self.bus.device(board.console_uart)
        except KeyError:
            console = None
        if not isinstance(console, Uart):
            raise error(board.source, 0, 0, SPEC_MISMATCH,
                        f"console UART {board.console_uart} is not a UART of SoC {soc.name}",
                        "name one of the SoC's UART instances in [console] uart")
        self.console = console
        console.on_transmit = self._on_console_byte

        self._insns = 0
        self._max_insns = 0
        self._chunk_end = 0
        self._block = (0, 0)
        self._stopped_by: str | None = None
        self._fault: SimFault | None = None
        self._final: tuple[str, int] | None = None
        self._line_start = 0
        self._echoed = 0
        self._error: BaseException | None = None
        self._ran = False

        self.uc: Any = UNICORN.Uc(UC_ARCH_ARM, UC_MODE_ARM)
        self.uc.ctl_set_cpu_model(UC_CPU_ARM_CORTEX_A7)
        self._map_memory()
        self._load()
        self.uc.reg_write(UC_ARM_REG_CPSR, RESET_CPSR)
        self.uc.hook_add(UC_HOOK_BLOCK, self._on_block)
        self.uc.hook_add(UC_HOOK_MEM_UNMAPPED, self._on_unmapped)
        self.uc.hook_add(UC_HOOK_INTR, self._on_exception)

    # -- set-up ------------------------------------------------------------------

    def _map_memory(self) -> None:
        """RAM for the board's regions, MMIO for the SoC's peripheral windows."""
        for region in self.board.memory:
            self._map(f"memory region {region.name}", *_page_span(region.base, region.size), mmio=False)
        spans = _merge_spans([_page_span(d.base, d.peripheral.size) for d in self.bus.devices])
        for start, end in spans:
            self._map(f"peripheral windows at 0x{start:08x}", start, end, mmio=True)
            # A memory hook over the window makes Unicorn keep the PC exact at each
            # access there (otherwise it reads as the start of the block), so faults
            # name the faulting instruction and stops land right after it.
            self.uc.hook_add(UC_HOOK_MEM_READ | UC_HOOK_MEM_WRITE, self._on_mmio_access, None, start, end - 1)

    def _map(self, what: str, start: int, end: int, *, mmio: bool) -> None:
        try:
            if mmio:
                self.uc.mmio_map(start, end - start, self._mmio_read, start, self._mmio_write, start)
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
        """Bytes typed on the console: the firmware reads them from the console UART."""
        self.console.receive(data)

    def uart(self, instance: str) -> Uart:
        """A UART model, e.g. to read what a non-console UART sent."""
        device = self.bus.device(instance)
        if not isinstance(device, Uart):
            raise KeyError(instance)
        return device

    @property
    def instructions(self) -> int:
        return self._insns

    def symbol(self, pc: int) -> str | None:
        return self.image.symbols.function_at(pc)

    # -- the run loop ---------------------------------------------------------------

    def run(self, *, max_insns: int = 50_000_000, timeout: float = 30.0) -> SimOutcome:
        """Run from the entry point until the final line, a fault, WFI, the budget or the timeout."""
        if self._ran:
            raise RuntimeError("a Machine runs once; build a new one to run again")
        self._ran = True
        start = time.monotonic()
        pc = self.image.entry
        while True:
            if self._insns >= max_insns:
                return self._outcome("max-insns")
            if time.monotonic() - start > timeout:
                return self._outcome("timeout")
            self._max_insns = max_insns
            self._chunk_end = self._insns + self.chunk
            self._stopped_by = None
            failure: Any = None
            try:
                self.uc.emu_start(pc, NO_EXIT)
            except UNICORN.UcError as exc:
                failure = exc
            self._flush_echo()
            if self._error is not None:
                raise self._error
            pc = self.uc.reg_read(UC_ARM_REG_PC)
            if failure is not None and self._fault is None:
                hint = self._hint_before(pc) if failure.errno == UC_ERR_INSN_INVALID else None
                if hint == YIELD:  # a no-op on one core; Unicorn stops on it
                    self._settle(pc, completed=False)
                    continue
                if hint == WFE:  # nothing here sends events: it waits forever, like WFI
                    self._settle(pc, completed=False)
                    return self._outcome("halted")
                self._fault = self._cpu_fault(failure, pc)
            if self._fault is not None:
                self._settle(self._fault.pc, completed=False)
                return self._outcome("fault")
            if self._final is not None:
                self._settle(pc, completed=True)
                return self._outcome("final-line")
            if self._stopped_by == "max-insns":
                return self._outcome("max-insns")
            if self._stopped_by == "chunk":
                continue
            if self._hint_before(pc) == WFI:
                return self._outcome("halted")
            raise RuntimeError(f"internal error: Unicorn stopped at 0x{pc:08x} for no known reason")

    def _outcome(self, reason: str) -> SimOutcome:
        final, code = self._final if self._final is not None else (None, None)
        return SimOutcome(bytes(self.console.transmitted), final, code, self._insns, self._fault, reason)

    def _settle(self, pc: int, *, completed: bool) -> None:
        """Un-count the part of the current block a stop at ``pc`` kept from running.

        The block hook counted the whole block; the instruction at ``pc`` ran
        only if ``completed`` (a store that printed the final line).
        """
        begin, size = self._block
        if begin <= pc < begin + size:
            self._insns -= (begin + size - pc) // INSN_BYTES - (1 if completed else 0)
        self._block = (0, 0)

    def _hint_before(self, pc: int) -> int | None:
        """The hint instruction (WFI, WFE, YIELD) just before ``pc``, if it is one."""
        try:
            word = int.from_bytes(self.uc.mem_read(pc - INSN_BYTES, INSN_BYTES), "little")
        except UNICORN.UcError:
            return None
        return word & HINT_MASK if word & HINT_MASK in (WFI, WFE, YIELD) else None

    def _cpu_fault(self, failure: Any, pc: int) -> SimFault:
        if failure.errno == UC_ERR_INSN_INVALID:
            word = int.from_bytes(self.uc.mem_read(pc, INSN_BYTES), "little")
            return self._make_fault("undefined-instruction", None, pc, f"undefined instruction 0x{word:08x}")
        if failure.errno == UC_ERR_EXCEPTION:
            return self._make_fault("cpu-exception", None, pc, "unhandled CPU exception")
        return self._make_fault("cpu-exception", None, pc, str(failure))

    def _make_fault(self, kind: str, address: int | None, pc: int, message: str) -> SimFault:
        return SimFault(kind, address, pc, self.symbol(pc), message)

    def _flush_echo(self) -> None:
        out = self.console.transmitted
        if self.echo is not None and self._echoed < len(out):
            self.echo(bytes(out[self._echoed:]))
        self._echoed = len(out)

    # -- Unicorn callbacks (exceptions cannot cross them: they are kept and re-raised) --

    def _on_block(self, uc: Any, address: int, size: int, _user: Any) -> None:
        n = size // INSN_BYTES
        over_budget = self._insns + n > self._max_insns
        if over_budget or self._insns >= self._chunk_end:
            # Stopping here keeps this block from running; it is counted when it does.
            self._stopped_by = "max-insns" if over_budget else "chunk"
            uc.emu_stop()
            return
        self._insns += n
        self._block = (address, size)

    def _on_mmio_access(self, uc: Any, access: int, address: int, size: int, value: int, _user: Any) -> None:
        """Present only for its side effect on the PC (see _map_memory)."""

    def _stop(self, uc: Any, exc: BaseException) -> None:
        if isinstance(exc, BusFault):
            pc = uc.reg_read(UC_ARM_REG_PC)
            self._fault = self._make_fault(exc.kind, exc.address, pc, exc.message)
        else:
            self._error = exc
        uc.emu_stop()

    def _mmio_read(self, uc: Any, offset: int, size: int, base: int) -> int:
        if self._fault is not None or self._error is not None:
            return 0
        try:
            return self.bus.read(base + offset, size)
        except BaseException as exc:  # must not unwind through Unicorn
            self._stop(uc, exc)
            return 0

    def _mmio_write(self, uc: Any, offset: int, size: int, value: int, base: int) -> None:
        if self._fault is not None or self._error is not None:
            return
        try:
            self.bus.write(base + offset, size, value)
        except BaseException as exc:  # must not unwind through Unicorn
            self._stop(uc, exc)

    def _on_unmapped(self, uc: Any, access: int, address: int, size: int, value: int, _user: Any) -> bool:
        pc = uc.reg_read(UC_ARM_REG_PC)
        if access == UC_MEM_FETCH_UNMAPPED:
            what = "instruction fetch"
        elif access == UC_MEM_WRITE_UNMAPPED:
            what = f"write of {size} bytes"
        else:
            what = f"read of {size} bytes"
        self._fault = self._make_fault(
            "unmapped", address, pc, f"{what} at 0x{address:08x}: no memory or peripheral is mapped there")
        return False

    def _on_exception(self, uc: Any, number: int, _user: Any) -> None:
        pc = uc.reg_read(UC_ARM_REG_PC)
        name = CPU_EXCEPTIONS.get(number, f"exception {number}")
        self._fault = self._make_fault("cpu-exception", None, pc, f"{name} (not delivered to the vector table)")
        uc.emu_stop()

    def _on_console_byte(self, byte: int) -> None:
        """Watch for the final line; stop right after the store that completes it."""
        if byte != 0x0A:
            return
        out = self.console.transmitted
        match = FINAL_LINE.match(bytes(out[self._line_start:-1]))
        self._line_start = len(out)
        if match and self._final is None:
            exit_code, panic_code = match.group(2), match.group(3)
            self._final = ("exit", int(exit_code)) if exit_code is not None else ("panic", int(panic_code, 16))
            self.uc.emu_stop()


def simulate(elf: bytes, board: Board, soc: Soc, *, max_insns: int = 50_000_000, timeout: float = 30.0,
             echo: Callable[[bytes], None] | None = None) -> SimOutcome:
    """Boot ``elf`` on the simulated ``board`` and run it to its end (see :class:`Machine`)."""
    return Machine(elf, board, soc, echo=echo).run(max_insns=max_insns, timeout=timeout)
