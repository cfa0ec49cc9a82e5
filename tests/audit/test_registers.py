"""The register access matrix against a small app whose every access was checked by hand
(clock gates from the specs' [clocks] tables, DCP's invariants that name CTRL)."""

from __future__ import annotations

from .conftest import Audited


def _row(function: str, peripheral: str, instance: str | None, register: str, accesses: list[str],
         gate: str | None, invariants: tuple[str, ...] = ()) -> dict[str, object]:
    return {"function": f"examples.regs.main.{function}", "peripheral": peripheral, "instance": instance,
            "register": register, "accesses": accesses, "clock_gate": gate, "invariants": list(invariants),
            "dma_fields": []}


CHANNELS = ("channel0_enabled", "channel1_enabled", "channel2_enabled", "channel3_enabled")

EXPECTED = [
    _row("engine", "DCP", "DCP", "CTRL", ["set", "clear"], "CCM.CCGR0.CG5", CHANNELS),  # dcp.toml: DCP = "CCGR0.CG5"
    _row("serial", "UART", None, "UCR1", ["modify"], None),  # the instance is a parameter
    _row("serial", "UART", None, "UTXD", ["write"], None),
    _row("timer", "GPT", "GPT1", "CNT", ["read"], "CCM.CCGR1.CG10"),  # gpt.toml: GPT1 = "CCGR1.CG10"
    _row("timer", "GPT", "GPT1", "IR", ["modify"], "CCM.CCGR1.CG10"),
    _row("timer", "GPT", "GPT1", "PR", ["write"], "CCM.CCGR1.CG10"),
    _row("timer", "GPT", "GPT1", "SR", ["write"], "CCM.CCGR1.CG10"),
]


def test_matrix_rows_of_the_hand_checked_app(regs: Audited) -> None:
    mine = [m for m in regs.audit["registers"]["matrix"] if m["function"].startswith("examples.regs.")]
    assert mine == EXPECTED


def test_the_library_rows_are_there_too(regs: Audited) -> None:
    """enable_gpt1 opens its gate with a read-modify-write of CCM.CCGR1 (firmware/soc/imx6ul/ccm.py)."""
    rows = regs.audit["registers"]["matrix"]
    assert any(m["function"] == "soc.imx6ul.ccm.enable_gpt1" and m["register"] == "CCGR1"
               and m["accesses"] == ["modify"] for m in rows)


def test_a_dma_address_write_is_named(bad: Audited) -> None:
    [row] = [m for m in bad.audit["registers"]["matrix"] if m["function"] == "examples.bad.main.main"]
    assert row["register"] == "CONTEXT" and row["dma_fields"] == ["ADDR"]  # dcp.toml: ADDR ... dma = true
    assert "examples.bad.main.main" in bad.audit["registers"]["dma_functions"]
    assert "examples.regs.main.engine" not in bad.audit["registers"]["dma_functions"]
