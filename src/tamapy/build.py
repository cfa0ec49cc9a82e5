"""The build driver: application + board -> ELF image (and the files beside it).

Runs the stages in the order DESIGN §2 fixes: ``lang`` (typed IR),
``codegen`` (LLVM IR, ARM object), ``link`` (ELF at the board's addresses).
Outputs are named after the application directory and written atomically.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from tamapy.codegen import compile_ir, lower_program
from tamapy.codegen.startup import VECTORS
from tamapy.lang import load_program
from tamapy.lang.ir import Program
from tamapy.link import LinkedImage, LinkLayout, link
from tamapy.outputs import write_atomic

EXCEPTION_STACK_SIZE = 0x1000


@dataclass(frozen=True)
class BuildResult:
    program: Program
    image: LinkedImage
    llvm_ir: str
    elf_path: Path | None


def app_name(app: Path) -> str:
    path = app.resolve()
    return path.parent.name if path.is_file() else path.name


def compile_app(app: Path, board: str) -> BuildResult:
    """Everything up to the linked image, in memory."""
    program = load_program(app, board)
    text = lower_program(program)
    obj, _ = compile_ir(text, program.board.triple, program.board.cpu, app_name(app))
    layout = LinkLayout(
        load_address=program.board.load_address,
        stack_size=program.board.stack_size,
        exception_stack_size=EXCEPTION_STACK_SIZE,
        entry_symbol=VECTORS,
    )
    image = link(obj, layout, f"{app_name(app)}.o")
    return BuildResult(program, image, text, None)


def build(app: Path, board: str, out_dir: Path) -> BuildResult:
    """Compile and write ``<app>.elf``, ``<app>.ll`` and ``<app>.build.json`` to ``out_dir``."""
    result = compile_app(app, board)
    name = app_name(app)
    elf_path = out_dir / f"{name}.elf"
    write_atomic(elf_path, result.image.elf, 0o755)
    write_atomic(out_dir / f"{name}.ll", result.llvm_ir.encode())
    write_atomic(out_dir / f"{name}.build.json", (json.dumps(summary(result, name), indent=2, sort_keys=True) + "\n").encode())
    return BuildResult(result.program, result.image, result.llvm_ir, elf_path)


def summary(result: BuildResult, name: str) -> dict[str, object]:
    """Stable, machine-readable facts about a build (documented in the README)."""
    image = result.image
    return {
        "app": name,
        "board": result.program.board.name,
        "entry": f"0x{image.entry:08x}",
        "elf_sha256": hashlib.sha256(image.elf).hexdigest(),
        "elf_size": len(image.elf),
        "load_size": sum(s.filesz for s in image.segments),
        "segments": [
            {"name": s.name, "vaddr": f"0x{s.vaddr:08x}", "filesz": s.filesz, "memsz": s.memsz, "flags": s.flags}
            for s in image.segments
        ],
        "functions": len(result.program.functions),
        "unverified": True,
    }
