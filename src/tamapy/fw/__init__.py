"""The runtime library that firmware modules import (DESIGN §1.2).

On the target these names are compiler intrinsics and machine types; in
CPython they make a subset module run with the same meaning: machine types
are range claims (constructing a value that does not fit raises
OverflowError), contracts are run-time checks evaluated as ghost code, and
``poll`` re-evaluates its condition.  Register objects, ``mmio`` and
``clock_enabled`` need a bus to act on: the board without a CPU,
:class:`tamapy.sim.host.Host`, binds them to the simulator's peripheral
models and makes firmware modules importable (``from board import
console``).  See docs/host.md.

The submodules: :mod:`.types` (machine types, arrays, views),
:mod:`.contracts`, :mod:`.intrinsics` (``poll``, ``panic``, ``wfi``,
``mmio``, ...), :mod:`.live` (re-evaluable register values) and
:mod:`.regs` (register objects), :mod:`.structs` (``@struct`` classes).  They depend on :mod:`tamapy.specs` alone,
so the runtime library never loads the simulator.
"""

from __future__ import annotations

from tamapy.fw.contracts import (
    ContractError,
    F,
    decreases,
    ensures,
    invariant,
    requires,
    trusted,
)
from tamapy.fw.intrinsics import (
    Halted,
    Panic,
    addr_of,
    clock_enabled,
    dmb,
    dsb,
    enable_clock,
    forever,
    isb,
    mmio,
    panic,
    poll,
    wfi,
)
from tamapy.fw.old import old
from tamapy.fw.structs import struct
from tamapy.fw.types import (
    Array,
    ArrayView,
    Bytes,
    Dma,
    FixedArray,
    MutView,
    RegValue,
    View,
    i8,
    i16,
    i32,
    i64,
    u8,
    u16,
    u32,
    u64,
)

__all__ = [
    "Array",
    "ArrayView",
    "Bytes",
    "ContractError",
    "Dma",
    "F",
    "FixedArray",
    "Halted",
    "MutView",
    "Panic",
    "RegValue",
    "View",
    "addr_of",
    "clock_enabled",
    "decreases",
    "dmb",
    "dsb",
    "enable_clock",
    "ensures",
    "forever",
    "i8",
    "i16",
    "i32",
    "i64",
    "invariant",
    "isb",
    "mmio",
    "old",
    "panic",
    "poll",
    "requires",
    "struct",
    "trusted",
    "u8",
    "u16",
    "u32",
    "u64",
    "wfi",
]
