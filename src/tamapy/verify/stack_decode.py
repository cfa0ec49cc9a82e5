"""What one ARM instruction does to the stack pointer and the program counter.

The stack bound (:mod:`tamapy.verify.stack`) follows each function's control
flow and the stack depth along it, so it needs, per instruction word, only
this: how it moves SP (by a known number of bytes, to an unknown value, not
at all), where it may go next (the next word, a direct branch, a call, a
return, a jump table) and whether it jumps through a register it cannot
follow.  Anything not recognised as harmless is reported as such, never
assumed to leave SP and PC alone: an unknown instruction makes the bound
fail instead of being guessed.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

SP, LR, PC = 13, 14, 15
ALWAYS = 0xE
WORD = 4


class Kind(Enum):
    """What an instruction does to control flow and the stack."""

    PLAIN = "plain"
    """Neither SP nor PC is written: the next instruction follows."""
    ADJUST = "adjust"
    """SP moves by a known amount (``depth`` bytes deeper; negative: shallower)."""
    SUB_REG = "sub-reg"
    """``sub sp, sp, rM`` (``add`` when ``depth`` is -1): known only if rM holds a constant."""
    SET = "set"
    """SP is given a value unrelated to its old one (``mov sp, rN``, ``movw sp``, a load)."""
    BRANCH = "branch"
    """``b``/``bl`` to ``target``."""
    RETURN = "return"
    """``bx lr``, ``pop {..., pc}``, ``mov pc, lr``, ``subs pc, lr, #n`` (after moving SP by ``depth``)."""
    JUMP_TABLE = "jump-table"
    """``ldr pc, [rA, rI, lsl #2]``: a table of addresses follows (base register ``reg``)."""
    REFUSED = "refused"
    """Something the analysis cannot follow (``why``): an indirect branch or call, a mode change."""


@dataclass(frozen=True)
class Insn:
    kind: Kind
    depth: int = 0
    target: int = 0
    link: bool = False
    conditional: bool = False
    reg: int = 0
    why: str = ""


def rotated_immediate(word: int) -> int:
    """The value of a data-processing instruction's rotated 8-bit immediate."""
    imm8 = word & 0xFF
    rot = 2 * ((word >> 8) & 0xF)
    return ((imm8 >> rot) | (imm8 << (32 - rot))) & 0xFFFFFFFF if rot else imm8


def _bit(word: int, n: int) -> int:
    return (word >> n) & 1


def decode(word: int, pc: int) -> Insn:
    """What the instruction ``word`` at address ``pc`` does to SP and PC."""
    cond = word >> 28
    if cond == 0xF:
        return _unconditional(word)
    insn = _conditional(word, pc)
    if cond != ALWAYS:
        return Insn(insn.kind, insn.depth, insn.target, insn.link, True, insn.reg, insn.why)
    return insn


def _conditional(word: int, pc: int) -> Insn:
    op = (word >> 25) & 7
    if op == 0b101:
        offset = (word & 0xFFFFFF) << 2
        if offset & 0x2000000:
            offset -= 1 << 26
        return Insn(Kind.BRANCH, target=(pc + 8 + offset) & 0xFFFFFFFF, link=bool(_bit(word, 24)))
    if (word & 0x0FFFFFD0) == 0x012FFF10:  # bx / blx rM
        if _bit(word, 5):
            return Insn(Kind.REFUSED, why=f"indirect call (blx r{word & 0xF})")
        if word & 0xF == LR:
            return Insn(Kind.RETURN)
        return Insn(Kind.REFUSED, why=f"indirect branch (bx r{word & 0xF})")
    if op == 0b100:
        return _block_transfer(word)
    if op in (0b010, 0b011) and not (op == 0b011 and _bit(word, 4)):
        return _single_transfer(word)
    if op == 0b110:
        return _coprocessor_transfer(word)
    if op == 0b111:  # svc, cdp, mcr, and mrc / vmov / vmrs into a core register
        if not _bit(word, 24) and _bit(word, 4) and _bit(word, 20) and (word >> 12) & 0xF == SP:
            return Insn(Kind.SET, why="SP set from a coprocessor register")
        return Insn(Kind.PLAIN)  # Rt = pc there means the condition flags
    if op == 0b000 and (word & 0x90) == 0x90 and (word & 0x60):
        return _extra_transfer(word)
    if op in (0b000, 0b001):
        return _data_processing(word)
    dest = (word >> 16) & 0xF if (word >> 23) & 0x1F == 0b01110 else (word >> 12) & 0xF  # media multiplies
    return _written(dest, f"instruction 0x{word:08x}")  # media instructions: extend, reverse, bit fields


def _coprocessor_transfer(word: int) -> Insn:
    """``vpush``/``vpop``/``vldm``/``vstm``/``vldr``/``vstr`` (ldc/stc), ``mrrc``/``mcrr``."""
    if (word & 0x0FF00000) == 0x0C500000:  # mrrc / vmov rT, rT2, dM
        return _fields_checked(word)
    if (word >> 16) & 0xF == SP and _bit(word, 21):
        size = (word & 0xFF) * WORD
        return Insn(Kind.ADJUST, depth=-size if _bit(word, 23) else size)
    return Insn(Kind.PLAIN)


def _block_transfer(word: int) -> Insn:
    """``ldm``/``stm`` (``push``/``pop`` among them)."""
    rn, regs = (word >> 16) & 0xF, word & 0xFFFF
    load, writeback, up, user = _bit(word, 20), _bit(word, 21), _bit(word, 23), _bit(word, 22)
    size = WORD * bin(regs).count("1")
    if rn == SP and writeback and regs & (1 << SP):
        return Insn(Kind.SET, why="ldm/stm writing back SP with SP in its list")
    depth = (-size if up else size) if rn == SP and writeback else 0
    if load and regs & (1 << PC):
        if rn == SP and writeback and up and not _bit(word, 24) and not user:
            return Insn(Kind.RETURN, depth=depth)
        return Insn(Kind.REFUSED, why="indirect branch (ldm loading pc)")
    if load and regs & (1 << SP):
        return Insn(Kind.SET, why="SP loaded from memory")
    return Insn(Kind.ADJUST, depth=depth) if depth else Insn(Kind.PLAIN)


def _single_transfer(word: int) -> Insn:
    """``ldr``/``str``/``ldrb``/``strb``, with their write-back forms."""
    rt, rn = (word >> 12) & 0xF, (word >> 16) & 0xF
    pre, up, wb, load = _bit(word, 24), _bit(word, 23), _bit(word, 21), _bit(word, 20)
    register = _bit(word, 25)
    if load and rt == PC:
        if rn == SP and not pre and up and not register and word & 0xFFF == WORD:
            return Insn(Kind.RETURN, depth=-WORD)  # pop {pc}
        if register and pre and up and not wb and (word & 0xFF0) == 0x100:
            return Insn(Kind.JUMP_TABLE, reg=rn)  # ldr pc, [rN, rM, lsl #2]
        return Insn(Kind.REFUSED, why="indirect branch (ldr pc)")
    if load and rt == SP:
        return Insn(Kind.SET, why="SP loaded from memory")
    if rn == SP and (not pre or wb):
        if register:
            return Insn(Kind.SET, why="SP written back by a register offset")
        offset = word & 0xFFF
        return Insn(Kind.ADJUST, depth=-offset if up else offset)
    return Insn(Kind.PLAIN)


def _extra_transfer(word: int) -> Insn:
    """``ldrh``/``strh``/``ldrsb``/``ldrsh``/``ldrd``/``strd``."""
    rt, rn = (word >> 12) & 0xF, (word >> 16) & 0xF
    pre, up, imm, wb, load = _bit(word, 24), _bit(word, 23), _bit(word, 22), _bit(word, 21), _bit(word, 20)
    dual_load = not load and (word >> 5) & 3 == 0b10
    written = {rt, rt + 1} if dual_load else {rt} if load else set()
    if PC in written:
        return Insn(Kind.REFUSED, why="indirect branch (load of pc)")
    if SP in written:
        return Insn(Kind.SET, why="SP loaded from memory")
    if rn == SP and (not pre or wb):
        if not imm:
            return Insn(Kind.SET, why="SP written back by a register offset")
        offset = ((word >> 4) & 0xF0) | (word & 0xF)
        return Insn(Kind.ADJUST, depth=-offset if up else offset)
    return Insn(Kind.PLAIN)


def _data_processing(word: int) -> Insn:
    opcode, rd, rn = (word >> 21) & 0xF, (word >> 12) & 0xF, (word >> 16) & 0xF
    immediate, setflags = _bit(word, 25), _bit(word, 20)
    if (word & 0x0FB00000) in (0x03000000, 0x03400000):  # movw / movt
        return _written(rd, "movw/movt")
    if not immediate and (word & 0x90) == 0x90:  # multiplies, swp, ldrex/strex
        return _fields_checked(word)
    if 8 <= opcode <= 11 and not setflags:  # msr, hints, mrs, clz, saturating arithmetic, ...
        return _miscellaneous(word)
    if 8 <= opcode <= 11:  # tst, teq, cmp, cmn
        return Insn(Kind.PLAIN)
    if rd == PC:
        if setflags and rn == LR and ((opcode == 0b0010 and immediate) or (opcode == 0b1101 and word & 0xFFF == LR)):
            return Insn(Kind.RETURN)  # subs pc, lr, #n / movs pc, lr: exception return
        if opcode == 0b1101 and not immediate and word & 0xFFF == LR:
            return Insn(Kind.RETURN)  # mov pc, lr
        return Insn(Kind.REFUSED, why="indirect branch (data-processing write of pc)")
    if rd != SP:
        return Insn(Kind.PLAIN)
    if rn == SP and opcode in (0b0010, 0b0100) and not setflags:  # sub / add sp, sp, ...
        sign = 1 if opcode == 0b0010 else -1
        if immediate:
            value = rotated_immediate(word)
            if value >= 1 << 31:
                return Insn(Kind.SET, why="SP moved by a negative immediate")
            return Insn(Kind.ADJUST, depth=sign * value)
        if word & 0xFF0 == 0:
            return Insn(Kind.SUB_REG, depth=sign, reg=word & 0xF)
    return Insn(Kind.SET, why="SP computed from another register")


def _written(rd: int, what: str) -> Insn:
    if rd == PC:
        return Insn(Kind.REFUSED, why=f"indirect branch ({what} to pc)")
    if rd == SP:
        return Insn(Kind.SET, why=f"SP set by {what}")
    return Insn(Kind.PLAIN)


def _miscellaneous(word: int) -> Insn:
    if (word & 0x0DB0F000) == 0x0120F000:  # msr (register or immediate); hints when the mask is 0
        if _bit(word, 16) and not _bit(word, 22):
            return Insn(Kind.REFUSED, why="processor mode change (msr cpsr_c)")
        return Insn(Kind.PLAIN)
    if (word & 0x0FBF0FFF) == 0x010F0000 or (word & 0x0FFF0FF0) == 0x016F0F10:  # mrs, clz
        return _written((word >> 12) & 0xF, f"instruction 0x{word:08x}")
    if (word & 0x0F900FF0) == 0x01000050:  # qadd, qsub, qdadd, qdsub
        return _written((word >> 12) & 0xF, f"instruction 0x{word:08x}")
    return _fields_checked(word)


def _fields_checked(word: int) -> Insn:
    """An instruction whose exact meaning the analysis does not need, provided neither
    register field that may be a destination names SP or PC (conservatively: both)."""
    fields = ((word >> 12) & 0xF, (word >> 16) & 0xF)
    if PC in fields:
        return Insn(Kind.REFUSED, why=f"instruction 0x{word:08x} may write pc")
    if SP in fields:
        return Insn(Kind.SET, why=f"instruction 0x{word:08x} may write SP")
    return Insn(Kind.PLAIN)


def _unconditional(word: int) -> Insn:
    """The ``cond = 0b1111`` space: barriers, preloads and NEON pass, the rest is refused."""
    top = word >> 24
    if (word >> 25) & 7 == 0b101:
        return Insn(Kind.REFUSED, why="branch to Thumb code (blx #imm)")
    if (word & 0xFFFFFF00) == 0xF57FF000:  # clrex, dsb, dmb, isb
        return Insn(Kind.PLAIN)
    if (word & 0xFFF10020) == 0xF1000000:  # cps / setend
        if _bit(word, 17) and not _bit(word, 16):
            return Insn(Kind.REFUSED, why="processor mode change (cps)")
        return Insn(Kind.PLAIN)
    if top in (0xF2, 0xF3):  # NEON data processing
        return Insn(Kind.PLAIN)
    if top == 0xF4 and not _bit(word, 20):  # NEON element and structure loads and stores
        if (word >> 16) & 0xF == SP and word & 0xF != 0xF:
            return Insn(Kind.SET, why="SP written back by a NEON load/store")
        return Insn(Kind.PLAIN)
    if top in (0xF4, 0xF5, 0xF6, 0xF7) and _bit(word, 20) and (word >> 12) & 0xF == 0xF:  # pld, pli
        return Insn(Kind.PLAIN)
    return Insn(Kind.REFUSED, why=f"instruction 0x{word:08x} is not understood")
