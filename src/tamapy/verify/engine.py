"""Verify functions modularly, in parallel, reusing earlier results.

A function is verified against its callees' contracts only, so its result
depends on: its own IR, the contracts (and effects) of what it calls, the
globals it touches, the register specs, the verifier's own source and the
solver version.  The hash of exactly those is the function's cache key; an
unchanged function is not re-proved, and an edited one re-verifies alone
(its callers too only when its contract changed, because only then do their
keys change).
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Final

from tamapy import __version__
from tamapy.lang import ir
from tamapy.lang.ir import Span
from tamapy.specs.model import Peripheral, Register, Soc
from tamapy.verify.effects import ANY_GLOBAL, ANY_PERIPHERAL, Effects, function_effects
from tamapy.verify.obligation import Obligation
from tamapy.verify.solve import SOLVER, smt2, solve
from tamapy.verify.state import Context
from tamapy.verify.symbolic import FunctionEncoder

DEFAULT_TIMEOUT_MS = 10_000


def _verifier_digest() -> str:
    """SHA-256 over the verifier's own source: a certificate from an encoder that reasoned
    differently (a fixed bug, a new fact) is never reused, whatever the version says."""
    h = hashlib.sha256()
    for path in sorted(Path(__file__).parent.glob("*.py")):
        h.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()


VERIFIER_DIGEST: Final = _verifier_digest()


@dataclass(frozen=True)
class FunctionResult:
    function: str
    module: str
    key: str
    obligations: tuple[Obligation, ...]
    cached: bool = False
    """Taken from the project's certificate (``proofs/``) for this key."""
    shared: bool = False
    """Taken from the proof cache (another board, app or checkout proved the same key)."""
    board: str = ""
    """The board it was verified for (the same key may serve several)."""

    @property
    def proved_now(self) -> bool:
        return not self.cached and not self.shared


@dataclass(frozen=True)
class Job:
    """Everything a worker process needs to verify one function (all picklable), and nothing
    else: the function, its callees' interfaces (bodies dropped) and effects, the globals it or
    its callees may name, the register specs, the board's DMA region.  The cache key is the
    hash of exactly this, so a proof is reused only where every input it could have read is
    the same."""

    function: str
    calls: tuple[ir.CallSite, ...]
    """The function's calls in source order (the program's call graph, read off the IR once)."""
    functions: dict[str, ir.Function]
    effects: dict[str, Effects]
    globals: dict[str, ir.GlobalVar]
    soc: Soc
    entry: str | None
    """The function itself when it is an application's ``main`` (proved from reset), else None."""
    timeout_ms: int
    with_smt2: bool
    dma: tuple[int, int, int] | None = None
    soc_digest: str = ""
    """SHA-256 of ``repr(soc)`` (``soc`` as pruned for this job), computed once per pruning."""
    board: str = ""
    """Which board the job is for: a label of its result, not an input of the proof (the key
    covers the board facts the proof reads: DMA region, board package, register maps)."""


def soc_digest(soc: Soc) -> str:
    return hashlib.sha256(repr(soc).encode()).hexdigest()


SocViews = dict[frozenset[str], tuple[Soc, str]]
"""Pruned register maps already made for one program, by the peripherals they keep, with digests."""


def make_job(name: str, functions: Mapping[str, ir.Function], calls: Mapping[str, tuple[ir.CallSite, ...]],
             effects: Mapping[str, Effects], globals_: Mapping[str, ir.GlobalVar], soc: Soc, views: SocViews,
             is_entry: bool, timeout_ms: int, with_smt2: bool, dma: tuple[int, int, int] | None,
             board: str = "") -> Job:
    """The job of ``name``: callees as interfaces (a caller is proved against contracts only), the
    globals its effects may touch (all of them after a raw access that may reach any), and the
    register maps of the peripherals its IR names (all of them after a raw access to any)."""
    callees = sorted({c for c, _ in calls[name] if c in functions and c != name})
    seen = {name: functions[name], **{c: replace(functions[c], body=(), locals=()) for c in callees}}
    own = effects[name]
    reach = globals_ if ANY_GLOBAL in own.names else {s: g for s, g in globals_.items() if s in own.touched}
    job_effects = {n: effects[n] for n in seen}
    view, digest = _soc_view(soc, _named_peripherals(seen.values(), job_effects.values()), views)
    return Job(name, calls[name], seen, job_effects, dict(sorted(reach.items())), view,
               name if is_entry else None, timeout_ms, with_smt2, dma, digest, board)


def _named_peripherals(functions: Iterable[ir.Function], effects: Iterable[Effects]) -> frozenset[str] | None:
    """Every peripheral the IR names (in types, register accesses, ghost reads and clock predicates:
    each carries its ``Peripheral``) or trusted code declares; None if raw access may reach any.
    Clock gates and protocol invariants of other peripherals are never read by such a proof."""
    names: set[str] = set()
    for e in effects:
        if ANY_PERIPHERAL in e.peripherals:
            return None
        names |= e.peripherals
    for fn in functions:
        _collect_peripherals(fn, names)
    return frozenset(names)


def _collect_peripherals(value: object, out: set[str]) -> None:
    if isinstance(value, Peripheral):
        out.add(value.name)
    elif isinstance(value, ir.RegisterValueType):  # names its peripheral by name, not by object
        out.add(value.peripheral)
    elif isinstance(value, tuple):
        for item in value:
            _collect_peripherals(item, out)
    elif dataclasses.is_dataclass(value) and not isinstance(value, type | Register | Span):
        for f in dataclasses.fields(value):
            _collect_peripherals(getattr(value, f.name), out)


def _soc_view(soc: Soc, names: frozenset[str] | None, views: SocViews) -> tuple[Soc, str]:
    """``soc`` with only the peripherals ``names`` (and CCM, which holds every clock gate)."""
    if names is None:
        names = frozenset(p.name for p in soc.peripherals)
    if names not in views:
        gated = any(p.clocks for p in soc.peripherals if p.name in names)
        kept = tuple(p for p in soc.peripherals if p.name in names or (gated and p.name == "CCM"))
        view = replace(soc, peripherals=kept)
        views[names] = (view, soc_digest(view))
    return views[names]


def compute_effects(functions: dict[str, ir.Function], calls: Mapping[str, tuple[ir.CallSite, ...]]) -> dict[str, Effects]:
    """What each function may change, transitively over the (acyclic) call graph ``calls``."""
    result: dict[str, Effects] = {}

    def visit(name: str, stack: frozenset[str]) -> Effects:
        if name not in result:
            callees = {c: visit(c, stack | {name}) for c, _ in calls[name] if c in functions and c not in stack}
            result[name] = function_effects(functions[name], callees)
        return result[name]

    for name in functions:
        visit(name, frozenset())
    return result


def cache_key(job: Job) -> str:
    """SHA-256 over everything in ``job`` the encoder can read (and the verifier and solver)."""
    h = hashlib.sha256()
    h.update(f"tamapy {__version__} {VERIFIER_DIGEST}\n{SOLVER}\ntimeout {job.timeout_ms}\n".encode())
    h.update(f"{job.function}\n{job.calls!r}\n".encode())
    for name, f in sorted(job.functions.items()):
        h.update(repr(f).encode())
        h.update(_canonical(job.effects.get(name)).encode())
    for g in job.globals.values():
        h.update(repr(g).encode())
    h.update(f"soc {job.soc_digest or soc_digest(job.soc)}\n".encode())
    h.update(f"entry={job.entry == job.function} dma={job.dma}".encode())
    return h.hexdigest()


def _canonical(effects: Effects | None) -> str:
    """Effects as text independent of set iteration order (PYTHONHASHSEED)."""
    if effects is None:
        return "None"
    return repr([(f, sorted(map(repr, getattr(effects, f)))) if isinstance(getattr(effects, f), frozenset)
                 else (f, getattr(effects, f)) for f in sorted(effects.__dataclass_fields__)])


def run_job(job: Job) -> tuple[Obligation, ...]:
    """Encode and solve one function's obligations (runs in a worker process)."""
    fn = job.functions[job.function]
    ctx = Context(job.functions, job.effects, job.globals, job.soc, job.entry, job.dma)
    encoder = FunctionEncoder(fn, ctx)
    pending = encoder.run()
    out: list[Obligation] = []
    counters: dict[tuple[str, int, int], int] = {}
    for p in pending:
        place = (p.category.value, p.span.line, p.span.col)
        counters[place] = counters.get(place, 0) + 1
        ident = f"{fn.qualname}:{p.category.value}:{p.span.line}:{p.span.col}:{counters[place]}"
        status, seconds, cex = solve(p, job.timeout_ms, encoder.entry_args)
        out.append(Obligation(ident, p.category, fn.qualname, p.span, p.message, status, seconds, SOLVER, cex,
                              smt2(p) if job.with_smt2 else ""))
    return tuple(out)


def verify_functions(
    jobs: list[Job],
    cached: Mapping[tuple[str, str], tuple[frozenset[str], tuple[Obligation, ...]]],
    workers: int,
    progress: Callable[[int, int], None] | None = None,
    lookup: Callable[[str], tuple[Obligation, ...] | None] | None = None,
) -> list[FunctionResult]:
    """Results for every job: from ``cached`` ((function, key) -> (boards, obligations), the
    certificates) when one has its key, else from ``lookup(key)`` (the proof cache), else proved
    -- once for all the jobs of one key (boards where nothing the proof reads differs)."""
    keys = [cache_key(job) for job in jobs]
    found: dict[int, FunctionResult] = {}
    todo: dict[str, Job] = {}
    for i, (job, key) in enumerate(zip(jobs, keys, strict=True)):
        module = job.functions[job.function].module
        hit = cached.get((job.function, key)) if not job.with_smt2 else None
        shared = lookup(key) if lookup is not None and hit is None and not job.with_smt2 else None
        if hit is not None:
            found[i] = FunctionResult(job.function, module, key, hit[1], cached=True, board=job.board)
        elif shared is not None:
            found[i] = FunctionResult(job.function, module, key, shared, shared=True, board=job.board)
        else:
            todo.setdefault(key, job)
    done, total = len(found), len(jobs)
    if progress:
        progress(done, total)
    proved: dict[str, tuple[Obligation, ...]] = {}
    for key, obligations in zip(todo, _map(run_job, list(todo.values()), workers), strict=True):
        proved[key] = obligations
        done += keys.count(key)
        if progress:
            progress(done, total)
    return [found[i] if i in found else
            FunctionResult(job.function, job.functions[job.function].module, key, proved[key], board=job.board)
            for i, (job, key) in enumerate(zip(jobs, keys, strict=True))]


def _map(fn: Callable[[Job], tuple[Obligation, ...]], items: list[Job], workers: int) -> Iterable[tuple[Obligation, ...]]:
    if workers <= 1 or len(items) <= 1:
        return map(fn, items)
    pool = ProcessPoolExecutor(max_workers=min(workers, len(items)))
    try:
        return list(pool.map(fn, items, chunksize=1))
    finally:
        pool.shutdown()


def default_jobs() -> int:
    return os.cpu_count() or 1
