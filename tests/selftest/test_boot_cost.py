"""The cost of booting: reset to the first console byte, and the clearing of .bss and DMA.

The reset handler clears ``.bss`` and the DMA region a 64-byte block at a
time (``link.layout.CLEAR_BLOCK``).  The budget below is the target for the
instructions the CPU runs before the console's first byte; clearing word by
word alone cost more than twice that.
"""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import pytest
from unicorn import UC_HOOK_CODE

from tamapy.link.layout import CLEAR_BLOCK
from tamapy.qemu import qemu_command
from tamapy.sim import Machine, MmioAccess, simulate
from tests.selftest.support import BUDGET, Image
from tests.tools import require_tool

FIRST_BYTE_BUDGET = 2_500


def first_console_write(image: Image) -> MmioAccess:
    accesses: list[MmioAccess] = []
    utxd = f"{image.board.console_uart}.UTXD"
    simulate(image.elf, image.board, image.soc, max_insns=BUDGET, timeout=120.0, trace=accesses.append,
             console_input=b"exit\n")
    return next(a for a in accesses if a.register == utxd and not a.read)


@pytest.mark.parametrize("which", ["mk2", "evk"])
def test_first_console_byte_within_budget(which: str, request: pytest.FixtureRequest) -> None:
    image: Image = request.getfixturevalue(which)
    first = first_console_write(image)
    assert first.instructions is not None and first.instructions <= FIRST_BYTE_BUDGET
    assert first.value == ord("t")  # "tamapy selftest on ..."


def test_qemu_runs_as_many_instructions_to_the_first_console_byte(evk: Image, tmp_path: Path) -> None:
    """QEMU, one instruction per translation block with an execution log, counts the
    instructions before the store of the first console byte: within the budget, and the
    simulator's count exactly (the same code runs; no MMIO read before it differs)."""
    require_tool("qemu-system-arm", "qemu-system-arm")
    elf, log = tmp_path / "selftest.elf", tmp_path / "exec.log"
    elf.write_bytes(evk.elf)
    command = [*qemu_command(evk.board, elf), "-singlestep", "-d", "exec,nochain", "-D", str(log)]
    marker = f"/{first_console_write(evk).pc:08x}/"
    proc = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not (log.exists() and marker in log.read_text()):
            time.sleep(0.05)
    finally:
        proc.kill()
        proc.wait()
    with log.open() as lines:
        executed = next(n for n, line in enumerate(lines) if marker in line)
    first = first_console_write(evk)
    assert executed == first.instructions <= FIRST_BYTE_BUDGET


def test_zeroed_areas_are_whole_blocks(mk2: Image) -> None:
    s = mk2.symbols
    for start, end in (("__bss_start", "__bss_end"), ("__dma_start", "__dma_end")):
        assert s[start] % CLEAR_BLOCK == 0 and s[end] % CLEAR_BLOCK == 0
        assert s[end] - s[start] >= CLEAR_BLOCK  # the selftest has buffers in both
    assert s["__bss_end"] <= s["__stack_bottom"]


def instructions_to_main(image: Image) -> int:
    """Instructions the CPU completes before the first instruction of ``main``."""
    machine = Machine(image.elf, image.board, image.soc)
    seen: list[int] = []
    entry = image.symbols["examples.selftest.main.main"]
    machine.uc.hook_add(UC_HOOK_CODE, lambda *_: seen.append(machine.cycles()) if not seen else None,
                        None, entry, entry)
    machine.feed_console(b"exit\n")
    machine.run(max_insns=BUDGET, timeout=120.0)
    return seen[0]


def test_bss_and_dma_hold_zeros_when_main_starts(mk2: Image) -> None:
    """Garbage left in both areas before reset is gone when ``main`` starts."""
    machine = Machine(mk2.elf, mk2.board, mk2.soc)
    s = mk2.symbols
    areas = [(s["__bss_start"], s["__bss_end"]), (s["__dma_start"], s["__dma_end"])]
    for start, end in areas:
        machine.uc.mem_write(start, b"\xa5" * (end - start))
    outcome = machine.run(max_insns=instructions_to_main(mk2))
    assert outcome.stop_reason == "max-insns"
    for start, end in areas:
        assert bytes(machine.uc.mem_read(start, end - start)) == bytes(end - start)
