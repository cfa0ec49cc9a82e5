"""The deepest stack a run reaches, to hold the proved stack bound against.

SP only goes down when an instruction writes it (exception entry switches to
another mode's banked SP but changes no SP's value).  So the image's
executable words are scanned once for every instruction that may lower SP
-- conservatively: anything that writes SP other than the increments
``pop``/``ldm sp!``, ``add sp, sp, #n``, post-indexed loads and ``vpop`` --
and a Unicorn code hook is placed on the word after each.  The hook runs
just before that next instruction, when the lowering has completed, and reads
SP.  Every lowering is therefore seen at the value it reached, whatever the
basic block around it does next (a ``push`` and ``pop`` in one block, a call
that returns), at no cost to code that does not move SP down.  An
instruction that lowers SP and branches in the same step has no "word
after"; the stack bound refuses such code (``tamapy.verify.stack``).

Samples are sorted by value: at or below ``__stack_top`` they are the main
stack, above it up to ``__exc_stack_top`` the exception stack; both tops are
the linker's symbols, the SP the start-up code sets.  ``movw sp`` directly
followed by ``movt sp`` is sampled after the ``movt`` only (SP holds half an
address in between).
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from typing import Any

from unicorn import UC_HOOK_CODE
from unicorn.arm_const import UC_ARM_REG_SP

from tamapy.elf import Executable

MAIN_TOP = "__stack_top"
EXCEPTION_TOP = "__exc_stack_top"
SP = 13
WORD = 4
SHT_SYMTAB = 2


@dataclass(frozen=True)
class StackUse:
    """The lowest SP a run reached on each stack (a stack never lowered reads its top)."""

    top: int
    lowest: int
    exception_top: int
    exception_lowest: int

    @property
    def used(self) -> int:
        """Bytes of the main stack used: its top minus the lowest SP reached."""
        return self.top - self.lowest

    @property
    def exception_used(self) -> int:
        return self.exception_top - self.exception_lowest

    def to_json(self) -> dict[str, Any]:
        return {
            "main": {"top": f"0x{self.top:08x}", "lowest": f"0x{self.lowest:08x}", "used": self.used},
            "exception": {"top": f"0x{self.exception_top:08x}", "lowest": f"0x{self.exception_lowest:08x}",
                          "used": self.exception_used},
        }


class StackWatch:
    """Code hooks after every SP-lowering instruction of an image, keeping the lowest SP per stack."""

    def __init__(self, top: int, exception_top: int, sites: list[int]) -> None:
        self.top, self.exception_top, self.sites = top, exception_top, sites
        self.lowest, self.exception_lowest = top, exception_top

    @classmethod
    def of(cls, executable: Executable) -> StackWatch | None:
        """The watch for ``executable``; None when it has no stack symbols (not linked by tamapy)."""
        symbols = _symbols(executable.data, (MAIN_TOP, EXCEPTION_TOP))
        if len(symbols) < 2:
            return None
        sites: list[int] = []
        for segment in executable.segments:
            if segment.executable:
                sites.extend(_sites(segment.address, segment.data))
        return cls(symbols[MAIN_TOP], symbols[EXCEPTION_TOP], sites)

    def attach(self, uc: Any) -> None:
        for site in self.sites:
            uc.hook_add(UC_HOOK_CODE, self._sample, None, site, site)

    def _sample(self, uc: Any, _address: int, _size: int, _user: Any) -> None:
        sp = uc.reg_read(UC_ARM_REG_SP)
        if sp <= self.top:
            if sp < self.lowest:
                self.lowest = sp
        elif sp <= self.exception_top and sp < self.exception_lowest:
            self.exception_lowest = sp

    def use(self) -> StackUse:
        return StackUse(self.top, self.lowest, self.exception_top, self.exception_lowest)


def _symbols(elf: bytes, names: tuple[str, ...]) -> dict[str, int]:
    """The values of the named ``.symtab`` symbols, read directly (pyelftools costs milliseconds,
    a noticeable part of a short run; the image was checked as an ELF32 LE file already)."""
    try:
        shoff, = struct.unpack_from("<I", elf, 0x20)
        shentsize, shnum = struct.unpack_from("<HH", elf, 0x2E)
        headers = [struct.unpack_from("<10I", elf, shoff + i * shentsize) for i in range(shnum)]
        found: dict[str, int] = {}
        for header in headers:
            if header[1] != SHT_SYMTAB:
                continue
            strtab = headers[header[6]]
            strings = elf[strtab[4] : strtab[4] + strtab[5]]
            wanted = {i + 1: n for n in names if (i := strings.find(b"\0" + n.encode() + b"\0")) >= 0}
            table = elf[header[4] : header[4] + header[5] - header[5] % 16]
            for name, value, *_ in struct.iter_unpack("<IIIBBH", table):
                if name in wanted:
                    found[wanted[name]] = value
        return found
    except (struct.error, IndexError):
        return {}


def _sites(base: int, code: bytes) -> list[int]:
    """The address after every word of ``code`` (at ``base``) that may lower SP."""
    words = [w for (w,) in struct.iter_unpack("<I", code[: len(code) - len(code) % WORD])]
    sites = []
    for i, word in enumerate(words):
        if not could_write_sp(word):
            continue
        if may_lower_sp(word):
            half = (word & 0x0FF0F000) == 0x0300D000  # movw sp: sampled after the movt that follows
            if not (half and i + 1 < len(words) and (words[i + 1] & 0x0FF0F000) == 0x0340D000):
                sites.append(base + WORD * (i + 1))
    return sites


def could_write_sp(word: int) -> bool:
    """A cheap first filter: False only for words :func:`may_lower_sp` certainly says False to
    (no register field names r12 or SP, not an ldm/stm, msr or unconditional instruction)."""
    return ((word >> 12) & 0xE == 0xC or (word >> 16) & 0xF == SP or word >> 28 == 0xF
            or (word >> 25) & 7 == 0b100 or (word & 0x0DB0F000) == 0x0120F000)


def may_lower_sp(word: int) -> bool:
    """Whether ``word`` may lower SP, conservatively: True unless it cannot write SP or only raises it."""
    if word >> 28 == 0xF:
        return not ((word & 0xFFFFFF00) == 0xF57FF000 or word >> 24 in (0xF2, 0xF3)
                    or (word >> 24 == 0xF4 and not (word >> 20) & 1 and (word >> 16) & 0xF != SP)
                    or ((word >> 20) & 1 and (word >> 12) & 0xF == 0xF and 0xF4 <= word >> 24 <= 0xF7))
    op, rd, rn = (word >> 25) & 7, (word >> 12) & 0xF, (word >> 16) & 0xF
    up, writeback = (word >> 23) & 1, (word >> 21) & 1
    if op == 0b100:  # ldm / stm
        return (rn == SP and writeback and not up) or bool((word >> 20) & 1 and word & (1 << SP))
    if op == 0b010:  # loads and stores with an immediate offset
        return (rn == SP and (not (word >> 24) & 1 or writeback) and not up) or rd == SP
    if op == 0b011:  # register offsets (any write-back of SP), media instructions
        return SP in (rd, rn)
    if op == 0b110:  # vpush / vstmdb, ldc/stc, mrrc
        return (rn == SP and writeback and not up) or (SP in (rd, rn) and (word & 0x0FF00000) == 0x0C500000)
    if op == 0b111:  # mrc / vmov into a core register
        return rd == SP and not (word >> 24) & 1
    if op == 0b101:
        return False
    if (word & 0x0FE0F000) == 0x0280D000 and rn == SP:  # add sp, sp, #imm
        from_imm8 = word & 0xFF
        rot = 2 * ((word >> 8) & 0xF)
        value = ((from_imm8 >> rot) | (from_imm8 << (32 - rot))) & 0xFFFFFFFF if rot else from_imm8
        return value >= 1 << 31
    if (word & 0x0DB0F000) == 0x0120F000:  # msr: a mode change switches to another banked SP
        return bool((word >> 16) & 1)
    if op == 0b000 and (word & 0x90) == 0x90:  # multiplies, ldrex, ldrh/strh/ldrd/strd (ldrd r12 writes SP)
        return SP in (rd, rn) or rd == SP - 1
    return rd == SP
