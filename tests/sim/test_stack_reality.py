"""The proved stack bound against the deepest stack each example really reaches in the simulator.

Every app under ``firmware/examples/`` is built for both boards (once per
module), run with console input that drives its deep paths, and the lowest
SP the run reached (``SimOutcome.stack``) is held against the bound the
build proved: the stack used is at most the bound, and more than nothing
wherever the bound says the stack is used at all.  The recording itself is
checked against SP read before every single instruction.
"""

from __future__ import annotations

import io
import random
import re
from pathlib import Path

import pytest
from elftools.elf.elffile import ELFFile
from unicorn import UC_HOOK_CODE
from unicorn.arm_const import UC_ARM_REG_SP

from tamapy.build import compile_app
from tamapy.sim import Machine, SimOutcome, simulate
from tamapy.sim.stackwatch import could_write_sp, may_lower_sp
from tamapy.specs import Board, Soc, load_board, load_soc
from tamapy.verify.obligation import Status
from tamapy.verify.stack import image_frames, stack_bound
from tests.verify_engine.stack_support import BX_LR, LR, PC, b, bl, image, pop, push, set_sp

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "firmware" / "examples"
BOARDS = ("usbarmory-mk2", "mcimx6ul-evk")
BUDGET = 60_000_000
HEX16, HEX32 = "00112233445566778899aabbccddeeff", "ab" * 32
INPUTS: dict[str, list[str]] = {
    "hello": [],
    "selftest": [
        "help", "uid", "rand 256", "sha256 616263", "sha256 " + "ab" * 200,
        f"aes-cbc {HEX16} {HEX16} {HEX32}", "quote " + "5a" * 64, "bogus", "exit",
    ],
}
"""Console lines per app: every command of the selftest console (the quote's measurement of
the image is the deepest call chain the bound names)."""


def apps() -> list[str]:
    return sorted(p.name for p in EXAMPLES.iterdir() if (p / "main.py").is_file())


def board_of(name: str) -> tuple[Board, Soc]:
    board = load_board(ROOT / "specs", name)
    return board, load_soc(ROOT / "specs", board.soc)


def proved(message: str) -> int:
    found = re.search(r"needs at most (\d+) of \d+ bytes", message)
    assert found, message
    return int(found.group(1))


@pytest.fixture(scope="module")
def builds() -> dict[tuple[str, str], tuple[bytes, int, int]]:
    """(app, board) -> (ELF, proved main bound, proved exception bound), built once for the module."""
    out = {}
    for app in apps():
        for board in BOARDS:
            result = compile_app(EXAMPLES / app, board, verify=False)
            main, exception = result.stack
            assert main.status is Status.PROVED and exception.status is Status.PROVED, (main.message, exception.message)
            out[app, board] = (result.image.elf, proved(main.message), proved(exception.message))
    return out


def test_every_example_has_console_input() -> None:
    assert sorted(INPUTS) == apps()


def run(elf: bytes, board: str, app: str) -> SimOutcome:
    b, soc = board_of(board)
    data = "".join(f"{line}\n" for line in INPUTS[app]).encode()
    return simulate(elf, b, soc, console_input=data, max_insns=BUDGET, timeout=120.0)


@pytest.mark.parametrize("board", BOARDS)
@pytest.mark.parametrize("app", apps())
def test_the_deepest_stack_reached_is_within_the_proved_bound(
    builds: dict[tuple[str, str], tuple[bytes, int, int]], app: str, board: str,
    record_property: pytest.RecordProperty,
) -> None:
    elf, main_bound, exception_bound = builds[app, board]
    outcome = run(elf, board, app)
    assert outcome.final == "exit" and outcome.code == 0, outcome.output.decode("latin-1")
    assert outcome.stack is not None
    used = outcome.stack.used
    record_property("stack", f"{app}/{board}: deepest {used} of proved {main_bound} bytes")
    print(f"{app}/{board}: deepest main stack {used} bytes, proved bound {main_bound}; "
          f"exception stack {outcome.stack.exception_used} of {exception_bound}")
    figures = f"{app} on {board}: {used} bytes used, {main_bound} proved"
    assert used <= main_bound, figures
    assert used > 0 if main_bound > 0 else used == 0, figures
    assert outcome.stack.exception_used <= exception_bound
    assert outcome.stack.to_json()["main"]["used"] == used


def test_the_recorded_minimum_is_the_minimum_over_every_instruction(
    builds: dict[tuple[str, str], tuple[bytes, int, int]],
) -> None:
    """SP read before each instruction (a hook on all code) agrees with the recording."""
    elf, _, _ = builds["selftest", "usbarmory-mk2"]
    board, soc = board_of("usbarmory-mk2")
    machine = Machine(elf, board, soc)
    machine.feed_console(b"uid\nsha256 616263\nquote 00\nexit\n")
    seen: list[int] = []

    def every(uc: object, _address: int, _size: int, _user: object) -> None:
        sp = machine.uc.reg_read(UC_ARM_REG_SP)
        if board.region_of(sp) is not None:
            seen.append(sp)

    text = next(s for s in machine.image.segments if s.executable)
    machine.uc.hook_add(UC_HOOK_CODE, every, None, text.address, text.address + text.filesz - 1)
    outcome = machine.run(max_insns=BUDGET, timeout=300.0)
    assert outcome.final == "exit" and outcome.stack is not None
    main = [sp for sp in seen if sp <= outcome.stack.top]
    assert min(main) == outcome.stack.lowest
    assert outcome.stack.used > 1000  # the quote's software SHA-256 runs deep


LEAF_IN_ONE_BLOCK = [
    ("spin", [b("spin")]),
    ("f", [push(4, LR), bl("leaf"), pop(4, PC)]),  # 8
    ("leaf", [push(*range(13)), pop(*range(13)), BX_LR]),  # 52, pushed and popped in one block
]
"""The deepest point (8 + 52 = 60 bytes) lies inside one basic block that also returns: a
sample taken at block starts would see 8."""


def test_a_run_reaches_exactly_the_bound_of_straight_code() -> None:
    def program(top: int) -> bytes:
        return image([("reset", [*set_sp(top), bl("f"), b("spin")]), *LEAF_IN_ONE_BLOCK])

    symbols = ELFFile(io.BytesIO(program(0))).get_section_by_name(".symtab")  # where the stack's top lands
    stack_top = next(s["st_value"] for s in symbols.iter_symbols() if s.name == "__stack_top")
    elf = program(stack_top)
    frames = stack_bound(image_frames(elf, roots=("reset",)), "reset")
    assert (frames.depth, frames.path) == (60, ("reset", "f", "leaf"))
    board, soc = board_of("mcimx6ul-evk")
    outcome = simulate(elf, board, soc, max_insns=1_000)
    assert outcome.stop_reason == "max-insns" and outcome.stack is not None
    assert (outcome.stack.top, outcome.stack.used) == (stack_top, 60)


LOWERING = {
    0xE92D4010: True,  # push {r4, lr}
    0xE52DE004: True,  # str lr, [sp, #-4]!
    0xE24DD010: True,  # sub sp, sp, #16
    0xE04DD003: True,  # sub sp, sp, r3
    0xE1A0D000: True,  # mov sp, r0
    0xE590D000: True,  # ldr sp, [r0]
    0xED2D8B02: True,  # vpush {d8}
    0xE121F000: True,  # msr cpsr_c, r0 (another mode's SP)
    0xE8BD8010: False,  # pop {r4, pc}
    0xE28DD010: False,  # add sp, sp, #16
    0xE49DF004: False,  # ldr pc, [sp], #4
    0xE58D0004: False,  # str r0, [sp, #4]
    0xE0810002: False,  # add r0, r1, r2
}


@pytest.mark.parametrize("word", sorted(LOWERING))
def test_the_scan_finds_the_instructions_that_lower_sp(word: int) -> None:
    assert may_lower_sp(word) is LOWERING[word]


def test_the_cheap_filter_never_drops_a_lowering() -> None:
    rng = random.Random(7)
    for word in [*LOWERING, *(rng.getrandbits(32) for _ in range(200_000))]:
        assert could_write_sp(word) or not may_lower_sp(word), f"0x{word:08x}"
