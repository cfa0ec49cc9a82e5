"""The GPT, WDOG, OCOTP, SNVS, DCP and RNGB maps of the imx6ul SoC: they load
(which runs every validation rule), state the reference-sheet facts, and are
usable from firmware."""

from __future__ import annotations

from pathlib import Path

import pytest

from tamapy.diagnostics import TamapyError
from tamapy.lang import check_paths
from tamapy.specs import Access, Field, Peripheral, Register, Soc, load_soc

SPECS = Path(__file__).resolve().parents[2] / "specs"
NEW_MAPS = {
    "GPT": "gpt.toml",
    "WDOG": "wdog.toml",
    "OCOTP": "ocotp.toml",
    "SNVS": "snvs.toml",
    "DCP": "dcp.toml",
    "RNGB": "rngb.toml",
}


@pytest.fixture(scope="module")
def soc() -> Soc:
    return load_soc(SPECS, "imx6ul")


def per(soc: Soc, name: str) -> Peripheral:
    p = soc.peripheral(name)
    assert p is not None, name
    return p


def reg(soc: Soc, peripheral: str, name: str) -> Register:
    r = per(soc, peripheral).register(name)
    assert r is not None, f"{peripheral}.{name}"
    return r


def fld(soc: Soc, peripheral: str, register: str, name: str) -> Field:
    f = reg(soc, peripheral, register).field(name)
    assert f is not None, f"{peripheral}.{register}.{name}"
    return f


# --- all new maps ------------------------------------------------------------


def test_new_maps_load_from_their_files(soc: Soc) -> None:
    for name, file in NEW_MAPS.items():
        p = per(soc, name)
        assert Path(p.source).name == file
        assert p.size == 0x4000  # 16 KiB windows (section 1.2)
        assert p.registers


def test_every_clock_gate_is_a_ccm_field(soc: Soc) -> None:
    ccm = per(soc, "CCM")
    gated = 0
    for p in soc.peripherals:
        names = {i for i, _ in p.instances}
        for inst, reg_name, field_name in p.clocks:
            assert inst in names
            r = ccm.register(reg_name)
            assert r is not None and r.name.startswith("CCGR"), (inst, reg_name)
            f = r.field(field_name)
            assert f is not None and f.width == 2, (inst, field_name)
            gated += 1
    assert gated >= 7 + 2 + 3 + 3  # UART1-7, GPT1/2, WDOG1-3, OCOTP/SNVS/DCP


def test_clock_gates_of_the_new_maps(soc: Soc) -> None:
    expected = {
        "GPT1": ("CCGR1", "CG10"),  # bus gate; serial gate CG11 noted in gpt.toml
        "GPT2": ("CCGR0", "CG12"),
        "WDOG1": ("CCGR3", "CG8"),
        "WDOG2": ("CCGR5", "CG5"),
        "WDOG3": ("CCGR6", "CG10"),
        "OCOTP": ("CCGR2", "CG6"),
        "SNVS": ("CCGR5", "CG9"),
        "DCP": ("CCGR0", "CG5"),
    }
    for inst, gate in expected.items():
        found = soc.instance(inst)
        assert found is not None, inst
        assert found[0].clock_of(inst) == gate, inst
    assert per(soc, "RNGB").clocks == ()  # fixed clock, no gate


def test_gpio(soc: Soc) -> None:
    """Five GPIO blocks, every register one bit per pin (ICR1/ICR2 two), and their clock gates."""
    gpio = per(soc, "GPIO")
    assert dict(gpio.instances) == {"GPIO1": 0x0209C000, "GPIO2": 0x020A0000, "GPIO3": 0x020A4000,
                                    "GPIO4": 0x020A8000, "GPIO5": 0x020AC000}
    gates = {"GPIO1": ("CCGR1", "CG13"), "GPIO2": ("CCGR0", "CG15"), "GPIO3": ("CCGR2", "CG13"),
             "GPIO4": ("CCGR3", "CG6"), "GPIO5": ("CCGR1", "CG15")}
    assert {inst: gpio.clock_of(inst) for inst in gates} == gates
    layout = {r.name: (r.offset, r.access, [(f.name, f.lsb, f.width, f.count, f.stride) for f in r.fields])
              for r in gpio.registers}
    one_per_pin = [("IO", 0, 1, 32, 1)]
    assert layout == {
        "DR": (0x00, Access.RW, one_per_pin), "GDIR": (0x04, Access.RW, one_per_pin),
        "PSR": (0x08, Access.RO, one_per_pin),
        "ICR1": (0x0C, Access.RW, [("ICR", 0, 2, 16, 2)]), "ICR2": (0x10, Access.RW, [("ICR", 0, 2, 16, 2)]),
        "IMR": (0x14, Access.RW, one_per_pin), "ISR": (0x18, Access.W1C, one_per_pin),
        "EDGE_SEL": (0x1C, Access.RW, one_per_pin),
    }
    assert all(r.reserved_mask == 0 and not r.aliases for r in gpio.registers)  # every bit a pin's


def test_reserved_bits_are_written_zero(soc: Soc) -> None:
    """No reset value of the new maps has bits outside the named fields."""
    for name in NEW_MAPS:
        for r in per(soc, name).registers:
            assert r.reserved_value == 0, (name, r.name)
            if r.fields:
                assert r.reset & r.reserved_mask == 0, (name, r.name)


def test_instance_bases(soc: Soc) -> None:
    bases = {
        "GPT1": 0x02098000,
        "GPT2": 0x020E8000,
        "WDOG1": 0x020BC000,
        "WDOG2": 0x020C0000,
        "WDOG3": 0x021E4000,
        "OCOTP": 0x021BC000,
        "SNVS": 0x020CC000,
        "DCP": 0x02280000,
        "RNGB": 0x02284000,
    }
    for inst, base in bases.items():
        found = soc.instance(inst)
        assert found is not None and found[1] == base, inst


# --- GPT ---------------------------------------------------------------------


def test_gpt(soc: Soc) -> None:
    gpt = per(soc, "GPT")
    assert [i for i, _ in gpt.instances] == ["GPT1", "GPT2"]
    clksrc = fld(soc, "GPT", "CR", "CLKSRC")
    assert (clksrc.msb, clksrc.lsb) == (8, 6)
    assert fld(soc, "GPT", "CR", "EN_24M").lsb == 10
    assert fld(soc, "GPT", "CR", "FO3").access is Access.WO
    sr = reg(soc, "GPT", "SR")
    assert sr.offset == 0x08 and sr.access is Access.W1C and sr.has_w1c
    assert [(f.name, f.lsb, f.access) for f in sr.fields] == [
        (n, i, Access.W1C) for i, n in enumerate(["OF1", "OF2", "OF3", "IF1", "IF2", "ROV"])
    ]
    ocr1 = reg(soc, "GPT", "OCR1")
    assert (ocr1.offset, ocr1.reset) == (0x10, 0xFFFFFFFF)
    cnt = reg(soc, "GPT", "CNT")
    assert (cnt.offset, cnt.access) == (0x24, Access.RO)
    pr24 = fld(soc, "GPT", "PR", "PRESCALER24M")
    assert (pr24.msb, pr24.lsb) == (15, 12)


# --- WDOG --------------------------------------------------------------------


def test_wdog(soc: Soc) -> None:
    wdog = per(soc, "WDOG")
    assert all(r.width == 16 for r in wdog.registers)
    assert [(r.name, r.offset) for r in wdog.registers] == [
        ("WCR", 0x0),
        ("WSR", 0x2),
        ("WRSR", 0x4),
        ("WICR", 0x6),
        ("WMCR", 0x8),
    ]
    wcr = reg(soc, "WDOG", "WCR")
    assert wcr.reset == 0x0030
    wt = fld(soc, "WDOG", "WCR", "WT")
    assert (wt.msb, wt.lsb) == (15, 8)
    assert fld(soc, "WDOG", "WCR", "SRS").reset == 1
    wtis = fld(soc, "WDOG", "WICR", "WTIS")
    assert wtis.lsb == 14 and wtis.access is Access.W1C
    assert reg(soc, "WDOG", "WICR").reset == 0x0004 and reg(soc, "WDOG", "WICR").has_w1c
    assert fld(soc, "WDOG", "WMCR", "PDE").reset == 1
    assert reg(soc, "WDOG", "WRSR").access is Access.RO
    assert fld(soc, "WDOG", "WRSR", "POR").lsb == 4


# --- OCOTP -------------------------------------------------------------------


def shadow(bank: int, word: int) -> int:
    """Fuse shadow address of (bank, word): 0x10 per word, 0x100 hole before bank 6."""
    return 0x400 + 0x10 * (8 * bank + word) + (0x100 if bank >= 6 else 0)


SHADOWS = (
    ["LOCK"]
    + [f"CFG{i}" for i in range(7)]
    + [f"MEM{i}" for i in range(5)]
    + [f"ANA{i}" for i in range(3)]
    + [f"OTPMK{i}" for i in range(8)]
    + [f"SRK{i}" for i in range(8)]
    + ["SJC_RESP0", "SJC_RESP1", "MAC0", "MAC1", "MAC", "CRC", "GP1", "GP2"]
    + [f"SW_GP{i}" for i in range(5)]
    + ["MISC_CONF", "FIELD_RETURN", "SRK_REVOKE"]
    + [f"ROM_PATCH{i}" for i in range(8)]
    + [f"GP3_{i}" for i in range(4)]
    + [f"GP4_{i}" for i in range(4)]
)


def test_ocotp_shadow_addresses(soc: Soc) -> None:
    assert len(SHADOWS) == 64
    for index, name in enumerate(SHADOWS):
        bank, word = divmod(index, 8)
        r = reg(soc, "OCOTP", name)
        assert r.offset == shadow(bank, word), name
        assert r.access is Access.RW and r.width == 32, name
    assert reg(soc, "OCOTP", "CFG5").offset == 0x460
    assert reg(soc, "OCOTP", "SRK_REVOKE").offset == 0x6F0
    assert reg(soc, "OCOTP", "ROM_PATCH0").offset == 0x800
    assert reg(soc, "OCOTP", "GP4_3").offset == 0x8F0
    assert not any(0x700 <= o < 0x800 for r in per(soc, "OCOTP").registers for o in r.element_offsets)
    # FUSE and FUSE_HI name the same shadows by index, on either side of the hole.
    fuse, fuse_hi = reg(soc, "OCOTP", "FUSE"), reg(soc, "OCOTP", "FUSE_HI")
    assert fuse.element_offsets + fuse_hi.element_offsets == tuple(shadow(b, w) for b in range(8) for w in range(8))
    assert fuse.overlays and fuse.access is Access.RO and fuse.read_sensitive  # OTPMK reads set CTRL.ERROR


def test_ocotp_fields(soc: Soc) -> None:
    ulz = fld(soc, "OCOTP", "CFG5", "ULZ_MARK")
    assert (ulz.lsb, ulz.width) == (6, 1)
    sec = fld(soc, "OCOTP", "CFG5", "SEC_CONFIG")
    assert (sec.msb, sec.lsb) == (1, 0)
    assert fld(soc, "OCOTP", "CFG5", "TZASC_ENABLE").lsb == 28
    assert fld(soc, "OCOTP", "CFG3", "DCP_UNAVAILABLE").lsb == 14
    assert fld(soc, "OCOTP", "CFG3", "DCP_CRYPTO_UNAVAILABLE").lsb == 25
    assert fld(soc, "OCOTP", "LOCK", "OTPMK_LOCK").lsb == 17
    assert all(reg(soc, "OCOTP", f"OTPMK{i}").read_sensitive for i in range(8))
    assert not reg(soc, "OCOTP", "SRK0").read_sensitive


def test_ocotp_controller(soc: Soc) -> None:
    ctrl = reg(soc, "OCOTP", "CTRL")
    assert ctrl.offset == 0x000 and ctrl.aliases == ("SET", "CLR", "TOG")
    assert [ctrl.alias_offset(a) for a in ctrl.aliases] == [0x004, 0x008, 0x00C]
    assert fld(soc, "OCOTP", "CTRL", "BUSY").access is Access.RO
    unlock = fld(soc, "OCOTP", "CTRL", "WR_UNLOCK")
    assert (unlock.msb, unlock.lsb) == (31, 16) and unlock.max_value >= 0x3E77
    addr = fld(soc, "OCOTP", "CTRL", "ADDR")
    assert (addr.msb, addr.lsb) == (6, 0)
    scs = reg(soc, "OCOTP", "SCS")
    assert scs.offset == 0x060 and scs.alias_offset("TOG") == 0x06C
    assert reg(soc, "OCOTP", "TIMING").aliases == ()
    assert reg(soc, "OCOTP", "VERSION").access is Access.RO
    assert reg(soc, "OCOTP", "READ_FUSE_DATA").access is Access.RO


# --- SNVS --------------------------------------------------------------------


def test_snvs(soc: Soc) -> None:
    hpsr = reg(soc, "SNVS", "HPSR")
    assert (hpsr.offset, hpsr.reset) == (0x14, 0x80000000)
    assert fld(soc, "SNVS", "HPSR", "ZMK_ZERO").reset == 1
    state = fld(soc, "SNVS", "HPSR", "SSM_STATE")
    assert (state.msb, state.lsb, state.access) == (11, 8, Access.RO)
    lpcr = reg(soc, "SNVS", "LPCR")
    assert (lpcr.offset, lpcr.reset) == (0x38, 0x00000020)
    assert fld(soc, "SNVS", "LPCR", "DP_EN").reset == 1
    assert fld(soc, "SNVS", "LPCR", "TOP").lsb == 6
    lpsr = reg(soc, "SNVS", "LPSR")
    assert (lpsr.offset, lpsr.reset, lpsr.access) == (0x4C, 0x00000008, Access.W1C)
    pgd = fld(soc, "SNVS", "LPSR", "PGD")
    assert (pgd.lsb, pgd.reset, pgd.access) == (3, 1, Access.W1C)
    offsets = {
        "HPLR": 0x00,
        "HPCOMR": 0x04,
        "HPCR": 0x08,
        "HPRTCMR": 0x24,
        "HPRTCLR": 0x28,
        "LPSRTCMR": 0x50,
        "LPSRTCLR": 0x54,
        "LPZMKR7": 0x88,
        "HPVIDR1": 0xBF8,
        "HPVIDR2": 0xBFC,
    }
    for name, offset in offsets.items():
        assert reg(soc, "SNVS", name).offset == offset, name
    rtc_msb = fld(soc, "SNVS", "HPRTCMR", "RTC")
    assert (rtc_msb.msb, rtc_msb.lsb) == (14, 0)
    assert fld(soc, "SNVS", "HPCR", "RTC_EN").lsb == 0
    assert fld(soc, "SNVS", "HPCOMR", "HAC_STOP").lsb == 19
    vid = reg(soc, "SNVS", "HPVIDR1")
    assert vid.access is Access.RO and vid.reset == 0x003E0300
    ip_id = fld(soc, "SNVS", "HPVIDR1", "IP_ID")
    assert (ip_id.msb, ip_id.lsb, ip_id.reset) == (31, 16, 0x003E)
    assert reg(soc, "SNVS", "HPVIDR2").reset == 0x03000000


# --- DCP ---------------------------------------------------------------------


def test_dcp_control_and_status(soc: Soc) -> None:
    ctrl = reg(soc, "DCP", "CTRL")
    assert (ctrl.offset, ctrl.reset, ctrl.aliases) == (0x000, 0xF0800000, ("SET", "CLR", "TOG"))
    assert ctrl.alias_offset("CLR") == 0x008
    sftrst, clkgate = fld(soc, "DCP", "CTRL", "SFTRST"), fld(soc, "DCP", "CTRL", "CLKGATE")
    assert (sftrst.lsb, sftrst.reset, clkgate.lsb, clkgate.reset) == (31, 1, 30, 1)
    assert fld(soc, "DCP", "CTRL", "ENABLE_CONTEXT_CACHING").lsb == 22
    for name, bit in (("PRESENT_SHA", 28), ("PRESENT_CRYPTO", 29)):
        f = fld(soc, "DCP", "CTRL", name)
        assert (f.lsb, f.access) == (bit, Access.RO)
    stat = reg(soc, "DCP", "STAT")
    assert stat.offset == 0x010 and stat.alias_offset("CLR") == 0x018  # STAT_CLR
    irq = fld(soc, "DCP", "STAT", "IRQ")
    assert (irq.msb, irq.lsb) == (3, 0) and irq.access is not Access.W1C  # cleared via STAT_CLR
    assert fld(soc, "DCP", "STAT", "OTP_KEY_READY").reset == 1
    assert reg(soc, "DCP", "CHANNELCTRL").alias_offset("TOG") == 0x02C
    assert reg(soc, "DCP", "CAPABILITY1").reset == 0x00070001
    assert fld(soc, "DCP", "CAPABILITY0", "NUM_CHANNELS").reset == 4
    version = reg(soc, "DCP", "VERSION")
    assert (version.offset, version.reset, version.access) == (0x430, 0x02010000, Access.RO)
    assert not any(r.has_w1c for r in per(soc, "DCP").registers)


def test_dcp_channels_and_packets(soc: Soc) -> None:
    for n in range(4):
        base = 0x100 + 0x40 * n
        cmdptr, sema = reg(soc, "DCP", f"CH{n}CMDPTR"), reg(soc, "DCP", f"CH{n}SEMA")
        stat, opts = reg(soc, "DCP", f"CH{n}STAT"), reg(soc, "DCP", f"CH{n}OPTS")
        assert (cmdptr.offset, sema.offset, stat.offset, opts.offset) == (
            base,
            base + 0x10,
            base + 0x20,
            base + 0x30,
        )
        assert cmdptr.aliases == () and sema.aliases == ()
        assert stat.aliases == ("SET", "CLR", "TOG") and opts.aliases == ("SET", "CLR", "TOG")
        code = stat.field("ERROR_CODE")
        assert code is not None and (code.msb, code.lsb) == (23, 16)
        value = sema.field("VALUE")
        assert value is not None and (value.msb, value.lsb, value.access) == (23, 16, Access.RO)
    assert reg(soc, "DCP", "CH0STAT").alias_offset("CLR") == 0x128  # CH0STAT_CLR
    for i in range(7):
        packet = reg(soc, "DCP", f"PACKET{i}")
        assert (packet.offset, packet.access) == (0x080 + 0x10 * i, Access.RO)
    key = reg(soc, "DCP", "KEY")
    assert [(f.name, f.msb, f.lsb) for f in key.fields] == [("SUBWORD", 1, 0), ("INDEX", 5, 4)]
    assert reg(soc, "DCP", "KEYDATA").offset == 0x070


# --- RNGB --------------------------------------------------------------------


def test_rngb(soc: Soc) -> None:
    rngb = per(soc, "RNGB")
    assert [(r.name, r.offset) for r in rngb.registers] == [
        ("VER", 0x00),
        ("CMD", 0x04),
        ("CR", 0x08),
        ("SR", 0x0C),
        ("ESR", 0x10),
        ("OUT", 0x14),
    ]
    out = reg(soc, "RNGB", "OUT")
    assert out.access is Access.RO and out.read_sensitive
    assert sum(r.read_sensitive for r in rngb.registers) == 1
    ver = reg(soc, "RNGB", "VER")
    assert ver.reset == 0x10000280 and fld(soc, "RNGB", "VER", "TYPE").reset == 1
    sr = reg(soc, "RNGB", "SR")
    assert (sr.reset, sr.access) == (0x0000500D, Access.RO)
    assert fld(soc, "RNGB", "SR", "FIFO_SIZE").reset == 5
    lvl = fld(soc, "RNGB", "SR", "FIFO_LVL")
    assert (lvl.msb, lvl.lsb) == (11, 8)
    assert fld(soc, "RNGB", "SR", "ERR").lsb == 16
    cmd = {f.name: f.lsb for f in reg(soc, "RNGB", "CMD").fields}
    assert cmd == {"ST": 0, "GS": 1, "CI": 4, "CE": 5, "SR": 6}
    assert fld(soc, "RNGB", "ESR", "SATE").lsb == 3
    assert fld(soc, "RNGB", "CR", "AR").lsb == 4
    assert not any(r.has_w1c for r in rngb.registers)


# --- usable from firmware ----------------------------------------------------

USE = """\
from soc.imx6ul.regs import DCP, GPT1, OCOTP, RNGB, SNVS, WDOG1
from tamapy.fw import u32


def f() -> u32:
    WDOG1.WMCR.write(PDE=0)
    WDOG1.WSR.write(WSR=0x5555)
    WDOG1.WSR.write(WSR=0xAAAA)
    GPT1.CR.write(CLKSRC=1, FRR=1, EN=1)
    GPT1.SR.clear(OF1=1)
    GPT1.OCR1.write(COMP=1000)
    OCOTP.CTRL.clear(ERROR=1)
    OCOTP.CTRL.set(RELOAD_SHADOWS=1)
    DCP.CTRL.clear(SFTRST=1, CLKGATE=1)
    DCP.STAT.clear(IRQ=1)
    DCP.CH0STAT.clear(ERROR_CODE=0xFF)
    DCP.CH0CMDPTR.write(ADDR=0x00900000)
    DCP.CH0SEMA.write(INCREMENT=1)
    SNVS.LPSR.clear(PGD=1)
    RNGB.CMD.write(ST=1)
    return RNGB.OUT.read() + OCOTP.CFG5.ULZ_MARK + SNVS.HPSR.SSM_STATE
"""


def _check(project: Path, source: str) -> None:
    path = project / "firmware" / "examples" / "maps_case.py"
    path.write_text(source)
    check_paths([path], "usbarmory-mk2")


def test_maps_are_usable_from_firmware(project: Path) -> None:
    _check(project, USE)


@pytest.mark.parametrize(
    "line",
    [
        "GPT1.SR.modify(OF1=1)",  # W1C register: no read-modify-write
        "RNGB.OUT.write(RANDOUT=1)",  # read-only
        "RNGB.CMD.set(ST=1)",  # no SET alias
        "DCP.CTRL.write(PRESENT_SHA=1)",  # read-only field
        "WDOG1.WICR.modify(WIE=1)",  # WTIS is W1C
    ],
)
def test_spec_rules_reject_misuse(project: Path, line: str) -> None:
    source = (
        "from soc.imx6ul.regs import DCP, GPT1, RNGB, WDOG1\n\n\ndef f() -> None:\n    "
        + line
        + "\n"
    )
    with pytest.raises(TamapyError) as info:
        _check(project, source)
    assert info.value.diagnostics[0].code == "E205"
