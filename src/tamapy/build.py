"""The build driver: application + board -> verified ELF image (and the files beside it).

Runs the stages in the order DESIGN §2 fixes: ``lang`` (typed IR), ``verify``
(every obligation of every function the application reaches), ``codegen``
(LLVM IR, ARM object), ``link`` (ELF at the board's addresses), then bounds
the stack on the linked machine code.  Unproven code is refused unless the
build is explicitly marked unverified.  Outputs are written atomically.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from tamapy.codegen import compile_ir, lower_program
from tamapy.codegen.startup import FAULTS, RESET, VECTORS
from tamapy.lang import load_program
from tamapy.lang.ir import Program
from tamapy.link import LinkedImage, LinkLayout, link
from tamapy.link.imx import image_files
from tamapy.outputs import write_atomic
from tamapy.project import find_project
from tamapy.verify import ProofStore, Report, verify_program
from tamapy.verify.obligation import Category, Obligation, Status
from tamapy.verify.stack import StackBound, stack_bound

EXCEPTION_STACK_SIZE = 0x1000


@dataclass(frozen=True)
class BuildResult:
    program: Program
    image: LinkedImage
    llvm_ir: str
    report: Report | None
    """None when verification was skipped (``--unverified``)."""
    stack: tuple[Obligation, Obligation]
    """Main stack and exception stack bounds."""
    elf_path: Path | None = None

    @property
    def verified(self) -> bool:
        return self.report is not None and self.report.all_proved and all(o.status is Status.PROVED for o in self.stack)

    def failures(self) -> list[Obligation]:
        found = list(self.report.obligations) if self.report else []
        return [o for o in [*found, *self.stack] if o.status is not Status.PROVED]


class BuildRefused(Exception):
    """Unproven code; carries the build so the CLI can show why."""

    def __init__(self, result: BuildResult) -> None:
        super().__init__("unproven obligations")
        self.result = result


def app_name(app: Path) -> str:
    path = app.resolve()
    return path.parent.name if path.is_file() else path.name


def compile_app(app: Path, board: str, *, verify: bool = True, workers: int | None = None) -> BuildResult:
    """Everything up to the linked image and its proofs, in memory."""
    program = load_program(app, board)
    report = None
    if verify:
        report = verify_program(program, ProofStore(find_project(app).root), workers=workers)
    text = lower_program(program)
    obj, _ = compile_ir(text, program.board.triple, program.board.cpu, app_name(app))
    dma = program.board.region(program.board.dma_region)
    layout = LinkLayout(
        load_address=program.board.load_address,
        stack_size=program.board.stack_size,
        exception_stack_size=EXCEPTION_STACK_SIZE,
        entry_symbol=VECTORS,
        dma_base=dma.base if dma else 0,
        dma_size=dma.size if dma else 0,
    )
    image = link(obj, layout, f"{app_name(app)}.o")
    entry_fn = program.function(program.entry)
    main_stack = _stack_obligation(stack_bound(image.elf, RESET), program.board.stack_size, "main", entry_fn.span)
    handler_bounds = [stack_bound(image.elf, name) for name, _ in FAULTS]
    worst = max(handler_bounds, key=lambda b: -1 if b.depth is None else b.depth)
    unbounded = [b for b in handler_bounds if b.depth is None]
    exc_stack = _stack_obligation(unbounded[0] if unbounded else worst, EXCEPTION_STACK_SIZE, "exception", entry_fn.span)
    return BuildResult(program, image, text, report, (main_stack, exc_stack))


def _stack_obligation(bound: StackBound, limit: int, which: str, span: object) -> Obligation:
    from tamapy.lang.ir import Span

    assert isinstance(span, Span)
    if bound.depth is None:
        return Obligation(f"image:stack:{which}", Category.STACK, "<image>", span,
                          f"the {which} stack cannot be bounded: {bound.problem}", Status.FAILED, 0.0, "tamapy-stack")
    status = Status.PROVED if bound.depth <= limit else Status.FAILED
    chain = " -> ".join(bound.path)
    return Obligation(f"image:stack:{which}", Category.STACK, "<image>", span,
                      f"the {which} stack needs at most {bound.depth} of {limit} bytes ({chain})", status, 0.0, "tamapy-stack")


def build(app: Path, board: str, out_dir: Path, *, unverified: bool = False) -> BuildResult:
    """Compile and write ``<app>.elf``, ``<app>.ll`` and ``<app>.build.json`` to ``out_dir``.

    Raises BuildRefused when an obligation is not proved, unless ``unverified``.
    """
    result = compile_app(app, board, verify=True)
    if not result.verified and not unverified:
        raise BuildRefused(result)
    name = app_name(app)
    elf_path = out_dir / f"{name}.elf"
    write_images(result, out_dir, name)
    write_atomic(out_dir / f"{name}.ll", result.llvm_ir.encode())
    write_atomic(out_dir / f"{name}.build.json", (json.dumps(summary(result, name), indent=2, sort_keys=True) + "\n").encode())
    return BuildResult(result.program, result.image, result.llvm_ir, result.report, result.stack, elf_path)


def images(result: BuildResult, name: str) -> dict[str, bytes]:
    """The three images of a build, keyed by file name: ELF, raw binary, i.MX boot image."""
    return image_files(result.image.elf, result.program.board.dcd, name)


def write_images(result: BuildResult, out_dir: Path, name: str) -> dict[str, Path]:
    """Write ``<name>.elf``, ``<name>.bin`` and ``<name>.imx``; returns file name -> path."""
    paths: dict[str, Path] = {}
    for file_name, data in images(result, name).items():
        path = out_dir / file_name
        write_atomic(path, data, 0o755 if file_name.endswith(".elf") else 0o644)
        paths[file_name] = path
    return paths


def summary(result: BuildResult, name: str) -> dict[str, object]:
    """Stable, machine-readable facts about a build (documented in the README)."""
    image = result.image
    totals = result.report.totals() if result.report else {}
    for o in result.stack:
        totals[o.status.value] = totals.get(o.status.value, 0) + 1
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
        "obligations": dict(sorted(totals.items())),
        "stack": [o.message for o in result.stack],
        "verified": result.verified,
    }
