"""The linker's diagnostic codes (E4xx), in one place so docs and tests agree."""

from __future__ import annotations

from tamapy.diagnostics import TamapyError, error

MALFORMED_OBJECT = "E400"  # not parseable as ELF, truncated, inconsistent tables
WRONG_OBJECT_KIND = "E401"  # ELF, but not an ELF32 little-endian ARM ET_REL
UNKNOWN_SECTION = "E402"  # allocatable section the linker does not know how to place
UNKNOWN_RELOCATION = "E403"  # relocation type outside the supported set
UNDEFINED_SYMBOL = "E404"  # relocation against an undefined, non-linker-defined symbol
OUT_OF_RANGE = "E405"  # branch/PREL31 offset does not fit, or misaligned branch target
BAD_RELOCATION = "E406"  # place outside its section, symbol in a dropped section, ...
BAD_LAYOUT = "E407"  # invalid LinkLayout, or the image would wrap past 4 GiB (overlap)
MISSING_ENTRY = "E408"  # entry symbol not defined
SYMBOL_CONFLICT = "E409"  # duplicate global, or the object defines a linker-defined name


def link_error(name: str, code: str, message: str, hint: str) -> TamapyError:
    """An error located in the object being linked (no line/column in a binary)."""
    return error(name, 0, 0, code, message, hint)
