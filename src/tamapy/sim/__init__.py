"""The built-in board simulator: Unicorn for the CPU, Python models for the peripherals.

``simulate(elf, board, soc)`` boots an image the way QEMU's ``-kernel`` does
and returns a :class:`SimOutcome`: the console output, the final line's
verdict, an exact instruction count, a located :class:`SimFault` when the
image did something the hardware description forbids, the CPU exceptions it
took, the faults injected and what the peripheral models saw (the JSON run
report).  See docs/simulator.md.

:mod:`tamapy.sim.host` is the same board without a CPU: firmware modules run
in CPython against the same models, bus, RAM and trace records (docs/host.md).
"""

from tamapy.sim.bus import Bus, BusFault
from tamapy.sim.context import CPU_HZ, SimContext
from tamapy.sim.inject import FAULTS, Injection, check_names
from tamapy.sim.machine import Machine, simulate
from tamapy.sim.outcome import MmioAccess, SimFault, SimOutcome
from tamapy.sim.variants import BOARD_VARIANTS, VARIANTS, SocVariant

__all__ = [
    "BOARD_VARIANTS", "CPU_HZ", "FAULTS", "VARIANTS", "Bus", "BusFault", "Injection", "Machine", "MmioAccess",
    "SimContext",
    "SimFault", "SimOutcome", "SocVariant", "check_names", "simulate",
]
