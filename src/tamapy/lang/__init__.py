"""Language stage: parse -> resolve -> type-check -> typed IR (DESIGN §2)."""

from tamapy.lang.program import check_paths, load_program

__all__ = ["check_paths", "load_program"]
