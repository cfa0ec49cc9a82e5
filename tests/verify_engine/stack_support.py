"""Hand-assembled ARM programs linked into images: the words, the labels, the jump tables.

Encodings are written out from the ARM ARM; a program is a list of functions
(and labels inside them), linked by tamapy's linker with function symbols and
``$a``/``$d`` mapping symbols, as LLVM's objects carry them.
"""

from __future__ import annotations

from collections.abc import Callable

from tamapy.link import LinkLayout, link
from tests.link.support import (
    LOAD,
    STB_LOCAL,
    STT_NOTYPE,
    STT_SECTION,
    Rel,
    Sec,
    Sym,
    build_object,
    words,
)

LAYOUT = LinkLayout(LOAD, stack_size=0x2000, exception_stack_size=0x400, entry_symbol="reset")
R_ARM_ABS32 = 2

Word = int | Callable[[int, dict[str, int]], int]
"""An instruction word, or one that needs its own offset and the offsets of the labels."""
Program = list[tuple[str, list[Word]]]


def regs(*numbers: int) -> int:
    return sum(1 << n for n in numbers)


LR, PC = 14, 15
BX_LR = 0xE12FFF1E
STR_LR_PREINDEX = 0xE52DE004  # str lr, [sp, #-4]!   4 bytes
LDR_PC_POSTINDEX = 0xE49DF004  # ldr pc, [sp], #4     pop {pc}
MOVW_SP, MOVT_SP = 0xE300D000, 0xE348D002  # movw sp, #0 / movt sp, #0x8002: the start-up code's SP


def push(*r: int) -> int:
    return 0xE92D0000 | regs(*r)


def pop(*r: int) -> int:
    return 0xE8BD0000 | regs(*r)


def sub_sp(imm: int, cond: int = 0xE) -> int:
    assert imm < 256
    return cond << 28 | 0x024DD000 | imm


def add_sp(imm: int) -> int:
    return 0xE28DD000 | imm


def movw(rd: int, imm: int) -> int:
    return 0xE3000000 | (imm & 0xF000) << 4 | rd << 12 | imm & 0xFFF


def _branch(base: int, label: str, cond: int) -> Word:
    return lambda at, labels: cond << 28 | base | ((labels[label] - at - 8) >> 2) & 0xFFFFFF


def bl(label: str) -> Word:
    return _branch(0x0B000000, label, 0xE)


def b(label: str, cond: int = 0xE) -> Word:
    return _branch(0x0A000000, label, cond)


def image(program: Program, tables: tuple[tuple[str, list[str]], ...] = ()) -> bytes:
    """Link ``program``: functions in order, a name starting with ``.`` being a label inside the
    function before it; each of ``tables`` (label, targets) is a jump table of absolute addresses
    right after that label's words, marked as data (``$d``) as LLVM marks them."""
    table_of = dict(tables)
    offsets: dict[str, int] = {}
    at = 0
    for name, body in program:
        offsets[name.lstrip(".")] = at
        at += 4 * (len(body) + len(table_of.get(name, [])))
    code: list[int] = []
    symbols = [Sym(".text", ".text", bind=STB_LOCAL, type=STT_SECTION),
               Sym("$a", ".text", bind=STB_LOCAL, type=STT_NOTYPE)]
    relocs = []
    for name, body in program:
        start = offsets[name.lstrip(".")]
        code.extend(w if isinstance(w, int) else w(start + 4 * i, offsets) for i, w in enumerate(body))
        if name in table_of:
            here = 4 * len(code)
            symbols.append(Sym("$d", ".text", value=here, bind=STB_LOCAL, type=STT_NOTYPE))
            for target in table_of[name]:
                relocs.append(Rel(".text", 4 * len(code), R_ARM_ABS32, ".text"))
                code.append(offsets[target])
            symbols.append(Sym("$a", ".text", value=4 * len(code), bind=STB_LOCAL, type=STT_NOTYPE))
    starts = [offsets[n] for n, _ in program if not n.startswith(".")] + [4 * len(code)]
    for name, _ in program:
        if not name.startswith("."):
            end = min(s for s in starts if s > offsets[name])
            symbols.append(Sym(name, ".text", value=offsets[name], size=end - offsets[name]))
    return link(build_object([Sec(".text", words(*code))], symbols, relocs), LAYOUT, "test.o").elf




def set_sp(value: int) -> list[Word]:
    """``movw sp, #low; movt sp, #high``: what the start-up code does."""
    return [movw(13, value & 0xFFFF), 0xE3400000 | (value >> 16 & 0xF000) << 4 | 13 << 12 | value >> 16 & 0xFFF]
