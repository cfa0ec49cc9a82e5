"""The trusted machine-level pieces every image carries (listed by the audit).

Written directly as LLVM IR, since llvmlite cannot assemble ARM text: the
vector table is plain data, the reset handler sets the stack pointer with
``llvm.write_register`` before touching memory, points VBAR at the table,
clears .bss and the DMA region, calls ``main`` and halts.  Faults and compiled safety checks
end in ``__tamapy_panic``, which calls the firmware's panic hook once.
"""

from __future__ import annotations

from tamapy.link.layout import CLEAR_BLOCK

VECTORS = "__tamapy_vectors"
RESET = "__tamapy_reset"
PANIC = "__tamapy_panic"
HALT = "__tamapy_halt"

LDR_PC_PC_24 = 0xE59FF018
"""``ldr pc, [pc, #24]``: jump through the address stored eight words later."""


FAULTS: tuple[tuple[str, int], ...] = (
    ("__tamapy_fault_undef", 0xFFFF0010),  # undefined instruction
    ("__tamapy_fault_svc", 0xFFFF0011),  # supervisor call
    ("__tamapy_fault_prefetch", 0xFFFF0012),  # prefetch abort
    ("__tamapy_fault_data", 0xFFFF0013),  # data abort
    ("__tamapy_fault_reserved", 0xFFFF0014),  # reserved vector
    ("__tamapy_fault_irq", 0xFFFF0015),  # unexpected IRQ
    ("__tamapy_fault_fiq", 0xFFFF0016),  # unexpected FIQ
)
"""Exception handlers, in vector order after reset, and the panic code each reports."""


def _zero_blocks(name: str, start: str, end: str, came_from: str, then: str) -> str:
    """A loop clearing ``[start, end)`` one 64-byte block (sixteen word stores) per pass,
    entered at label ``name`` from block ``came_from``, leaving to label ``then``.

    The linker puts both bounds on :data:`~tamapy.link.layout.CLEAR_BLOCK`, so there is
    no tail: 19 instructions per 64 bytes where a word loop takes 64.  The stores are
    plain (not volatile) so LLVM may schedule them; ``no-builtins`` keeps it from
    turning the loop into a call to memset, which no image has.
    """
    words = CLEAR_BLOCK // 4
    stores = "".join(
        f"  %{name}.w{i} = getelementptr i8, ptr %{name}.p, i32 {4 * i}\n"
        f"  store i32 0, ptr %{name}.w{i}, align 4\n"
        for i in range(words)
    )
    return f"""{name}:
  %{name}.p = phi ptr [ @{start}, %{came_from} ], [ %{name}.next, %{name}.body ]
  %{name}.done = icmp uge ptr %{name}.p, @{end}
  br i1 %{name}.done, label %{then}, label %{name}.body
{name}.body:
{stores}  %{name}.next = getelementptr i8, ptr %{name}.p, i32 {CLEAR_BLOCK}
  br label %{name}"""


def startup_ir(entry_symbol: str, panic_hook_symbol: str | None) -> str:
    """LLVM IR for the startup pieces, calling ``entry_symbol`` as main."""
    handlers = [RESET] + [name for name, _ in FAULTS]  # in vector order
    words = ", ".join([f"i32 {LDR_PC_PC_24}"] * 8 + [f"i32 ptrtoint (ptr @{h} to i32)" for h in handlers])
    hook = (
        f'  call void @"{panic_hook_symbol}"(i32 %code)\n' if panic_hook_symbol else ""
    )
    faults = "".join(
        f"""
define void @{name}() #1 {{
  call void @llvm.write_register.i32(metadata !0, i32 ptrtoint (ptr @__exc_stack_top to i32))
  call void @{PANIC}(i32 {code})
  unreachable
}}
"""
        for name, code in FAULTS
    )
    return f"""
@__bss_start = external global i8
@__bss_end = external global i8
@__stack_top = external global i8
@__exc_stack_top = external global i8
@__dma_start = external global i8
@__dma_end = external global i8
@__tamapy_panicking = internal global i8 0

@{VECTORS} = constant [16 x i32] [{words}], section ".vectors", align 32

define void @{RESET}() #1 {{
entry:
  call void @llvm.write_register.i32(metadata !0, i32 ptrtoint (ptr @__stack_top to i32))
  call void @llvm.arm.mcr(i32 15, i32 0, i32 ptrtoint (ptr @{VECTORS} to i32), i32 12, i32 0, i32 0)
  call void @llvm.arm.isb(i32 15)
  br label %bss
{_zero_blocks("bss", "__bss_start", "__bss_end", "entry", "dma")}
{_zero_blocks("dma", "__dma_start", "__dma_end", "bss", "start")}
start:
  call void @"{entry_symbol}"()
  call void @{HALT}()
  unreachable
}}

define void @{PANIC}(i32 %code) #1 {{
entry:
  %again = load volatile i8, ptr @__tamapy_panicking, align 1
  %first = icmp eq i8 %again, 0
  br i1 %first, label %report, label %stop
report:
  store volatile i8 1, ptr @__tamapy_panicking, align 1
{hook}  br label %stop
stop:
  call void @{HALT}()
  unreachable
}}

define void @{HALT}() #1 {{
entry:
  br label %idle
idle:
  call void @llvm.arm.hint(i32 3)
  br label %idle
}}
{faults}
declare void @llvm.write_register.i32(metadata, i32)
declare void @llvm.arm.mcr(i32, i32, i32, i32, i32, i32)
declare void @llvm.arm.isb(i32)
declare void @llvm.arm.dsb(i32)
declare void @llvm.arm.dmb(i32)
declare void @llvm.arm.hint(i32)

attributes #1 = {{ noreturn noinline nounwind "frame-pointer"="none" "no-builtins" }}
!0 = !{{!"sp"}}
"""
