"""Boot an image in QEMU's ``mcimx6ul-evk`` machine and follow its console.

The runner streams console output as it arrives and stops QEMU as soon as
the firmware prints its final line (``tamapy: exit N`` or
``tamapy: panic 0x...``), or when the wall-clock timeout expires.
"""

from __future__ import annotations

import os
import selectors
import shutil
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from tamapy.abi import final_outcome, run_status
from tamapy.diagnostics import error
from tamapy.specs.model import Board

QEMU = "qemu-system-arm"


@dataclass(frozen=True)
class RunOutcome:
    output: bytes
    """Everything the console printed."""
    final: str | None
    """``exit`` or ``panic`` when the final line was seen, None on timeout."""
    code: int | None
    """The exit or panic code from the final line."""
    seconds: float

    @property
    def status(self) -> int:
        """Process exit status for ``tamapy run``: 0 only for ``tamapy: exit 0``."""
        return run_status(self.final, self.code)


def qemu_command(board: Board, elf: Path) -> list[str]:
    serial = ["-serial", "null"] * board.qemu_serial_index + ["-serial", "stdio"]
    return [
        QEMU, "-M", "mcimx6ul-evk", "-cpu", "cortex-a7", "-m", f"{board.qemu_memory_mb}M",
        "-nographic", "-monitor", "none", *serial, "-kernel", str(elf),
    ]


def find_qemu() -> str:
    path = shutil.which(QEMU)
    if path is None:
        raise error(QEMU, 0, 0, "E501", f"{QEMU} is not installed", "install it: apt-get install -y qemu-system-arm")
    return path


def run_qemu(board: Board, elf: Path, timeout: float, echo: Callable[[bytes], None] | None = None) -> RunOutcome:
    """Run until the final line or ``timeout`` seconds; ``echo`` receives output as it comes."""
    find_qemu()
    start = time.monotonic()
    proc = subprocess.Popen(
        qemu_command(board, elf), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    assert proc.stdout is not None
    output = bytearray()
    final: str | None = None
    code: int | None = None
    sel = selectors.DefaultSelector()
    sel.register(proc.stdout, selectors.EVENT_READ)
    try:
        line_start = 0
        while final is None:
            left = timeout - (time.monotonic() - start)
            if left <= 0 or not sel.select(left):
                break
            chunk = os.read(proc.stdout.fileno(), 4096)
            if not chunk:
                break
            if echo is not None:
                echo(chunk)
            output += chunk
            while (nl := output.find(b"\n", line_start)) >= 0:
                seen = final_outcome(bytes(output[line_start:nl]))
                line_start = nl + 1
                if seen is not None:
                    final, code = seen
                    break
    finally:
        sel.close()
        proc.kill()
        proc.wait()
        proc.stdout.close()
    return RunOutcome(bytes(output), final, code, time.monotonic() - start)
