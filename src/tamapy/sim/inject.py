"""Fault injection: named hardware misbehaviours a run can switch on.

Drivers must survive hardware that fails (DESIGN §7: RNG self-test failure,
DCP error status, stuck UART), and real boards rarely fail on demand, so the
models can be told to.  Each name below is one behaviour of one model; a run
lists the names it wants (``simulate(..., inject=(...))``, ``tamapy run
--inject NAME``).  The :class:`Injections` object records when each fault
actually took effect, so the run report shows what the firmware was exposed
to and not only what was asked for.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from tamapy.diagnostics import error

UNKNOWN_FAULT = "E523"
"""A fault-injection name the simulator does not know."""

FAULTS: dict[str, str] = {
    "rngb-selftest-fail": "RNGB self-test always fails (SR.ST_PF, SR.ERR, ESR.STE); no seed is generated",
    "rngb-error": "RNGB oscillator error (ESR.OSCE, SR.ERR) after 4 words were read: the FIFO empties "
                  "until the error is cleared (CMD.CE) and a new seed is generated (CMD.GS); once per run",
    "dcp-channel-error": "every DCP work packet fails with a source bus error (CHnSTAT.ERROR_SRC, "
                         "packet STATUS likewise) instead of running",
    "dcp-hang": "DCP packets are accepted but never complete: the semaphore never drops, STAT.IRQ "
                "and the packet STATUS are never set",
    "uart-stuck": "the console UART's transmitter is never ready (UTS.TXFULL = 1, USR1.TRDY = 0); "
                  "bytes written to UTXD are lost",
    "wdog-unserviced": "writing the service sequence (0x5555, 0xAAAA) to WDOGn.WSR has no effect, "
                       "so an enabled watchdog expires",
}
"""Every injectable fault: name -> what it does (also the report's description)."""


def check_names(names: Iterable[str]) -> tuple[str, ...]:
    """The names, validated and de-duplicated in order; TamapyError (E523) for unknown ones."""
    out: list[str] = []
    for name in names:
        if name not in FAULTS:
            raise error("<simulator>", 0, 0, UNKNOWN_FAULT, f"unknown fault to inject: {name!r}",
                        f"valid faults: {', '.join(sorted(FAULTS))}")
        if name not in out:
            out.append(name)
    return tuple(out)


@dataclass
class Injection:
    """One requested fault and what it did during the run."""

    name: str
    description: str
    triggered: int = 0
    """How many times the fault changed what the firmware saw."""
    first_cycle: int | None = None
    """Simulated cycle (instruction count) of the first effect."""
    detail: str = ""
    """The model's last word on it (e.g. "channel 0: 3 packets stuck")."""


@dataclass
class Injections:
    """The faults active in one run."""

    active: dict[str, Injection] = field(default_factory=dict)

    @classmethod
    def of(cls, names: Iterable[str]) -> Injections:
        return cls({n: Injection(n, FAULTS[n]) for n in check_names(names)})

    def __contains__(self, name: object) -> bool:
        return name in self.active

    def hit(self, name: str, cycle: int, detail: str = "") -> None:
        """Record that fault ``name`` just took effect (no-op if it is not active)."""
        found = self.active.get(name)
        if found is None:
            return
        found.triggered += 1
        if found.first_cycle is None:
            found.first_cycle = cycle
        if detail:
            found.detail = detail

    def note(self, name: str, detail: str) -> None:
        """Set what the report says about fault ``name`` (no-op if it is not active)."""
        found = self.active.get(name)
        if found is not None:
            found.detail = detail

    def report(self) -> list[dict[str, object]]:
        """JSON-ready list, in request order."""
        return [
            {"name": i.name, "description": i.description, "triggered": i.triggered,
             "first_cycle": i.first_cycle, "detail": i.detail}
            for i in self.active.values()
        ]


__all__ = ["FAULTS", "UNKNOWN_FAULT", "Injection", "Injections", "check_names"]
