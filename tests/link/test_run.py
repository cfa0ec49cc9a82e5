"""Run a linked image in Unicorn: vectors, calls through an ABS32 table, bss clearing."""

from __future__ import annotations

import unicorn
from unicorn import arm_const as arm

from .support import LAYOUT, Image, compile_ir, link_image, vectors_ir

POISON = 0xAA
PROGRAM = (
    vectors_ir("reset")
    + """
@table = constant [3 x ptr] [ptr @add1, ptr @dbl, ptr @sq]
@seed = global i32 5
@result = global i32 0
@scratch = global [8 x i32] zeroinitializer
@shared = common global i32 0, align 4
@__bss_start = external global i32
@__bss_end = external global i32
@__stack_top = external global i8

declare void @llvm.write_register.i32(metadata, i32)

define internal i32 @add1(i32 %x) noinline {
  %r = add i32 %x, 1
  ret i32 %r
}
define internal i32 @dbl(i32 %x) noinline {
  %r = shl i32 %x, 1
  ret i32 %r
}
define internal i32 @sq(i32 %x) noinline {
  %r = mul i32 %x, %x
  ret i32 %r
}
define i32 @apply_all(i32 %x) noinline {
entry:
  br label %loop
loop:
  %i = phi i32 [0, %entry], [%next, %loop]
  %acc = phi i32 [%x, %entry], [%val, %loop]
  %slot = getelementptr [3 x ptr], ptr @table, i32 0, i32 %i
  %fn = load ptr, ptr %slot
  %val = call i32 %fn(i32 %acc)
  %next = add i32 %i, 1
  %done = icmp eq i32 %next, 3
  br i1 %done, label %exit, label %loop
exit:
  ret i32 %val
}
define void @reset() noreturn nounwind "frame-pointer"="none" {
entry:
  call void @llvm.write_register.i32(metadata !0, i32 ptrtoint (ptr @__stack_top to i32))
  br label %check
check:
  %p = phi ptr [@__bss_start, %entry], [%q, %body]
  %more = icmp ult ptr %p, @__bss_end
  br i1 %more, label %body, label %run
body:
  store volatile i32 0, ptr %p
  %q = getelementptr i32, ptr %p, i32 1
  br label %check
run:
  %s = load volatile i32, ptr @seed
  %r = call i32 @apply_all(i32 %s)
  store volatile i32 %r, ptr @result
  store volatile i32 %r, ptr @shared
  br label %halt
halt:
  br label %halt
}
!0 = !{!"sp"}
"""
)


def test_program_runs_from_the_vector_table() -> None:
    image: Image = link_image(compile_ir(PROGRAM))
    linked = image.linked
    page = LAYOUT.page_size
    uc = unicorn.Uc(unicorn.UC_ARCH_ARM, unicorn.UC_MODE_ARM)
    uc.ctl_set_cpu_model(arm.UC_CPU_ARM_CORTEX_A7)
    for seg, phdr in zip(linked.segments, image.elf.iter_segments(), strict=True):
        start = seg.vaddr - seg.vaddr % page
        uc.mem_map(start, -(-(seg.vaddr + seg.memsz - start) // page) * page)
        uc.mem_write(seg.vaddr, phdr.data())
        # Poison what a loader would zero: the startup code must clear .bss itself.
        uc.mem_write(seg.vaddr + seg.filesz, bytes([POISON]) * (seg.memsz - seg.filesz))
    uc.emu_start(linked.entry, 0xFFFF_FFFF, count=2000)

    s = linked.symbols
    read = lambda name, n=4: bytes(uc.mem_read(s[name], n))  # noqa: E731
    assert read("result") == (144).to_bytes(4, "little")  # ((5 + 1) * 2) ** 2
    assert read("shared") == (144).to_bytes(4, "little")  # COMMON symbol, written last
    assert read("scratch", 32) == bytes(32)  # cleared between __bss_start and __bss_end
    assert read("seed") == (5).to_bytes(4, "little")
    sp = uc.reg_read(arm.UC_ARM_REG_SP)
    assert s["__stack_bottom"] < sp <= s["__stack_top"]
