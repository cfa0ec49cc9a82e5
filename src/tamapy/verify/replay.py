"""Replay failed obligations in CPython: one pytest file per counterexample.

A counterexample is the verifier's claim that some inputs make the code
fail.  Subset code means the same in CPython, so the claim can be checked
by running the module's real function with those inputs and watching it
fail for the reported reason: ``IndexError`` for an index, a
``ZeroDivisionError``, the host runtime's ``ContractError`` for contracts
and invariants, ``AssertionError`` for an ``assert``.

CPython does not check machine types, so a replay of a range or shift
failure runs the function under ``sys.settrace``: at every line and on
return, each integer parameter, local, module global and the result must
fit its declared type (taken from the IR), else the tracer raises
``OverflowError``.  When the failing expression is side-effect free and
alone on its line, the tracer also evaluates it as that line starts, so a
value that overflows only in an intermediate result, or a shift amount
that CPython would accept, is caught where the verifier reported it.

Only failures whose function takes integer and boolean parameters are
replayed (their counterexample values are exact); the rest are listed as
skipped, with the reason, in ``DIR/index.json``.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from string import Template

from tamapy.lang import ir
from tamapy.lang.walk import stmt_exprs, walk_expr, walk_stmts
from tamapy.outputs import write_atomic
from tamapy.verify import Report
from tamapy.verify.locations import sanitize, source_path, source_uri
from tamapy.verify.obligation import Category, Obligation, Status

INDEX_FORMAT = "tamapy-replay-1"

EXPECTED: Mapping[Category, tuple[str, ...]] = {
    Category.INDEX: ("IndexError",),
    Category.DIVISION: ("ZeroDivisionError",),
    Category.PRECONDITION: ("ContractError",),
    Category.POSTCONDITION: ("ContractError",),
    Category.INVARIANT: ("ContractError",),
    Category.ASSERT: ("AssertionError",),
    Category.RANGE: ("OverflowError", "ValueError"),  # ValueError: an enum conversion to a non-member
    Category.SHIFT: ("ValueError", "OverflowError"),
}
"""The exception CPython raises for each replayable category (a negative shift amount is a ValueError)."""

NOT_REPLAYED: Mapping[Category, str] = {
    Category.REGISTER: "register writes need a simulated bus, which a CPython replay does not have",
    Category.DMA: "DMA addresses are register values of a simulated bus, which a CPython replay does not have",
    Category.CLOCK: "clock gates are ghost state of a simulated bus, which a CPython replay does not have",
    Category.TERMINATION: "a loop that may not terminate cannot be shown failing by a test that must end",
    Category.STACK: "stack depth is a property of the compiled image, not of CPython",
}
"""Why some other categories are not replayed."""

_PROBE_NODES = (ir.Const, ir.Local, ir.GlobalRef, ir.Unary, ir.Binary, ir.Compare, ir.Convert, ir.Len)
"""Expressions a probe may evaluate early: they have no side effects and raise nothing by themselves."""


@dataclass(frozen=True)
class Replay:
    obligation: Obligation
    file: str
    expected: tuple[str, ...]
    text: str


@dataclass(frozen=True)
class Skipped:
    obligation: Obligation
    reason: str


def write_replays(report: Report, directory: Path, root: Path) -> list[Path]:
    """Write ``test_replay_<id>.py`` per replayable failure and ``index.json``; returns the test files.

    Replay files listed by an earlier index but not produced now (the bug
    was fixed) are removed, so the directory holds only current failures.
    """
    replays, skipped = plan(report, directory, root)
    written = []
    for r in replays:
        path = directory / r.file
        write_atomic(path, r.text.encode())
        written.append(path)
    _remove_stale(directory, {r.file for r in replays})
    index = {
        "format": INDEX_FORMAT,
        "note": "one pytest file per failed obligation; each passes when the failure reproduces in CPython. "
                "Not replayed: functions with parameters other than integers and booleans, and categories "
                + ", ".join(sorted(c.value for c in Category if c not in EXPECTED)) + " (see 'skipped').",
        "replays": {r.file: {"id": r.obligation.id, "category": r.obligation.category.value,
                             "function": r.obligation.function, "expect": list(r.expected)} for r in replays},
        "skipped": [{"id": s.obligation.id, "category": s.obligation.category.value, "reason": s.reason}
                    for s in skipped],
    }
    write_atomic(directory / "index.json", (json.dumps(index, indent=1, sort_keys=True) + "\n").encode())
    return written


def plan(report: Report, directory: Path, root: Path) -> tuple[list[Replay], list[Skipped]]:
    """Which failed obligations get a replay (with its text) and which are skipped, and why.

    Declared types come from the checked IR the report carries.
    """
    firmware = os.path.relpath(root.resolve() / "firmware", directory.resolve())
    replays: list[Replay] = []
    skipped: list[Skipped] = []
    names: set[str] = set()
    for o in report.obligations:
        if o.status is not Status.FAILED:
            continue
        fn = report.functions.get(o.function)
        reason = _unreplayable(o, fn)
        if reason is not None or fn is None:
            skipped.append(Skipped(o, reason or "no IR for this function"))
            continue
        name = f"test_replay_{sanitize(o.id, keep='')}"
        stem, n = name, 1
        while name in names:
            n += 1
            name = f"{stem}_{n}"
        names.add(name)
        expected = EXPECTED[o.category]
        text = render(o, fn, report.globals, root, firmware)
        replays.append(Replay(o, f"{name}.py", expected, text))
    return replays, skipped


def _unreplayable(o: Obligation, fn: ir.Function | None) -> str | None:
    if o.category in NOT_REPLAYED:
        return NOT_REPLAYED[o.category]
    if o.category not in EXPECTED:
        return f"category {o.category.value} has no CPython counterpart"
    if fn is None:
        return "no IR for this function"
    if o.counterexample is None:
        return "no counterexample"
    raw = dict(o.counterexample.raw_arguments)
    for p in fn.params:
        if not isinstance(p.type, ir.IntType | ir.BoolType):
            return f"parameter {p.name} is a {p.type}, not an integer or bool"
        if p.name not in raw:
            return f"the counterexample has no value for parameter {p.name}"
    return None


# ---------------------------------------------------------------- the test file


def _bounds(t: ir.Type) -> tuple[int, int] | None:
    return (t.min, t.max) if isinstance(t, ir.IntType) else None


def declared_types(fn: ir.Function) -> dict[str, tuple[int, int]]:
    """name -> (min, max) of the function's integer parameters and locals; ``return`` for its result."""
    out: dict[str, tuple[int, int]] = {}
    for name, t in [*((p.name, p.type) for p in fn.params), *fn.locals, ("return", fn.ret)]:
        b = _bounds(t)
        if b is not None:
            out[name] = b
    return out


def module_globals(fn: ir.Function, globals_: Mapping[str, ir.GlobalVar]) -> dict[str, tuple[int, int]]:
    """name -> (min, max) of the integer variables of the function's own module."""
    out: dict[str, tuple[int, int]] = {}
    for symbol, g in sorted(globals_.items()):
        module, _, name = symbol.rpartition(".")
        b = _bounds(g.type)
        if module == fn.module and not g.const and b is not None:
            out[name] = b
    return out


def _checks(o: Obligation, fn: ir.Function) -> list[str]:
    """Assertions after ``pytest.raises`` that pin the failure to the reported reason."""
    if o.category is Category.ASSERT:
        return ['assert not isinstance(info.value, ContractError), "a contract failed, not the assert statement"']
    if o.category is Category.PRECONDITION:
        m = re.search(r"pre-condition of `(\w+)`", o.message)
        text = f"precondition of {m.group(1)} violated" if m else "precondition of "
        return [f"assert {text!r} in str(info.value)"]
    if o.category is Category.POSTCONDITION:
        return [f"assert str(info.value) == {f'postcondition of {fn.name} violated'!r}"]
    if o.category is Category.INVARIANT:
        return ['assert str(info.value) == "loop invariant violated"']
    return []


def _doc(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"""', '\\"\\"\\"')


def render(o: Obligation, fn: ir.Function, globals_: Mapping[str, ir.GlobalVar], root: Path,
           firmware: str) -> str:
    """The replay test for one failed obligation (deterministic: the same inputs give the same text)."""
    assert o.counterexample is not None
    raw = dict(o.counterexample.raw_arguments)
    args = tuple(bool(raw[p.name]) if isinstance(p.type, ir.BoolType) else int(raw[p.name]) for p in fn.params)
    where = f"{source_uri(o.span.file, root)}:{o.span.line}:{o.span.col}"
    cex = "\n".join(o.counterexample.lines()[:1]) or "no arguments"
    expected = EXPECTED[o.category]
    checks = _checks(o, fn)
    probe = find_probe(o, fn, root)
    doc = (f"Replay of `{o.id}` in CPython.\n\nGenerated by `tamapy verify --replay`; do not edit.\n"
           f"The verifier reported {where}: failed[{o.category.value}]: {o.message}\n"
           f"Counterexample {cex}.\n"
           f"The test calls the real `{fn.qualname}` with these arguments and passes when it fails\n"
           f"in CPython for that reason ({' or '.join(expected)}).\n")
    return _TEMPLATE.substitute(
        doc=_doc(doc),
        firmware=repr(Path(firmware).as_posix()),
        module=repr(fn.module),
        function=repr(fn.name),
        arguments=repr(args),
        types=_dict(declared_types(fn)),
        globals=_dict(module_globals(fn, globals_)),
        probe=repr(probe),
        expected=f"({expected[0]},)" if len(expected) == 1 else "(" + ", ".join(expected) + ")",
        capture=" as info" if checks else "",
        checks="".join(f"\n    {c}" for c in checks),
        imports=_CONTRACT_ERROR if any("ContractError" in x for x in (*expected, *checks)) else "",
    )


def _dict(d: Mapping[str, tuple[int, int]]) -> str:
    if not d:
        return "{}"
    return "{\n" + "".join(f"    {k!r}: {v!r},\n" for k, v in d.items()) + "}"


_CONTRACT_ERROR = """
# Looked up rather than imported: the import block then sorts alike wherever the file is generated.
ContractError: type[AssertionError] = importlib.import_module("tamapy.fw").ContractError
"""

_TEMPLATE = Template(r'''"""$doc"""

from __future__ import annotations

import importlib
import inspect
import linecache
import sys
from collections.abc import Callable
from pathlib import Path
from types import FrameType
from typing import Any

import pytest
$imports
FIRMWARE = (Path(__file__).resolve().parent / $firmware).resolve()
MODULE = $module
FUNCTION = $function
ARGUMENTS: tuple[int | bool, ...] = $arguments
TYPES: dict[str, tuple[int, int]] = $types
"""Declared machine types (min, max) of the integer parameters and locals; "return": the result."""
GLOBALS: dict[str, tuple[int, int]] = $globals
"""Declared machine types of the integer variables of the function's module."""
PROBE: tuple[int, str, str, int, int] | None = $probe
"""(line, its text, failing expression, min, max): evaluated when that line starts, if unchanged."""
EXPECTED: tuple[type[BaseException], ...] = $expected


def _fits(what: str, value: object, bounds: tuple[int, int]) -> None:
    """CPython ignores machine types: raise OverflowError where the target's range claim breaks."""
    if isinstance(value, int) and not isinstance(value, bool) and not bounds[0] <= value <= bounds[1]:
        raise OverflowError(f"{what} = {value} does not fit {bounds[0]}..{bounds[1]}")


def _checked_call(function: Callable[..., Any], arguments: tuple[int | bool, ...]) -> Any:
    """Call the real function while a tracer checks declared types in its frame."""
    code = inspect.unwrap(function).__code__
    linecache.checkcache(code.co_filename)
    # An edited line (say, the bug was fixed) is not probed: the replay then tests the code as it is.
    probe_line_unchanged = PROBE is not None and (
        linecache.getline(code.co_filename, PROBE[0]).rstrip("\r\n") == PROBE[1]
    )

    def local(frame: FrameType, event: str, arg: Any) -> Any:
        if event in ("line", "return"):
            for name, bounds in TYPES.items():
                if name in frame.f_locals:
                    _fits(name, frame.f_locals[name], bounds)
            for name, bounds in GLOBALS.items():
                if name in frame.f_globals:
                    _fits(name, frame.f_globals[name], bounds)
        if event == "return" and arg is not None and "return" in TYPES:
            _fits("the result", arg, TYPES["return"])
        if event == "line" and PROBE is not None and frame.f_lineno == PROBE[0] and probe_line_unchanged:
            value = eval(PROBE[2], frame.f_globals, dict(frame.f_locals))
            _fits(PROBE[2], value, (PROBE[3], PROBE[4]))
        return local

    def calls(frame: FrameType, event: str, arg: Any) -> Any:
        return local if frame.f_code is code else None

    previous = sys.gettrace()
    sys.settrace(calls)
    try:
        return function(*arguments)
    finally:
        sys.settrace(previous)


def _fresh_firmware() -> None:
    """Forget firmware modules imported by earlier tests, so module globals start from their initial values."""
    for name, loaded in list(sys.modules.items()):
        file = getattr(loaded, "__file__", None)
        if file is not None and Path(file).resolve().is_relative_to(FIRMWARE):
            del sys.modules[name]


def test_replay() -> None:
    if str(FIRMWARE) not in sys.path:
        sys.path.insert(0, str(FIRMWARE))
    _fresh_firmware()
    try:
        module = importlib.import_module(MODULE)
    except ImportError as exc:
        if exc.name is not None and (MODULE + ".").startswith(exc.name + "."):
            raise
        pytest.skip(f"{MODULE} cannot be imported on the host: {exc}")
    with pytest.raises(EXPECTED)$capture:
        _checked_call(getattr(module, FUNCTION), ARGUMENTS)$checks
''')


def _remove_stale(directory: Path, keep: set[str]) -> None:
    try:
        old = json.loads((directory / "index.json").read_text())
        previous = old["replays"] if old.get("format") == INDEX_FORMAT else {}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return
    for name in previous:
        if name not in keep and re.fullmatch(r"test_replay_\w+\.py", name):
            (directory / name).unlink(missing_ok=True)


# ---------------------------------------------------------------- probes


def find_probe(o: Obligation, fn: ir.Function, root: Path) -> tuple[int, str, str, int, int] | None:
    """The failing expression of a range or shift obligation, if it can be evaluated early.

    Early means when its line starts, before CPython evaluates it: exact
    only if nothing before it on that line can change a variable or raise,
    so the statement must be alone on its line, not a ``for`` header (which
    re-runs the line event every iteration), and built only of
    side-effect-free operations that cannot fail in CPython.
    """
    if o.category not in (Category.RANGE, Category.SHIFT):
        return None
    statements = list(walk_stmts(fn.body))
    found: set[tuple[ir.Span, int, int]] = set()
    owner: dict[ir.Span, tuple[ir.Stmt, ir.Expr]] = {}
    for stmt in statements:
        for top in stmt_exprs(stmt):
            for e in walk_expr(top):
                hit = _probed(o, e)
                if hit is not None:
                    target, lo, hi = hit
                    found.add((target.span, lo, hi))
                    owner[target.span] = (stmt, e)
    if len(found) != 1:
        return None
    span, lo, hi = next(iter(found))
    stmt, node = owner[span]
    if isinstance(stmt, ir.For) or span.line != span.end_line or stmt.span.line != span.line:
        return None
    if sum(s.span.line == span.line for s in statements) != 1:
        return None
    if not all(_safe(e, node) for top in stmt_exprs(stmt) for e in walk_expr(top)):
        return None
    if isinstance(stmt, ir.Assign) and not isinstance(stmt.target, ir.Local | ir.GlobalRef):
        return None
    source = _source(span, root)
    if source is None:
        return None
    return (span.line, source[0], source[1], lo, hi)


def _probed(o: Obligation, e: ir.Expr) -> tuple[ir.Expr, int, int] | None:
    """(expression to evaluate, min, max) when ``e`` is the place ``o`` is about."""
    if o.category is Category.SHIFT:
        if isinstance(e, ir.Binary) and e.op in ("lshift", "rshift") and e.right.span == o.span:
            return e.right, 0, e.type.bits - 1
        return None
    if isinstance(e, ir.Binary | ir.Unary | ir.Convert) and e.span == o.span and isinstance(e.type, ir.IntType):
        t = e.type
        if f"fit {t} ({t.min}..{t.max})" in o.message:
            return e, t.min, t.max
    return None


def _safe(e: ir.Expr, probed: ir.Expr) -> bool:
    """Can ``e`` be evaluated before its turn without changing what the statement does?"""
    if not isinstance(e, _PROBE_NODES):
        return False
    if isinstance(e, ir.Binary) and e.op in ("floordiv", "mod"):
        return False
    if isinstance(e, ir.Binary) and e.op in ("lshift", "rshift") and e is not probed:
        return False
    return not (isinstance(e, ir.Compare) and len(e.ops) > 1)


def _source(span: ir.Span, root: Path) -> tuple[str, str] | None:
    """The text of the span's line and of the span itself (a Python expression), if readable."""
    path = source_path(span.file, root)
    if path is None:
        return None
    lines = path.read_bytes().splitlines()
    if not 1 <= span.line <= len(lines):
        return None
    line = lines[span.line - 1]
    try:
        text = line[span.col - 1: span.end_col - 1].decode("utf-8").strip()
        compile(text, "<probe>", "eval")
        return line.decode("utf-8").rstrip("\r\n"), text
    except (UnicodeDecodeError, SyntaxError):
        return None
