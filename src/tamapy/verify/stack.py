"""Stack bounds of a linked image, read off its machine code, as proof obligations.

Frame sizes exist only after LLVM has allocated registers and inlined, so
the bound is computed on the final image: every function's stack
adjustments (``push``, ``str lr, [sp, #-4]!``, ``sub sp, sp, #imm`` or by a
register loaded with ``movw``/``movt``) are summed, calls are the ``bl``
and tail-call ``b`` instructions that land on a function symbol, and the
bound is the heaviest path of the (acyclic) call graph from the reset
handler.  Exception handlers are bounded separately against the exception
stack.  Anything the analysis does not understand (an indirect call, a
dynamic stack adjustment, recursion) makes the bound fail rather than guess.

The handlers' symbol names are given by the caller: they are chosen by the
code generator's start-up code, which the verifier does not import.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from tamapy.elf import Executable, read_executable
from tamapy.lang.ir import Span
from tamapy.verify.obligation import Category, Obligation, Status

STACK_SOLVER = "tamapy-stack"
"""The ``solver`` of stack obligations: this analysis, not an SMT solver."""


@dataclass(frozen=True)
class FunctionFrame:
    name: str
    frame: int
    callees: tuple[str, ...]
    problem: str | None


@dataclass(frozen=True)
class StackBound:
    depth: int | None
    """Bytes used by the deepest chain, or None when it cannot be bounded."""
    path: tuple[str, ...]
    problem: str | None


def stack_obligations(
    elf: bytes,
    span: Span,
    *,
    reset: str,
    handlers: Sequence[str],
    main_stack: int,
    exception_stack: int,
) -> tuple[Obligation, Obligation]:
    """The main stack obligation (from ``reset``) and the exception stack one (every handler).

    ``span`` is where the obligations are reported (the entry function).  The
    exception stack obligation carries the first handler that cannot be
    bounded, else the deepest one.
    """
    frames = _frames(read_executable(elf))
    main = _stack_bound(frames, reset)
    handler_bounds = [_stack_bound(frames, name) for name in handlers]
    unbounded = [b for b in handler_bounds if b.depth is None]
    worst = unbounded[0] if unbounded else max(handler_bounds, key=lambda b: -1 if b.depth is None else b.depth)
    return (_obligation(main, main_stack, "main", span), _obligation(worst, exception_stack, "exception", span))


def _obligation(bound: StackBound, limit: int, which: str, span: Span) -> Obligation:
    if bound.depth is None:
        return Obligation(f"image:stack:{which}", Category.STACK, "<image>", span,
                          f"the {which} stack cannot be bounded: {bound.problem}", Status.FAILED, 0.0, STACK_SOLVER)
    status = Status.PROVED if bound.depth <= limit else Status.FAILED
    chain = " -> ".join(bound.path)
    return Obligation(f"image:stack:{which}", Category.STACK, "<image>", span,
                      f"the {which} stack needs at most {bound.depth} of {limit} bytes ({chain})", status, 0.0, STACK_SOLVER)


def _rotated_immediate(word: int) -> int:
    imm8 = word & 0xFF
    rot = 2 * ((word >> 8) & 0xF)
    return ((imm8 >> rot) | (imm8 << (32 - rot))) & 0xFFFFFFFF if rot else imm8


def _frames(executable: Executable) -> dict[str, FunctionFrame]:
    funcs = [f for f in executable.functions() if f.size > 0]
    starts = {f.address: f.name for f in funcs}
    return {f.name: _frame(f.name, f.address, f.size, executable.code_at(f.address, f.size), starts) for f in funcs}


def _frame(name: str, addr: int, size: int, code: bytes, starts: dict[int, str]) -> FunctionFrame:
    """The stack adjustments and calls of one function's ARM code."""
    frame = 0
    callees: list[str] = []
    problem: str | None = None
    consts: dict[int, int] = {}
    for i in range(0, len(code) - 3, 4):
        w = int.from_bytes(code[i : i + 4], "little")
        pc = addr + i
        if (w & 0x0FFF0000) == 0x092D0000:  # push {reglist}
            frame += 4 * bin(w & 0xFFFF).count("1")
        elif (w & 0x0FFF0FFF) == 0x052D0004:  # str rX, [sp, #-4]!
            frame += 4
        elif (w & 0x0FFFF000) == 0x024DD000:  # sub sp, sp, #imm
            frame += _rotated_immediate(w)
        elif (w & 0x0FFFFFF0) == 0x004DD000:  # sub sp, sp, rX
            reg = w & 0xF
            if reg in consts:
                frame += consts[reg]
            else:
                problem = f"dynamic stack adjustment at 0x{pc:08x}"
        elif (w & 0x0FF00000) == 0x03000000:  # movw rX, #imm16
            consts[(w >> 12) & 0xF] = ((w >> 4) & 0xF000) | (w & 0xFFF)
        elif (w & 0x0FF00000) == 0x03400000:  # movt rX, #imm16
            reg = (w >> 12) & 0xF
            consts[reg] = (consts.get(reg, 0) & 0xFFFF) | ((((w >> 4) & 0xF000) | (w & 0xFFF)) << 16)
        elif (w & 0x0E000000) == 0x0A000000 and (w >> 28) != 0xF:  # b / bl
            offset = (w & 0xFFFFFF) << 2
            if offset & 0x2000000:
                offset -= 1 << 26
            target = pc + 8 + offset
            is_call = bool(w & 0x01000000)
            if target in starts and (is_call or target != addr):
                if is_call or not (addr <= target < addr + size):
                    callees.append(starts[target])
            elif is_call:
                problem = f"call to 0x{target:08x}, which is not a function start, at 0x{pc:08x}"
        elif (w & 0x0FFFFFF0) == 0x012FFF30:  # blx rX
            problem = f"indirect call at 0x{pc:08x}"
    return FunctionFrame(name, frame, tuple(dict.fromkeys(callees)), problem)


def _stack_bound(frames: dict[str, FunctionFrame], root: str) -> StackBound:
    """Deepest stack use of any call chain starting at ``root``."""
    memo: dict[str, tuple[int, tuple[str, ...]]] = {}

    def depth(name: str, stack: tuple[str, ...]) -> tuple[int, tuple[str, ...]]:
        if name in stack:
            raise _Unbounded(f"recursion through {name}")
        if name in memo:
            return memo[name]
        f = frames.get(name)
        if f is None:
            raise _Unbounded(f"no code for {name}")
        if f.problem:
            raise _Unbounded(f"{name}: {f.problem}")
        best: tuple[int, tuple[str, ...]] = (0, ())
        for callee in f.callees:
            d = depth(callee, (*stack, name))
            if d[0] > best[0] or not best[1]:
                best = d
        memo[name] = (f.frame + best[0], (name, *best[1]))
        return memo[name]

    try:
        total, path = depth(root, ())
    except _Unbounded as exc:
        return StackBound(None, (), str(exc))
    return StackBound(total, path, None)


class _Unbounded(Exception):
    pass
