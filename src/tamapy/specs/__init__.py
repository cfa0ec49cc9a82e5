"""Register maps and board descriptions: the ``specs/`` TOML data, validated.

Other stages import from here; the dataclasses live in :mod:`.model` (with
the register write plan), the loaders in :mod:`.load` (discovery and
register maps) and :mod:`.boards`, invariant rules in :mod:`.invariants`
and their conditions in :mod:`.conditions`, and the error codes (E3xx) in
:mod:`.validate`.
"""

from tamapy.specs.boards import load_board
from tamapy.specs.load import list_boards, list_socs, load_soc
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
