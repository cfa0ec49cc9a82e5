"""Where a project's firmware and specs live, and which file a module name means.

The firmware root is ``firmware/`` beside ``specs/``.  Module names are paths
relative to it (``runtime/console.py`` is ``runtime.console``).  ``board.*``
names the package of the board being built (``firmware/board/<package>/``),
so one application source serves every board.  The compiler's module
loader and the host's import hook both resolve names here, so they cannot
disagree about which file a name means.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from pathlib import Path

from tamapy.diagnostics import display_path, error

BOARD_PACKAGE = "board"
"""The virtual top-level package that stands for the board being built."""


@dataclass(frozen=True)
class Project:
    """Where a project's firmware and specs live."""

    root: Path
    firmware: Path
    specs: Path


@dataclass(frozen=True)
class ModuleSource:
    """The file behind a module name: a ``.py`` file, or a package directory."""

    path: Path | None
    """The source file (``x.py`` or ``x/__init__.py``); None for a package directory without one."""
    package: bool
    """Whether the name is a package (a directory), so submodules are found inside ``directory``."""
    directory: Path | None
    """The package directory, for packages."""


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


def canonical_module(imported: str, board_package: str) -> str:
    """Real module name for an import name (``board.x`` -> ``board.<package>.x``)."""
    parts = imported.split(".")
    if parts[0] == BOARD_PACKAGE and (len(parts) == 1 or parts[1] != board_package):
        return ".".join([BOARD_PACKAGE, board_package, *parts[1:]])
    return imported


def module_source(firmware: Path, name: str) -> ModuleSource | None:
    """The file or package a canonical module name means below ``firmware``, if any.

    ``a.b`` is ``a/b.py`` when that file exists, else the package ``a/b/``
    (with or without an ``__init__.py``).
    """
    base = firmware.joinpath(*name.split("."))
    source = base.with_suffix(".py")
    if source.is_file() or (os.path.lexists(source) and not base.is_dir()):
        # Whatever sits at ``a/b.py`` (a FIFO, a directory, a symlink loop) is that module's
        # source: reading it says what is wrong, where skipping it would say "no such module".
        return ModuleSource(source, False, None)
    if base.is_dir():
        init = base / "__init__.py"
        return ModuleSource(init if init.is_file() else None, True, base)
    return None


def declared_boards(project: Project) -> dict[str, tuple[str, ...]]:
    """The boards each application declares it supports, by application directory relative to
    ``firmware/`` (``examples/selftest``), from ``[tool.tamapy.apps."<dir>"] boards = [...]`` in
    the project's ``pyproject.toml``; an application not named there supports every board."""
    path = project.root / "pyproject.toml"
    if not path.is_file():
        return {}
    try:
        doc = tomllib.loads(path.read_text())
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise error(display_path(path), 0, 0, "E013", f"unreadable pyproject.toml: {exc}", "fix the TOML") from None
    apps = doc.get("tool", {}).get("tamapy", {}).get("apps", {})
    out: dict[str, tuple[str, ...]] = {}
    for app, table in apps.items() if isinstance(apps, dict) else ():
        boards = table.get("boards") if isinstance(table, dict) else None
        if not (isinstance(boards, list) and boards and all(isinstance(b, str) for b in boards)):
            raise error(display_path(path), 0, 0, "E013", f"[tool.tamapy.apps.\"{app}\"] needs boards = [\"...\"]",
                        'e.g. boards = ["usbarmory-mk2"]')
        if not (project.firmware / app / "main.py").is_file():
            raise error(display_path(path), 0, 0, "E013", f"[tool.tamapy.apps] names `{app}`, which has no main.py "
                        "under firmware/", "name an application directory relative to firmware/")
        out[app.strip("/")] = tuple(boards)
    return out
