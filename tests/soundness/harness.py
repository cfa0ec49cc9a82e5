"""The batch application: one ``main`` that runs any proved program of a batch on given inputs.

The compiled image reads ``op`` (which program) and the entry's arguments
from OCRAM with ``@trusted`` ``mmio.read32``, calls that program's
``entry``, then stores the result and every module global of the program
(scalars and array elements, as 32-bit words) back to OCRAM, and finally a
DONE marker.  The host side computes the same words from the module
objects, so both runs are compared word for word.  OCRAM is RAM: none of
this reaches the bus.
"""

from __future__ import annotations

from tests.soundness.generator import Global, Program
from tests.soundness.types import I32, U8, U16, U32, U64, IntType

IN = 0x00900000
OUT = 0x00900100
DONE = 0xD0D0D0D0
MASK = 0xFFFFFFFF
PACKAGE = "sound"
APP = "soundapp"

PRELUDE = f'''"""Soundness batch harness (generated)."""

from typing import Final

from tamapy.fw import i32, i64, mmio, trusted, u8, u16, u32, u64

IN: Final = 0x{IN:08X}
OUT: Final = 0x{OUT:08X}
DONE: Final = 0x{DONE:08X}


@trusted("soundness harness input from OCRAM")
def arg(i: u32) -> u32:
    return mmio.read32(IN + 4 * i)


@trusted("soundness harness output to OCRAM")
def put(i: u32, v: u32) -> None:
    mmio.write32(OUT + 4 * i, v)


def s32(x: u32) -> i32:
    if x >= 0x80000000:
        return i32(i64(x) - 0x100000000)
    return i32(x)


def w64(lo: u32, hi: u32) -> u64:
    return (u64(hi) << 32) | u64(lo)
'''


def value_words(t: IntType, v: int) -> list[int]:
    """How a value of type ``t`` travels through OCRAM: one word, two for u64."""
    return [v & MASK, (v >> 32) & MASK] if t == U64 else [v & MASK]


def input_words(types: tuple[IntType, ...], args: tuple[int, ...]) -> list[int]:
    words: list[int] = []
    for t, a in zip(types, args, strict=True):
        words += value_words(t, a)
    return words


def _arg_expressions(types: tuple[IntType, ...]) -> list[str]:
    out: list[str] = []
    slot = 1
    for t in types:
        if t == U64:
            out.append(f"w64(arg({slot}), arg({slot + 1}))")
            slot += 2
        else:
            conv = {U8: "u8(arg({}))", U16: "u16(arg({}))", U32: "arg({})", I32: "s32(arg({}))"}[t]
            out.append(conv.format(slot))
            slot += 1
    return out


def _put_value(slot: int, t: IntType, expr: str) -> tuple[list[str], int]:
    lines = [f"    put({slot}, u32({expr} & 0xFFFFFFFF))"]
    if t == U64:
        lines.append(f"    put({slot + 1}, u32({expr} >> 32))")
    return lines, slot + len(lines)


def _runner(k: int, p: Program) -> list[str]:
    lines = [f"def run{k}() -> None:",
             f"    r: {p.ret.name} = {p.name}.entry({', '.join(_arg_expressions(p.params))})"]
    put, slot = _put_value(1, p.ret, "r")
    lines += put
    for g in p.globals:
        if g.length is None:
            put, slot = _put_value(slot, g.type, f"{p.name}.{g.name}")
            lines += put
        else:
            for i in range(g.length):
                lines.append(f"    put({slot}, u32({p.name}.{g.name}[{i}]))")
                slot += 1
    return [*lines, "    put(0, DONE)"]


def harness_source(programs: list[Program]) -> str:
    """``main.py`` of the batch app: op ``k + 1`` runs ``programs[k]``."""
    imports = [f"import {PACKAGE}.{p.name} as {p.name}" for p in programs]
    chunks = [PRELUDE.replace("from typing import Final\n", "from typing import Final\n\n" + "\n".join(imports) + "\n")]
    chunks += ["\n".join(_runner(k, p)) for k, p in enumerate(programs)]
    main = ["def main() -> None:", "    op: u32 = arg(0)"]
    for k in range(len(programs)):
        main += [f"    if op == {k + 1}:", f"        run{k}()", "        return"]
    chunks.append("\n".join(main))
    return "\n\n\n".join(chunks) + "\n"


def expected_words(p: Program, result: int, module: object) -> list[int]:
    """The words the harness stores after ``entry`` returned ``result``, read off the host module."""
    words = value_words(p.ret, result)
    for g in p.globals:
        value: object = module
        for part in g.name.split("."):  # a struct member is read through its struct
            value = getattr(value, part)
        if g.length is None:
            words += value_words(g.type, int(value))
        else:
            words += [int(value[i]) & MASK for i in range(g.length)]
    return words


def word_count(p: Program) -> int:
    scalars = [g for g in p.globals if g.length is None]
    return (len(value_words(p.ret, 0)) + sum(len(value_words(g.type, 0)) for g in scalars)
            + sum(g.length or 0 for g in p.globals))


__all__ = [
    "APP",
    "DONE",
    "IN",
    "OUT",
    "PACKAGE",
    "Global",
    "expected_words",
    "harness_source",
    "input_words",
    "word_count",
]
