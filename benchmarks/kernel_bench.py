"""tamapy's code against clang -O2 on small kernels, by exact dynamic instruction count.

Five kernels over one 4 KiB input (docs/benchmarks.md): SHA-256 of the whole input, CRC-32
bitwise and table-driven, a byte copy into another buffer, and the sum of the 4096 bytes.
Each is written twice, in the subset (``benchmarks/kernels/app``, SHA-256 being firmware's
own ``crypto.sha256_sw``) and in freestanding C (``benchmarks/kernels/c``).  Both images
run the same harness in the simulator on the ``mcimx6ul-evk`` board: fill the input, read
CCM.CCGR0 (a marker), run a kernel, read the marker again, and so on.  A kernel's count is
the instructions the MMIO trace counts between its two markers, less the first marker's
load: the call, its arguments, the kernel and the store of its result.  Every result is
read back from the simulator's memory and checked against hashlib and zlib.

A third image is the control: the same C, clang's front end only, then optimised and
compiled by the LLVM tamapy itself uses.  Where it matches tamapy and not clang, the
difference is the LLVM version, not tamapy's code.

The subset side is verified (``compile_app(verify=True)``) in a private copy of the
project.  Without clang the C side is skipped, said so, and its fields are null; nothing
is installed.  Results go to ``benchmarks/results/kernels.json``.

    python benchmarks/kernel_bench.py
"""

from __future__ import annotations

import hashlib
import io
import itertools
import shutil
import struct
import subprocess
import sys
import tempfile
import zlib
from pathlib import Path
from typing import Any

import llvmlite.binding as llvm
from elftools.elf.elffile import ELFFile
from elftools.elf.sections import SymbolTableSection
from timing import copy_project, write_results

from tamapy.build import compile_app
from tamapy.codegen import compile_ir
from tamapy.codegen.target import llvm_identity
from tamapy.sim import Machine, MmioAccess
from tamapy.specs import load_board, load_soc

ROOT = Path(__file__).resolve().parents[1]
KERNELS_DIR = ROOT / "benchmarks" / "kernels"
RESULTS = ROOT / "benchmarks" / "results" / "kernels.json"
BOARD = "mcimx6ul-evk"
APP = "kernels"
"""The subset harness's name in the project copy: firmware/examples/kernels."""
SIZE = 4096
SEED = 0x2545F491
MARKER = "CCM.CCGR0"
MAX_INSNS = 10**8
KERNELS = ("sha256", "crc32_bitwise", "crc32_table", "copy", "sum")
"""In the harness's order; before them, an empty interval (two markers back to back)."""
TRIPLE = "armv7a-none-eabi"
CPU = "cortex-a7"
"""The board's target, as tamapy compiles for it."""
CLANG_FLAGS = (f"--target={TRIPLE}", f"-mcpu={CPU}", "-mfloat-abi=soft", "-O2",
               "-ffreestanding", "-fno-builtin", "-nostdlib")

Where = tuple[str, int, int]
"""A result in the image: symbol, offset, length in bytes."""

TAMAPY_RESULTS: dict[str, Where] = {
    "input": ("examples.kernels.main.data", 0, SIZE),
    "sha256": ("examples.kernels.main.out_digest", 0, 32),
    "crc32_bitwise": ("examples.kernels.main.out_words", 0, 4),
    "crc32_table": ("examples.kernels.main.out_words", 4, 4),
    "copy": ("examples.kernels.main.out_copy", 0, SIZE),
    "sum": ("examples.kernels.main.out_words", 8, 4),
}
C_RESULTS: dict[str, Where] = {
    "input": ("data", 0, SIZE),
    "sha256": ("digest", 0, 32),
    "crc32_bitwise": ("words", 0, 4),
    "crc32_table": ("words", 4, 4),
    "copy": ("copied", 0, SIZE),
    "sum": ("words", 8, 4),
}


def reference_input() -> bytes:
    """The harness's input: the top byte of successive xorshift32 states from SEED."""
    x, out = SEED, bytearray()
    for _ in range(SIZE):
        x ^= (x << 13) & 0xFFFF_FFFF
        x ^= x >> 17
        x ^= (x << 5) & 0xFFFF_FFFF
        out.append(x >> 24)
    return bytes(out)


def expected(data: bytes) -> dict[str, bytes]:
    """What each kernel must leave in memory, from Python's own hashlib and zlib."""
    crc = struct.pack("<I", zlib.crc32(data))
    return {"input": data, "sha256": hashlib.sha256(data).digest(), "crc32_bitwise": crc,
            "crc32_table": crc, "copy": data, "sum": struct.pack("<I", sum(data))}


def build_tamapy(tmp: Path) -> tuple[bytes, bool]:
    """The subset harness, verified, built in a private copy of the project; (ELF, verified)."""
    proj = tmp / "proj"
    copy_project(proj)
    app = proj / "firmware" / "examples" / APP
    shutil.copytree(KERNELS_DIR / "app", app)
    result = compile_app(app, BOARD, verify=True, cache=proj / ".tamapy" / "proofs")
    return result.image.elf, result.verified


def build_c(tmp: Path, clang: str, lld: str) -> tuple[bytes, bytes]:
    """The C harness twice, linked by ld.lld at 0x80010000: compiled by clang -O2, and (the
    control) clang's unoptimised IR of the same source optimised and compiled by tamapy's own
    LLVM pipeline (``compile_ir``), which tells the compiler's version apart from tamapy's IR."""
    src = KERNELS_DIR / "c"
    reset, obj, bitcode = tmp / "reset.o", tmp / "kernels.o", tmp / "kernels.bc"
    for source, out, extra in (("reset.c", reset, ()), ("kernels.c", obj, ()),
                               ("kernels.c", bitcode, ("-Xclang", "-disable-llvm-optzns", "-emit-llvm"))):
        subprocess.run([clang, *CLANG_FLAGS, *extra, "-c", str(src / source), "-o", str(out)], check=True)
    control = tmp / "kernels_llvm.o"
    text = str(llvm.parse_bitcode(bitcode.read_bytes()))
    control.write_bytes(compile_ir(text, TRIPLE, CPU, "kernels.c")[0])
    images = []
    for kernels in (obj, control):
        elf = kernels.with_suffix(".elf")
        subprocess.run([lld, "-T", str(src / "link.ld"), str(reset), str(kernels), "-o", str(elf)], check=True)
        images.append(elf.read_bytes())
    return images[0], images[1]


def symbols(elf: bytes) -> dict[str, int]:
    """Every named symbol's address (local ones too: tamapy's globals are internal)."""
    table = ELFFile(io.BytesIO(elf)).get_section_by_name(".symtab")
    assert isinstance(table, SymbolTableSection)
    return {s.name: s["st_value"] for s in table.iter_symbols() if s.name}


def measure(elf: bytes, where: dict[str, Where], want: dict[str, bytes]) -> dict[str, Any]:
    """Run the image to its WFI; each interval's count between markers, and each result checked."""
    board = load_board(ROOT / "specs", BOARD)
    soc = load_soc(ROOT / "specs", board.soc)
    marks: list[int] = []

    def on_access(access: MmioAccess) -> None:
        if access.register == MARKER and access.read and access.instructions is not None:
            marks.append(access.instructions)

    machine = Machine(elf, board, soc, trace=on_access)
    outcome = machine.run(max_insns=MAX_INSNS, timeout=600)
    assert outcome.stop_reason == "halted", (outcome.stop_reason, outcome.fault)
    assert len(marks) == len(KERNELS) + 2, marks
    counts = [after - before - 1 for before, after in itertools.pairwise(marks)]
    addresses = symbols(elf)

    def read(name: str) -> bytes:
        symbol, offset, length = where[name]
        return bytes(machine.uc.mem_read(addresses[symbol] + offset, length))

    return {"total_instructions": outcome.instructions, "empty_interval": counts[0],
            "input_ok": read("input") == want["input"],
            "kernels": {k: {"instructions": n, "result_ok": read(k) == want[k]}
                        for k, n in zip(KERNELS, counts[1:], strict=True)}}


def tool_version(tool: str) -> str:
    """The first line of ``tool --version``."""
    return subprocess.run([tool, "--version"], capture_output=True, text=True, check=True).stdout.splitlines()[0]


def table(tamapy: dict[str, Any], clang: dict[str, Any] | None, control: dict[str, Any] | None) -> dict[str, Any]:
    """Per kernel: the counts, tamapy over clang, and every result check (None: not measured)."""
    rows: dict[str, Any] = {}
    for k in KERNELS:
        ours = tamapy["kernels"][k]
        theirs = clang["kernels"][k] if clang else None
        same = control["kernels"][k] if control else None
        rows[k] = {
            "tamapy_instructions": ours["instructions"],
            "clang_instructions": theirs["instructions"] if theirs else None,
            "ratio_tamapy_over_clang": ours["instructions"] / theirs["instructions"] if theirs else None,
            "c_with_tamapy_llvm_instructions": same["instructions"] if same else None,
            "tamapy_result_ok": ours["result_ok"],
            "clang_result_ok": theirs["result_ok"] if theirs else None,
            "c_with_tamapy_llvm_result_ok": same["result_ok"] if same else None,
        }
    return rows


def summary(run: dict[str, Any]) -> dict[str, Any]:
    """The whole run's figures of one side, beside the per-kernel table."""
    return {key: run[key] for key in ("total_instructions", "empty_interval", "input_ok")}


def main() -> int:
    want = expected(reference_input())
    clang, lld = shutil.which("clang"), shutil.which("ld.lld")
    c_side = control = compiler = None
    with tempfile.TemporaryDirectory() as tmp:
        elf, verified = build_tamapy(Path(tmp))
        tamapy = measure(elf, TAMAPY_RESULTS, want)
        if clang and lld:
            by_clang, by_llvm = build_c(Path(tmp), clang, lld)
            c_side, control = measure(by_clang, C_RESULTS, want), measure(by_llvm, C_RESULTS, want)
            compiler = {"version": tool_version(clang), "linker": tool_version(lld), "flags": list(CLANG_FLAGS),
                        **summary(c_side), "c_with_tamapy_llvm": summary(control)}
        else:
            print("clang or ld.lld is not on PATH: the C side is not measured (its fields are null)", file=sys.stderr)
    results = {
        "input_bytes": SIZE,
        "sum_of": "the 4096 bytes, into a u32",
        "method": f"instructions between two reads of {MARKER} in the simulator's MMIO trace, "
                  f"less the first read; board {BOARD}",
        "kernels": table(tamapy, c_side, control),
        "tamapy": {"llvm": llvm_identity(), "verified": verified, **summary(tamapy)},
        "clang": compiler,
        "clang_missing": None if compiler else "clang or ld.lld not on PATH: the C side was not measured",
        "python": sys.version.split()[0],
    }
    write_results(RESULTS, results)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
