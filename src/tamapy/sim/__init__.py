"""The built-in board simulator: Unicorn for the CPU, Python models for the peripherals.

``simulate(elf, board, soc)`` boots an image the way QEMU's ``-kernel`` does
and returns a :class:`SimOutcome`: the console output, the final line's
verdict, an exact instruction count, and a located :class:`SimFault` when the
image did something the hardware description forbids.  See docs/simulator.md.
"""

from tamapy.sim.bus import Bus, BusFault
from tamapy.sim.machine import Machine, SimFault, SimOutcome, simulate

__all__ = ["Bus", "BusFault", "Machine", "SimFault", "SimOutcome", "simulate"]
