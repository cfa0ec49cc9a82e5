"""Host runs: contracts as ghost code, clock_enabled, mmio, and how a run ends."""

from __future__ import annotations

import inspect
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from tamapy.abi import PANIC_ASSERT, PANIC_BOUNDS, PANIC_DIVIDE
from tamapy.diagnostics import TamapyError
from tamapy.fw import (
    ContractError,
    Halted,
    Panic,
    clock_enabled,
    decreases,
    invariant,
    mmio,
    panic,
    poll,
    wfi,
)
from tamapy.fw.regs import RegisterError
from tamapy.sim.bus import BusFault
from tamapy.sim.host import Host, Stopped

OCRAM = 0x00900000


def test_host_outside_a_project_is_a_diagnostic(tmp_path: Path) -> None:
    with pytest.raises(TamapyError) as info:
        Host(tmp_path, "mcimx6ul-evk")
    assert info.value.diagnostics[0].code == "E010"


def test_contracts_are_checked(probe: ModuleType) -> None:
    assert probe.next_small(3) == 4
    with pytest.raises(ContractError, match="precondition of next_small"):
        probe.next_small(10)
    with pytest.raises(ContractError, match="postcondition of broken_post"):
        probe.broken_post()
    assert probe.loop_with_invariant(5) == 10
    with pytest.raises(ContractError, match="loop invariant"):
        probe.bad_invariant()
    with pytest.raises(ContractError):
        invariant(False)
    with pytest.raises(ContractError):
        decreases(-1)


def test_contracts_are_ghost_code(host: Host, probe: ModuleType) -> None:
    """The compiled code never evaluates contracts, so evaluating them leaves no trace."""
    assert probe.reads_ctrl_in_contract() == 1
    assert host.trace == []
    with pytest.raises(RegisterError, match="side effects"):
        probe.reads_fifo_in_contract()


def test_clock_enabled_reads_the_gate_without_the_bus(host: Host, probe: ModuleType) -> None:
    regs: Any = host.regs
    assert clock_enabled(regs.UART1) and clock_enabled(regs.DIFF1)  # DIFF1 has no gate
    assert not clock_enabled(regs.DIFF2)  # CCGR2.CG11 is off at reset
    probe.uart1_gate_off()
    assert not clock_enabled(regs.UART1)
    assert [a.register for a in host.trace] == ["CCM.CCGR5", "CCM.CCGR5"]  # the modify, nothing else
    with pytest.raises(ContractError):
        probe.needs_clock(regs.DIFF2)
    assert probe.needs_clock(regs.DIFF1) == 5
    with pytest.raises(RuntimeError):
        clock_enabled(3)


def test_mmio_reaches_ram_and_the_bus(host: Host, probe: ModuleType) -> None:
    assert probe.raw(OCRAM + 8, 0xCAFEF00D) == 0xCAFEF00D
    assert host.memory.read(OCRAM + 8, 4) == bytes.fromhex("0df0feca")
    assert host.trace == []  # RAM is not on the bus
    assert probe.raw(0x02300020, 0x00340000) == 0x00340000  # DIFF1.CFG, raw
    assert [(a.read, a.register) for a in host.trace] == [(False, "DIFF1.CFG"), (True, "DIFF1.CFG")]
    mmio.write8(OCRAM, 0xAB)
    assert mmio.read16(OCRAM) == 0xAB and mmio.read8(OCRAM + 1) == 0
    with pytest.raises(OverflowError):
        mmio.write8(OCRAM, 0x100)
    with pytest.raises(BusFault) as info:
        mmio.read32(0x10000000)
    assert info.value.kind == "unmapped"


def test_mmio_needs_a_host() -> None:
    with pytest.raises(RuntimeError, match="needs a simulated bus"):
        mmio.read32(OCRAM)


def test_run_outcomes(host: Host, probe: ModuleType) -> None:
    returned = host.run(probe.uart_ready)
    assert returned.status == "returned" and returned.value and len(returned.trace) == 1

    for outcome, code in ((host.run(probe.out_of_bounds, 4), PANIC_BOUNDS),
                          (host.run(probe.divide, 1, 0), PANIC_DIVIDE),
                          (host.run(probe.fails_assert), PANIC_ASSERT),
                          (host.run(probe.stops, 0x1234), 0x1234)):
        assert (outcome.status, outcome.code) == ("panic", code)
    # The panic hook ran each time: the console shows the final line the simulator waits for.
    assert bytes(host.console.transmitted).endswith(b"tamapy: panic 0x00001234\n")

    assert host.run(probe.idles).status == "halted"
    faulted = host.run(inspect.unwrap(probe.needs_clock), host.regs.DIFF2)  # without its precondition check
    assert faulted.status == "fault" and faulted.fault_kind == "clock-gated" and faulted.trace == ()
    with pytest.raises(ContractError):
        host.run(probe.next_small, 11)  # outside the proved domain: raised, not reported
    with pytest.raises(OverflowError):
        host.run(probe.narrow, 999)


def test_a_model_can_stop_the_run(host: Host) -> None:
    wdog: Any = host.regs.WDOG1

    def software_reset() -> None:
        wdog.WCR.write(SRS=0)

    outcome = host.run(software_reset)
    assert outcome.status == "stopped" and outcome.stop_reason == "reset" and len(outcome.trace) == 1
    host.reset(modules=False)
    with pytest.raises(Stopped):
        software_reset()


def test_reset_restores_the_peripherals(host: Host) -> None:
    regs: Any = host.regs
    regs.DIFF1.CTRL.write(MODE=1)
    host.uart("UART1").receive(b"x")
    host.reset(modules=False)
    assert host.device("DIFF1").value("CTRL") == 0x80A00305 and host.uart("UART1").pending == 0
    assert host.trace == [] and regs.DIFF1.CTRL.MODE == 5  # the same register objects, the new models


def test_plain_intrinsics() -> None:
    with pytest.raises(Panic) as info:
        panic(0xFFFF0003)
    assert info.value.code == 0xFFFF0003
    with pytest.raises(Halted):
        wfi()


def test_docs_example_runs(tmp_path: Path) -> None:
    """The example of docs/host.md, run as written (in a copy of the project)."""
    from tests.fw.support import ROOT, make_project

    text = (ROOT / "docs" / "host.md").read_text()
    block = text.split("```python\n", 1)[1].split("```", 1)[0]
    project = make_project(tmp_path / "proj")
    exec(compile(block.replace('Path(".")', f"Path({str(project)!r})"), "docs/host.md", "exec"), {})


def test_injected_faults_reach_the_models(fw_project: Path) -> None:
    with Host(fw_project, "mcimx6ul-evk", inject=["uart-stuck"]) as host:
        uts: Any = host.regs.UART1.UTS
        assert not poll(uts.TXFULL == 0, limit=10)
        assert len(host.trace) == 10 and host.ctx.faults.active["uart-stuck"].triggered > 0
