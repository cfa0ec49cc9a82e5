"""The stack bound on what LLVM makes of calls through pointers, variable allocas and recursion.

Each program is LLVM IR compiled by the same code generator settings and
linked by the same linker as firmware, then analysed like an image: the
shapes the bound must refuse are the ones LLVM really emits for them (``bx
r0`` for a call through a pointer in tail position, ``mov sp, r0`` for a
variable or in-loop ``alloca``), next to a twin without the shape, which is
bounded.
"""

from __future__ import annotations

import pytest

from tamapy.codegen import compile_ir
from tamapy.link import LinkLayout, link
from tamapy.verify.stack import StackBound, image_frames, stack_bound

LOAD = 0x8001_0000
LAYOUT = LinkLayout(load_address=LOAD, stack_size=0x1000, exception_stack_size=0x1000, entry_symbol="vectors")


def bound(body: str) -> StackBound:
    """The main stack bound of an image whose reset handler sets SP and calls ``@f``."""
    words = ", ".join(["i32 3852402712"] * 8 + ["i32 ptrtoint (ptr @reset to i32)"] * 8)
    text = f"""
target triple = "armv7a-none-eabi"
@__stack_top = external global i8
@vectors = constant [16 x i32] [{words}], section ".vectors", align 32
@fp = global ptr null
@sink = global i32 0
define void @reset() #0 {{
  call void @llvm.write_register.i32(metadata !0, i32 ptrtoint (ptr @__stack_top to i32))
  call void @f(i32 7)
  br label %idle
idle:
  br label %idle
}}
define void @use(ptr %p) #1 {{
  store volatile ptr %p, ptr @fp
  ret void
}}
{body}
declare void @llvm.write_register.i32(metadata, i32)
attributes #0 = {{ noreturn nounwind "frame-pointer"="none" }}
attributes #1 = {{ noinline nounwind "frame-pointer"="none" }}
!0 = !{{!"sp"}}
"""
    obj, _ = compile_ir(text, "armv7a-none-eabi", "cortex-a7", "shape")
    return stack_bound(image_frames(link(obj, LAYOUT, "shape.o").elf, roots=("reset",)), "reset")


INDIRECT_TAIL = """
define void @f(i32 %n) #1 {
  %p = load volatile ptr, ptr @fp
  tail call void %p()
  ret void
}"""
INDIRECT = """
define void @f(i32 %n) #1 {
  %p = load volatile ptr, ptr @fp
  call void %p()
  store volatile i32 %n, ptr @sink
  ret void
}"""
VARIABLE_ALLOCA = """
define void @f(i32 %n) #1 {
  %a = alloca i32, i32 %n
  call void @use(ptr %a)
  ret void
}"""
ALLOCA_IN_LOOP = """
define void @f(i32 %n) #1 {
entry:
  br label %loop
loop:
  %i = phi i32 [0, %entry], [%j, %loop]
  %a = alloca [16 x i8]
  call void @use(ptr %a)
  %j = add i32 %i, 1
  %more = icmp ult i32 %j, %n
  br i1 %more, label %loop, label %done
done:
  ret void
}"""
RECURSIVE = """
define void @f(i32 %n) #1 {
  %z = icmp eq i32 %n, 0
  br i1 %z, label %done, label %again
again:
  %m = sub i32 %n, 1
  call void @g(i32 %m)
  store volatile i32 %n, ptr @sink
  br label %done
done:
  ret void
}
define void @g(i32 %n) #1 {
  call void @f(i32 %n)
  store volatile i32 %n, ptr @sink
  ret void
}"""
FIXED_ALLOCA = """
define void @f(i32 %n) #1 {
  %a = alloca [64 x i8]
  call void @use(ptr %a)
  call void @use(ptr %a)
  ret void
}"""


@pytest.mark.parametrize(("body", "expected"), [
    (INDIRECT_TAIL, "f: indirect branch (bx r0) at 0x"),
    (INDIRECT, "f: indirect call (blx r0) at 0x"),
    (VARIABLE_ALLOCA, "f: dynamic stack adjustment (SP computed from another register) at 0x"),
    (ALLOCA_IN_LOOP, "f: dynamic stack adjustment (SP computed from another register) at 0x"),
    (RECURSIVE, "recursion (f -> g -> f)"),
], ids=["indirect tail call", "indirect call", "variable alloca", "alloca in a loop", "recursion"])
def test_llvm_shapes_that_cannot_be_bounded_fail(body: str, expected: str) -> None:
    result = bound(body)
    assert result.depth is None and result.problem is not None
    assert expected in result.problem, result.problem


def test_a_fixed_alloca_is_bounded_with_its_frame() -> None:
    result = bound(FIXED_ALLOCA)
    assert result.problem is None and result.path == ("reset", "f", "use")
    assert result.depth is not None and 64 < result.depth <= 64 + 16  # the array, lr and alignment
