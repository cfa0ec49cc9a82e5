"""Find firmware modules on disk and follow imports between them.

Which file a module name means is ``tamapy.project``'s rule.  Two names
are virtual: ``soc.<soc>.regs`` is generated from the register maps, and
``board.*`` means the package of the board being built.
"""

from __future__ import annotations

import ast
from pathlib import Path

from tamapy.diagnostics import TamapyError, display_path
from tamapy.inputs import check_regular
from tamapy.lang.parse import ParsedModule, parse_module
from tamapy.project import Project, canonical_module, module_source
from tamapy.specs.model import Board

BUILTIN_MODULES = frozenset({"tamapy.fw", "typing", "enum", "__future__"})


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
        return canonical_module(imported, self.board.firmware_package)

    def other_board(self, imported: str) -> str | None:
        """The package named by ``board.<package>...`` when it is another board's (a directory under
        ``firmware/board/``): code for one board, which this board's build does not include."""
        parts = imported.split(".")
        if len(parts) > 1 and parts[0] == "board" and parts[1] != self.board.firmware_package \
                and (self.project.firmware / "board" / parts[1] / "__init__.py").is_file():
            return parts[1]
        return None

    def path_of(self, name: str) -> Path | None:
        source = module_source(self.project.firmware, name)
        return source.path if source is not None else None

    def load(self, name: str) -> ParsedModule:
        """Parse ``name`` (a canonical module name) once."""
        if name in self.modules:
            return self.modules[name]
        path = self.path_of(name)
        if path is None:
            raise KeyError(name)
        check_regular(path, display_path(path), "E001", "module", "a module is a regular .py file")
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
