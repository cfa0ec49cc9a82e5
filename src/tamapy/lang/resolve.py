"""Find firmware modules on disk and follow imports between them.

The firmware root is ``firmware/`` beside ``specs/``.  Module names are
paths relative to it (``runtime/console.py`` is ``runtime.console``).  Two
names are virtual: ``soc.<soc>.regs`` is generated from the register maps,
and ``board.*`` means the package of the board being built
(``firmware/board/<board_package>/``), so one application source serves
every board.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

from tamapy.diagnostics import TamapyError, display_path, error
from tamapy.lang.parse import ParsedModule, parse_module
from tamapy.specs.model import Board

BUILTIN_MODULES = frozenset({"tamapy.fw", "typing", "enum", "__future__"})
PANIC_MODULE = "runtime.panic"


@dataclass(frozen=True)
class Project:
    """Where a project's firmware and specs live."""

    root: Path
    firmware: Path
    specs: Path


def find_project(start: Path) -> Project:
    """The nearest ancestor of ``start`` holding both ``firmware/`` and ``specs/``."""
    here = start.resolve()
    for candidate in (here, *here.parents):
        if (candidate / "firmware").is_dir() and (candidate / "specs").is_dir():
            return Project(candidate, candidate / "firmware", candidate / "specs")
    raise error(
        display_path(start), 0, 0, "E010",
        "not inside a tamapy project (no ancestor directory holds both firmware/ and specs/)",
        "run tamapy on a path inside the project checkout",
    )


def module_name_of(project: Project, path: Path) -> str:
    """Dotted module name of a file under the firmware root."""
    rel = path.resolve().relative_to(project.firmware)
    parts = list(rel.with_suffix("").parts)
    if parts and parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def regs_module(board: Board) -> str:
    return f"soc.{board.soc}.regs"


class ModuleLoader:
    """Parses modules on demand, mapping import names to files for one board."""

    def __init__(self, project: Project, board: Board) -> None:
        self.project = project
        self.board = board
        self.modules: dict[str, ParsedModule] = {}

    def canonical(self, imported: str) -> str:
        """Real module name for an import name (``board.x`` -> ``board.<pkg>.x``)."""
        parts = imported.split(".")
        if parts[0] == "board" and (len(parts) == 1 or parts[1] != self.board.firmware_package):
            return ".".join(["board", self.board.firmware_package, *parts[1:]])
        return imported

    def path_of(self, name: str) -> Path | None:
        base = self.project.firmware.joinpath(*name.split("."))
        for candidate in (base.with_suffix(".py"), base / "__init__.py"):
            if candidate.is_file():
                return candidate
        return None

    def load(self, name: str) -> ParsedModule:
        """Parse ``name`` (a canonical module name) once."""
        if name in self.modules:
            return self.modules[name]
        path = self.path_of(name)
        if path is None:
            raise KeyError(name)
        module = parse_module(name, path, path.resolve().relative_to(self.project.root).as_posix())
        self.modules[name] = module
        return module

    def load_closure(self, roots: list[str]) -> list[ParsedModule]:
        """Load ``roots`` and every firmware module they import, collecting all errors."""
        pending = list(roots)
        errors: list[TamapyError] = []
        seen: set[str] = set()
        while pending:
            name = pending.pop()
            if name in seen:
                continue
            seen.add(name)
            try:
                module = self.load(name)
            except TamapyError as exc:
                errors.append(exc)
                continue
            pending.extend(self._imports(module))
        if errors:
            raise TamapyError([d for e in errors for d in e.diagnostics])
        return [self.modules[n] for n in sorted(seen)]

    def _imports(self, module: ParsedModule) -> list[str]:
        """Firmware modules named by the import statements of ``module``."""
        found: list[str] = []
        for node in module.tree.body:
            names: list[str] = []
            if isinstance(node, ast.ImportFrom) and node.module:
                names.append(node.module)
                names.extend(f"{node.module}.{a.name}" for a in node.names)
            elif isinstance(node, ast.Import):
                names.extend(a.name for a in node.names)
            for imported in names:
                canonical = self.canonical(imported)
                if imported in BUILTIN_MODULES or canonical == regs_module(self.board):
                    continue
                if self.path_of(canonical) is not None:
                    found.append(canonical)
        return found
