"""Python models of the SoC's peripherals, one class per register block type.

Every instance in the SoC's specs that the part has (the context's
:class:`~tamapy.sim.variants.SocVariant`) gets a model: the class registered
for its peripheral name in :data:`MODELS`, or, for a peripheral the specs
describe but no model covers, :class:`Storage` (a spec-driven register file
with no behaviour beyond storing bits, named in the run report as such:
:func:`plain_storage`).  All models then join one :class:`~tamapy.sim.context.SimContext`.
"""

from __future__ import annotations

from tamapy.sim.context import SimContext
from tamapy.sim.peripherals.base import RegisterFile, Storage
from tamapy.sim.peripherals.ccm import Ccm, CcmAnalog, clock_gates
from tamapy.sim.peripherals.dcp import Dcp
from tamapy.sim.peripherals.gpio import Gpio
from tamapy.sim.peripherals.gpt import Gpt
from tamapy.sim.peripherals.ocotp import Ocotp
from tamapy.sim.peripherals.rngb import Rngb
from tamapy.sim.peripherals.snvs import Snvs
from tamapy.sim.peripherals.uart import Uart
from tamapy.sim.peripherals.wdog import Wdog
from tamapy.specs.model import Soc

MODELS: dict[str, type[RegisterFile]] = {
    "UART": Uart,
    "CCM": Ccm,
    "CCM_ANALOG": CcmAnalog,
    "GPT": Gpt,
    "GPIO": Gpio,
    "WDOG": Wdog,
    "OCOTP": Ocotp,
    "SNVS": Snvs,
    "DCP": Dcp,
    "RNGB": Rngb,
}
"""Spec peripheral name -> model class."""


def build_devices(soc: Soc, ctx: SimContext | None = None) -> list[RegisterFile]:
    """A fresh model, at reset, for every peripheral instance of ``soc`` the part has.

    The CCM learns which gate clocks which instance; every model joins ``ctx``
    (a stand-alone context with a hand-driven clock and no RAM if None).
    """
    ctx = ctx if ctx is not None else SimContext()
    devices = [
        MODELS.get(p.name, Storage)(p, instance, base)
        for p in soc.peripherals
        if p.name not in ctx.variant.absent
        for instance, base in p.instances
    ]
    gates = clock_gates(soc)
    for device in devices:
        if isinstance(device, Ccm):
            device.connect_gates(gates)
            ctx.ccm = device
    for device in devices:
        device.attach(ctx)
    return devices


def plain_storage(devices: list[RegisterFile]) -> dict[str, tuple[str, ...]]:
    """Peripheral type -> its instances among ``devices`` simulated as plain :class:`Storage`."""
    found: dict[str, tuple[str, ...]] = {}
    for d in devices:
        if isinstance(d, Storage):
            found[d.peripheral.name] = (*found.get(d.peripheral.name, ()), d.instance)
    return found


__all__ = ["MODELS", "Ccm", "CcmAnalog", "Dcp", "Gpio", "Gpt", "Ocotp", "RegisterFile", "Rngb", "Snvs", "Storage",
           "Uart", "Wdog", "build_devices", "clock_gates", "plain_storage"]
