"""What the peripheral models share: simulated time, DMA memory, the part, the run's secrets.

Models are plain objects built from the specs (:mod:`.peripherals`); the
few that need more than their own registers get it from one
:class:`SimContext`:

* **time** -- a :class:`Clock` counting CPU cycles.  The simulated CPU runs
  one instruction per cycle at :data:`CPU_HZ` (528 MHz, the i.MX6ULZ's ARM
  clock), so time is the instruction count and every run is deterministic.
  Timers (GPT, SNVS RTC, WDOG, RNGB FIFO refill) derive their counts from it.
* **DMA** -- the memory the DCP reads packets and buffers from and
  writes results to: the board's RAM regions (:mod:`.memory`), over
  Unicorn's RAM in the machine and over plain pages on the host.
* **the part** (:class:`~.variants.SocVariant`), the device's unique ID and
  OTP key, the injected faults, and a way to stop the run (watchdog expiry,
  software reset, power-off).

A context without a machine (``SimContext()``) has a hand-driven clock and
no RAM, which is what the Bus-level tests use.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from tamapy.sim.inject import Injections
from tamapy.sim.memory import RegionMemory
from tamapy.sim.variants import VARIANTS, SocVariant, bad_parameter

CPU_HZ = 528_000_000
"""Simulated CPU clock: one instruction per cycle at the i.MX6ULZ's 528 MHz ARM clock."""
IPG_HZ = 66_000_000
"""IPG_CLK_ROOT as the boot ROM leaves it (AHB 132 MHz / 2); fixed in the model."""
OSC_HZ = 24_000_000
"""The 24 MHz crystal."""
CKIL_HZ = 32_768
"""The 32.768 kHz low-frequency clock (GPT CLKSRC 4, SNVS RTCs)."""


class Clock(Protocol):
    """Simulated time in CPU cycles (= instructions, see :data:`CPU_HZ`)."""

    hz: int

    def cycles(self) -> int:
        """Cycles elapsed since reset, exact at the access being served."""
        ...


@dataclass
class ManualClock:
    """A clock tests move by hand."""

    now: int = 0
    hz: int = CPU_HZ

    def cycles(self) -> int:
        return self.now

    def advance(self, cycles: int) -> None:
        self.now += cycles


def ticks(clock: Clock, since: int, freq: int) -> int:
    """Whole ticks of a ``freq`` Hz clock between cycle ``since`` and now."""
    return (clock.cycles() - since) * freq // clock.hz


def cycles_for(clock: Clock, seconds_num: int, seconds_den: int = 1) -> int:
    """CPU cycles in ``seconds_num / seconds_den`` seconds."""
    return clock.hz * seconds_num // seconds_den


class ClockControl(Protocol):
    """What models ask the CCM (:class:`~tamapy.sim.peripherals.ccm.Ccm`)."""

    def gate_on(self, register: str, name: str) -> bool:
        """Whether clock gate ``register.name`` is open."""
        ...

    def perclk_hz(self) -> int:
        """PERCLK_CLK_ROOT in Hz."""
        ...


UNIQUE_ID_LABEL = b"tamapy-sim unique id\x00"
OTP_KEY_LABEL = b"tamapy-sim otp key\x00"


def default_unique_id(board: str) -> int:
    """The 64-bit unique ID a board gets when the run does not choose one:
    the first 8 bytes of SHA-256("tamapy-sim unique id\\0" + board name), little-endian."""
    return int.from_bytes(hashlib.sha256(UNIQUE_ID_LABEL + board.encode()).digest()[:8], "little")


def default_otp_key(unique_id: int) -> bytes:
    """The 16-byte OTP key a device gets when the run does not choose one:
    SHA-256("tamapy-sim otp key\\0" + unique ID as 8 little-endian bytes)[:16]."""
    return hashlib.sha256(OTP_KEY_LABEL + unique_id.to_bytes(8, "little")).digest()[:16]


def _ignore_stop(reason: str, detail: str) -> None:
    """Outside a machine, a stop request has nowhere to go."""


def _nothing() -> None:
    """Outside a machine, nothing is scheduled."""


@dataclass
class SimContext:
    """Everything beyond their registers that models may use (see the module docstring)."""

    clock: Clock = field(default_factory=ManualClock)
    memory: RegionMemory = field(default_factory=lambda: RegionMemory(()))
    """The RAM bus masters reach by DMA; none outside a board, so every DMA access is a bus error."""
    variant: SocVariant = field(default_factory=lambda: VARIANTS["imx6ulz"])
    board: str = "<none>"
    unique_id: int | None = None
    """Device unique ID (OCOTP CFG0/CFG1); None = :func:`default_unique_id` of the board."""
    otp_key: bytes | None = None
    """Device OTP key (DCP KEY_SELECT 0xFE/0xFF); None = :func:`default_otp_key`."""
    faults: Injections = field(default_factory=Injections)
    ccm: ClockControl | None = None
    """The CCM model, for clock gates and clock roots (set by ``build_devices``)."""
    console: str | None = None
    """Instance name of the console UART (fault injection targets it)."""
    stop: Callable[[str, str], None] = _ignore_stop
    """Ask the machine to end the run: (stop_reason, detail)."""
    reschedule: Callable[[], None] = _nothing
    """Tell the machine a timed event (watchdog deadline) moved."""

    def __post_init__(self) -> None:
        if self.unique_id is None:
            self.unique_id = default_unique_id(self.board)
        if not 0 <= self.unique_id < 1 << 64:
            raise bad_parameter(f"unique_id 0x{self.unique_id:x} does not fit 64 bits",
                                "the unique ID is the 64-bit OCOTP CFG0/CFG1 pair")
        if self.otp_key is None:
            self.otp_key = default_otp_key(self.unique_id)
        if len(self.otp_key) != 16:
            raise bad_parameter(f"otp_key is {len(self.otp_key)} bytes long",
                                "the DCP OTP key is an AES-128 key: 16 bytes")

    @property
    def uid(self) -> int:
        """The unique ID (always set after construction)."""
        assert self.unique_id is not None
        return self.unique_id

    @property
    def key(self) -> bytes:
        """The OTP key (always set after construction)."""
        assert self.otp_key is not None
        return self.otp_key

    def now(self) -> int:
        return self.clock.cycles()

    def hit(self, fault: str, detail: str = "") -> None:
        """Record that injected ``fault`` took effect now (reads the clock only the first time)."""
        found = self.faults.active.get(fault)
        if found is not None:
            self.faults.hit(fault, self.now() if found.first_cycle is None else found.first_cycle, detail)


__all__ = [
    "CKIL_HZ", "CPU_HZ", "IPG_HZ", "OSC_HZ", "Clock", "ClockControl", "ManualClock",
    "SimContext", "cycles_for", "default_otp_key", "default_unique_id",
    "ticks",
]
