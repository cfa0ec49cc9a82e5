"""The shipped register maps and boards load and state the reference-sheet facts."""

from __future__ import annotations

from pathlib import Path

import pytest

from tamapy.specs import Access, Register, Soc, list_boards, list_socs, load_board, load_soc

SPECS = Path(__file__).resolve().parents[2] / "specs"


@pytest.fixture(scope="module")
def soc() -> Soc:
    return load_soc(SPECS, "imx6ul")


def reg(soc: Soc, peripheral: str, name: str) -> Register:
    p = soc.peripheral(peripheral)
    assert p is not None
    r = p.register(name)
    assert r is not None
    return r


def test_discovery() -> None:
    assert "imx6ul" in list_socs(SPECS)
    assert {"mcimx6ul-evk", "usbarmory-mk2"} <= set(list_boards(SPECS))
    assert list_boards(SPECS) == sorted(list_boards(SPECS))


def test_peripherals_in_file_order_and_deterministic(soc: Soc) -> None:
    names = [Path(p.source).name for p in soc.peripherals]
    assert names == sorted(names)
    assert {"uart.toml", "ccm.toml", "ccm_analog.toml"} <= set(names)
    assert load_soc(SPECS, "imx6ul") == soc


def test_uart_instances(soc: Soc) -> None:
    uart = soc.peripheral("UART")
    assert uart is not None and uart.size == 0x4000
    assert soc.instance("UART1") == (uart, 0x02020000)
    assert soc.instance("UART2") == (uart, 0x021E8000)
    assert soc.instance("UART7") == (uart, 0x02018000)
    assert [i for i, _ in uart.instances] == [f"UART{n}" for n in range(1, 8)]
    assert soc.instance("UART8") is None  # address differs between UL and ULL/ULZ


def test_uart_registers(soc: Soc) -> None:
    ucr2 = reg(soc, "UART", "UCR2")
    srst = ucr2.field("SRST")
    assert (ucr2.offset, ucr2.reset) == (0x84, 0x0001)
    assert srst is not None and (srst.lsb, srst.width, srst.reset) == (0, 1, 1)
    usr1 = reg(soc, "UART", "USR1")
    rtsd, trdy = usr1.field("RTSD"), usr1.field("TRDY")
    assert rtsd is not None and rtsd.access is Access.W1C and rtsd.lsb == 12
    assert trdy is not None and trdy.access is Access.RO and trdy.reset == 1
    assert usr1.has_w1c and usr1.reset == 0x2040
    urxd, utxd = reg(soc, "UART", "URXD"), reg(soc, "UART", "UTXD")
    assert urxd.access is Access.RO and urxd.read_sensitive
    assert utxd.access is Access.WO and utxd.offset == 0x40
    ucr4 = reg(soc, "UART", "UCR4")
    ctstl = ucr4.field("CTSTL")
    assert ctstl is not None and (ctstl.lsb, ctstl.width, ctstl.reset) == (10, 6, 32)
    onems = reg(soc, "UART", "ONEMS").field("ONEMS")
    assert onems is not None and onems.msb == 23


def test_uart_reserved_bits_are_zero(soc: Soc) -> None:
    uart = soc.peripheral("UART")
    assert uart is not None
    for r in uart.registers:
        assert r.width == 32 and r.reserved_value == 0
        assert r.reset & r.reserved_mask == 0, r.name  # every reset bit is in a field
        top = 24 if r.name == "ONEMS" else 16  # only ONEMS uses bits above 15
        assert r.reserved_mask >> top == (1 << (32 - top)) - 1, r.name


def test_ccm(soc: Soc) -> None:
    assert soc.instance("CCM") == (soc.peripheral("CCM"), 0x020C4000)
    cg12 = reg(soc, "CCM", "CCGR5").field("CG12")  # UART1 clock gate
    assert cg12 is not None and (cg12.msb, cg12.lsb, cg12.mask) == (25, 24, 0x03000000)
    ccgr2 = reg(soc, "CCM", "CCGR2")
    assert ccgr2.reset == 0xFC3FFFFF and ccgr2.offset == 0x70
    cg11 = ccgr2.field("CG11")
    assert cg11 is not None and cg11.reset == 0
    assert [f.name for f in ccgr2.fields] == [f"CG{k}" for k in range(16)]
    assert reg(soc, "CCM", "CDHIPR").access is Access.RO
    cbcdr = reg(soc, "CCM", "CBCDR")
    ahb = cbcdr.field("AHB_PODF")
    assert ahb is not None and (ahb.msb, ahb.lsb, ahb.reset) == (12, 10, 3)


def test_unknown_bits_keep_reset_value(soc: Soc) -> None:
    """ccm*.toml convention: reserved_value = reset bits outside the known fields."""
    for name in ("CCM", "CCM_ANALOG"):
        p = soc.peripheral(name)
        assert p is not None
        for r in p.registers:
            assert r.reserved_value == r.reset & r.reserved_mask, r.name


def test_ccm_analog(soc: Soc) -> None:
    analog = soc.peripheral("CCM_ANALOG")
    assert analog is not None and analog.size == 0x1000
    assert soc.instance("CCM_ANALOG") == (analog, 0x020C8000)
    digprog = reg(soc, "CCM_ANALOG", "USB_ANALOG_DIGPROG")
    assert digprog.offset == 0x260 and digprog.access is Access.RO
    upper = digprog.field("MAJOR_UPPER")
    assert upper is not None and (upper.msb, upper.lsb, upper.reset) == (23, 16, 0x64)
    pll = reg(soc, "CCM_ANALOG", "PLL_SYS")
    lock = pll.field("LOCK")
    assert pll.aliases == ("SET", "CLR", "TOG") and pll.alias_offset("CLR") == 0x38
    assert lock is not None and lock.lsb == 31 and lock.access is Access.RO
    assert reg(soc, "CCM_ANALOG", "PLL_ARM").reset == 0x00013063


def test_boards() -> None:
    evk = load_board(SPECS, "mcimx6ul-evk")
    assert (evk.soc, evk.cpu, evk.triple) == ("imx6ul", "cortex-a7", "armv7a-none-eabi")
    assert evk.load_address == 0x80010000 and evk.stack_size == 0x10000
    assert (evk.console_uart, evk.qemu_serial_index, evk.qemu_memory_mb) == ("UART1", 0, 512)
    ddr = evk.region("ddr")
    assert ddr is not None and (ddr.base, ddr.size) == (0x80000000, 128 << 20)
    assert evk.region_of(evk.load_address) == ddr
    assert (evk.dma_region, evk.dma_alignment) == ("ocram", 4)
    assert evk.firmware_package == "mcimx6ul_evk"
    assert Path(evk.source).name == "mcimx6ul-evk.toml"
    mk2 = load_board(SPECS, "usbarmory-mk2")
    assert (mk2.console_uart, mk2.qemu_serial_index) == ("UART2", 1)
    assert mk2.firmware_package == "usbarmory_mk2" and "ULZ" in mk2.description
    ddr = mk2.region("ddr")
    assert ddr is not None and ddr.size == 512 << 20
    ocram = mk2.region("ocram")
    assert ocram is not None and (ocram.base, ocram.size) == (0x00900000, 128 << 10)


@pytest.mark.parametrize("name", ["mcimx6ul-evk", "usbarmory-mk2"])
def test_board_console_matches_qemu_serial_order(name: str) -> None:
    """QEMU's mcimx6ul-evk hands its -serial devices to UART1, UART2, ... in order."""
    board = load_board(SPECS, name)
    found = load_soc(SPECS, board.soc).instance(board.console_uart)
    assert found is not None and found[0].name == "UART"
    assert board.console_uart == f"UART{board.qemu_serial_index + 1}"
