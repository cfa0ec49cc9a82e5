"""Python models of the SoC's peripherals, one class per register block type.

Every instance in the SoC's specs gets a model: the class registered for its
peripheral name in :data:`MODELS`, or the generic :class:`RegisterFile`
(a spec-driven register file with no behaviour beyond storing bits).
"""

from __future__ import annotations

from tamapy.sim.peripherals.base import RegisterFile
from tamapy.sim.peripherals.ccm import Ccm, CcmAnalog, clock_gates
from tamapy.sim.peripherals.uart import Uart
from tamapy.specs.model import Soc

MODELS: dict[str, type[RegisterFile]] = {
    "UART": Uart,
    "CCM": Ccm,
    "CCM_ANALOG": CcmAnalog,
}
"""Spec peripheral name -> model class."""


def build_devices(soc: Soc) -> list[RegisterFile]:
    """A fresh model, at reset, for every peripheral instance of ``soc``; the CCM
    learns which gate clocks which instance."""
    devices = [
        MODELS.get(p.name, RegisterFile)(p, instance, base)
        for p in soc.peripherals
        for instance, base in p.instances
    ]
    gates = clock_gates(soc)
    for device in devices:
        if isinstance(device, Ccm):
            device.connect_gates(gates)
    return devices


__all__ = ["MODELS", "Ccm", "CcmAnalog", "RegisterFile", "Uart", "build_devices", "clock_gates"]
