"""The CCM: clock gates that the bus enforces, and PLLs that lock at once.

Real hardware misbehaves when a gated peripheral is touched (bus error or
hang) while QEMU 7.2 ignores the gates entirely; the simulator stops the run
with a ``clock-gated`` fault instead, so a driver that forgets its gate is
caught before it reaches a board.  Which gate feeds which instance is data
from the specs (each peripheral's ``[clocks]`` table, the same one the
verifier uses); the gate registers themselves (CCGR0..6, reset values
included) come from the CCM spec.  A gate is closed only when its field is
0b00; 0b01 (on in RUN) and 0b11 count as on, 0b10 (reserved) too.
"""

from __future__ import annotations

from tamapy.sim.peripherals.base import RegisterFile
from tamapy.specs.model import Field, Peripheral, Register, Soc


def clock_gates(soc: Soc) -> dict[str, tuple[str, str]]:
    """Peripheral instance -> (CCGR register, CG field) of its clock gate, from the specs.

    Instances no spec lists are not gated in the model.
    """
    return {inst: (reg, cg) for p in soc.peripherals for inst, reg, cg in p.clocks}


class Ccm(RegisterFile):
    """The CCM register file; answers the bus's "is this instance clocked?"."""

    def __init__(self, peripheral: Peripheral, instance: str, base: int) -> None:
        super().__init__(peripheral, instance, base)
        self._gates: dict[str, tuple[Register, Field]] = {}

    def connect_gates(self, gates: dict[str, tuple[str, str]]) -> None:
        """Use ``gates`` (as :func:`clock_gates` returns) to decide which instances are clocked."""
        self._gates = {inst: (self.register(reg), self.field(reg, cg)) for inst, (reg, cg) in gates.items()}

    def closed_gate(self, instance: str) -> str | None:
        gate = self._gates.get(instance)
        if gate is None:
            return None
        reg, f = gate
        if self.value(reg.name) & f.mask:
            return None
        return f"{self.instance}.{reg.name}.{f.name} = 0b{0:0{f.width}b}"


class CcmAnalog(RegisterFile):
    """CCM_ANALOG: a register file whose PLLs report LOCK at once, as QEMU 7.2's do."""

    def __init__(self, peripheral: Peripheral, instance: str, base: int) -> None:
        super().__init__(peripheral, instance, base)
        self._lock = {
            id(reg): f.mask for reg in peripheral.registers if (f := reg.field("LOCK")) is not None
        }

    def read(self, reg: Register) -> int:
        return super().read(reg) | self._lock.get(id(reg), 0)
