"""Build the crypto test firmware once and run it in Unicorn, like tests/codegen/test_semantics.py.

The harness app (``harness_main.py``) is copied into a private copy of the
project, compiled and linked by tamapy for the MCIMX6UL-EVK, and executed
from its entry point until it reaches ``__tamapy_halt`` (success) or
``__tamapy_panic`` (a failed run-time check).  Inputs and outputs pass
through OCRAM at the addresses the harness documents.
"""

from __future__ import annotations

import shutil
import struct
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path

from elftools.elf.elffile import ELFFile
from unicorn import UC_ARCH_ARM, UC_HOOK_CODE, UC_MODE_ARM, Uc
from unicorn.arm_const import UC_ARM_REG_CPSR, UC_ARM_REG_R0, UC_CPU_ARM_CORTEX_A7

from tamapy.build import compile_app

ROOT = Path(__file__).resolve().parents[2]
FIRMWARE = ROOT / "firmware"
BOARD = "mcimx6ul-evk"

IN, KEY_IN, MSG_IN = 0x00900000, 0x00900100, 0x00900200
OUT, STATUS_OUT = 0x00900040, 0x00900060
KEY_MAX, MSG_MAX = 256, 1024
OCRAM, OCRAM_SIZE = 0x00900000, 0x00020000
DDR, DDR_SIZE = 0x80000000, 0x01000000

OP_SHA256, OP_STREAM, OP_HMAC, OP_REPEAT, OP_NEAR_LIMIT = range(5)


@dataclass(frozen=True)
class Result:
    digest: bytes
    status: int


class Target:
    """The harness image loaded into a fresh-per-run Unicorn ARM (Cortex-A7) machine."""

    def __init__(self, symbols: dict[str, int], segments: list[tuple[int, bytes]], entry: int) -> None:
        self.symbols = symbols
        self.segments = segments
        self.entry = entry
        self.uc = Uc(UC_ARCH_ARM, UC_MODE_ARM)
        self.uc.ctl_set_cpu_model(UC_CPU_ARM_CORTEX_A7)
        self.uc.mem_map(DDR, DDR_SIZE)
        self.uc.mem_map(OCRAM, OCRAM_SIZE)
        self.stopped_at: int | None = None
        for stop in (symbols["__tamapy_halt"], symbols["__tamapy_panic"]):
            self.uc.hook_add(UC_HOOK_CODE, self._stop, begin=stop, end=stop)

    def _stop(self, uc: Uc, address: int, size: int, user: object) -> None:
        self.stopped_at = address
        uc.emu_stop()

    def run(self, op: int, message: bytes = b"", key: bytes = b"", *, chunk: int = 1, reps: int = 0,
            count: int = 0, limit: int = 50_000_000) -> Result:
        """Run one operation; raises AssertionError if the firmware panicked or did not halt."""
        assert len(message) <= MSG_MAX and len(key) <= KEY_MAX
        for addr, data in self.segments:
            self.uc.mem_write(addr, data)
        words = (op, len(message), len(key), chunk, reps, count & 0xFFFFFFFF, count >> 32)
        self.uc.mem_write(IN, struct.pack("<7I", *words))
        self.uc.mem_write(KEY_IN, key)
        self.uc.mem_write(MSG_IN, message)
        self.uc.mem_write(OUT, bytes(36))
        self.uc.reg_write(UC_ARM_REG_CPSR, 0x1D3)
        self.stopped_at = None
        self.uc.emu_start(self.entry, 0, count=limit)
        if self.stopped_at == self.symbols["__tamapy_panic"]:
            raise AssertionError(f"firmware panicked with 0x{self.uc.reg_read(UC_ARM_REG_R0):08x}")
        assert self.stopped_at == self.symbols["__tamapy_halt"], "did not reach __tamapy_halt"
        out = bytes(self.uc.mem_read(OUT, 36))
        return Result(out[:32], struct.unpack("<I", out[32:])[0])


def build_target(tmp: Path) -> Target:
    """Copy the project, add the harness as app ``examples/crypto_sw``, compile and link it."""
    shutil.copytree(FIRMWARE, tmp / "firmware")
    shutil.copytree(ROOT / "specs", tmp / "specs")
    app = tmp / "firmware" / "examples" / "crypto_sw"
    app.mkdir()
    shutil.copy(Path(__file__).with_name("harness_main.py"), app / "main.py")
    result = compile_app(app, BOARD, verify=False)
    elf = ELFFile(BytesIO(result.image.elf))
    segments = [(s["p_vaddr"], s.data() + bytes(s["p_memsz"] - s["p_filesz"]))
                for s in elf.iter_segments() if s["p_type"] == "PT_LOAD"]
    return Target(result.image.symbols, segments, result.image.entry)
