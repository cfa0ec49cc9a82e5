"""Register maps and board descriptions: the ``specs/`` TOML data, validated.

Other stages import from here; the dataclasses live in :mod:`.model`, the
loaders in :mod:`.load`, and the error codes (E3xx) in :mod:`.validate`.
"""

from tamapy.specs.load import list_boards, list_socs, load_board, load_soc
from tamapy.specs.model import (
    ALIAS_OFFSETS,
    Access,
    Board,
    Field,
    MemoryRegion,
    Peripheral,
    Register,
    Soc,
)

__all__ = [
    "ALIAS_OFFSETS",
    "Access",
    "Board",
    "Field",
    "MemoryRegion",
    "Peripheral",
    "Register",
    "Soc",
    "list_boards",
    "list_socs",
    "load_board",
    "load_soc",
]
