"""Stack bound of a linked image, read off its machine code.

Frame sizes exist only after LLVM has allocated registers and inlined, so
the bound is computed on the final image: every function's stack
adjustments (``push``, ``str lr, [sp, #-4]!``, ``sub sp, sp, #imm`` or by a
register loaded with ``movw``/``movt``) are summed, calls are the ``bl``
and tail-call ``b`` instructions that land on a function symbol, and the
bound is the heaviest path of the (acyclic) call graph from the reset
handler.  Exception handlers are bounded separately against the exception
stack.  Anything the analysis does not understand (an indirect call, a
dynamic stack adjustment, recursion) makes the bound fail rather than guess.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from elftools.elf.elffile import ELFFile
from elftools.elf.sections import SymbolTableSection


@dataclass(frozen=True)
class FunctionFrame:
    name: str
    frame: int
    callees: tuple[str, ...]
    problem: str | None


@dataclass(frozen=True)
class StackBound:
    depth: int | None
    """Bytes used by the deepest chain, or None when it cannot be bounded."""
    path: tuple[str, ...]
    problem: str | None


def _rotated_immediate(word: int) -> int:
    imm8 = word & 0xFF
    rot = 2 * ((word >> 8) & 0xF)
    return ((imm8 >> rot) | (imm8 << (32 - rot))) & 0xFFFFFFFF if rot else imm8


def _frames(elf: ELFFile) -> dict[str, FunctionFrame]:
    symtab = elf.get_section_by_name(".symtab")
    if not isinstance(symtab, SymbolTableSection):
        return {}
    text_sections = [s for s in elf.iter_sections() if s["sh_flags"] & 0x4]  # SHF_EXECINSTR
    funcs = sorted(
        (s["st_value"], s["st_size"], s.name)
        for s in symtab.iter_symbols()
        if s["st_info"]["type"] == "STT_FUNC" and s["st_size"] > 0
    )
    starts = {addr: name for addr, _, name in funcs}
    frames: dict[str, FunctionFrame] = {}
    for addr, size, name in funcs:
        code = b""
        for sec in text_sections:
            if sec["sh_addr"] <= addr < sec["sh_addr"] + sec["sh_size"]:
                off = addr - sec["sh_addr"]
                code = sec.data()[off : off + size]
        frame = 0
        callees: list[str] = []
        problem: str | None = None
        consts: dict[int, int] = {}
        for i in range(0, len(code) - 3, 4):
            w = int.from_bytes(code[i : i + 4], "little")
            pc = addr + i
            if (w & 0x0FFF0000) == 0x092D0000:  # push {reglist}
                frame += 4 * bin(w & 0xFFFF).count("1")
            elif (w & 0x0FFF0FFF) == 0x052D0004:  # str rX, [sp, #-4]!
                frame += 4
            elif (w & 0x0FFFF000) == 0x024DD000:  # sub sp, sp, #imm
                frame += _rotated_immediate(w)
            elif (w & 0x0FFFFFF0) == 0x004DD000:  # sub sp, sp, rX
                reg = w & 0xF
                if reg in consts:
                    frame += consts[reg]
                else:
                    problem = f"dynamic stack adjustment at 0x{pc:08x}"
            elif (w & 0x0FF00000) == 0x03000000:  # movw rX, #imm16
                consts[(w >> 12) & 0xF] = ((w >> 4) & 0xF000) | (w & 0xFFF)
            elif (w & 0x0FF00000) == 0x03400000:  # movt rX, #imm16
                reg = (w >> 12) & 0xF
                consts[reg] = (consts.get(reg, 0) & 0xFFFF) | ((((w >> 4) & 0xF000) | (w & 0xFFF)) << 16)
            elif (w & 0x0E000000) == 0x0A000000 and (w >> 28) != 0xF:  # b / bl
                offset = (w & 0xFFFFFF) << 2
                if offset & 0x2000000:
                    offset -= 1 << 26
                target = pc + 8 + offset
                is_call = bool(w & 0x01000000)
                if target in starts and (is_call or target != addr):
                    if is_call or not (addr <= target < addr + size):
                        callees.append(starts[target])
                elif is_call:
                    problem = f"call to 0x{target:08x}, which is not a function start, at 0x{pc:08x}"
            elif (w & 0x0FFFFFF0) == 0x012FFF30:  # blx rX
                problem = f"indirect call at 0x{pc:08x}"
        frames[name] = FunctionFrame(name, frame, tuple(dict.fromkeys(callees)), problem)
    return frames


def stack_bound(elf_bytes: bytes, root: str) -> StackBound:
    """Deepest stack use of any call chain starting at ``root``."""
    frames = _frames(ELFFile(io.BytesIO(elf_bytes)))
    memo: dict[str, tuple[int, tuple[str, ...]]] = {}

    def depth(name: str, stack: tuple[str, ...]) -> tuple[int, tuple[str, ...]]:
        if name in stack:
            raise _Unbounded(f"recursion through {name}")
        if name in memo:
            return memo[name]
        f = frames.get(name)
        if f is None:
            raise _Unbounded(f"no code for {name}")
        if f.problem:
            raise _Unbounded(f"{name}: {f.problem}")
        best: tuple[int, tuple[str, ...]] = (0, ())
        for callee in f.callees:
            d = depth(callee, (*stack, name))
            if d[0] > best[0] or not best[1]:
                best = d
        memo[name] = (f.frame + best[0], (name, *best[1]))
        return memo[name]

    try:
        total, path = depth(root, ())
    except _Unbounded as exc:
        return StackBound(None, (), str(exc))
    return StackBound(total, path, None)


class _Unbounded(Exception):
    pass
