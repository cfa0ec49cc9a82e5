"""The watchdog: a countdown in simulated time that ends the run when it expires.

A watchdog that fires resets the SoC; the simulator does not reboot the
image, it stops the run with ``stop_reason = "watchdog"`` and says which
instance expired and when (the run report's ``detail``), so a firmware that
forgets to service its watchdog fails visibly and deterministically.

Modelled (RM "WDOG"; QEMU 7.2 agrees where it models it):

* WCR.WDE starts the countdown of (WT + 1) x 0.5 s of simulated time and can
  never be cleared again; WDZST, WDBG, WDT and WDW are write-once (locked by
  the first WCR write).
* Servicing: 0x5555 then 0xAAAA written to WSR reloads the countdown from the
  current WT (a WT change takes effect at the next service); any other write
  in between voids the sequence.  With the ``wdog-unserviced`` fault injected
  the sequence has no effect.
* WCR.SRS written 0 requests a software reset: the run stops with
  ``stop_reason = "reset"`` (QEMU 7.2 only resets when WDA is 0 too; the
  hardware does not need it).  WCR.WDA written 0 (assert WDOG_B) is noted in
  the report only: what WDOG_B drives is board wiring.
* WICR: WIE and WICT are write-once; WTIS (W1C) sets once less than
  WICT x 0.5 s remain.  No interrupt is raised (there is no GIC model).
* WMCR.PDE is write-once; the 16 s power-down counter it enables is not
  modelled (QEMU 7.2 does not model it either): it would only matter after
  8.4 billion instructions, and every image idling in WFI would end in it.

Expiry is noticed at the first basic-block boundary at or after the deadline
(the machine schedules a stop there), or at once when the CPU idles in WFI.
"""

from __future__ import annotations

from typing import Any

from tamapy.sim.peripherals.base import RegisterFile
from tamapy.specs.model import Peripheral, Register

UNSERVICED = "wdog-unserviced"
SERVICE_1 = 0x5555
SERVICE_2 = 0xAAAA
WCR_ONCE = ("WDZST", "WDBG", "WDT", "WDW")
WICR_ONCE = ("WIE", "WICT")


class Wdog(RegisterFile):
    """One WDOG instance."""

    def __init__(self, peripheral: Peripheral, instance: str, base: int) -> None:
        self._deadline: int | None = None
        self._armed = False
        self._locked_wcr = False
        self._locked_wicr = False
        self._locked_wmcr = False
        self._enabled_at: int | None = None
        self._serviced_at: int | None = None
        self._services = 0
        self._ignored = 0
        self._touched = False
        self._expired: str | None = None
        self._wdog_b = False
        self._wtis_for: int | None = None
        """The deadline whose pre-timeout status was raised."""
        super().__init__(peripheral, instance, base)
        self._wcr = self.register("WCR")
        self._wsr = self.register("WSR")
        self._wicr = self.register("WICR")
        self._wmcr = self.register("WMCR")
        self._wde = self.field("WCR", "WDE").mask
        self._srs = self.field("WCR", "SRS").mask
        self._wda = self.field("WCR", "WDA").mask
        self._wt = self.field("WCR", "WT")
        self._wcr_once = sum(self.field("WCR", n).mask for n in WCR_ONCE)
        self._wicr_once = sum(self.field("WICR", n).mask for n in WICR_ONCE)
        self._wie = self.field("WICR", "WIE").mask
        self._wict = self.field("WICR", "WICT")
        self._wtis = self.field("WICR", "WTIS").mask
        self._pde = self.field("WMCR", "PDE").mask

    # -- time -------------------------------------------------------------------

    def _half_seconds(self, n: int) -> int:
        """Cycles in ``n`` x 0.5 s."""
        return self.ctx.clock.hz * n // 2

    def timeout_cycles(self) -> int:
        """The countdown WCR.WT selects: (WT + 1) x 0.5 s."""
        wt = (self.value("WCR") & self._wt.mask) >> self._wt.lsb
        return self._half_seconds(wt + 1)

    def next_event(self) -> int | None:
        return self._deadline if self._expired is None else None

    def on_time(self) -> None:
        """Stop the run if the countdown ran out."""
        if self._expired is not None or self._deadline is None:
            return
        if self.ctx.now() >= self._deadline:
            last = self._serviced_at if self._serviced_at is not None else self._enabled_at
            wt = (self.value("WCR") & self._wt.mask) >> self._wt.lsb
            self._expired = (
                f"{self.instance} expired at cycle {self._deadline}: time-out {(wt + 1) / 2:g} s "
                f"(WCR.WT = {wt}), last serviced or enabled at cycle {last}"
                + (f", {self._ignored} service sequence(s) ignored ({UNSERVICED})" if self._ignored else "")
            )
            self.ctx.stop("watchdog", self._expired)

    def _update_wtis(self) -> None:
        """WTIS sets once per countdown, when WICT x 0.5 s remain (clearing it sticks)."""
        wicr = self.value("WICR")
        if self._deadline is None or not wicr & self._wie or self._wtis_for == self._deadline:
            return
        before = self._half_seconds((wicr & self._wict.mask) >> self._wict.lsb)
        if self.ctx.now() >= self._deadline - before:
            self._wtis_for = self._deadline
            self.set_value("WICR", wicr | self._wtis)

    # -- bus accesses -------------------------------------------------------------

    def read(self, reg: Register) -> int:
        if reg is self._wicr:
            self._update_wtis()
        return super().read(reg)

    def write(self, reg: Register, alias: str | None, value: int) -> None:
        self._touched = True
        if reg is self._wcr:
            self._write_wcr(value)
        elif reg is self._wsr:
            super().write(reg, alias, value)
            self._service_step(value)
        elif reg is self._wicr:
            self._update_wtis()
            old = self.value("WICR")
            super().write(reg, alias, value)
            if self._locked_wicr:
                self.set_value("WICR", (self.value("WICR") & ~self._wicr_once) | (old & self._wicr_once))
            self._locked_wicr = True
        elif reg is self._wmcr:
            if not self._locked_wmcr:
                super().write(reg, alias, value)
            self._locked_wmcr = True
        else:
            super().write(reg, alias, value)

    def _write_wcr(self, value: int) -> None:
        old = self.value("WCR")
        new = self.merge(self._wcr, None, old, value)
        if self._locked_wcr:
            new = (new & ~self._wcr_once) | (old & self._wcr_once)
        self._locked_wcr = True
        new |= old & self._wde  # WDE cannot be cleared
        new |= self._srs  # SRS always reads 1
        self.set_value("WCR", new)
        if not value & self._wda and not self._wdog_b:
            self._wdog_b = True  # noted only: what WDOG_B drives is board wiring
        if new & self._wde and not old & self._wde:
            now = self.ctx.now()
            self._enabled_at = now
            self._deadline = now + self.timeout_cycles()
            self.ctx.reschedule()
        if not value & self._srs:
            self.ctx.stop("reset", f"{self.instance}: software reset requested (WCR.SRS written 0)")

    def _service_step(self, value: int) -> None:
        if value == SERVICE_1:
            self._armed = True
            return
        if value != SERVICE_2 or not self._armed:
            self._armed = False
            return
        self._armed = False
        if UNSERVICED in self.ctx.faults:
            self._ignored += 1
            self.ctx.hit(UNSERVICED, f"{self.instance}: {self._ignored} service sequence(s) ignored")
            return
        self._services += 1
        if self._deadline is not None:
            now = self.ctx.now()
            self._serviced_at = now
            self._deadline = now + self.timeout_cycles()
            self.ctx.reschedule()

    def notes(self) -> dict[str, Any] | None:
        if not self._touched and self._expired is None:
            return None
        notes: dict[str, Any] = {
            "enabled": self._deadline is not None,
            "timeout_cycles": self.timeout_cycles(),
            "services": self._services,
            "pde": bool(self.value("WMCR") & self._pde),
        }
        if self._deadline is not None:
            notes["deadline_cycle"] = self._deadline
        if self._ignored:
            notes["ignored_services"] = self._ignored
        if self._wdog_b:
            notes["wdog_b_asserted"] = True
        if self._expired is not None:
            notes["expired"] = self._expired
        return notes
