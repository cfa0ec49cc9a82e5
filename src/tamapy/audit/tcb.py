"""Section 3, the trusted computing base: everything the proofs assume rather than establish.

That is the ``@trusted`` functions (their reasons and declared ``modifies``), the start-up
code the compiler writes, the machine intrinsics and raw MMIO, the relocations the linker
applied, and the spec files whose facts the proofs take as given.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tamapy.audit.collect import Evidence
from tamapy.codegen.startup import FAULTS, HALT, PANIC, RESET, VECTORS, startup_ir
from tamapy.lang import ir
from tamapy.lang.walk import stmt_exprs, walk_expr, walk_stmts
from tamapy.specs.interfaces import load_interfaces

STARTUP_ROLES: tuple[tuple[str, str], ...] = (
    (VECTORS, "vector table"),
    (RESET, "reset handler: stack, VBAR, .bss and DMA region cleared, calls main, halts"),
    (PANIC, "panic: calls the firmware's panic hook once, then halts"),
    (HALT, "halt: waits for interrupts forever"),
    *((name, f"exception handler: panics with code 0x{code:08x}") for name, code in FAULTS),
)


def _lines(span: ir.Span) -> int:
    return span.end_line - span.line + 1


def intrinsic_uses(program: ir.Program) -> dict[str, set[str]]:
    """Intrinsic name (``wfi``, ``mmio.read32``, ...) -> the functions whose bodies use it."""
    uses: dict[str, set[str]] = {}
    for fn in program.functions:
        for stmt in walk_stmts(fn.body):
            names = []
            if isinstance(stmt, ir.Intrinsic):
                names.append(stmt.name)
            elif isinstance(stmt, ir.MmioWrite):
                names.append(f"mmio.write{stmt.width}")
            names += [f"mmio.read{e.width}" for top in stmt_exprs(stmt) for e in walk_expr(top)
                      if isinstance(e, ir.MmioRead)]
            for name in names:
                uses.setdefault(name, set()).add(fn.qualname)
    return uses


def spec_kind(rel: str) -> str:
    return {"soc": "register map", "boards": "board", "interfaces": "interface"}.get(rel.split("/")[1], "spec")


def spec_files(ev: Evidence) -> list[Path]:
    """Every spec file the program rests on: the board, the register maps, and the interface
    files of the interfaces its functions implement (their contracts were attached from there)."""
    specs = ev.project.specs.resolve()
    files = {Path(s).resolve() for s in ev.result.program.sources if specs in Path(s).resolve().parents}
    names = {f.qualname for f in ev.result.program.functions}
    files |= {Path(i.source).resolve() for i in load_interfaces(ev.project.specs) if f"{i.module}.{i.name}" in names}
    return sorted(files)


def _spec_fact(ev: Evidence, path: Path, sha256: str) -> dict[str, Any]:
    rel = ev.relative(str(path))
    kind = spec_kind(rel)
    program = ev.result.program
    peripherals = [p for p in program.soc.peripherals if Path(p.source).resolve() == path]
    if kind == "register map":
        name = ", ".join(p.name for p in peripherals)
    elif kind == "board":
        name = program.board.name
    else:
        name = ", ".join(i.name for i in load_interfaces(ev.project.specs) if Path(i.source).resolve() == path)
    return {"file": rel, "sha256": sha256, "kind": kind, "name": name,
            "registers": sum(len(p.registers) for p in peripherals),
            "invariants": sum(len(p.invariants) for p in peripherals)}


def tcb_section(ev: Evidence, digests: dict[str, str]) -> dict[str, Any]:
    """``digests``: SHA-256 by project-relative path of every input file (section 7 computes them once)."""
    program = ev.result.program
    trusted = [f for f in program.functions if f.trusted is not None]
    return {
        "trusted_functions": [
            {"function": f.qualname, "file": ev.relative(f.span.file), "line": f.span.line,
             "end_line": f.span.end_line, "lines": _lines(f.span), "reason": f.trusted,
             "modifies": list(f.modifies) if f.modifies is not None else None}
            for f in sorted(trusted, key=lambda f: f.qualname)
        ],
        "startup": [{"symbol": s, "role": r} for s, r in STARTUP_ROLES],
        "intrinsics": [{"name": n, "functions": sorted(fns)} for n, fns in sorted(intrinsic_uses(program).items())],
        "relocations": [{"kind": k, "count": n} for k, n in ev.result.image.relocations],
        "spec_facts": [_spec_fact(ev, p, digests[ev.relative(str(p))]) for p in spec_files(ev)],
        "lines": {"trusted": sum(_lines(f.span) for f in trusted),
                  "startup_ir": len(startup_ir(program.entry, program.panic_handler).splitlines()),
                  "proven": sum(_lines(f.span) for f in program.functions if f.trusted is None)},
    }
