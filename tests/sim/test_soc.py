"""Which part each board has, what identifies it, OCOTP fuses, and the DCP reached from firmware."""

from __future__ import annotations

import hashlib
import struct
from typing import Any

import pytest

from tamapy.diagnostics import TamapyError
from tamapy.sim import Machine, MmioAccess, SimOutcome, simulate
from tamapy.sim.context import default_unique_id
from tamapy.sim.variants import BOARD_VARIANTS

from .support import (
    CCM_ANALOG,
    DCP,
    EVK,
    LOAD,
    MK2,
    OCOTP,
    OCRAM,
    PROBE,
    RNGB,
    Bench,
    board,
    image,
    ptr,
    spin,
    store,
)

DIGPROG = CCM_ANALOG + 0x260
CTRL, CTRL_SET, CTRL_CLR = 0x0, 0x4, 0x8
READ_CTRL, READ_FUSE_DATA, DATA = 0x30, 0x40, 0x20
CFG0, CFG1, CFG5, OTPMK0, LOCK = 0x410, 0x420, 0x460, 0x500, 0x400
ERROR, RELOAD = 1 << 9, 1 << 10
SAVE = LOAD + 0x8000
"""Where the probe images store what they read, for the test to look at afterwards."""


def load_and_save(address: int) -> str:
    return f"  %v = load volatile i32, {ptr(address)}\n  store volatile i32 %v, {ptr(SAVE)}\n  ret void"


def run_probe(body: str, name: str, **kwargs: Any) -> tuple[Machine, SimOutcome]:
    b, soc = board(name)
    machine = Machine(image(body), b, soc, **kwargs)
    return machine, machine.run(max_insns=200_000)


def saved(machine: Machine) -> int:
    return int.from_bytes(machine.uc.mem_read(SAVE, 4), "little")


# ------------------------------------------------------------------- the parts


def test_board_table_names_both_boards() -> None:
    assert BOARD_VARIANTS == {EVK: "imx6ul", MK2: "imx6ulz"}


@pytest.mark.parametrize(("name", "digprog"), [(EVK, 0x0064_0000), (MK2, 0x0065_0001)])
def test_digprog_identifies_the_part(name: str, digprog: int) -> None:
    machine, outcome = run_probe(load_and_save(DIGPROG), name)
    assert saved(machine) == digprog
    assert outcome.soc == ("i.MX6UL" if name == EVK else "i.MX6ULZ")


@pytest.mark.parametrize(("block", "address"), [("DCP", DCP + 0x430), ("RNGB", RNGB)])
def test_evk_has_no_dcp_nor_rngb(block: str, address: int) -> None:
    _, outcome = run_probe(load_and_save(address), EVK)
    fault = outcome.fault
    assert fault is not None and (fault.kind, fault.address, fault.symbol) == ("unmapped", address, PROBE)
    assert f"the {block} window" in fault.message and "i.MX6UL of board mcimx6ul-evk" in fault.message


def test_mk2_has_dcp_and_rngb() -> None:
    machine, outcome = run_probe(load_and_save(DCP + 0x430), MK2)
    assert outcome.fault is None and saved(machine) == 0x0201_0000
    machine, outcome = run_probe(load_and_save(RNGB), MK2)
    assert saved(machine) == 0x1000_0280


def test_variant_override_and_unknown_variant() -> None:
    _machine, outcome = run_probe(load_and_save(DCP + 0x430), EVK, variant="imx6ull")
    assert outcome.fault is None and outcome.soc == "i.MX6ULL"
    with pytest.raises(TamapyError) as info:
        run_probe("  ret void", EVK, variant="imx7")
    assert info.value.diagnostics[0].code == "E524" and "imx6ulz" in info.value.diagnostics[0].hint


# ----------------------------------------------------------------------- OCOTP


def test_unique_id_default_is_per_board_and_overridable() -> None:
    machine, _ = run_probe(load_and_save(OCOTP + CFG0), MK2)
    assert saved(machine) == default_unique_id(MK2) & 0xFFFF_FFFF
    machine, _ = run_probe(load_and_save(OCOTP + CFG1), EVK)
    assert saved(machine) == default_unique_id(EVK) >> 32
    assert default_unique_id(EVK) != default_unique_id(MK2)
    machine, _ = run_probe(load_and_save(OCOTP + CFG1), EVK, unique_id=0x0123_4567_89AB_CDEF)
    assert saved(machine) == 0x0123_4567
    with pytest.raises(TamapyError) as info:
        run_probe("  ret void", EVK, unique_id=1 << 64)
    assert info.value.diagnostics[0].code == "E524"


@pytest.mark.parametrize(("name", "mark"), [(EVK, 0), (MK2, 1 << 6)])
def test_cfg5_carries_the_ulz_mark_on_the_mk2(name: str, mark: int) -> None:
    machine, _ = run_probe(load_and_save(OCOTP + CFG5), name)
    assert saved(machine) == mark


def test_otp_master_key_is_read_locked() -> None:
    bench = Bench()
    assert bench.r(OCOTP + LOCK) & (1 << 17)
    assert bench.r(OCOTP + OTPMK0) == 0xBADA_BADA
    assert bench.r(OCOTP + CTRL) & ERROR
    bench.w(OCOTP + CTRL_CLR, ERROR)
    assert not bench.r(OCOTP + CTRL) & ERROR


def test_programming_burns_fuses_that_shadows_show_after_reload() -> None:
    bench = Bench(unique_id=0x10)
    gp1 = 4 * 8 + 6  # bank 4 word 6
    bench.w(OCOTP + DATA, 0xF0)  # no unlock code: error, nothing burned
    assert bench.r(OCOTP + CTRL) & ERROR
    bench.w(OCOTP + CTRL_CLR, ERROR)
    bench.w(OCOTP + CTRL, (0x3E77 << 16) | gp1)
    bench.w(OCOTP + DATA, 0x0000_00F0)
    assert bench.r(OCOTP + CTRL) >> 16 == 0 and not bench.r(OCOTP + CTRL) & ERROR
    assert bench.r(OCOTP + 0x660) == 0  # the shadow changes at the next reload
    bench.w(OCOTP + READ_CTRL, 1)
    assert bench.r(OCOTP + READ_FUSE_DATA) == 0xF0
    bench.w(OCOTP + CFG0, 0xAAAA)  # a shadow override, undone by the reload
    bench.w(OCOTP + CTRL_SET, RELOAD)
    assert not bench.r(OCOTP + CTRL) & RELOAD
    assert bench.r(OCOTP + 0x660) == 0xF0 and bench.r(OCOTP + CFG0) == 0x10


# ------------------------------------------------------------- DCP from firmware

PACKET = OCRAM
DATA_AT = OCRAM + 0x1000
DIGEST = OCRAM + 0x2000


def dcp_sha256_body() -> str:
    words = struct.pack("<8I", 0, 0x3043, 0x0002_0000, DATA_AT, 0, 3, DIGEST, 0)
    body = store(DATA_AT, int.from_bytes(b"abc\0", "little"))
    for i in range(8):
        body += store(PACKET + 4 * i, int.from_bytes(words[4 * i:4 * i + 4], "little"))
    body += store(DCP + CTRL_CLR, 0xC000_0000)  # SFTRST | CLKGATE
    body += store(DCP + 0x20, 1)  # CHANNELCTRL: channel 0
    body += store(DCP + 0x100, PACKET)
    body += store(DCP + 0x110, 1)
    return body + spin("wait", DCP + 0x10, 1, 1) + "  ret void"


def test_firmware_hashes_through_the_dcp_in_ocram() -> None:
    """Packet, data and digest live in Unicorn's OCRAM; the DCP reads and writes them by DMA."""
    accesses: list[MmioAccess] = []
    b, soc = board(MK2)
    machine = Machine(image(dcp_sha256_body()), b, soc, trace=accesses.append)
    outcome = machine.run(max_insns=100_000)
    assert outcome.stop_reason == "halted" and outcome.fault is None
    assert bytes(machine.uc.mem_read(DIGEST, 32))[::-1] == hashlib.sha256(b"abc").digest()
    assert int.from_bytes(machine.uc.mem_read(PACKET + 28, 4), "little") == 1  # STATUS: complete
    assert [a.register for a in accesses if not a.read] == [
        "DCP.CTRL_CLR", "DCP.CHANNELCTRL", "DCP.CH0CMDPTR", "DCP.CH0SEMA"]
    ops = outcome.notes["DCP"]["operations"]
    assert ops[0]["hash"] == "sha256" and ops[0]["op"] == "hash"


def test_firmware_waiting_on_a_hung_dcp_runs_out_of_budget() -> None:
    b, soc = board(MK2)
    outcome = simulate(image(dcp_sha256_body()), b, soc, max_insns=50_000, inject=("dcp-hang",))
    assert outcome.stop_reason == "max-insns"
    (fault,) = outcome.injected
    assert (fault.name, fault.triggered) == ("dcp-hang", 1)
    assert outcome.notes["DCP"]["hung_channels"] == {"0": 1}


def test_dcp_channel_error_reaches_the_firmware() -> None:
    b, soc = board(MK2)
    body = dcp_sha256_body().replace("  ret void", load_and_save(DCP + 0x120))
    machine = Machine(image(body), b, soc, inject=("dcp-channel-error",))
    outcome = machine.run(max_insns=100_000)
    assert outcome.stop_reason == "halted"
    assert saved(machine) & (1 << 4)  # CH0STAT.ERROR_SRC, as the driver sees it
    assert outcome.injected[0].triggered == 1
