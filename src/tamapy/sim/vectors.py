"""How the simulated ARMv7-A CPU takes an exception (AArch32, no Hyp or Monitor mode).

Unicorn reports CPU exceptions to the machine but does not enter them the
way the firmware's vector table expects; the machine decides *whether* to
deliver one (:meth:`tamapy.sim.machine.Machine._deliver`), this module says
*how*: the vector's mode, offset and return address (the ARM ARM's table),
where the vector table is (SCTLR.V, VBAR), and the register writes of the
entry.
"""

from __future__ import annotations

from typing import Any

from unicorn.arm_const import UC_ARM_REG_CPSR, UC_ARM_REG_LR, UC_ARM_REG_PC, UC_ARM_REG_SPSR

CPU_EXCEPTIONS = {
    2: "supervisor call",
    3: "prefetch abort",
    4: "data abort",
    5: "IRQ",
    6: "FIQ",
    7: "breakpoint",
    11: "hypervisor call",
    13: "secure monitor call",
}
"""QEMU's ARM exception numbers (``EXCP_*``) as Unicorn reports them to an interrupt hook."""


class Vector:
    """How the CPU takes one kind of exception."""

    def __init__(self, name: str, offset: int, mode: int, lr_offset: int, mask_async_abort: bool) -> None:
        self.name = name
        self.offset = offset
        self.mode = mode
        self.lr_offset = lr_offset
        """LR = address of the exception-causing instruction + this (the ARM ARM's table)."""
        self.mask_async_abort = mask_async_abort


UNDEFINED = Vector("undefined", 0x04, 0x1B, 4, False)
SVC = Vector("svc", 0x08, 0x13, 4, False)
PREFETCH_ABORT = Vector("prefetch-abort", 0x0C, 0x17, 4, True)
DATA_ABORT = Vector("data-abort", 0x10, 0x17, 8, True)
INTR_VECTORS = {2: SVC, 3: PREFETCH_ABORT, 4: DATA_ABORT, 7: PREFETCH_ABORT}
"""Unicorn interrupt numbers the machine delivers (BKPT is a prefetch abort on ARMv7-A)."""

CPSR_MODE = 0x1F
CPSR_T = 1 << 5
CPSR_I = 1 << 7
CPSR_A = 1 << 8
CPSR_E = 1 << 9
CPSR_IT = 0x0600_FC00
CPSR_J = 1 << 24
SCTLR_V = 1 << 13
SCTLR_EE = 1 << 25
HIVECS = 0xFFFF_0000


def system_control(uc: Any) -> int:
    """SCTLR, which chooses the vector table (V) and the endianness of exception entry (EE)."""
    return int(uc.cpr_read(15, 0, 1, 0, 0, 0, False))


def vector_base(uc: Any, sctlr: int) -> int:
    """Where the vector table is: the high vectors with SCTLR.V, else VBAR."""
    return HIVECS if sctlr & SCTLR_V else int(uc.cpr_read(15, 0, 12, 0, 0, 0, False)) & ~0x1F


def enter_exception(uc: Any, vector: Vector, pc: int, target: int, sctlr: int) -> None:
    """Take ``vector`` for the instruction at ``pc``: banked mode, SPSR, LR, CPSR, jump to ``target``."""
    cpsr = uc.reg_read(UC_ARM_REG_CPSR)
    new = cpsr & ~(CPSR_MODE | CPSR_T | CPSR_IT | CPSR_J | CPSR_E)
    new |= vector.mode | CPSR_I | (CPSR_A if vector.mask_async_abort else 0) | (CPSR_E if sctlr & SCTLR_EE else 0)
    uc.reg_write(UC_ARM_REG_CPSR, new)
    uc.reg_write(UC_ARM_REG_SPSR, cpsr)
    uc.reg_write(UC_ARM_REG_LR, (pc + vector.lr_offset) & 0xFFFF_FFFF)
    uc.reg_write(UC_ARM_REG_PC, target)


__all__ = [
    "CPU_EXCEPTIONS", "DATA_ABORT", "INTR_VECTORS", "PREFETCH_ABORT", "SVC", "UNDEFINED", "Vector",
    "enter_exception", "system_control", "vector_base",
]
