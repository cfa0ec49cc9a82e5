"""The stack bound on hand-assembled machine code: exact on code it understands, refused otherwise.

Each program is a handful of ARM words (encodings written out here, from the
ARM ARM), linked by tamapy's linker into an executable with function symbols
and fed through the same entry point ``tamapy build`` uses.  Expected bounds
are summed by hand from the instructions, in the comments next to them.
"""

from __future__ import annotations

import re

import pytest

from tamapy.lang.ir import Span
from tamapy.verify.obligation import Status
from tamapy.verify.stack import stack_obligations
from tests.verify_engine.stack_support import (
    BX_LR,
    LDR_PC_POSTINDEX,
    LR,
    MOVT_SP,
    MOVW_SP,
    PC,
    STR_LR_PREINDEX,
    Program,
    Word,
    add_sp,
    b,
    bl,
    image,
    movw,
    pop,
    push,
    sub_sp,
)

SPAN = Span("app.py", 1, 1, 1, 1)


def bounds(elf: bytes, main: int = 0x2000, exception: int = 0x400) -> tuple[tuple[Status, str], tuple[Status, str]]:
    m, e = stack_obligations(elf, SPAN, reset="reset", handlers=["handler"], main_stack=main, exception_stack=exception)
    return (m.status, m.message), (e.status, e.message)


def needs(message: str) -> int:
    found = re.search(r"needs at most (\d+) of", message)
    assert found, message
    return int(found.group(1))


RESET: list[Word] = [MOVW_SP, MOVT_SP, bl("f"), b("spin")]  # the start-up code: SP set, depth 0
SPIN: list[Word] = [b("spin")]
HANDLER: list[Word] = [
    MOVW_SP, MOVT_SP,
    push(0, 1, 2, 3, 12, LR),  # 24
    b("spin"),  # a tail call at depth 24: exception bound 24
]


def program(f: list[Word], *more: tuple[str, list[Word]]) -> Program:
    return [("reset", RESET), ("spin", SPIN), ("handler", HANDLER), ("f", f), *more]


STRAIGHT = program(
    [
        push(4, 5, 6, LR),  # 16
        sub_sp(24),  # 40
        bl("g"),  # g at depth 40
        add_sp(24),
        pop(4, 5, 6, PC),  # return at depth 0
    ],
    ("g", [
        STR_LR_PREINDEX,  # 4
        sub_sp(8),  # 12
        push(0, 1),  # 20: the deepest of g's own frame
        pop(0, 1),  # 12
        bl("k"),  # k at depth 12
        add_sp(8),
        LDR_PC_POSTINDEX,
    ]),
    ("k", [
        push(4, LR),  # 8
        movw(4, 0x1000),
        0xE04DD004,  # sub sp, sp, r4: 8 + 4096 = 4104
        movw(4, 0x1000),
        0xE08DD004,  # add sp, sp, r4
        pop(4, PC),
    ]),
)
"""f 40 + g's call at 12 + k 4104 = 4156 (g's own 20 is below 12 + 4104)."""


def test_a_straight_program_gets_exactly_its_bound() -> None:
    main, exception = bounds(image(STRAIGHT))
    assert main == (Status.PROVED, "the main stack needs at most 4156 of 8192 bytes (reset -> f -> g -> k)")
    assert exception == (Status.PROVED,
                         "the exception stack needs at most 24 of 1024 bytes (handler -> spin)")


def test_the_bound_is_compared_with_the_stack_size() -> None:
    elf = image(STRAIGHT)
    assert bounds(elf, main=4156)[0][0] is Status.PROVED
    status, message = bounds(elf, main=4155)[0]
    assert status is Status.FAILED and "needs at most 4156 of 4155 bytes" in message


def test_a_jump_table_is_followed_to_every_entry() -> None:
    # f: the table's second entry leads to a deeper path (push of 5 registers, 20 bytes).
    f: list[Word] = [
        push(4, LR),  # 8
        0xE3500001,  # cmp r0, #1
        b("out", cond=0x8),  # bhi out
        0xE28F1000,  # add r1, pc, #0  (adr r1, table: pc + 8 = the word after the ldr)
        0xE791F100,  # ldr pc, [r1, r0, lsl #2]
    ]
    prog = program(
        f,
        (".one", [b("out")]),
        (".two", [push(0, 1, 2, 3, 12), pop(0, 1, 2, 3, 12)]),  # 8 + 20 = 28
        (".out", [pop(4, PC)]),
    )
    main, _ = bounds(image(prog, tables=(("f", ["one", "two"]),)))
    assert main == (Status.PROVED, "the main stack needs at most 28 of 8192 bytes (reset -> f)")


def test_a_jump_table_base_not_set_to_the_table_is_refused() -> None:
    f: list[Word] = [push(4, LR), 0xE28F1000, 0xE1A01002, 0xE791F100]  # adr r1, table; mov r1, r2; ldr pc
    prog = program(f, (".one", [pop(4, PC)]))
    main, _ = bounds(image(prog, tables=(("f", ["one"]),)))
    assert main[0] is Status.FAILED
    assert "f: indirect branch (ldr pc) through r1, not the address of its jump table" in main[1]


REFUSED = {
    "indirect call": ([0xE12FFF33, BX_LR], "f: indirect call (blx r3) at 0x"),
    "indirect tail call": ([0xE12FFF13], "f: indirect branch (bx r3) at 0x"),
    "mov pc": ([0xE1A0F003], "f: indirect branch (data-processing write of pc) at 0x"),
    "ldr pc": ([0xE593F000], "f: indirect branch (ldr pc) at 0x"),
    "ldm pc": ([0xE893_8000], "f: indirect branch (ldm loading pc) at 0x"),
    "jump table without a table": ([0xE28F1000, 0xE791F100], "f: indirect branch (ldr pc) without a jump table"),
    "thumb call": ([0xFA000000, BX_LR], "f: branch to Thumb code (blx #imm) at 0x"),
    "sub sp by a register": ([0xE04DD003, BX_LR], "f: dynamic stack adjustment (SP moved by r3) at 0x"),
    "sub sp by a shifted register": ([0xE04DD103, BX_LR],
                                     "f: dynamic stack adjustment (SP computed from another register) at 0x"),
    "mov sp": ([0xE1A0D003, BX_LR], "f: dynamic stack adjustment (SP computed from another register) at 0x"),
    "alloca": ([push(11, LR), 0xE28DB000, 0xE04D0100, 0xE1A0D000, 0xE24BD000, pop(11, PC)],
               # push; add fp, sp, #0; sub r0, sp, r0, lsl #2; mov sp, r0; sub sp, fp, #0; pop
               "f: dynamic stack adjustment (SP computed from another register) at 0x"),
    "ldr sp": ([0xE590D000, BX_LR], "f: dynamic stack adjustment (SP loaded from memory) at 0x"),
    "movw sp outside start-up": ([MOVW_SP, BX_LR], "f: dynamic stack adjustment (SP set by movw/movt) at 0x"),
    "conditional push": ([0x192D4000, BX_LR], "f: conditional stack adjustment at 0x"),
    "unbalanced return": ([push(4, LR), BX_LR], "f: return with 8 bytes left on the stack at 0x"),
    "adjustment in a loop": ([sub_sp(16), b("f")], "f: paths meet at 0x"),
    "mode change": ([0xF1020013, BX_LR], "f: processor mode change (cps) at 0x"),
    "msr cpsr_c": ([0xE121F000, BX_LR], "f: processor mode change (msr cpsr_c) at 0x"),
    "runs off the end": ([push(4, LR), pop(4, LR)], "f: control runs off the end of the function at 0x"),
}


@pytest.mark.parametrize("shape", sorted(REFUSED))
def test_code_the_analysis_cannot_follow_fails_the_bound(shape: str) -> None:
    f, expected = REFUSED[shape]
    main, exception = bounds(image(program(f)))
    assert main[0] is Status.FAILED
    assert main[1].startswith("the main stack cannot be bounded: ") and expected in main[1], main[1]
    assert exception[0] is Status.PROVED  # the handler does not reach f


def test_a_register_constant_reached_by_a_branch_is_not_trusted() -> None:
    # movw r4, #16 falls into the sub, but the bne lands on the sub with any r4.
    f: list[Word] = [push(4, LR), 0xE3500000, b("adjust", cond=0x1), movw(4, 16)]
    prog = program(f, (".adjust", [0xE04DD004, 0xE08DD004, pop(4, PC)]))
    main, _ = bounds(image(prog))
    assert main[0] is Status.FAILED and "f: dynamic stack adjustment (SP moved by r4)" in main[1]


def test_recursion_is_refused() -> None:
    prog = program([push(4, LR), bl("g"), pop(4, PC)], ("g", [push(4, LR), bl("f"), pop(4, PC)]))
    main, _ = bounds(image(prog))
    assert main == (Status.FAILED, "the main stack cannot be bounded: recursion (f -> g -> f)")


def test_self_recursion_is_refused() -> None:
    main, _ = bounds(image(program([push(4, LR), bl("f"), pop(4, PC)])))
    assert main == (Status.FAILED, "the main stack cannot be bounded: recursion (f -> f)")


def test_start_up_code_may_set_sp_and_handlers_are_bounded_apart() -> None:
    prog = program([BX_LR])
    prog[2] = ("handler", [0xE1A0D003, push(0, 1, 2, 3), b("f")])  # mov sp, r3 (start-up), 16, tail call f
    main, exception = bounds(image(prog))
    assert needs(main[1]) == 0 and main[0] is Status.PROVED
    assert exception == (Status.PROVED, "the exception stack needs at most 16 of 1024 bytes (handler -> f)")


def test_a_call_to_the_middle_of_a_function_is_refused() -> None:
    prog = program([push(4, LR), bl("inside"), pop(4, PC)], ("g", [BX_LR]), (".inside", [BX_LR]))
    main, _ = bounds(image(prog))
    assert main[0] is Status.FAILED and "which is not a function start" in main[1]
