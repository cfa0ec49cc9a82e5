"""The firmware ABI: the names and codes that firmware, compiler, simulator and host share.

Everything that must agree between what firmware is written against and
what the tools around it do: the entry function and the panic hook the
language stage looks for, the panic codes compiled safety checks report (and
the host reports for the same failures), and the final console line by which
a run ends.  One definition, so the compiler, the simulator, QEMU's runner
and the host cannot drift apart.
"""

from __future__ import annotations

import re

ENTRY_NAME = "main"
"""The application's entry function: ``def main() -> None`` in ``main.py``."""
APP_MODULE = "main"
"""The module of an application directory that holds its entry function (``main.py``)."""
PANIC_MODULE = "runtime.panic"
"""The firmware module that may define the panic hook."""
PANIC_HOOK = "on_panic"
"""The panic hook: ``def on_panic(code: u32) -> None``, called once on a panic."""

PANIC_BOUNDS = 0xFFFF0001
"""Panic code: index or slice out of bounds."""
PANIC_DIVIDE = 0xFFFF0002
"""Panic code: division or modulo by zero."""
PANIC_ASSERT = 0xFFFF0003
"""Panic code: assertion failed."""

FINAL_LINE = re.compile(rb"^tamapy: (exit (\d+)|panic (0x[0-9a-f]+))\r?$")
"""The console line that ends a run: ``tamapy: exit N`` or ``tamapy: panic 0xCODE``."""


def final_outcome(line: bytes) -> tuple[str, int] | None:
    """``("exit", N)`` or ``("panic", CODE)`` when ``line`` (without its newline) is the final line."""
    match = FINAL_LINE.match(line)
    if match is None:
        return None
    exit_code, panic_code = match.group(2), match.group(3)
    return ("exit", int(exit_code)) if exit_code is not None else ("panic", int(panic_code, 16))


def run_status(final: str | None, code: int | None) -> int:
    """Process exit status of ``tamapy run`` for how the run ended: 0 only for ``tamapy: exit 0``."""
    return 0 if final == "exit" and code == 0 else 1
