"""The bus and the register models against the real i.MX6UL specs, with no CPU."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tamapy.sim.bus import Bus, BusFault
from tamapy.sim.peripherals import Ccm, RegisterFile, Uart, build_devices
from tamapy.sim.peripherals.base import write_masks
from tamapy.specs import Access, load_soc

ROOT = Path(__file__).resolve().parents[2]
SOC = load_soc(ROOT / "specs", "imx6ul")

UART1 = 0x0202_0000
UART2 = 0x021E_8000
UART3 = 0x021E_C000
CCM = 0x020C_4000
CCM_ANALOG = 0x020C_8000
URXD, UTXD, UCR1, UCR2, USR1, USR2, UTS = 0x00, 0x40, 0x80, 0x84, 0x94, 0x98, 0xB4
CCGR0, CCGR2, CCGR5 = 0x68, 0x70, 0x7C
PLL_SYS = 0x30
UCR1_UARTEN, UCR2_SRST, UCR2_TXEN = 1 << 0, 1 << 0, 1 << 2


def make_bus() -> Bus:
    devices = build_devices(SOC)
    ccm = next(d for d in devices if isinstance(d, Ccm))
    return Bus(devices, ccm)


def fault(call: Callable[..., object], *args: int) -> BusFault:
    with pytest.raises(BusFault) as info:
        call(*args)
    return info.value


def enable_tx(bus: Bus, base: int) -> None:
    bus.write(base + UCR2, 4, UCR2_SRST | UCR2_TXEN)
    bus.write(base + UCR1, 4, UCR1_UARTEN)


# -------------------------------------------------------- generic register rules


def test_reset_values_come_from_the_spec() -> None:
    bus = make_bus()
    assert bus.read(CCM + CCGR2, 4) == 0xFC3F_FFFF
    assert bus.read(CCM + CCGR0, 4) == 0xFFFF_FFFF
    assert bus.read(UART1 + UCR2, 4) == 0x0001
    assert bus.read(UART1 + UCR1, 4) == 0x0000


def test_write_to_read_only_register_faults() -> None:
    bus = make_bus()
    f = fault(bus.write, UART1 + URXD, 4, 0x41)
    assert (f.kind, f.address) == ("access", UART1 + URXD)
    assert "UART1.URXD" in f.message and "read-only" in f.message


def test_read_of_write_only_register_faults() -> None:
    f = fault(make_bus().read, UART2 + UTXD, 4)
    assert (f.kind, f.address) == ("access", UART2 + UTXD)
    assert "UART2.UTXD" in f.message


@pytest.mark.parametrize("size", [1, 2])
def test_access_narrower_than_the_register_faults(size: int) -> None:
    bus = make_bus()
    assert fault(bus.read, UART1 + UCR1, size).kind == "width"
    f = fault(bus.write, UART1 + UCR1, size, 0)
    assert f.kind == "width" and f"{size * 8}-bit write" in f.message and "32-bit register" in f.message


def test_offset_without_register_faults_naming_the_peripheral() -> None:
    f = fault(make_bus().read, UART1 + 0x44, 4)
    assert (f.kind, f.address) == ("unmapped", UART1 + 0x44)
    assert "UART1" in f.message and "0x44" in f.message


def test_address_outside_every_window_faults() -> None:
    f = fault(make_bus().write, 0x3000_0000, 4, 0)
    assert (f.kind, f.address) == ("unmapped", 0x3000_0000)


def test_w1c_bits_clear_on_writing_one_and_keep_on_zero() -> None:
    bus = make_bus()
    uart = bus.device("UART1")
    awake, rtsd = 1 << 4, 1 << 12
    uart.set_value("USR1", uart.value("USR1") | awake | rtsd)
    bus.write(UART1 + USR1, 4, awake)
    assert uart.value("USR1") & awake == 0
    assert uart.value("USR1") & rtsd == rtsd
    bus.write(UART1 + USR1, 4, 0)
    assert uart.value("USR1") & rtsd == rtsd


def test_read_only_fields_keep_their_value_on_write() -> None:
    uart_spec = SOC.peripheral("UART")
    assert uart_spec is not None
    regs = RegisterFile(uart_spec, "UART1", UART1)  # the generic model, no UART behaviour
    uts = uart_spec.register("UTS")
    assert uts is not None
    regs.write(uts, None, 0xFFFF)
    ro = sum(f.mask for f in uts.fields if f.access is Access.RO)
    assert regs.value("UTS") & ro == uts.reset & ro
    assert regs.value("UTS") & ~ro & 0xFFFF == 0xFFFF & ~ro


def test_set_clr_tog_aliases() -> None:
    bus = make_bus()
    analog = bus.device("CCM_ANALOG")
    base = CCM_ANALOG + PLL_SYS
    lock = 1 << 31
    reset = analog.value("PLL_SYS")
    bus.write(base + 0x4, 4, 0x0000_0100)  # SET
    assert analog.value("PLL_SYS") == reset | 0x100
    bus.write(base + 0x8, 4, 0x0000_0001)  # CLR
    assert analog.value("PLL_SYS") == (reset | 0x100) & ~1
    bus.write(base + 0xC, 4, 0x0000_0101)  # TOG
    assert analog.value("PLL_SYS") == reset
    bus.write(base + 0x4, 4, lock)  # LOCK is read-only: SET leaves it alone
    assert analog.value("PLL_SYS") & lock == 0
    assert bus.read(base, 4) & lock == lock  # ... and PLLs report lock at once
    assert bus.read(base + 0x4, 4) == bus.read(base, 4)


def test_alias_offset_of_register_without_aliases_is_unmapped() -> None:
    assert fault(make_bus().write, CCM + 0x04, 4, 1).kind == "unmapped"


def _registers() -> list[tuple[str, str]]:
    return [(p.name, r.name) for p in SOC.peripherals for r in p.registers if r.access.writable]


@given(st.sampled_from(_registers()), st.integers(0, 2**32 - 1), st.integers(0, 2**32 - 1),
       st.sampled_from([None, "SET", "CLR", "TOG"]))
def test_writes_never_touch_read_only_bits_nor_set_w1c_bits(
    which: tuple[str, str], old: int, value: int, alias: str | None
) -> None:
    peripheral = SOC.peripheral(which[0])
    assert peripheral is not None
    reg = peripheral.register(which[1])
    assert reg is not None
    regs = RegisterFile(peripheral, peripheral.instances[0][0], peripheral.instances[0][1])
    new = regs.merge(reg, alias, old, value)
    stored, w1c = write_masks(reg)
    read_only = ~(stored | w1c)
    assert new & read_only == old & read_only
    assert new & w1c & ~old == 0


# ----------------------------------------------------------------- clock gates


def test_access_to_gated_uart_faults() -> None:
    bus = make_bus()
    bus.write(CCM + CCGR5, 4, 0xFCFF_FFFF)  # CCGR5.CG12 (UART1) = 0b00
    f = fault(bus.read, UART1 + UCR1, 4)
    assert (f.kind, f.address) == ("clock-gated", UART1 + UCR1)
    assert "UART1.UCR1" in f.message and "CCGR5.CG12 = 0b00" in f.message
    assert fault(bus.write, UART1 + UTXD, 4, 0x41).kind == "clock-gated"
    assert bus.read(UART2 + UCR1, 4) == 0  # UART2 is clocked by CCGR0.CG14
    bus.write(CCM + CCGR5, 4, 0xFDFF_FFFF)  # 0b01: on in RUN mode
    assert bus.read(UART1 + UCR1, 4) == 0


def test_checks_still_apply_to_an_address_already_used() -> None:
    """Decoding is cached per address; every check is not."""
    bus = make_bus()
    assert bus.read(UART1 + UCR1, 4) == 0
    assert fault(bus.read, UART1 + UCR1, 2).kind == "width"
    assert fault(bus.write, UART1 + UCR1, 1, 0).kind == "width"
    assert [fault(bus.read, UART1 + UTXD, 4).kind for _ in range(2)] == ["access", "access"]
    bus.write(CCM + CCGR5, 4, 0xFCFF_FFFF)  # close UART1's gate after its register was decoded
    assert fault(bus.read, UART1 + UCR1, 4).kind == "clock-gated"
    ccm = bus.device("CCM")
    ccm.set_value("CCGR5", 0xFFFF_FFFF)  # the gate's answer follows a register set behind the bus too
    assert bus.read(UART1 + UCR1, 4) == 0
    assert bus.read(UART1 + USR2, 4) & 1 == 0
    assert fault(bus.write, UART1 + USR2 + 0x1000, 4, 0).kind == "unmapped"


def test_uart2_gate_is_ccgr0_cg14() -> None:
    bus = make_bus()
    bus.write(CCM + CCGR0, 4, 0xCFFF_FFFF)
    assert fault(bus.read, UART2 + UCR1, 4).kind == "clock-gated"
    assert bus.read(UART1 + UCR1, 4) == 0


# ------------------------------------------------------------------------ UART


def uart(bus: Bus, instance: str) -> Uart:
    device = bus.device(instance)
    assert isinstance(device, Uart)
    return device


def test_transmit_needs_uarten_and_txen() -> None:
    bus = make_bus()
    u = uart(bus, "UART1")
    bus.write(UART1 + UCR2, 4, UCR2_SRST | UCR2_TXEN)
    bus.write(UART1 + UTXD, 4, ord("a"))  # TXEN alone: dropped
    bus.write(UART1 + UCR1, 4, UCR1_UARTEN)
    bus.write(UART1 + UTXD, 4, 0x100 | ord("b"))  # only TX_DATA is sent
    bus.write(UART1 + UCR2, 4, UCR2_SRST)  # TXEN off again
    bus.write(UART1 + UTXD, 4, ord("c"))
    assert bytes(u.transmitted) == b"b"


def test_each_uart_keeps_its_own_output() -> None:
    bus = make_bus()
    for base, text in ((UART1, b"one"), (UART3, b"three")):
        enable_tx(bus, base)
        for ch in text:
            bus.write(base + UTXD, 4, ch)
    assert bytes(uart(bus, "UART1").transmitted) == b"one"
    assert bytes(uart(bus, "UART3").transmitted) == b"three"
    assert bytes(uart(bus, "UART2").transmitted) == b""


def test_transmitter_is_always_ready() -> None:
    bus = make_bus()
    enable_tx(bus, UART1)
    bus.write(UART1 + UTXD, 4, ord("x"))
    assert bus.read(UART1 + USR1, 4) & (1 << 13)  # TRDY
    assert bus.read(UART1 + USR2, 4) & (1 << 3 | 1 << 14) == (1 << 3 | 1 << 14)  # TXDC, TXFE
    uts = bus.read(UART1 + UTS, 4)
    assert uts & (1 << 6) and not uts & (1 << 4)  # TXEMPTY, not TXFULL


def test_software_reset_reads_back_done_and_empties_the_receiver() -> None:
    bus = make_bus()
    u = uart(bus, "UART1")
    enable_tx(bus, UART1)
    u.receive(b"zz")
    assert bus.read(UART1 + USR2, 4) & 1  # in the FIFO now
    bus.write(UART1 + UCR2, 4, 0)
    assert bus.read(UART1 + UCR2, 4) & UCR2_SRST
    assert bus.read(UART1 + UCR2, 4) & UCR2_TXEN == 0
    assert u.pending == 0
    assert bus.read(UART1 + URXD, 4) == 0


def test_input_sent_before_init_survives_the_drivers_reset() -> None:
    """Bytes wait on the line until the UART is read, then fill the FIFO 32 at a time."""
    bus = make_bus()
    u = uart(bus, "UART1")
    u.receive(bytes(range(40)))
    bus.write(UART1 + UCR1, 4, 0)  # the driver's init: disable, software reset
    bus.write(UART1 + UCR2, 4, 0)
    assert u.pending == 40
    assert bus.read(UART1 + UTS, 4) & (1 << 3)  # RXFULL: 32 in the FIFO
    assert [bus.read(UART1 + URXD, 4) & 0xFF for _ in range(40)] == list(range(40))
    assert u.pending == 0


def test_receive_queue_through_urxd() -> None:
    bus = make_bus()
    uart(bus, "UART2").receive(b"hi")
    assert bus.read(UART2 + USR2, 4) & 1  # RDR
    assert bus.read(UART2 + USR1, 4) & (1 << 9)  # RRDY
    assert bus.read(UART2 + UTS, 4) & (1 << 5) == 0  # not RXEMPTY
    assert bus.read(UART2 + URXD, 4) == 0x8000 | ord("h")
    assert bus.read(UART2 + URXD, 4) == 0x8000 | ord("i")
    assert bus.read(UART2 + URXD, 4) == 0
    assert bus.read(UART2 + USR2, 4) & 1 == 0
    assert bus.read(UART2 + UTS, 4) & (1 << 5)
