"""Build the selftest application and run it in the board simulator; host-side references.

The images are built once per test session and board (``conftest.py``), without
proofs (``test_proofs.py`` checks those without writing certificates).  Each
run boots a fresh :func:`tamapy.sim.simulate` with the console input given up
front; the input normally ends with ``exit`` so the run stops at once at
``tamapy: exit N`` instead of waiting out the idle rule.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import shutil
import struct
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from tamapy.build import compile_app
from tamapy.link.binary import raw_binary
from tamapy.sim import Machine, SimOutcome, simulate
from tamapy.sim.context import default_otp_key, default_unique_id
from tamapy.specs import Board, Soc, load_board, load_soc
from tamapy.verify.obligation import Status

ROOT = Path(__file__).resolve().parents[2]
APP = ROOT / "firmware" / "examples" / "selftest"
MK2, EVK = "usbarmory-mk2", "mcimx6ul-evk"
BUDGET = 60_000_000
"""Instruction budget of a run: far above any run's need (the slowest, ``dcp-hang``, takes
about 14 million), so reaching it means the firmware hung."""


def _constant(module: str, name: str) -> int:
    match = re.search(rf"^{name}: Final = ([0-9_xX]+)$", (APP / module).read_text(), re.MULTILINE)
    assert match, f"{name} not found in {module}"
    return int(match.group(1).replace("_", ""), 0)


IMAGE_BASE = _constant("attest.py", "IMAGE_BASE")
MEASURE_BYTES = _constant("attest.py", "MEASURE_PAGES") * _constant("attest.py", "PAGE")
DIVERSIFIER = b"tamapy-quote-key"


@dataclass(frozen=True)
class Image:
    """The selftest image of one board."""

    name: str
    board: Board
    soc: Soc
    elf: bytes
    symbols: dict[str, int]
    segments: tuple[tuple[str, int, int, int], ...]
    """(name, vaddr, filesz, memsz) of each loadable segment."""
    stack: tuple[tuple[bool, str], ...]
    """The main and exception stack bounds: (proved, message)."""


def build(board_name: str) -> Image:
    result = compile_app(APP, board_name, verify=False)
    board = load_board(ROOT / "specs", board_name)
    segments = tuple((s.name, s.vaddr, s.filesz, s.memsz) for s in result.image.segments)
    stack = tuple((o.status is Status.PROVED, o.message) for o in result.stack)
    return Image(board_name, board, load_soc(ROOT / "specs", board.soc), result.image.elf,
                 dict(result.image.symbols), segments, stack)


@dataclass(frozen=True)
class Run:
    outcome: SimOutcome

    @property
    def text(self) -> str:
        return self.outcome.output.decode("latin-1")

    @property
    def lines(self) -> list[str]:
        return self.text.split("\n")

    def values(self, prefix: str) -> list[str]:
        """The rest of every line that starts with ``prefix``."""
        return [line[len(prefix):] for line in self.lines if line.startswith(prefix)]

    def value(self, prefix: str) -> str:
        found = self.values(prefix)
        assert len(found) == 1, f"expected one {prefix!r} line, got {found} in\n{self.text}"
        return found[0]

    def responses(self) -> list[str]:
        """The console's answers in order: every result or error line after ``ready``."""
        after = self.lines[self.lines.index("ready: type help") + 1:]
        keys = ("uid: ", "random: ", "digest: ", "ciphertext: ", "quote: ", "error: ")
        return [line for line in after if line.startswith(keys)]

    @property
    def exited(self) -> bool:
        return self.outcome.final == "exit"


def run(image: Image, commands: list[str] | None = None, *, raw: bytes | None = None, end: bool = True,
        inject: tuple[str, ...] = (), unique_id: int | None = None, otp_key: bytes | None = None,
        clock_hz: int | None = None, max_insns: int = BUDGET) -> Run:
    """Boot ``image``, type ``commands`` (one line each, then ``exit`` if ``end``) or ``raw`` bytes."""
    data = raw if raw is not None else "".join(f"{c}\n" for c in [*(commands or []), *(["exit"] if end else [])]).encode()
    extra = {"clock_hz": clock_hz} if clock_hz is not None else {}
    outcome = simulate(image.elf, image.board, image.soc, max_insns=max_insns, timeout=120.0, inject=inject,
                       unique_id=unique_id, otp_key=otp_key, console_input=data, **extra)
    return Run(outcome)


# ------------------------------------------------------------------ host references


def measurement(image: Image) -> bytes:
    """SHA-256 of the measured region: the first MEASURE_BYTES of the flat image (.bin)."""
    flat = raw_binary(image.elf, "selftest.elf")
    assert flat.load_address == IMAGE_BASE
    region = flat.data[:MEASURE_BYTES]
    return hashlib.sha256(region + bytes(MEASURE_BYTES - len(region))).digest()


def device_otp_key(board: str, unique_id: int | None = None, otp_key: bytes | None = None) -> bytes:
    """The simulator's device OTP key for a run's parameters (docs/simulator.md)."""
    if otp_key is not None:
        return otp_key
    return default_otp_key(default_unique_id(board) if unique_id is None else unique_id)


def quote_key(otp_key: bytes) -> bytes:
    """derive_key("tamapy-quote-key"): AES-128-ECB of the diversifier under the device key."""
    enc = Cipher(algorithms.AES(otp_key), modes.ECB()).encryptor()
    return enc.update(DIVERSIFIER) + enc.finalize()


def quote(otp_key: bytes, nonce: bytes, measured: bytes) -> bytes:
    return hmac.new(quote_key(otp_key), nonce + measured, hashlib.sha256).digest()


def rng_stream(unique_id: int, nbytes: int, seed: int = 1) -> bytes:
    """The simulator RNGB's output bytes for seed number ``seed`` (docs/simulator.md, RNGB)."""
    key = hashlib.sha256(b"tamapy-sim rngb\x00" + unique_id.to_bytes(8, "little") + seed.to_bytes(4, "little")).digest()[:16]
    enc = Cipher(algorithms.AES(key), modes.CTR(bytes(16))).encryptor()
    return enc.update(bytes(nbytes))


def aes_cbc(key: bytes, iv: bytes, data: bytes) -> bytes:
    enc = Cipher(algorithms.AES(key), modes.CBC(iv)).encryptor()
    return enc.update(data) + enc.finalize()


# ------------------------------------------------------------------ the crypto.api harness

HARNESS_IN, HARNESS_KEY, HARNESS_IV, HARNESS_DATA = 0x84000000, 0x84000100, 0x84000200, 0x84001000
HARNESS_OUT, HARNESS_OUT_DATA = 0x84100000, 0x84100100
DONE = 0xC0DE
OK, UNAVAILABLE, ENGINE_ERROR, TIMEOUT, BAD_INPUT, UNHEALTHY = range(6)
"""crypto.api.CryptoStatus."""
OP_SHA256, OP_SHA256_ENGINE, OP_HMAC, OP_AES, OP_DERIVE, OP_RNG, OP_RNG_SELFTEST = range(7)


@dataclass(frozen=True)
class ApiResult:
    outcome: SimOutcome
    done: bool
    status: int
    selftest: int
    out: bytes
    """The 4 KiB AES output array."""
    digest: bytes
    derived: bytes
    words: list[int]


class Harness:
    """``api_harness.py`` built as app ``examples/apiharness`` in a copy of the project."""

    def __init__(self, tmp: Path, board_name: str) -> None:
        shutil.copytree(ROOT / "firmware", tmp / "firmware")
        shutil.copytree(ROOT / "specs", tmp / "specs")
        app = tmp / "firmware" / "examples" / "apiharness"
        app.mkdir()
        shutil.copy(Path(__file__).with_name("api_harness.py"), app / "main.py")
        self.elf = compile_app(app, board_name, verify=False).image.elf
        self.board = load_board(tmp / "specs", board_name)
        self.soc = load_soc(tmp / "specs", self.board.soc)

    def run(self, op: int, args: tuple[int, ...] = (), *, key: bytes = b"", iv: bytes = bytes(16),
            data: bytes = b"", inject: tuple[str, ...] = (), otp_key: bytes | None = None,
            unique_id: int | None = None) -> ApiResult:
        assert len(key) <= 256 and len(iv) == 16 and len(data) <= 8192
        machine = Machine(self.elf, self.board, self.soc, inject=inject, otp_key=otp_key, unique_id=unique_id)
        words = (op, *args)
        machine.uc.mem_write(HARNESS_IN, struct.pack(f"<{len(words)}I", *words))
        machine.uc.mem_write(HARNESS_KEY, key)
        machine.uc.mem_write(HARNESS_IV, iv)
        machine.uc.mem_write(HARNESS_DATA, data)
        outcome = machine.run(max_insns=BUDGET, timeout=120.0)
        head = struct.unpack("<3I", bytes(machine.uc.mem_read(HARNESS_OUT, 12)))
        blob = bytes(machine.uc.mem_read(HARNESS_OUT_DATA, 0x1300))
        return ApiResult(outcome, head[0] == DONE and outcome.final == "exit", head[1], head[2], blob[:4096],
                         blob[0x1000:0x1020], blob[0x1100:0x1110],
                         list(struct.unpack("<64I", blob[0x1200:0x1300])))
