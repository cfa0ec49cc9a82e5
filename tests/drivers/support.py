"""Build the driver test firmware and run it in the board simulator.

``harness_main.py`` is copied into a private copy of the project as the app
``examples/drivers``, compiled for a board (without proofs: the drivers'
proofs are checked by test_proofs.py, the harness's trusted I/O is not
proved), and each run boots it in a fresh :class:`tamapy.sim.Machine` with
the operation's inputs written to DDR first and its results read back from
DDR afterwards.
"""

from __future__ import annotations

import shutil
import struct
from dataclasses import dataclass, field
from pathlib import Path

from tamapy.build import compile_app
from tamapy.sim import Machine, MmioAccess, SimOutcome
from tamapy.specs import Board, Soc, load_board, load_soc

ROOT = Path(__file__).resolve().parents[2]
EVK, MK2 = "mcimx6ul-evk", "usbarmory-mk2"

IN, KEY_IN, IV_IN, DATA_IN = 0x84000000, 0x84000100, 0x84000110, 0x84001000
OUT, OUT_DATA = 0x84100000, 0x84100100
DATA_MAX = 16384
DONE = 0xC0DE

OP_SOC, OP_FUSE, OP_SHA, OP_AES, OP_RNG, OP_GPT, OP_WDOG, OP_RTC, OP_DCP_INIT = range(9)
SOURCE_PAYLOAD, SOURCE_SLOT, SOURCE_UNIQUE = range(3)

# soc.Model
UNKNOWN, UL, ULL, ULZ = range(4)
# dcp.DcpStatus
DCP_OK, DCP_ERROR, DCP_TIMEOUT, DCP_BAD_LENGTH = range(4)
# rngb.RngStatus
RNG_OK, RNG_TIMEOUT, RNG_SELFTEST_FAILED, RNG_SEED_FAILED, RNG_ERROR, RNG_NOT_READY = range(6)
# ocotp.FuseStatus
FUSE_OK, FUSE_TIMEOUT, FUSE_LOCKED = range(3)

DCP_BASE, DCP_SIZE = 0x02280000, 0x4000
RNGB_BASE, RNGB_SIZE = 0x02284000, 0x4000


@dataclass
class Run:
    """One run: how it ended, the result words and output bytes, and the MMIO trace."""

    outcome: SimOutcome
    words: list[int]
    data: bytes
    trace: list[MmioAccess] = field(default_factory=list)

    @property
    def finished(self) -> bool:
        return self.outcome.final == "exit" and self.outcome.code == 0 and self.words[0] == DONE

    def touched(self, base: int, size: int) -> list[MmioAccess]:
        return [a for a in self.trace if base <= a.address < base + size]


class Harness:
    """The test image of one board."""

    def __init__(self, elf: bytes, board: Board, soc: Soc) -> None:
        self.elf = elf
        self.board = board
        self.soc = soc

    def run(self, op: int, args: tuple[int, ...] = (), data: bytes = b"", key: bytes = bytes(16),
            iv: bytes = bytes(16), *, out_bytes: int = 0, inject: tuple[str, ...] = (),
            unique_id: int | None = None, otp_key: bytes | None = None, clock_hz: int | None = None,
            variant: str | None = None, trace: bool = False, max_insns: int = 50_000_000) -> Run:
        assert len(data) <= DATA_MAX and len(key) == 16 and len(iv) == 16
        accesses: list[MmioAccess] = []
        extra = {"clock_hz": clock_hz} if clock_hz is not None else {}
        machine = Machine(self.elf, self.board, self.soc, inject=inject, unique_id=unique_id, otp_key=otp_key,
                          variant=variant, trace=accesses.append if trace else None, **extra)
        words = (op, *args)
        machine.uc.mem_write(IN, struct.pack(f"<{len(words)}I", *words))
        machine.uc.mem_write(KEY_IN, key)
        machine.uc.mem_write(IV_IN, iv)
        machine.uc.mem_write(DATA_IN, data)
        outcome = machine.run(max_insns=max_insns, timeout=60.0)
        result = list(struct.unpack("<64I", bytes(machine.uc.mem_read(OUT, 256))))
        out = bytes(machine.uc.mem_read(OUT_DATA, out_bytes)) if out_bytes else b""
        return Run(outcome, result, out, accesses)


def build(tmp: Path, board_name: str) -> Harness:
    """Copy the project, add the harness as app ``examples/drivers``, build it for ``board_name``."""
    shutil.copytree(ROOT / "firmware", tmp / "firmware")
    shutil.copytree(ROOT / "specs", tmp / "specs")
    app = tmp / "firmware" / "examples" / "drivers"
    app.mkdir()
    shutil.copy(Path(__file__).with_name("harness_main.py"), app / "main.py")
    elf = compile_app(app, board_name, verify=False).image.elf
    board = load_board(tmp / "specs", board_name)
    return Harness(elf, board, load_soc(tmp / "specs", board.soc))
