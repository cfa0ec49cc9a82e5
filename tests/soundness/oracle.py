"""The oracle: check, verify, build and run a batch of generated programs.

A batch is one project copy with every program as its own module
``firmware/sound/pNNNNN.py``.  The modules the checker rejects are counted
and removed; the rest are verified once (``verify_tree``, per function);
a program is *proved* when every obligation of every one of its functions
is.  Only the proved programs go into the batch application (one harness
``main`` dispatching on an OCRAM word), which is compiled once.

The image is compiled without re-running the verifier (``verify=False``):
the verifier already proved exactly these functions, and :func:`_same_ir`
asserts that the IR the code generator compiled is equal, function by
function, to the IR that was proved.  The only unproved code in the image
is the harness (``main``, its runners and the two ``@trusted`` OCRAM
accessors), which converts words and is itself compared against the host.

Each proved program then runs on its chosen inputs in the simulator and in
CPython (``Host``); any panic, fault, contract or range-claim failure,
exceeded step budget, or difference in result or globals is a finding.
"""

from __future__ import annotations

import shutil
import struct
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import Any

from tamapy.build import compile_app
from tamapy.diagnostics import TamapyError
from tamapy.lang.program import check_tree
from tamapy.sim import Machine
from tamapy.sim.host import Host
from tamapy.verify import Report, Status, verify_tree
from tests.soundness.generator import Program, generate
from tests.soundness.harness import (
    APP,
    DONE,
    IN,
    OUT,
    PACKAGE,
    expected_words,
    harness_source,
    input_words,
    word_count,
)

TraceFunction = Callable[[FrameType, str, Any], Any]
ROOT = Path(__file__).resolve().parents[2]
BOARD = "mcimx6ul-evk"
MAX_INSNS = 5_000_000
TIMEOUT_MS = 1000
"""Per-obligation solver limit: a timeout counts as not proved, so a low one only costs coverage."""
HOST_LINES = 2_000_000
"""Step budget of a host run, in executed firmware lines (non-termination shows as exceeding it)."""


@dataclass(frozen=True)
class Finding:
    """A proved program that misbehaved on one input."""

    program: Program
    args: tuple[int, ...]
    what: str

    def render(self) -> str:
        """The failure with what rebuilds it: seed, index, arguments and the whole source."""
        return (f"seed {self.program.seed} index {self.program.index} args {self.args}: {self.what}\n"
                f"--- {self.program.name}.py ---\n{self.program.source}")


@dataclass
class Stats:
    """Counts of one or more batches (what the benchmark writes)."""

    generated: int = 0
    rejected: int = 0
    proved: int = 0
    not_proved: int = 0
    not_proved_by_category: Counter[str] = field(default_factory=Counter)
    unknown: int = 0
    runs: int = 0
    programs_run: int = 0
    rejected_codes: Counter[str] = field(default_factory=Counter)
    findings: list[Finding] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)


def make_project(destination: Path) -> Path:
    """A copy of the project's ``firmware/`` and ``specs/`` to place batches in."""
    shutil.copytree(ROOT / "firmware", destination / "firmware")
    shutil.copytree(ROOT / "specs", destination / "specs")
    return destination


@contextmanager
def timed(stats: Stats, stage: str) -> Iterator[None]:
    start = time.perf_counter()
    try:
        yield
    finally:
        stats.seconds[stage] = stats.seconds.get(stage, 0.0) + time.perf_counter() - start


def _check(package: Path, programs: list[Program], stats: Stats) -> list[Program]:
    """Programs the checker accepts; the others are removed from ``package`` and counted."""
    alive = {p.name: p for p in programs}
    while alive:
        try:
            check_tree([package], BOARD)
            break
        except TamapyError as exc:
            bad = {Path(d.file).stem for d in exc.diagnostics}
            if not bad & set(alive):
                raise
            for d in exc.diagnostics:
                if Path(d.file).stem in alive:
                    stats.rejected_codes[d.code] += 1
            for name in bad & set(alive):
                (package / f"{name}.py").unlink()
                del alive[name]
                stats.rejected += 1
    return list(alive.values())


def _proved(report: Report, programs: list[Program], stats: Stats) -> list[Program]:
    """Programs all of whose obligations are proved; the others counted by failing category."""
    by_module: dict[str, list[Any]] = {}
    for r in report.results:
        by_module.setdefault(r.module, []).extend(r.obligations)
    proved: list[Program] = []
    for p in programs:
        obligations = by_module.get(f"{PACKAGE}.{p.name}", [])
        bad = [o for o in obligations if o.status is not Status.PROVED]
        stats.unknown += sum(o.status is Status.UNKNOWN for o in obligations)
        if obligations and not bad:
            proved.append(p)
            continue
        stats.not_proved += 1
        for category in sorted({o.category.value for o in bad}):
            stats.not_proved_by_category[category] += 1
    stats.proved += len(proved)
    return proved


def _same_ir(report: Report, compiled: dict[str, Any], programs: list[Program]) -> None:
    """The compiled IR of every proved program's function is the IR that was proved."""
    for p in programs:
        prefix = f"{PACKAGE}.{p.name}."
        for name, fn in report.functions.items():
            if name.startswith(prefix) and name in compiled:
                assert compiled[name] == fn, f"{name}: compiled IR differs from the proved IR"


class StepLimit(Exception):
    """The host run executed more firmware lines than :data:`HOST_LINES`."""


@contextmanager
def line_budget(package_dir: str, limit: int) -> Iterator[None]:
    """Count executed lines of the batch's modules; raise :class:`StepLimit` beyond ``limit``."""
    count = 0

    def local(frame: FrameType, event: str, arg: Any) -> TraceFunction | None:
        nonlocal count
        if event == "line":
            count += 1
            if count > limit:
                raise StepLimit(f"more than {limit} lines")
        return local

    def tracer(frame: FrameType, event: str, arg: Any) -> TraceFunction | None:
        return local if package_dir in frame.f_code.co_filename else None

    sys.settrace(tracer)
    try:
        yield
    finally:
        sys.settrace(None)


def run_compiled(elf: bytes, program: Any, k: int, p: Program, args: tuple[int, ...]) -> list[int] | str:
    """The OUT words after running ``p`` on ``args`` in the simulator, or how the run went wrong."""
    machine = Machine(elf, program.board, program.soc)
    words = [k + 1, *input_words(p.params, args)]
    machine.uc.mem_write(IN, struct.pack(f"<{len(words)}I", *words))
    outcome = machine.run(max_insns=MAX_INSNS, timeout=30.0)
    if outcome.fault is not None:
        return f"compiled: fault {outcome.fault.render()}"
    if outcome.final == "panic":
        return f"compiled: panic 0x{outcome.code:08x}"
    if outcome.stop_reason != "halted":
        return f"compiled: run ended with {outcome.stop_reason} after {outcome.instructions} instructions"
    n = word_count(p)
    out = list(struct.unpack(f"<{n + 1}I", machine.uc.mem_read(OUT, 4 * (n + 1))))
    if out[0] != DONE:
        return "compiled: halted before storing the result"
    return out[1:]


def run_host(host: Host, p: Program, args: tuple[int, ...], package_dir: str) -> list[int] | str:
    """The same words computed by running ``p`` in CPython, or how the run went wrong."""
    host.reset()
    module = host.module(f"{PACKAGE}.{p.name}")
    try:
        with line_budget(package_dir, HOST_LINES):
            outcome = host.run(module.entry, *args)
    except Exception as exc:  # contract failures, range claims, the step budget: all findings
        return f"host: {type(exc).__name__}: {exc}"
    if outcome.status != "returned":
        return f"host: {outcome.status} code={outcome.code} fault={outcome.fault}"
    return expected_words(p, int(outcome.value), module)


def run_seed(project: Path, seed: int, count: int, stats: Stats, *, batch: int = 50,
             timeout_ms: int = TIMEOUT_MS) -> Stats:
    """Generate ``count`` programs of ``seed`` and run them in batches of ``batch`` (one image each).

    Batches keep every verification job's function table small (each job
    carries the table of the modules checked with it).
    """
    for start in range(0, count, batch):
        programs = [generate(seed, i) for i in range(start, min(count, start + batch))]
        run_batch(project, programs, stats, timeout_ms=timeout_ms)
    return stats


def run_batch(project: Path, programs: list[Program], stats: Stats, workers: int = 2,
              timeout_ms: int = TIMEOUT_MS) -> None:
    """Check, verify, build and run one batch; counts and findings go to ``stats``."""
    package = project / "firmware" / PACKAGE
    app = project / "firmware" / APP
    shutil.rmtree(package, ignore_errors=True)
    shutil.rmtree(app, ignore_errors=True)
    package.mkdir()
    app.mkdir()
    for p in programs:
        (package / f"{p.name}.py").write_text(p.source)
    stats.generated += len(programs)
    with timed(stats, "check"):
        checked = _check(package, programs, stats)
    if not checked:
        return
    with timed(stats, "verify"):
        report = verify_tree([package], BOARD, workers=workers, timeout_ms=timeout_ms)
    proved = [p for p in _proved(report, checked, stats) if p.inputs]
    if not proved:
        return
    (app / "main.py").write_text(harness_source(proved))
    with timed(stats, "build"):
        build = compile_app(app, BOARD, verify=False, workers=workers)
        _same_ir(report, {f.qualname: f for f in build.program.functions}, proved)
    with timed(stats, "run"), Host(project, BOARD) as host:
        for k, p in enumerate(proved):
            stats.programs_run += 1
            for args in p.inputs:
                stats.runs += 1
                compiled = run_compiled(build.image.elf, build.program, k, p, args)
                hosted = run_host(host, p, args, str(package))
                if isinstance(compiled, str) or isinstance(hosted, str) or compiled != hosted:
                    stats.findings.append(Finding(p, args, f"compiled {compiled!r}, host {hosted!r}"))
