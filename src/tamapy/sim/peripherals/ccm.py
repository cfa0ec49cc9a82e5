"""The CCM: clock gates that the bus enforces, and PLLs that lock at once.

Real hardware misbehaves when a gated peripheral is touched (bus error or
hang) while QEMU 7.2 ignores the gates entirely; the simulator stops the run
with a ``clock-gated`` fault instead, so a driver that forgets its gate is
caught before it reaches a board.  Which gate feeds which instance is data
from the specs (each peripheral's ``[clocks]`` table, the same one the
verifier uses); the gate registers themselves (CCGR0..6, reset values
included) come from the CCM spec.  A gate is closed only when its field is
0b00; 0b01 (on in RUN) and 0b11 count as on, 0b10 (reserved) too.

CCM_ANALOG's ``USB_ANALOG_DIGPROG`` reads the part's identification (the
:class:`~tamapy.sim.variants.SocVariant` of the board): 0x00640000 on the EVK
as QEMU reports, family 0x65 on the USB armory Mk II.
"""

from __future__ import annotations

from tamapy.sim.context import IPG_HZ, OSC_HZ, SimContext
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
        self._closed: dict[str, str | None] = {}
        """Instance -> :meth:`closed_gate`'s answer, until a register changes (the bus asks
        on every access)."""
        super().__init__(peripheral, instance, base)
        self._gates: dict[str, tuple[Register, Field]] = {}

    def connect_gates(self, gates: dict[str, tuple[str, str]]) -> None:
        """Use ``gates`` (as :func:`clock_gates` returns) to decide which instances are clocked."""
        self._gates = {inst: (self.register(reg), self.field(reg, cg)) for inst, (reg, cg) in gates.items()}
        self._closed.clear()

    def closed_gate(self, instance: str) -> str | None:
        try:
            return self._closed[instance]
        except KeyError:
            pass
        gate = self._gates.get(instance)
        closed = None
        if gate is not None:
            reg, f = gate
            if not self._values[reg.name] & f.mask:
                closed = f"{self.instance}.{reg.name}.{f.name} = 0b{0:0{f.width}b}"
        self._closed[instance] = closed
        return closed

    def reset(self) -> None:
        super().reset()
        self._closed.clear()

    def set_value(self, name: str, value: int) -> None:
        super().set_value(name, value)
        self._closed.clear()

    def write(self, reg: Register, alias: str | None, value: int) -> None:
        super().write(reg, alias, value)
        self._closed.clear()

    def gate_on(self, register: str, name: str) -> bool:
        """Whether gate ``register.name`` (e.g. ``CCGR1``, ``CG11``) is open (not 0b00)."""
        reg = self.peripheral.register(register)
        f = reg.field(name) if reg is not None else None
        return f is None or bool(self.value(register) & f.mask)

    def perclk_hz(self) -> int:
        """PERCLK_CLK_ROOT: (CSCMR1.PERCLK_CLK_SEL ? 24 MHz : IPG) / (PERCLK_PODF + 1).

        IPG is fixed at what the boot ROM leaves (:data:`~tamapy.sim.context.IPG_HZ`).
        """
        reg = self.peripheral.register("CSCMR1")
        if reg is None:
            return IPG_HZ
        sel, podf = reg.field("PERCLK_CLK_SEL"), reg.field("PERCLK_PODF")
        value = self.value("CSCMR1")
        source = OSC_HZ if sel is not None and value & sel.mask else IPG_HZ
        divide = ((value & podf.mask) >> podf.lsb) + 1 if podf is not None else 1
        return source // divide


DIGPROG = "USB_ANALOG_DIGPROG"


class CcmAnalog(RegisterFile):
    """CCM_ANALOG: a register file whose PLLs report LOCK at once, as QEMU 7.2's do."""

    def __init__(self, peripheral: Peripheral, instance: str, base: int) -> None:
        super().__init__(peripheral, instance, base)
        self._lock = {
            id(reg): f.mask for reg in peripheral.registers if (f := reg.field("LOCK")) is not None
        }

    def reset(self) -> None:
        super().reset()
        if self.peripheral.register(DIGPROG) is not None:
            self.set_value(DIGPROG, self.ctx.variant.digprog)

    def attach(self, ctx: SimContext) -> None:
        super().attach(ctx)
        if self.peripheral.register(DIGPROG) is not None:
            self.set_value(DIGPROG, ctx.variant.digprog)

    def read(self, reg: Register) -> int:
        return super().read(reg) | self._lock.get(id(reg), 0)
