"""Entry points of the language stage: whole programs and ``tamapy check``.

``load_program`` turns an application directory into the typed IR
``Program`` that the verifier and the code generator share: every module it
imports is parsed, screened, typed and lowered, the call graph is checked
to be acyclic (so stack use is bounded), and functions are ordered callees
first.

Two records of calls exist, for different readers.  The checker notes each
call as it types it (arguments before the call that takes them); that order
decides which recursion is reported and the order of functions in an image.
The call graph read off the finished IR by :func:`tamapy.lang.walk.function_calls`
(callers before arguments) is what the verifier keys its cache on; it is
computed here once and carried as ``Program.calls`` / ``CheckedModules.calls``.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from tamapy.abi import APP_MODULE, ENTRY_NAME, PANIC_HOOK, PANIC_MODULE
from tamapy.diagnostics import Diagnostic, TamapyError, display_path, error
from tamapy.inputs import check_regular
from tamapy.lang import ir
from tamapy.lang.check import check_function
from tamapy.lang.interfaces import check_interfaces
from tamapy.lang.resolve import ModuleLoader
from tamapy.lang.scope import FuncSym, GlobalSym, Tables
from tamapy.lang.walk import function_calls
from tamapy.project import Project, find_project, module_name_of
from tamapy.specs import list_boards, load_board, load_soc
from tamapy.specs.interfaces import load_interfaces
from tamapy.specs.model import Board, Soc


def app_module(project: Project, app: Path) -> str:
    """Module name of an application's ``main.py`` (``app`` is its directory or the file)."""
    path = app.resolve()
    if path.is_dir():
        path = path / f"{APP_MODULE}.py"
    if not path.is_file():
        raise error(display_path(app), 0, 0, "E011", "application has no main.py", "an app directory holds main.py with def main() -> None")
    try:
        return module_name_of(project, path)
    except ValueError:
        raise error(display_path(app), 0, 0, "E011", "application is not under firmware/", f"move it below {display_path(project.firmware)}") from None


def load_program(app: Path, board_name: str) -> ir.Program:
    """Parse, resolve and type-check an application for one board."""
    project = find_project(app)
    board = load_board(project.specs, board_name)
    soc = load_soc(project.specs, board.soc)
    main_module = app_module(project, app)
    loader = ModuleLoader(project, board)
    roots = [main_module]
    if loader.path_of(PANIC_MODULE) is not None:
        roots.append(PANIC_MODULE)
    interfaces = load_interfaces(project.specs)
    check_interfaces(loader, interfaces)
    tables = Tables(loader, soc, interfaces)
    tables.build(loader.load_closure(roots))
    tables.raise_if_errors()
    functions, edges = _check_all(tables, set(tables.scopes))
    entry = _find_entry(tables, main_module)
    panic = _find_panic_hook(tables)
    roots_q = [entry] + ([panic] if panic else [])
    order = _callees_first(roots_q, edges, functions)
    program_functions = tuple(functions[q] for q in order)
    globals_ = _globals(tables)
    sources = sorted(
        {str(m.path) for m in loader.modules.values()}
        | {p.source for p in soc.peripherals}
        | {board.source}
    )
    calls = _call_graph(program_functions)
    return ir.Program(program_functions, globals_, entry, panic, board, soc, calls, tuple(sources))


@dataclass(frozen=True)
class CheckedModules:
    """Typed IR of every function in a set of modules (and what they import), for one board."""

    project: Project
    board: Board
    soc: Soc
    functions: dict[str, ir.Function]
    calls: Mapping[str, tuple[ir.CallSite, ...]]
    """qualname -> the calls its body makes, in walk order (as ``Program.calls``)."""
    globals: tuple[ir.GlobalVar, ...]
    sources: dict[str, str]
    """module name -> file path"""


def check_paths(paths: list[Path], default_board: str) -> int:
    """Parse and type-check every module under ``paths``; returns how many were checked."""
    return len(check_tree(paths, default_board)[1])


def check_tree(paths: list[Path], default_board: str) -> tuple[list[CheckedModules], list[Path]]:
    """Type-check every module under ``paths``, grouped by the board each module is built for."""
    if not paths:
        raise error("<command line>", 0, 0, "E012", "no paths given", "tamapy check firmware/")
    project = find_project(paths[0])
    files: list[Path] = []
    for p in paths:
        if p.is_dir():
            files.extend(sorted(p.rglob("*.py")))
        elif os.path.lexists(p):
            files.append(p)
        else:
            raise error(display_path(p), 0, 0, "E001", "no such file or directory", "check the path")
    refused: list[Diagnostic] = []
    for f in files:  # a directory named like a module, a FIFO, a symlink loop: said before anything reads it
        try:
            check_regular(f, display_path(f), "E001", "module", "a module is a regular .py file")
        except TamapyError as exc:
            refused.extend(exc.diagnostics)
    if refused:
        raise TamapyError(refused)
    boards = {load_board(project.specs, n).firmware_package: n for n in list_boards(project.specs)}
    groups: dict[str, list[str]] = {}
    for f in files:
        try:
            name = module_name_of(project, f)
        except ValueError:
            raise error(display_path(f), 0, 0, "E011", "file is not under firmware/", "check paths inside the project") from None
        parts = name.split(".")
        board_name = default_board
        if parts[0] == "board" and len(parts) > 1 and parts[1] in boards:
            board_name = boards[parts[1]]
        groups.setdefault(board_name, []).append(name)
    diags: set[Diagnostic] = set()
    checked: list[CheckedModules] = []
    for board_name, names in sorted(groups.items()):
        board = load_board(project.specs, board_name)
        try:
            checked.append(_check_modules(project, board, names))
        except TamapyError as exc:
            diags.update(exc.diagnostics)
    if diags:
        raise TamapyError(diags)
    return checked, files


def _check_modules(project: Project, board: Board, names: list[str]) -> CheckedModules:
    soc = load_soc(project.specs, board.soc)
    loader = ModuleLoader(project, board)
    interfaces = load_interfaces(project.specs)
    check_interfaces(loader, interfaces)
    tables = Tables(loader, soc, interfaces)
    tables.build(loader.load_closure(names))
    tables.raise_if_errors()
    functions, _ = _check_all(tables, set(tables.scopes))
    sources = {m.name: str(m.path) for m in loader.modules.values()}
    calls = _call_graph(functions.values())
    return CheckedModules(project, board, soc, functions, calls, _globals(tables), sources)


def _check_all(tables: Tables, modules: set[str]) -> tuple[dict[str, ir.Function], dict[str, list[ir.CallSite]]]:
    """Check every function of ``modules``; reject recursion anywhere in the call graph.

    Also returns the calls in the order the checker met them, which order functions callees first.
    """
    functions: dict[str, ir.Function] = {}
    edges: dict[str, list[ir.CallSite]] = {}
    for name in sorted(modules):
        scope = tables.scopes[name]
        for sym in scope.names.values():
            if isinstance(sym, FuncSym) and sym.module is scope.module:
                fn, calls = check_function(tables, scope, sym)
                edges[sym.qualname] = calls
                if fn is not None:
                    functions[sym.qualname] = fn
    tables.raise_if_errors()
    cycle = _find_cycle(edges)
    if cycle is not None:
        caller, callee, span = cycle
        raise TamapyError([Diagnostic(
            span.file, span.line, span.col, "E109",
            f"recursion: `{caller}` calls `{callee}`, which leads back to `{caller}`",
            "the call graph must be acyclic so stack use is bounded; rewrite it as a loop",
        )])
    return functions, edges


def _find_cycle(edges: dict[str, list[ir.CallSite]]) -> tuple[str, str, ir.Span] | None:
    """A call edge that closes a cycle, found by depth-first search in a stable order."""
    state: dict[str, int] = {}  # 1 = on stack, 2 = done

    def visit(node: str) -> tuple[str, str, ir.Span] | None:
        state[node] = 1
        for callee, span in edges.get(node, []):
            s = state.get(callee, 0)
            if s == 1:
                return node, callee, span
            if s == 0 and callee in edges:
                found = visit(callee)
                if found:
                    return found
        state[node] = 2
        return None

    for node in sorted(edges):
        if state.get(node, 0) == 0:
            found = visit(node)
            if found:
                return found
    return None


def _callees_first(
    roots: list[str], edges: dict[str, list[ir.CallSite]], functions: dict[str, ir.Function]
) -> list[str]:
    order: list[str] = []
    seen: set[str] = set()

    def visit(node: str) -> None:
        if node in seen:
            return
        seen.add(node)
        for callee, _ in edges.get(node, []):
            visit(callee)
        order.append(node)

    for r in roots:
        visit(r)
    return [q for q in order if q in functions]


def _call_graph(functions: Iterable[ir.Function]) -> dict[str, tuple[ir.CallSite, ...]]:
    return {fn.qualname: function_calls(fn) for fn in functions}


def _find_entry(tables: Tables, main_module: str) -> str:
    scope = tables.scopes[main_module]
    sym = scope.names.get(ENTRY_NAME)
    m = scope.module
    if not isinstance(sym, FuncSym) or sym.module is not m:
        raise error(m.display, 1, 1, "E209", "the application defines no `main` function", "add `def main() -> None:`")
    if sym.params or not isinstance(sym.ret, ir.VoidType):
        node = sym.node
        raise error(m.display, node.lineno, node.col_offset + 1, "E209", "`main` must take no parameters and return None", "def main() -> None:")
    return sym.qualname


def _find_panic_hook(tables: Tables) -> str | None:
    scope = tables.scopes.get(PANIC_MODULE)
    if scope is None:
        return None
    sym = scope.names.get(PANIC_HOOK)
    if not isinstance(sym, FuncSym):
        return None
    if sym.node.decorator_list:
        node = sym.node
        raise error(scope.module.display, node.lineno, node.col_offset + 1, "E209",
                    f"`{PANIC_HOOK}` cannot have contracts: it is called from any state",
                    "establish what it needs inside it (e.g. re-initialise the console)")
    if [p.type for p in sym.params] != [ir.U32] or not isinstance(sym.ret, ir.VoidType):
        node = sym.node
        raise error(scope.module.display, node.lineno, node.col_offset + 1, "E209",
                    f"`{PANIC_HOOK}` must be `def {PANIC_HOOK}(code: u32) -> None`", "fix its signature")
    return sym.qualname


def _globals(tables: Tables) -> tuple[ir.GlobalVar, ...]:
    out: list[ir.GlobalVar] = []
    for name in sorted(tables.scopes):
        scope = tables.scopes[name]
        for sym in scope.names.values():
            if not isinstance(sym, GlobalSym) or sym.module is not scope.module or sym.untyped:
                continue
            if isinstance(sym.type, ir.VoidType) or (sym.const and isinstance(sym.value, int)):
                continue  # failed declaration, or an integer constant folded into its uses
            span = ir.Span(scope.module.display, getattr(sym.node, "lineno", 1), 1, getattr(sym.node, "lineno", 1), 1)
            out.append(ir.GlobalVar(sym.symbol, sym.type, sym.value, sym.const, span))
    for symbol, data in sorted(tables.literals.items()):
        span = ir.Span(tables.scopes[symbol.rsplit(".", 1)[0]].module.display, 1, 1, 1, 1)
        out.append(ir.GlobalVar(symbol, ir.ArrayType(ir.U8, len(data)), data, True, span))
    return tuple(out)
