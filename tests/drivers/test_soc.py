"""SoC detection and the OCOTP driver in the simulator: the USB armory Mk II is an i.MX6ULZ with
DCP and RNGB, the EVK an emulated i.MX6UL without them (detected without touching their
windows); the unique ID and fuse reads match the simulated device."""

from __future__ import annotations

import pytest

from tamapy.sim.context import default_unique_id
from tests.drivers.support import (
    DCP_BASE,
    DCP_SIZE,
    EVK,
    FUSE_LOCKED,
    FUSE_OK,
    MK2,
    OP_FUSE,
    OP_SOC,
    RNGB_BASE,
    RNGB_SIZE,
    UL,
    ULL,
    ULZ,
    Harness,
)


def detect(h: Harness, variant: str | None = None) -> list[int]:
    run = h.run(OP_SOC, trace=True, variant=variant)
    assert run.finished, run.outcome
    assert run.touched(DCP_BASE, DCP_SIZE) == [] and run.touched(RNGB_BASE, RNGB_SIZE) == []
    return run.words[1:6]


def test_usbarmory_is_an_imx6ulz_with_dcp_and_rngb(mk2: Harness) -> None:
    model, has_dcp, has_rngb, family, revision = detect(mk2)
    assert (model, has_dcp, has_rngb, family) == (ULZ, 1, 1, 0x65)
    assert revision != 0


def test_evk_is_an_emulated_imx6ul_without_dcp_or_rngb(evk: Harness) -> None:
    assert detect(evk) == [UL, 0, 0, 0x64, 0]  # revision 0.0: emulated


def test_an_imx6ull_without_the_ulz_mark(mk2: Harness) -> None:
    assert detect(mk2, "imx6ull")[:3] == [ULL, 1, 1]


@pytest.mark.parametrize("board", [MK2, EVK])
def test_unique_id_is_the_devices(mk2: Harness, evk: Harness, board: str) -> None:
    h = mk2 if board == MK2 else evk
    uid = 0x0123_4567_89AB_CDEF
    run = h.run(OP_FUSE, out_bytes=8, unique_id=uid)
    assert run.finished
    assert run.words[1] == FUSE_OK
    assert run.data == uid.to_bytes(8, "little")  # CFG0 then CFG1, each little-endian
    assert run.words[10:12] == [FUSE_OK, uid >> 32]


def test_default_unique_id(mk2: Harness) -> None:
    run = mk2.run(OP_FUSE, out_bytes=8)
    assert run.data == default_unique_id(MK2).to_bytes(8, "little")


def test_fuse_reads(mk2: Harness) -> None:
    run = mk2.run(OP_FUSE, out_bytes=8, unique_id=0xFEDC_BA98_7654_3210)
    words = run.words
    assert words[2:4] == [FUSE_OK, 1 << 6]  # CFG5: the ULZ mark
    assert words[4:6] == [FUSE_LOCKED, 0]  # OTPMK0 is read-locked: nothing released
    assert words[6:8] == [FUSE_OK, 0x7654_3210]  # CFG0 read from the fuses directly
    assert run.outcome.notes["OCOTP"]["locked_reads"] == 1


def test_every_fuse_word_is_read_through_its_shadow_register() -> None:
    """ocotp.shadow (run in CPython) loads, for every fuse word, the address of that word's
    shadow (0x400 + 0x10 x index, plus 0x100 above the hole), and the simulator maps the
    address back to the same word; nothing in the hole 0x700-0x7FF is ever read."""
    from tamapy.sim.host import Host
    from tamapy.sim.peripherals.ocotp import fuse_word
    from tests.drivers.support import ROOT

    with Host(ROOT, MK2) as host:
        ocotp = host.module("soc.imx6ul.ocotp")
        base = host.regs.OCOTP.base
        for bank in range(8):
            for word in range(8):
                outcome = host.run(ocotp.shadow, bank, word)
                loads = [a for a in outcome.trace if a.read]
                assert len(loads) == 1, (bank, word, outcome)
                offset = loads[0].address - base
                assert offset == 0x400 + 0x10 * (8 * bank + word) + (0x100 if bank >= 6 else 0)
                assert fuse_word(offset) == 8 * bank + word
