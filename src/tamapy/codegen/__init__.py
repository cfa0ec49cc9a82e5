"""Code generation stage: typed IR -> LLVM IR -> ARM object (DESIGN §2)."""

from tamapy.codegen.lower import lower_program
from tamapy.codegen.target import assembly, compile_ir

__all__ = ["assembly", "compile_ir", "lower_program"]
