"""Exact instruction counting in native code: a block hook JIT-compiled for the host.

Counting instructions exactly needs a callback on every basic block the CPU
runs.  Called through Python, that callback costs more than the emulation
itself (about 12 M instructions/s against Unicorn's 170 M/s), so the hook is
a few lines of LLVM IR compiled for the host with llvmlite's MCJIT and
registered with Unicorn's C API.  It shares its state with Python through a
``ctypes`` array (:class:`BlockCounter`): instructions counted, the chunk end,
the budget, why it stopped Unicorn, and the block running now, which the
machine needs to make the count exact in the middle of a block.

A host where MCJIT cannot be created gets the same hook in Python, on the same
state, so the results are identical, only slower.  The MMIO windows get a
native no-op memory hook from the same module: its presence alone makes
Unicorn keep the PC exact at each access there.  The same compilation also
holds the native MMIO read of :mod:`tamapy.sim.readcache`.
"""

from __future__ import annotations

import ctypes
import functools
from typing import Any

import unicorn
from unicorn import UC_HOOK_BLOCK, UC_HOOK_MEM_READ, UC_HOOK_MEM_WRITE

from tamapy.sim.capi import uclib

UC: Any = unicorn
INSN_BYTES = 4
"""ARM state only: the firmware is compiled for ARM, never Thumb."""

INSNS, CHUNK_END, BUDGET, STOPPED, BLOCK_BEGIN, BLOCK_SIZE = range(6)
"""Slots of the shared state (64-bit words)."""
STOP_NONE, STOP_CHUNK, STOP_BUDGET = 0, 1, 2
"""Values of the STOPPED slot: why the hook stopped Unicorn."""
STOP_NAMES = {STOP_NONE: None, STOP_CHUNK: "chunk", STOP_BUDGET: "max-insns"}

_IR = """
define void @on_block(ptr %uc, i64 %address, i32 %size, ptr %state) {{
entry:
  %words = lshr i32 %size, 2
  %n = zext i32 %words to i64
  %insns = load i64, ptr %state
  %new = add i64 %insns, %n
  %pbudget = getelementptr i64, ptr %state, i64 {budget}
  %budget = load i64, ptr %pbudget
  %over = icmp ugt i64 %new, %budget
  %pend = getelementptr i64, ptr %state, i64 {chunk_end}
  %end = load i64, ptr %pend
  %at_end = icmp uge i64 %insns, %end
  %stop = or i1 %over, %at_end
  br i1 %stop, label %halt, label %count
halt:
  %why = select i1 %over, i64 {stop_budget}, i64 {stop_chunk}
  %pwhy = getelementptr i64, ptr %state, i64 {stopped}
  store i64 %why, ptr %pwhy
  %r = call i32 inttoptr (i64 {emu_stop} to ptr)(ptr %uc)
  ret void
count:
  store i64 %new, ptr %state
  %pbegin = getelementptr i64, ptr %state, i64 {block_begin}
  store i64 %address, ptr %pbegin
  %psize = getelementptr i64, ptr %state, i64 {block_size}
  %size64 = zext i32 %size to i64
  store i64 %size64, ptr %psize
  ret void
}}

define void @on_mem(ptr %uc, i32 %type, i64 %address, i32 %size, i64 %value, ptr %user) {{
entry:
  ret void
}}

%Entry = type {{ i64, i64, i64, i64, i32 }}

define i64 @mmio_read(ptr %uc, i64 %offset, i32 %size, ptr %window) {{
entry:
  %base = load i64, ptr %window
  %ptable = getelementptr i8, ptr %window, i64 8
  %table = load ptr, ptr %ptable
  %pslow = getelementptr i8, ptr %window, i64 16
  %slow = load ptr, ptr %pslow
  %address = add i64 %base, %offset
  %word = lshr i64 %address, 2
  %index = and i64 %word, {slot_mask}
  %entries = getelementptr i8, ptr %table, i64 24
  %slot = getelementptr %Entry, ptr %entries, i64 %index
  %pstamp = getelementptr i8, ptr %table, i64 8
  %stamp = load atomic i64, ptr %pstamp monotonic, align 8
  %pinputs = getelementptr i8, ptr %table, i64 16
  %inputs = load atomic i64, ptr %pinputs monotonic, align 8
  %held = load i64, ptr %slot
  %pheld_stamp = getelementptr %Entry, ptr %slot, i64 0, i32 2
  %held_stamp = load i64, ptr %pheld_stamp
  %pheld_inputs = getelementptr %Entry, ptr %slot, i64 0, i32 3
  %held_inputs = load i64, ptr %pheld_inputs
  %psize = getelementptr %Entry, ptr %slot, i64 0, i32 4
  %held_size = load i32, ptr %psize
  %same = icmp eq i64 %held, %address
  %fits = icmp eq i32 %held_size, %size
  %now = icmp eq i64 %held_stamp, %stamp
  %quiet = icmp eq i64 %held_inputs, %inputs
  %a = and i1 %same, %fits
  %b = and i1 %now, %quiet
  %hit = and i1 %a, %b
  br i1 %hit, label %cached, label %python
cached:
  %hits = load i64, ptr %table
  %more = add i64 %hits, 1
  store i64 %more, ptr %table
  %pvalue = getelementptr %Entry, ptr %slot, i64 0, i32 1
  %value = load i64, ptr %pvalue
  ret i64 %value
python:
  %user = inttoptr i64 %base to ptr
  %read = call i64 %slow(ptr %uc, i64 %offset, i32 %size, ptr %user)
  ret i64 %read
}}
"""
READ_SLOTS = 64
"""Entries of the MMIO read cache (a power of two: indexed by address bits 7:2)."""


class _Native:
    """The JIT-compiled hooks.  They hold no per-machine state (that comes as the hook's
    user data), so one compilation serves every machine, and its engine lives as long
    as the process."""

    def __init__(self) -> None:
        import llvmlite.binding as llvm

        llvm.initialize_native_target()
        llvm.initialize_native_asmprinter()
        emu_stop = ctypes.cast(uclib().uc_emu_stop, ctypes.c_void_p).value
        ir = _IR.format(budget=BUDGET, chunk_end=CHUNK_END, stopped=STOPPED, block_begin=BLOCK_BEGIN,
                        block_size=BLOCK_SIZE, stop_budget=STOP_BUDGET, stop_chunk=STOP_CHUNK,
                        emu_stop=emu_stop, slot_mask=READ_SLOTS - 1)
        module = llvm.parse_assembly(ir)
        module.verify()
        machine = llvm.Target.from_default_triple().create_target_machine()
        self.engine = llvm.create_mcjit_compiler(module, machine)
        self.engine.finalize_object()
        self.on_block: int = self.engine.get_function_address("on_block")
        self.on_mem: int = self.engine.get_function_address("on_mem")
        self.mmio_read: int = self.engine.get_function_address("mmio_read")


@functools.cache
def native_hooks() -> _Native | None:
    """The native hooks, or None when this host cannot JIT (the Python hooks take over)."""
    try:
        return _Native()
    except Exception:  # any llvmlite failure means: no JIT on this host
        return None


class BlockCounter:
    """The instruction count of one Unicorn instance, kept by a block hook."""

    def __init__(self, uc: Any) -> None:
        self.state = (ctypes.c_uint64 * 6)()
        self._uc = uc
        self._native = native_hooks()
        self._handles: list[Any] = []
        if self._native is not None:
            self._add(UC_HOOK_BLOCK, self._native.on_block, ctypes.cast(self.state, ctypes.c_void_p), 1, 0)
        else:
            uc.hook_add(UC_HOOK_BLOCK, self._on_block)

    @property
    def native(self) -> bool:
        """Whether the hooks run as native code."""
        return self._native is not None

    def _add(self, kind: int, fn: int, user: ctypes.c_void_p | None, begin: int, end: int) -> None:
        handle = UC.unicorn_py3.unicorn.uc_hook_h()
        status = uclib().uc_hook_add(self._uc._uch, ctypes.byref(handle), kind, ctypes.c_void_p(fn),
                                      user, begin, end)
        if status != 0:
            raise UC.UcError(status)
        self._handles.append(handle)

    def watch_pc(self, start: int, end: int) -> None:
        """A no-op memory hook over ``start .. end`` (inclusive): Unicorn then keeps the PC
        exact at each access there."""
        if self._native is not None:
            self._add(UC_HOOK_MEM_READ | UC_HOOK_MEM_WRITE, self._native.on_mem, None, start, end)
        else:
            self._uc.hook_add(UC_HOOK_MEM_READ | UC_HOOK_MEM_WRITE, _on_mem, None, start, end)

    def _on_block(self, uc: Any, address: int, size: int, _user: Any) -> None:
        """The Python twin of the native ``on_block`` (same state, same decisions)."""
        s = self.state
        insns = s[INSNS]
        new = insns + size // INSN_BYTES
        over = new > s[BUDGET]
        if over or insns >= s[CHUNK_END]:
            # Stopping here keeps this block from running; it is counted when it does.
            s[STOPPED] = STOP_BUDGET if over else STOP_CHUNK
            uc.emu_stop()
            return
        s[INSNS] = new
        s[BLOCK_BEGIN] = address
        s[BLOCK_SIZE] = size

    # -- the shared state ------------------------------------------------------

    @property
    def insns(self) -> int:
        """Instructions of the blocks entered so far (the current one counted whole)."""
        return int(self.state[INSNS])

    def start_chunk(self, chunk_end: int, budget: int) -> None:
        """Before emu_start: where the hook stops Unicorn next."""
        self.state[CHUNK_END] = chunk_end
        self.state[BUDGET] = budget
        self.state[STOPPED] = STOP_NONE

    def set_chunk_end(self, chunk_end: int) -> None:
        self.state[CHUNK_END] = chunk_end

    @property
    def stopped_by(self) -> str | None:
        """``chunk`` or ``max-insns`` when the hook stopped Unicorn, else None."""
        return STOP_NAMES[int(self.state[STOPPED])]

    def remaining(self, pc: int) -> int:
        """Instructions of the current block from ``pc`` on (counted, not run yet)."""
        begin, size = self.state[BLOCK_BEGIN], self.state[BLOCK_SIZE]
        return (begin + size - pc) // INSN_BYTES if begin <= pc < begin + size else 0

    def done_at(self, pc: int) -> int:
        """Instructions completed when the CPU is about to run the one at ``pc``."""
        return int(self.state[INSNS]) - self.remaining(pc)

    def in_block(self, pc: int) -> bool:
        """Whether ``pc`` lies in the block running now."""
        begin = self.state[BLOCK_BEGIN]
        return bool(begin <= pc < begin + self.state[BLOCK_SIZE])

    def settle(self, pc: int, *, completed: bool) -> None:
        """Un-count the part of the current block a stop at ``pc`` kept from running
        (the instruction at ``pc`` ran only if ``completed``)."""
        left = self.remaining(pc)
        if left:
            self.state[INSNS] -= left - (1 if completed else 0)
        self.state[BLOCK_BEGIN] = 0
        self.state[BLOCK_SIZE] = 0


def _on_mem(uc: Any, access: int, address: int, size: int, value: int, _user: Any) -> None:
    """Present only for its side effect on the PC (see :meth:`BlockCounter.watch_pc`)."""


__all__ = ["READ_SLOTS", "BlockCounter", "native_hooks"]
