"""The instruction stream of one function: blocks, temporaries, slots, checks.

Expression and statement lowering both append to it; keeping the plumbing in
one base class means a block is terminated, and a check branches to the
panic path, in exactly one way.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from tamapy.codegen.debuginfo import DebugInfo
from tamapy.codegen.startup import PANIC
from tamapy.lang import ir


@dataclass
class Loop:
    """Where ``continue`` and ``break`` of the innermost loop go."""

    cont: str
    exit: str


@dataclass
class Emitter:
    """State and plumbing shared by the lowering of a function's expressions and statements."""

    fn: ir.Function
    checks: bool
    entry: bool = False
    lines: list[str] = field(default_factory=list)
    allocas: list[str] = field(default_factory=list)
    declares: list[str] = field(default_factory=list)
    counter: int = 0
    terminated: bool = False
    loops: list[Loop] = field(default_factory=list)
    uses_udiv64: set[str] = field(default_factory=set)
    debug: DebugInfo | None = None
    scope: str = ""
    loc: str = ""
    unzeroed: frozenset[str] = frozenset()
    """Local arrays whose zeroing is skipped: every element is written before any read
    (:mod:`tamapy.lang.initialised`)."""

    def at(self, span: ir.Span) -> None:
        """Attribute the instructions emitted from now on to ``span``."""
        if self.debug is not None:
            self.loc = self.debug.location(span.line, span.col, self.scope)

    def tmp(self) -> str:
        self.counter += 1
        return f"%t{self.counter}"

    def label(self, hint: str) -> str:
        self.counter += 1
        return f"{hint}{self.counter}"

    def emit(self, text: str) -> None:
        if self.terminated:
            self.start_block(self.label("dead"))
        self.lines.append(f"  {text}, !dbg {self.loc}" if self.loc else f"  {text}")

    def start_block(self, name: str) -> None:
        if not self.terminated:
            self.lines.append(f"  br label %{name}")
        self.lines.append(f"{name}:")
        self.terminated = False

    def terminate(self, text: str) -> None:
        self.emit(text)
        self.terminated = True

    def slot(self, ty: str, name: str | None = None) -> str:
        ref = f"%l.{name}" if name else f"%s{self.counter + 1}"
        self.counter += 1
        self.allocas.append(f"  {ref} = alloca {ty}")
        return ref

    def op(self, text: str) -> str:
        ref = self.tmp()
        self.emit(f"{ref} = {text}")
        return ref

    def _goto(self, label: str) -> None:
        if not self.terminated:
            self.terminate(f"br label %{label}")

    def _check(self, ok: str, code: int, always: bool = False) -> None:
        """Panic with ``code`` unless the i1 ``ok`` holds."""
        if not (self.checks or always):
            return
        good, bad = self.label("ok"), self.label("fail")
        self.terminate(f"br i1 {ok}, label %{good}, label %{bad}, !prof !1")
        self.start_block(bad)
        self.emit(f"call void @{PANIC}(i32 {code})")
        self.terminate("unreachable")
        self.start_block(good)
