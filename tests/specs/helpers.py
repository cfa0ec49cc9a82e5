"""Writing small spec trees and catching the one diagnostic they must produce."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tamapy.diagnostics import Diagnostic, TamapyError

PERIPHERAL = """\
[peripheral]
name = "P"
size = 0x100

[instances]
P1 = 0x1000

[registers.A]
offset = 0x0
reset = 0x1
[registers.A.fields]
EN = { bits = "0" }
MODE = { bits = "3:2" }
"""

UART = """\
[peripheral]
name = "UART"
size = 0x4000

[instances]
UART1 = 0x02020000
UART2 = 0x021E8000

[registers.UTXD]
offset = 0x40
access = "WO"
"""

BOARD = """\
[board]
name = "evk"
description = "test board"
soc = "t"
cpu = "cortex-a7"
triple = "armv7a-none-eabi"

[memory.ddr]
base = 0x80000000
size = 0x08000000

[memory.ocram]
base = 0x00900000
size = 0x00020000

[image]
load_address = 0x80010000

[stack]
size = 0x10000

[dma]
region = "ocram"
alignment = 4

[console]
uart = "UART1"
qemu_serial_index = 0

[qemu]
memory_mb = 512
"""


def edit(text: str, old: str, new: str) -> str:
    """Replace one occurrence, failing loudly if the template changed."""
    assert old in text, old
    return text.replace(old, new, 1)


def line_of(text: str, marker: str) -> int:
    """1-based number of the last line containing ``marker`` (being it, if it ends in a newline)."""
    whole = marker.endswith("\n")
    hits = [
        n
        for n, line in enumerate(text.splitlines(), start=1)
        if (line == marker[:-1] if whole else marker in line)
    ]
    assert hits, marker
    return hits[-1]


def write_soc(root: Path, files: dict[str, str], soc: str = "t") -> Path:
    directory = root / "soc" / soc
    directory.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (directory / name).write_text(text)
    return root


def write_board(root: Path, text: str, name: str = "evk") -> Path:
    write_soc(root, {"uart.toml": UART})
    (root / "boards").mkdir(exist_ok=True)
    (root / "boards" / f"{name}.toml").write_text(text)
    return root


def diagnostic(action: Callable[[], object]) -> Diagnostic:
    """The single diagnostic ``action`` must fail with."""
    with pytest.raises(TamapyError) as info:
        action()
    assert len(info.value.diagnostics) == 1
    diag = info.value.diagnostics[0]
    assert diag.hint, "every spec error carries a hint"
    if diag.line and diag.col:
        where = f"{diag.file}:{diag.line}:{diag.col}"
    elif diag.line:
        where = f"{diag.file}:{diag.line}"
    else:  # the whole file (or directory): no position is shown, never ``:0:0``
        where = diag.file
    assert diag.render().startswith(f"{where}: error[{diag.code}]: ")
    return diag
