"""Verification stage: typed IR -> verification conditions -> Z3; proof store (DESIGN §4)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from tamapy.abi import APP_MODULE, ENTRY_NAME
from tamapy.diagnostics import error
from tamapy.lang import ir
from tamapy.lang.program import CheckedModules, check_tree
from tamapy.project import BOARD_PACKAGE, Project, declared_boards, find_project
from tamapy.specs import list_boards, load_board
from tamapy.specs.model import Board, Soc
from tamapy.verify.engine import (
    DEFAULT_TIMEOUT_MS,
    FunctionResult,
    Job,
    SocViews,
    compute_effects,
    default_jobs,
    make_job,
    verify_functions,
)
from tamapy.verify.obligation import Category, Counterexample, Obligation, Status
from tamapy.verify.store import ProofCache, ProofStore, cache_dir


@dataclass(frozen=True)
class Report:
    """Outcome of verifying a set of modules, with what its outputs need so none of them checks again."""

    results: tuple[FunctionResult, ...]
    stale: tuple[str, ...]
    """Functions whose certificate was missing or out of date (``--check`` fails on these)."""
    functions: Mapping[str, ir.Function] = field(default_factory=dict, compare=False, repr=False)
    """The checked IR of every function seen, by qualified name (replays take declared types from it)."""
    globals: Mapping[str, ir.GlobalVar] = field(default_factory=dict, compare=False, repr=False)
    """The module variables seen, by symbol."""

    @property
    def proofs(self) -> list[tuple[FunctionResult, tuple[str, ...]]]:
        """Each distinct proof once, with the boards it serves: one key over several boards is one proof."""
        first: dict[tuple[str, str], FunctionResult] = {}
        boards: dict[tuple[str, str], set[str]] = {}
        for r in self.results:
            first.setdefault((r.function, r.key), r)
            boards.setdefault((r.function, r.key), set()).add(r.board)
        return [(r, tuple(sorted(boards[k]))) for k, r in first.items()]

    @property
    def obligations(self) -> list[Obligation]:
        return [o for r, _ in self.proofs for o in r.obligations]

    @property
    def boards(self) -> tuple[str, ...]:
        return tuple(sorted({r.board for r in self.results}))

    def scripts(self) -> dict[str, str]:
        """SMT-LIB2 script by obligation id, for the obligations verified ``with_smt2``."""
        return {o.id: o.smt2 for o in self.obligations if o.smt2}

    def totals(self) -> dict[str, int]:
        counts = {s.value: 0 for s in Status}
        for o in self.obligations:
            counts[o.status.value] += 1
        return counts

    @property
    def all_proved(self) -> bool:
        return all(o.status is Status.PROVED for o in self.obligations)


def dma_region(board: Board) -> tuple[int, int, int] | None:
    region = board.region(board.dma_region)
    return (region.base, region.size, board.dma_alignment) if region else None


def make_jobs(
    functions: dict[str, ir.Function], calls: Mapping[str, tuple[ir.CallSite, ...]], globals_: tuple[ir.GlobalVar, ...],
    soc: Soc, board: Board, names: list[str], entries: set[str], timeout_ms: int, with_smt2: bool,
) -> list[Job]:
    """One job per function of ``names``; those in ``entries`` are applications' ``main`` (from reset)."""
    effects = compute_effects(functions, calls)
    table = {g.symbol: g for g in globals_}
    dma = dma_region(board)
    views: SocViews = {}
    return [make_job(n, functions, calls, effects, table, soc, views, n in entries, timeout_ms, with_smt2, dma,
                     board.name) for n in sorted(names)]


def app_entries(functions: Mapping[str, ir.Function]) -> set[str]:
    """The applications' ``main`` functions among ``functions`` (``def main`` of a ``main.py``):
    proved from reset by ``verify`` as by ``build``, so both reach the same certificate."""
    return {n for n in functions if n.split(".")[-2:] == [APP_MODULE, ENTRY_NAME]}


def verify_program(
    program: ir.Program, store: ProofStore | None, *, workers: int | None = None, timeout_ms: int = DEFAULT_TIMEOUT_MS,
    cache: ProofCache | None = None, progress: Callable[[int, int], None] | None = None,
) -> Report:
    """Verify the functions of one application, ``main`` starting from the reset state; what is
    proved anew goes to ``cache``, so the next build on any board finds it."""
    functions = {f.qualname: f for f in program.functions}
    jobs = make_jobs(functions, program.calls, program.globals, program.soc, program.board, list(functions),
                     {program.entry}, timeout_ms, False)
    cached = store.cached() if store else {}
    results = verify_functions(jobs, cached, workers or default_jobs(), progress, cache.get if cache else None)
    if cache is not None:
        cache.put([r for r in results if r.proved_now])
    return Report(tuple(results), (), functions, {g.symbol: g for g in program.globals})


def verify_tree(
    paths: list[Path],
    board: str | None,
    *,
    workers: int | None = None,
    timeout_ms: int = DEFAULT_TIMEOUT_MS,
    store: ProofStore | None = None,
    with_smt2: bool = False,
    progress: Callable[[int, int], None] | None = None,
    cache: ProofCache | None = None,
) -> Report:
    """Verify every function of the modules under ``paths`` (and what they import) for every
    board (``board`` None), or for ``board`` alone.

    Each board checks the modules it builds: its own board package (never another's) and
    every other module, except the applications that do not declare it (``pyproject.toml``
    ``[tool.tamapy.apps]``; undeclared applications support every board).  A function is
    proved once per distinct key over the boards.  ``store`` supplies certificates and
    records which are stale (missing, or not naming a board they are now proved for); it
    is not written here.  ``with_smt2`` keeps every obligation's script (and bypasses the
    cache).  ``cache``, the shared proof cache, supplies results by key and receives what is
    proved anew.
    """
    if not paths:
        raise error("<command line>", 0, 0, "E012", "no paths given", "tamapy verify firmware/")
    project = find_project(paths[0])
    boards = [board] if board else list_boards(project.specs)
    files = _files(paths)
    declared = declared_boards(project)
    known = list_boards(project.specs)
    for app, named in declared.items():
        for b in named:
            if b not in known:
                raise error("pyproject.toml", 0, 0, "E013", f"[tool.tamapy.apps.\"{app}\"] names board `{b}`, "
                            "which specs/boards/ does not define", f"boards: {', '.join(known)}")
    packages = {load_board(project.specs, b).firmware_package: b for b in known}
    jobs: list[Job] = []
    all_sets: list[CheckedModules] = []
    for b in boards:
        chosen = [f for f in files if _builds_for(project, f, b, declared, packages)]
        if not chosen:
            continue
        checked_sets, _ = check_tree(chosen, b)
        for checked in checked_sets:
            all_sets.append(checked)
            names = [n for n in checked.functions if _in_scope(checked, n, paths)]
            jobs += make_jobs(checked.functions, checked.calls, checked.globals, checked.soc, checked.board, names,
                              app_entries(checked.functions), timeout_ms, with_smt2)
    cached = store.cached() if store else {}
    results = verify_functions(jobs, cached, workers or default_jobs(), progress, cache.get if cache else None)
    if cache is not None:
        cache.put([r for r in results if r.proved_now and not with_smt2])
    stale = tuple(sorted({r.function for r in results
                          if not r.cached or r.board not in cached[(r.function, r.key)][0]})) if store else ()
    functions, globals_ = checked_ir(all_sets)
    return Report(tuple(results), stale, functions, globals_)


def _files(paths: list[Path]) -> list[Path]:
    out: list[Path] = []
    for p in paths:
        out.extend(sorted(p.rglob("*.py")) if p.is_dir() else [p])
    return out


def _builds_for(project: Project, path: Path, board: str, declared: Mapping[str, tuple[str, ...]],
                packages: Mapping[str, str]) -> bool:
    """Whether ``board``'s build includes the module at ``path``: not another board's package,
    not an application that declares other boards."""
    try:
        rel = path.resolve().relative_to(project.firmware.resolve())
    except ValueError:
        return True  # check_tree reports it
    parts = rel.parts
    if len(parts) > 2 and parts[0] == BOARD_PACKAGE and packages.get(parts[1], board) != board:
        return False
    return not any(board not in supported and (rel.as_posix() + "/").startswith(app + "/")
                   for app, supported in declared.items())


def checked_ir(checked_sets: list[CheckedModules]) -> tuple[dict[str, ir.Function], dict[str, ir.GlobalVar]]:
    """Functions by qualified name and module variables by symbol, the first seen of each over the board sets."""
    functions: dict[str, ir.Function] = {}
    globals_: dict[str, ir.GlobalVar] = {}
    for checked in checked_sets:
        for name, fn in checked.functions.items():
            functions.setdefault(name, fn)
        for g in checked.globals:
            globals_.setdefault(g.symbol, g)
    return functions, globals_


def _in_scope(checked: CheckedModules, name: str, paths: list[Path]) -> bool:
    """A function is verified if its module's file lies under one of ``paths``."""
    module = checked.functions[name].module
    source = Path(checked.sources[module]).resolve()
    return any(source == p.resolve() or p.resolve() in source.parents for p in paths)


__all__ = [
    "Category",
    "Counterexample",
    "FunctionResult",
    "Obligation",
    "ProofCache",
    "ProofStore",
    "Report",
    "Status",
    "cache_dir",
    "verify_tree",
]
