"""The build driver: application + board -> verified ELF image (and the files beside it).

Runs the stages in the order DESIGN §2 fixes: ``lang`` (typed IR), ``verify``
(every obligation of every function the application reaches), ``codegen``
(LLVM IR, ARM object), ``link`` (ELF at the board's addresses, and the raw
binary and boot image made from it), then ``verify.stack`` bounds the stack
on the linked machine code.  The result carries every image's bytes, so
what is written, signed and compared is computed once.  Unproven code is
refused unless the build is explicitly marked unverified.  Outputs are
written atomically.  A build also writes the project's type stubs (generated,
not committed: :func:`write_stubs`, the work of ``tamapy stubs``), so an
editor has them after the first build.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from tamapy.codegen import compile_ir, lower_program
from tamapy.codegen.startup import FAULTS, RESET, VECTORS
from tamapy.codegen.target import DEFAULT_OPTIMISATION, Optimisation, llvm_identity
from tamapy.fw.stubs import BOARD_STUB, render_board_stub, render_regs_stub, stub_path
from tamapy.lang import load_program
from tamapy.lang.ir import Program
from tamapy.link import LinkedImage, LinkLayout, link
from tamapy.link.imx import image_files
from tamapy.outputs import write_atomic
from tamapy.project import find_project
from tamapy.specs import list_boards, list_socs, load_board, load_soc
from tamapy.verify import ProofCache, ProofStore, Report, cache_dir, verify_program
from tamapy.verify.obligation import Obligation, Status
from tamapy.verify.stack import stack_obligations

EXCEPTION_STACK_SIZE = 0x1000


@dataclass(frozen=True)
class BuildResult:
    program: Program
    image: LinkedImage
    images: dict[str, bytes]
    """The files of the build keyed by file name, in order: ``<app>.elf``, ``<app>.bin``, ``<app>.imx``."""
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


def compile_app(app: Path, board: str, *, verify: bool = True, workers: int | None = None,
                cache: Path | None = None, objects: Path | None = None,
                opt: Optimisation = DEFAULT_OPTIMISATION, stage: Callable[[str], None] | None = None,
                progress: Callable[[int, int], None] | None = None) -> BuildResult:
    """Everything up to the linked image, its boot images and its proofs, in memory; proofs come
    from the certificates or the proof cache (``cache``, default :func:`verify.cache_dir`) by key,
    the object from ``objects`` (a local directory of LLVM outputs) when given and it has one.
    ``stage`` hears each stage's name, ``progress`` the verified functions (done, total)."""
    tell = stage or (lambda _: None)
    tell("check")
    program = load_program(app, board)
    report = None
    if verify:
        tell("verify")
        root = find_project(app).root
        report = verify_program(program, ProofStore(root), workers=workers, cache=ProofCache(cache_dir(root, cache)),
                                progress=progress)
    name = app_name(app)
    tell("compile")
    text = lower_program(program)
    obj = _object(text, program, name, objects, opt)
    tell("link")
    dma = program.board.region(program.board.dma_region)
    layout = LinkLayout(
        load_address=program.board.load_address,
        stack_size=program.board.stack_size,
        exception_stack_size=EXCEPTION_STACK_SIZE,
        entry_symbol=VECTORS,
        dma_base=dma.base if dma else 0,
        dma_size=dma.size if dma else 0,
    )
    image = link(obj, layout, f"{name}.o")
    stack = stack_obligations(
        image.elf,
        program.function(program.entry).span,
        reset=RESET,
        handlers=[handler for handler, _ in FAULTS],
        main_stack=program.board.stack_size,
        exception_stack=EXCEPTION_STACK_SIZE,
    )
    images = image_files(image.elf, program.board.dcd, name)
    return BuildResult(program, image, images, text, report, stack)


def _object(text: str, program: Program, name: str, objects: Path | None, opt: Optimisation) -> bytes:
    """LLVM's object for ``text``, reused from ``objects`` by the digest of everything LLVM reads
    (the IR, target, CPU and features, LLVM's version): the same input gives the same bytes."""
    board = program.board
    if objects is None:
        return compile_ir(text, board.triple, board.cpu, name, opt)[0]
    digest = hashlib.sha256(f"{llvm_identity(opt)}\n{board.triple} {board.cpu}\n{text}".encode()).hexdigest()
    path = objects / f"{digest}.o"
    if path.is_file():
        return path.read_bytes()
    obj = compile_ir(text, board.triple, board.cpu, name, opt)[0]
    with contextlib.suppress(OSError):  # an object cache that cannot be written only costs time
        write_atomic(path, obj)
    return obj


def object_cache(app: Path) -> Path:
    """The project's own directory of LLVM outputs (never shared: an object is not checkable
    by its digest the way a proof is, so it stays where only this checkout writes)."""
    return find_project(app).root / ".tamapy" / "objects"


def build(app: Path, board: str, out_dir: Path, *, unverified: bool = False, cache: Path | None = None,
          reuse_objects: bool = True, stage: Callable[[str], None] | None = None,
          progress: Callable[[int, int], None] | None = None) -> BuildResult:
    """Compile and write ``<app>.elf/.bin/.imx``, ``<app>.ll`` and ``<app>.build.json`` to ``out_dir``.

    Raises BuildRefused when an obligation is not proved, unless ``unverified``.  ``reuse_objects``:
    take LLVM's output from the project's object cache when the IR is unchanged (a signed build
    compiles afresh, so its provenance never rests on a cached file).
    """
    write_stubs(find_project(app).root)
    result = compile_app(app, board, verify=True, cache=cache, objects=object_cache(app) if reuse_objects else None,
                         stage=stage, progress=progress)
    if not result.verified and not unverified:
        raise BuildRefused(result)
    name = app_name(app)
    paths = write_images(result, out_dir)
    write_atomic(out_dir / f"{name}.ll", result.llvm_ir.encode())
    write_atomic(out_dir / f"{name}.build.json", (json.dumps(summary(result, name), indent=2, sort_keys=True) + "\n").encode())
    return dataclasses.replace(result, elf_path=paths[f"{name}.elf"])


def write_images(result: BuildResult, out_dir: Path) -> dict[str, Path]:
    """Write the build's ``.elf``, ``.bin`` and ``.imx`` to ``out_dir``; returns file name -> path."""
    paths: dict[str, Path] = {}
    for file_name, data in result.images.items():
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


DEFAULT_BOARD = "mcimx6ul-evk"
"""The board of board-independent work: checking a module, and the stub of ``board``."""


def stub_files(root: Path) -> dict[Path, Callable[[], bytes]]:
    """Every type stub of the project at ``root``, each with how to render it: each SoC's
    register module (``firmware/soc/<soc>/regs.pyi``) and the board package (the default
    board's modules)."""
    specs = root / "specs"
    files: dict[Path, Callable[[], bytes]] = {
        root / stub_path(soc): functools.partial(lambda s: render_regs_stub(load_soc(specs, s)), soc)
        for soc in list_socs(specs)
    }
    if DEFAULT_BOARD in list_boards(specs):
        package = load_board(specs, DEFAULT_BOARD).firmware_package
        directory = root / "firmware" / "board" / package
        modules = sorted(p.stem for p in directory.glob("*.py") if p.stem != "__init__")
        if modules:
            files[root / BOARD_STUB] = functools.partial(render_board_stub, package, modules)
    return files


def write_stubs(root: Path, *, check: bool = False) -> list[Path]:
    """Bring the stubs up to date, writing those missing or stale (atomically, and only those
    that differ); the paths that differed.  With ``check`` nothing is written (for a project
    that commits its stubs)."""
    stale: list[Path] = []
    for path, render in sorted(stub_files(root).items()):
        data = render()
        if path.is_file() and path.read_bytes() == data:
            continue
        stale.append(path)
        if not check:
            write_atomic(path, data)
    return stale
