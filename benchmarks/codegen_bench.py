"""LLVM optimisation settings for the self-test: compile time, code size, instructions run.

Each setting compiles ``firmware/examples/selftest`` for usbarmory-mk2 (LLVM only: the
same IR for all), links it, and boots it in the simulator through the same console
session (``uid``, ``sha256 616263``, ``exit``); figures are ratios to -O2 measured in
the same run, written to ``benchmarks/results/codegen.json``.

    python benchmarks/codegen_bench.py
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

from timing import copy_project, write_results

from tamapy.build import compile_app
from tamapy.codegen import lower_program
from tamapy.codegen.target import DEFAULT_OPTIMISATION, Optimisation, compile_ir
from tamapy.lang import load_program
from tamapy.sim import Machine

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results" / "codegen.json"
BOARD = "usbarmory-mk2"
SESSION = b"uid\nsha256 616263\nexit\n"
SETTINGS = (Optimisation(1), Optimisation(2), Optimisation(3), Optimisation(2, loops=False))


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        proj = Path(tmp) / "proj"
        copy_project(proj)
        app = proj / "firmware" / "examples" / "selftest"
        program = load_program(app, BOARD)
        text = lower_program(program)
        figures: dict[str, dict[str, float | int | str]] = {}
        for opt in SETTINGS:
            samples = []
            for _ in range(3):
                start = time.perf_counter()
                compile_ir(text, program.board.triple, program.board.cpu, "selftest", opt)
                samples.append(time.perf_counter() - start)
            result = compile_app(app, BOARD, verify=False, opt=opt)
            code = sum(s.filesz for s in result.image.segments if "X" in s.flags)
            machine = Machine(result.image.elf, result.program.board, result.program.soc)
            machine.feed_console(SESSION)
            outcome = machine.run(max_insns=400_000_000, timeout=600.0)
            figures[str(opt)] = {"llvm_seconds": statistics.median(samples), "code_bytes": code,
                                 "instructions": outcome.instructions, "final": outcome.final or ""}
    reference = figures[str(DEFAULT_OPTIMISATION)]
    for f in figures.values():
        f["llvm_over_default"] = float(f["llvm_seconds"]) / float(reference["llvm_seconds"])
        f["code_over_default"] = int(f["code_bytes"]) / int(reference["code_bytes"])
        f["instructions_over_default"] = int(f["instructions"]) / int(reference["instructions"])
    results = {"default": str(DEFAULT_OPTIMISATION), "settings": figures, "session": SESSION.decode(),
               "python": sys.version.split()[0]}
    write_results(RESULTS, results)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
