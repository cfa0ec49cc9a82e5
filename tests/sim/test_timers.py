"""GPT, SNVS RTCs and WDOG on the bare bus with a hand-driven clock (528 MHz CPU cycles)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from tamapy.sim.context import CPU_HZ

from .support import CCM, GPT1, SNVS, WDOG1, Bench

CR, PR, SR, OCR1, OCR2, CNT = 0x00, 0x04, 0x08, 0x10, 0x14, 0x24
EN, ENMOD, FRR, SWR, EN_24M = 1, 2, 1 << 9, 1 << 15, 1 << 10
OF1, OF2, OF3, ROV = 1, 2, 4, 1 << 5
IPG, PERCLK, CKIL, OSC = 1 << 6, 2 << 6, 4 << 6, 5 << 6
CSCMR1, CCGR1 = 0x1C, 0x6C

WCR, WSR, WICR, WMCR = 0x0, 0x2, 0x6, 0x8
WDE, SRS, WDA, WDT = 1 << 2, 1 << 4, 1 << 5, 1 << 3
WIE, WTIS = 1 << 15, 1 << 14
HALF_SECOND = CPU_HZ // 2

HPCR, HPRTCMR, HPRTCLR, LPCR, LPSRTCMR, LPSRTCLR = 0x08, 0x24, 0x28, 0x38, 0x50, 0x54
RTC_EN, HP_TS, SRTC_ENV, DP_EN, TOP = 1, 1 << 16, 1, 1 << 5, 1 << 6


# ------------------------------------------------------------------------- GPT


def gpt(bench: Bench, cr: int, pr: int = 0) -> None:
    bench.w(GPT1 + PR, pr)
    bench.w(GPT1 + CR, cr)


def test_gpt_counts_the_ipg_clock_from_the_instruction_count() -> None:
    bench = Bench()
    gpt(bench, EN | ENMOD | FRR | IPG)
    bench.clock.advance(8 * 1000)  # 528 MHz / 66 MHz = 8 instructions per tick
    assert bench.r(GPT1 + CNT) == 1000
    bench.clock.advance(7)
    assert bench.r(GPT1 + CNT) == 1000
    bench.clock.advance(1)
    assert bench.r(GPT1 + CNT) == 1001


@settings(max_examples=30, deadline=None)
@given(prescaler=st.integers(0, 4095), steps=st.lists(st.integers(0, 200_000), min_size=1, max_size=8))
def test_gpt_count_is_exact_however_the_time_is_sliced(prescaler: int, steps: list[int]) -> None:
    """Reading CNT at any points gives floor(ticks / (PRESCALER + 1)) of the elapsed time."""
    bench = Bench()
    gpt(bench, EN | ENMOD | FRR | IPG, prescaler)
    start = bench.clock.now
    for step in steps:
        bench.clock.advance(step)
        expected = (bench.clock.now - start) * 66_000_000 // CPU_HZ // (prescaler + 1)
        assert bench.r(GPT1 + CNT) == expected


def test_gpt_writes_between_ticks_do_not_hold_the_counter_back() -> None:
    """A register write that leaves the clock setup alone keeps the partial tick in progress."""
    bench = Bench()
    gpt(bench, EN | ENMOD | FRR | IPG)
    for _ in range(100):
        bench.clock.advance(4)  # half a tick
        bench.w(GPT1 + OCR2, 0x1234)
    assert bench.r(GPT1 + CNT) == 50


def test_gpt_clock_sources() -> None:
    bench = Bench()
    gpt(bench, EN | ENMOD | FRR | CKIL)
    bench.clock.advance(CPU_HZ)  # one simulated second
    assert bench.r(GPT1 + CNT) == 32_768
    gpt(bench, EN | ENMOD | FRR | OSC | EN_24M, 7 << 12)  # 24 MHz / 8, as Linux sets it
    bench.w(GPT1 + CR, 0)
    bench.w(GPT1 + CR, EN | ENMOD | FRR | OSC | EN_24M)  # ENMOD: restart from 0
    bench.clock.advance(CPU_HZ // 1000)
    assert bench.r(GPT1 + CNT) == 3_000
    bench.w(CCM + CSCMR1, bench.r(CCM + CSCMR1) | 1 << 6 | 3)  # PERCLK = 24 MHz / 4
    bench.w(GPT1 + CR, 0)
    bench.w(GPT1 + CR, EN | ENMOD | FRR | PERCLK)
    bench.clock.advance(CPU_HZ // 1000)
    assert bench.r(GPT1 + CNT) == 6_000


def test_gpt_stops_without_clock_enable_or_serial_gate() -> None:
    bench = Bench()
    gpt(bench, EN | FRR | IPG)
    bench.clock.advance(800)
    bench.w(GPT1 + CR, FRR | IPG)  # EN off, ENMOD off: the count is kept
    bench.clock.advance(800)
    assert bench.r(GPT1 + CNT) == 100
    bench.w(CCM + CCGR1, bench.r(CCM + CCGR1) & ~(0b11 << 22))  # GPT1 serial gate CG11
    bench.w(GPT1 + CR, EN | FRR | IPG)
    bench.clock.advance(800)
    assert bench.r(GPT1 + CNT) == 100


def test_gpt_compare_and_rollover_flags_are_sticky_w1c() -> None:
    bench = Bench()
    bench.w(GPT1 + OCR1, 50)
    bench.w(GPT1 + OCR2, 0xFFFF_FFF0)
    gpt(bench, EN | ENMOD | FRR | IPG)
    bench.clock.advance(8 * 49)
    assert bench.r(GPT1 + SR) == 0
    bench.clock.advance(8)
    assert bench.r(GPT1 + SR) == OF1
    bench.w(GPT1 + SR, OF1)
    assert bench.r(GPT1 + SR) == 0
    bench.clock.advance(8 * 2**32)  # a whole wrap
    assert bench.r(GPT1 + SR) == OF1 | OF2 | OF3 | ROV and bench.r(GPT1 + CNT) == 50


def test_gpt_restart_mode_returns_to_zero_after_ocr1() -> None:
    bench = Bench()
    bench.w(GPT1 + OCR1, 99)
    gpt(bench, EN | ENMOD | IPG)  # FRR = 0: restart mode
    bench.clock.advance(8 * 250)
    assert bench.r(GPT1 + CNT) == 50 and bench.r(GPT1 + SR) == OF1
    bench.w(GPT1 + OCR1, 1000)  # a write to OCR1 restarts the counter
    assert bench.r(GPT1 + CNT) == 0


def test_gpt_software_reset_keeps_the_clock_setup() -> None:
    bench = Bench()
    bench.w(GPT1 + OCR1, 5)
    gpt(bench, EN | ENMOD | FRR | IPG)
    bench.clock.advance(800)
    bench.w(GPT1 + CR, EN | ENMOD | FRR | IPG | SWR)
    cr = bench.r(GPT1 + CR)
    assert cr & (EN | ENMOD | IPG) == EN | ENMOD | IPG and not cr & (SWR | FRR)
    assert bench.r(GPT1 + CNT) == 0 and bench.r(GPT1 + OCR1) == 0xFFFF_FFFF and bench.r(GPT1 + SR) == 0


# ------------------------------------------------------------------------ SNVS


def rtc(bench: Bench, msb: int, lsb: int) -> int:
    return (bench.r(SNVS + msb) << 32) | bench.r(SNVS + lsb)


def test_rtcs_count_32768_hz_while_enabled() -> None:
    bench = Bench()
    bench.clock.advance(CPU_HZ)
    assert rtc(bench, HPRTCMR, HPRTCLR) == 0  # not enabled
    bench.w(SNVS + HPRTCMR, 0x1)  # set while disabled: 2^32 ticks
    bench.w(SNVS + HPRTCLR, 0x10)
    bench.w(SNVS + HPCR, RTC_EN)
    assert bench.r(SNVS + HPCR) & RTC_EN
    bench.clock.advance(2 * CPU_HZ)
    assert rtc(bench, HPRTCMR, HPRTCLR) == (1 << 32) + 0x10 + 2 * 32_768
    bench.w(SNVS + HPRTCLR, 0)  # ignored while running
    assert rtc(bench, HPRTCMR, HPRTCLR) == (1 << 32) + 0x10 + 2 * 32_768
    bench.w(SNVS + LPCR, bench.r(SNVS + LPCR) | SRTC_ENV)
    bench.clock.advance(CPU_HZ // 2)
    assert rtc(bench, LPSRTCMR, LPSRTCLR) == 16_384
    bench.w(SNVS + HPCR, RTC_EN | HP_TS)  # HP := LP
    assert rtc(bench, HPRTCMR, HPRTCLR) == 16_384 and not bench.r(SNVS + HPCR) & HP_TS


def test_lpcr_dp_en_and_top_power_the_soc_off() -> None:
    bench = Bench()
    bench.w(SNVS + LPCR, DP_EN)
    assert bench.stops == []
    bench.w(SNVS + LPCR, DP_EN | TOP)
    assert bench.stops and bench.stops[0][0] == "power-off"


# ------------------------------------------------------------------------ WDOG


def test_watchdog_expires_unless_serviced() -> None:
    bench = Bench()
    device = bench.bus.device("WDOG1")
    bench.w(WDOG1 + WCR, (1 << 8) | WDE | WDT | SRS | WDA, 2)  # WT = 1: 1 s
    assert device.next_event() == 2 * HALF_SECOND
    bench.clock.advance(HALF_SECOND)
    bench.w(WDOG1 + WSR, 0x5555, 2)
    bench.w(WDOG1 + WSR, 0xAAAA, 2)
    assert device.next_event() == 3 * HALF_SECOND
    bench.w(WDOG1 + WSR, 0x5555, 2)
    bench.w(WDOG1 + WSR, 0x1234, 2)  # voids the sequence
    bench.w(WDOG1 + WSR, 0xAAAA, 2)
    assert device.next_event() == 3 * HALF_SECOND
    bench.clock.advance(2 * HALF_SECOND - 1)
    device.on_time()
    assert bench.stops == []
    bench.clock.advance(1)
    device.on_time()
    assert bench.stops[0][0] == "watchdog" and "WDOG1 expired" in bench.stops[0][1]


def test_watchdog_enable_and_write_once_bits_stick() -> None:
    bench = Bench()
    bench.w(WDOG1 + WCR, WDE | WDT | SRS | WDA, 2)
    bench.w(WDOG1 + WCR, SRS | WDA, 2)
    assert bench.r(WDOG1 + WCR, 2) & (WDE | WDT) == WDE | WDT
    bench.w(WDOG1 + WMCR, 0, 2)
    bench.w(WDOG1 + WMCR, 1, 2)
    assert bench.r(WDOG1 + WMCR, 2) == 0


def test_pre_timeout_status_sets_late_in_the_countdown() -> None:
    bench = Bench()
    bench.w(WDOG1 + WICR, WIE | 1, 2)  # 0.5 s before the time-out
    bench.w(WDOG1 + WCR, (3 << 8) | WDE | SRS | WDA, 2)  # 2 s
    bench.clock.advance(3 * HALF_SECOND - 1)
    assert not bench.r(WDOG1 + WICR, 2) & WTIS
    bench.clock.advance(1)
    assert bench.r(WDOG1 + WICR, 2) & WTIS
    bench.w(WDOG1 + WICR, WTIS, 2)
    assert not bench.r(WDOG1 + WICR, 2) & WTIS


def test_software_reset_request() -> None:
    bench = Bench()
    bench.w(WDOG1 + WCR, WDA | (1 << 6), 2)  # SRE set, SRS written 0 (TamaGo's SoftwareReset)
    assert bench.stops and bench.stops[0][0] == "reset"
    assert bench.r(WDOG1 + WCR, 2) & SRS


def test_injected_unserviced_watchdog_ignores_the_sequence() -> None:
    bench = Bench(inject=("wdog-unserviced",))
    device = bench.bus.device("WDOG1")
    bench.w(WDOG1 + WCR, WDE | SRS | WDA, 2)
    bench.clock.advance(HALF_SECOND // 2)
    bench.w(WDOG1 + WSR, 0x5555, 2)
    bench.w(WDOG1 + WSR, 0xAAAA, 2)
    assert device.next_event() == HALF_SECOND
    (fault,) = bench.ctx.faults.active.values()
    assert fault.triggered == 1 and fault.first_cycle == HALF_SECOND // 2
