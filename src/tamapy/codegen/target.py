"""Turn LLVM IR text into an ARM ELF object with llvmlite.

Optimisation runs LLVM's standard -O2 pipeline (``DEFAULT_OPTIMISATION``; other settings
for measurement); the object targets
``armv7a-none-eabi`` on a Cortex-A7 with static relocation, which is what
tamapy's own linker expects.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Final

import llvmlite.binding as llvm

from tamapy.diagnostics import error

CPU_FEATURES = "+soft-float,-neon,-fpregs"
"""No floating point or NEON: the FPU is off at reset and the subset has no floats,
so the auto-vectoriser must not use NEON registers (they would fault as undefined
instructions)."""


@functools.cache
def _initialise() -> None:
    llvm.initialize_all_targets()
    llvm.initialize_all_asmprinters()


@dataclass(frozen=True)
class Optimisation:
    """An LLVM optimisation setting: the -O level, and whether loops are unrolled and vectorised
    (off is the size-leaning variant; llvmlite's pass builder has no -Os of its own)."""

    level: int = 2
    loops: bool = True

    def __str__(self) -> str:
        return f"O{self.level}" + ("" if self.loops else "-noloops")


DEFAULT_OPTIMISATION: Final = Optimisation()
"""-O2, chosen from benchmarks/codegen_bench.py (benchmarks/results/codegen.json)."""


def llvm_identity(opt: Optimisation = DEFAULT_OPTIMISATION) -> str:
    """What besides the IR decides LLVM's output: its version, the features and the optimisation."""
    return f"llvm {'.'.join(map(str, llvm.llvm_version_info))} {CPU_FEATURES} {opt}"


def target_machine(triple: str, cpu: str, opt: Optimisation = DEFAULT_OPTIMISATION) -> llvm.TargetMachine:
    _initialise()
    target = llvm.Target.from_triple(triple)
    return target.create_target_machine(
        cpu=cpu, features=CPU_FEATURES, opt=opt.level, reloc="static", codemodel="small"
    )


def optimise(text: str, triple: str, cpu: str, name: str,
             opt: Optimisation = DEFAULT_OPTIMISATION) -> tuple[llvm.ModuleRef, llvm.TargetMachine]:
    """Parse, verify and optimise a module."""
    tm = target_machine(triple, cpu, opt)
    try:
        module = llvm.parse_assembly(text)
        module.verify()
    except RuntimeError as exc:
        # The code generator produced IR LLVM rejects: a tamapy bug, reported plainly.
        raise error(name, 0, 0, "E500", f"internal error: LLVM rejected the generated IR: {exc}",
                    "please report this with the source that triggered it") from None
    module.triple = triple
    pto = llvm.create_pipeline_tuning_options(opt.level)
    if not opt.loops:
        pto.loop_unrolling = pto.loop_vectorization = pto.slp_vectorization = False
    pb = llvm.create_pass_builder(tm, pto)
    pb.getModulePassManager().run(module, pb)
    return module, tm


def compile_ir(text: str, triple: str, cpu: str, name: str,
               opt: Optimisation = DEFAULT_OPTIMISATION) -> tuple[bytes, str]:
    """Object bytes and the optimised IR text of one module."""
    module, tm = optimise(text, triple, cpu, name, opt)
    return tm.emit_object(module), str(module)


def assembly(text: str, triple: str, cpu: str, name: str) -> str:
    """Optimised assembly listing, for inspection and tests."""
    module, tm = optimise(text, triple, cpu, name)
    return str(tm.emit_assembly(module))
