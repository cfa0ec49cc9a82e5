"""Stack bounds of a linked image, read off its machine code, as proof obligations.

Frame sizes exist only after LLVM has allocated registers and inlined, so
the bound is computed on the final image.  Each function's control flow is
followed from its entry (fall-through, direct branches, jump tables) with the
exact number of bytes it has pushed or allocated below its entry SP at every
instruction (:mod:`tamapy.verify.stack_decode` says what each instruction
does to SP and PC).  A function's own frame is the deepest such depth; a call
(``bl``, or a tail-call ``b`` to a function symbol) at depth *d* needs *d*
plus the callee's bound.  The bound is the heaviest call chain of the
(acyclic) call graph from the reset handler; exception handlers are bounded
separately against the exception stack.

Anything the analysis cannot follow makes the bound fail rather than guess:
an indirect call or branch (``blx rN``, ``bx rN`` other than ``bx lr``,
``mov pc, rN``, ``ldr pc, ...`` other than a pop or a jump table), a dynamic
stack adjustment (``sub sp, sp, rN`` without a constant in ``rN``,
``mov sp, rN`` -- what a variable or in-loop ``alloca`` compiles to -- or any
other write of SP outside the start-up code), a conditional adjustment, paths
that meet with different depths (an adjustment inside a loop), a return with
bytes left on the stack, a processor mode change, and recursion.

The handlers' symbol names are given by the caller: they are chosen by the
code generator's start-up code, which the verifier does not import.  Those
roots are the start-up code: only there may SP be set outright (to the top
of a stack, depth 0 from there on).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass

from elftools.common.exceptions import ELFError
from elftools.elf.elffile import ELFFile
from elftools.elf.sections import SymbolTableSection

from tamapy.elf import Executable, read_executable
from tamapy.lang.ir import Span
from tamapy.verify.obligation import Category, Obligation, Status
from tamapy.verify.stack_decode import WORD, Insn, Kind, decode, rotated_immediate

STACK_SOLVER = "tamapy-stack"
"""The ``solver`` of stack obligations: this analysis, not an SMT solver."""

Region = tuple[int, int]
"""``[start, end)`` of a data region inside the code (ARM ``$d`` mapping symbols)."""


@dataclass(frozen=True)
class FunctionFrame:
    """One function's own stack use and the calls it makes, from its machine code."""

    name: str
    frame: int
    """The deepest its own adjustments take SP below its entry SP, in bytes."""
    calls: tuple[tuple[str, int], ...]
    """(callee, bytes of this function's frame in use at the call), deepest first per callee."""
    problem: str | None
    """Why the function cannot be bounded, or None."""

    @property
    def callees(self) -> tuple[str, ...]:
        return tuple(name for name, _ in self.calls)


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
    frames = image_frames(elf, roots=(reset, *handlers))
    main = stack_bound(frames, reset)
    handler_bounds = [stack_bound(frames, name) for name in handlers]
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


# ------------------------------------------------------------------ per function


def image_frames(elf: bytes, *, roots: Sequence[str] = ()) -> dict[str, FunctionFrame]:
    """Every sized function symbol's frame; ``roots`` are the start-up code (may set SP)."""
    executable = read_executable(elf)
    funcs = [f for f in executable.functions() if f.size > 0]
    starts = {f.address: f.name for f in funcs}
    data = _data_regions(executable)
    return {f.name: _Walk(f.name, f.address, executable.code_at(f.address, f.size), starts, data,
                          f.name in roots).frame() for f in funcs}


def _data_regions(executable: Executable) -> list[Region]:
    """Where the ``$d`` mapping symbols say data (jump tables, literals) sits in the code."""
    try:
        symtab = ELFFile(io.BytesIO(executable.data)).get_section_by_name(".symtab")
        if not isinstance(symtab, SymbolTableSection):
            return []
        marks = sorted((s["st_value"], s.name[:2]) for s in symtab.iter_symbols() if s.name[:2] in ("$a", "$d", "$t"))
    except ELFError:
        return []
    regions = []
    for i, (address, kind) in enumerate(marks):
        if kind == "$d":
            end = next((a for a, k in marks[i + 1:] if k != "$d" and a > address), 1 << 32)
            regions.append((address, end))
    return regions


class _Unbounded(Exception):
    pass


class _Walk:
    """The depth-tracking walk of one function's control flow."""

    def __init__(self, name: str, addr: int, code: bytes, starts: dict[int, str], data: list[Region],
                 startup: bool) -> None:
        self.name, self.addr, self.code, self.starts, self.startup = name, addr, code, starts, startup
        self.end = addr + len(code)
        self.data = [(max(s, addr), min(e, self.end)) for s, e in data if s < self.end and e > addr]
        self.depth: dict[int, int] = {}
        self.calls: dict[str, int] = {}

    def word(self, pc: int) -> int:
        return int.from_bytes(self.code[pc - self.addr : pc - self.addr + WORD], "little")

    def in_data(self, pc: int) -> bool:
        return any(s <= pc < e for s, e in self.data)

    def frame(self) -> FunctionFrame:
        try:
            self.walk()
        except _Unbounded as exc:
            return FunctionFrame(self.name, 0, (), str(exc))
        deepest = max(self.depth.values(), default=0)
        calls = tuple(sorted(self.calls.items(), key=lambda c: (-c[1], c[0])))
        return FunctionFrame(self.name, deepest, calls, None)

    def walk(self) -> None:
        work = [(self.addr, 0)]
        while work:
            pc, depth = work.pop()
            if pc in self.depth:
                if self.depth[pc] != depth:
                    raise _Unbounded(f"paths meet at 0x{pc:08x} with {self.depth[pc]} and {depth} bytes on the "
                                     "stack (a stack adjustment inside a loop)")
                continue
            if not self.addr <= pc <= self.end - WORD:
                raise _Unbounded(f"control runs off the end of the function at 0x{pc:08x}")
            if self.in_data(pc):
                raise _Unbounded(f"control reaches data at 0x{pc:08x}")
            self.depth[pc] = depth
            work.extend(self.step(pc, depth))

    def step(self, pc: int, depth: int) -> list[tuple[int, int]]:
        """The successors of the instruction at ``pc`` reached with ``depth`` bytes pushed."""
        insn = decode(self.word(pc), pc)
        here = f"at 0x{pc:08x}"
        if insn.kind is Kind.REFUSED:
            raise _Unbounded(f"{insn.why} {here}")
        if insn.kind is Kind.BRANCH:
            return self.branch(insn, pc, depth)
        if insn.kind is Kind.JUMP_TABLE:
            return [(t, depth) for t in self.jump_table(insn.reg, pc)]
        after = self.moved(insn, pc, depth)
        if insn.conditional and after != depth and insn.kind is not Kind.RETURN:
            raise _Unbounded(f"conditional stack adjustment {here}")
        if insn.kind is Kind.RETURN:
            if after != 0:
                raise _Unbounded(f"return with {after} bytes left on the stack {here}")
            return [(pc + WORD, depth)] if insn.conditional else []
        return [(pc + WORD, after)]

    def moved(self, insn: Insn, pc: int, depth: int) -> int:
        """The depth after the instruction at ``pc``, reached with ``depth``."""
        if insn.kind in (Kind.ADJUST, Kind.RETURN):
            return depth + insn.depth
        if insn.kind is Kind.SUB_REG:
            value = self.constant(insn.reg, pc)
            if value is None:
                raise _Unbounded(f"dynamic stack adjustment (SP moved by r{insn.reg}) at 0x{pc:08x}")
            return depth + insn.depth * value
        if insn.kind is Kind.SET:
            if self.startup:
                return 0  # the start-up code points SP at the top of a stack
            raise _Unbounded(f"dynamic stack adjustment ({insn.why}) at 0x{pc:08x}")
        return depth

    def branch(self, insn: Insn, pc: int, depth: int) -> list[tuple[int, int]]:
        """``b``/``bl``: a call (to a function start) or a jump inside this function."""
        target, nxt = insn.target, pc + WORD
        after = [(nxt, depth)] if insn.conditional or insn.link else []
        if insn.link and (nxt >= self.end or self.in_data(nxt)):
            after = []  # nothing follows a call to a noreturn function
        if not insn.link and self.addr <= target < self.end:
            return [(target, depth), *after]
        if target not in self.starts:
            what = "call" if insn.link else "branch"
            raise _Unbounded(f"{what} to 0x{target:08x}, which is not a function start, at 0x{pc:08x}")
        callee = self.starts[target]
        self.calls[callee] = max(self.calls.get(callee, 0), depth)
        return after

    def jump_table(self, reg: int, pc: int) -> list[int]:
        """The targets of ``ldr pc, [rA, rI, lsl #2]`` whose table follows it (``rA = adr table``)."""
        table = pc + WORD
        region = next(((s, e) for s, e in self.data if s == table), None)
        if region is None:
            raise _Unbounded(f"indirect branch (ldr pc) without a jump table after it at 0x{pc:08x}")
        if not self.table_base(reg, pc, table):
            raise _Unbounded(f"indirect branch (ldr pc) through r{reg}, not the address of its jump table, "
                             f"at 0x{pc:08x}")
        targets = [self.word(a) for a in range(region[0], region[1] - WORD + 1, WORD)]
        for t in targets:
            if not self.addr <= t < self.end or t % WORD:
                raise _Unbounded(f"jump table entry 0x{t:08x} outside the function at 0x{pc:08x}")
        return targets

    def table_base(self, reg: int, pc: int, table: int) -> bool:
        """Whether ``add reg, pc, #k`` (``adr``) sets ``reg`` to ``table`` shortly before ``pc``,
        nothing in between may change it, and nothing jumps in between."""
        for at in range(pc - WORD, max(self.addr, pc - 16 * WORD) - 1, -WORD):
            w = self.word(at)
            if (w & 0xFFFFF000) == 0xE28F0000 | reg << 12 and at + 8 + rotated_immediate(w) == table:
                return not self.targeted(at + WORD, pc)
            if _may_write(w, reg):
                return False
        return False

    def constant(self, reg: int, pc: int) -> int | None:
        """The value ``movw``/``movt`` put in ``reg`` right before ``pc`` (nothing may jump in between)."""
        prev = self.word(pc - WORD) if pc - WORD >= self.addr else 0
        if (prev & 0xFFF0F000) == 0xE3400000 | reg << 12 and pc - 2 * WORD >= self.addr:
            low = self.word(pc - 2 * WORD)
            if (low & 0xFFF0F000) == 0xE3000000 | reg << 12 and not self.targeted(pc - WORD, pc):
                return _imm16(low) | _imm16(prev) << 16
            return None
        if (prev & 0xFFF0F000) == 0xE3000000 | reg << 12 and not self.targeted(pc, pc):
            return _imm16(prev)
        return None

    def targeted(self, first: int, last: int) -> bool:
        """Whether a direct branch or jump table of this function may land in ``[first, last]``."""
        for at in range(self.addr, self.end - WORD + 1, WORD):
            w = self.word(at)
            if self.in_data(at):
                if first <= w <= last:
                    return True
                continue
            insn = decode(w, at)
            if insn.kind is Kind.BRANCH and first <= insn.target <= last:
                return True
        return False


def _imm16(word: int) -> int:
    return ((word >> 4) & 0xF000) | (word & 0xFFF)


def _may_write(word: int, reg: int) -> bool:
    """Conservatively, whether ``word`` may change ``reg`` or control flow: only plain
    data processing, ``movw``/``movt`` and loads/stores not touching ``reg`` are known not to."""
    if (word >> 28) != 0xE or decode(word, 0).kind is not Kind.PLAIN:
        return True
    op, rd, rn = (word >> 25) & 7, (word >> 12) & 0xF, (word >> 16) & 0xF
    if op in (0b000, 0b001) and not (op == 0b000 and (word & 0x90) == 0x90):
        return rd == reg and not 8 <= (word >> 21) & 0xF <= 11
    if op in (0b010, 0b011) and not (op == 0b011 and word & 0x10):
        writeback = not (word >> 24) & 1 or (word >> 21) & 1
        return bool(writeback and rn == reg) or bool((word >> 20) & 1 and rd == reg)
    return True


# ------------------------------------------------------------------ the call graph


def stack_bound(frames: dict[str, FunctionFrame], root: str) -> StackBound:
    """Deepest stack use of any call chain starting at ``root``."""
    memo: dict[str, tuple[int, tuple[str, ...]]] = {}

    def depth(name: str, stack: tuple[str, ...]) -> tuple[int, tuple[str, ...]]:
        if name in stack:
            cycle = " -> ".join((*stack[stack.index(name):], name))
            raise _Unbounded(f"recursion ({cycle})")
        if name in memo:
            return memo[name]
        f = frames.get(name)
        if f is None:
            raise _Unbounded(f"no code for {name}")
        if f.problem:
            raise _Unbounded(f"{name}: {f.problem}")
        best: tuple[int, tuple[str, ...]] = (f.frame, (name,))
        for callee, at in f.calls:
            total, path = depth(callee, (*stack, name))
            if at + total > best[0] or (at + total == best[0] and len(best[1]) == 1):
                best = (at + total, (name, *path))
        memo[name] = best
        return best

    try:
        total, path = depth(root, ())
    except _Unbounded as exc:
        return StackBound(None, (), str(exc))
    return StackBound(total, path, None)
