"""Every interface in ``specs/interfaces/`` names a firmware function that exists.

The type checker attaches an interface's contracts to the function it names
when it checks that function's module; an interface whose ``module`` or
function name is misspelt would otherwise match nothing, and its contracts
would be dropped without a word (callers of the real function would then rely
on nothing).  So before any checking, each named module must exist below
``firmware/`` and define the function at its top level.
"""

from __future__ import annotations

import ast
import difflib

from tamapy.diagnostics import Diagnostic, TamapyError
from tamapy.inputs import read_input
from tamapy.lang.parse import MODULE_LIMIT
from tamapy.lang.resolve import ModuleLoader
from tamapy.specs.interfaces import Interface
from tamapy.specs.validate import E_INTERFACE


def _suggest(name: str, names: list[str]) -> str:
    close = difflib.get_close_matches(name, names, n=1)
    return f" (did you mean `{close[0]}`?)" if close else ""


def _top_level_functions(loader: ModuleLoader, module: str) -> list[str] | None:
    """Names of the functions ``module`` defines, or None when it cannot be read or parsed: that
    module's own check reports why, and no contract is lost while it fails.  Parsed apart from
    the loader, so an application's inputs stay the modules it imports."""
    path = loader.path_of(module)
    if path is None:
        return None
    try:
        tree = ast.parse(read_input(path, str(path), "E001", "module", "", limit=MODULE_LIMIT))
    except (TamapyError, SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    return [n.name for n in tree.body if isinstance(n, ast.FunctionDef)]


def check_interfaces(loader: ModuleLoader, interfaces: tuple[Interface, ...]) -> None:
    """TamapyError at the interface's spec line for each one that names nothing."""
    diags: list[Diagnostic] = []
    functions: dict[str, list[str] | None] = {}
    for i in interfaces:
        where = f"functions.{i.name}"
        if loader.path_of(i.module) is None:
            firmware = loader.project.firmware
            modules = sorted(".".join(p.relative_to(firmware).with_suffix("").parts) for p in firmware.rglob("*.py"))
            diags.append(Diagnostic(i.source, i.line, 1, E_INTERFACE,
                                    f"{where}.module names `{i.module}`, which is no module below firmware/"
                                    + _suggest(i.module, modules),
                                    "name the module that implements the interface, e.g. `crypto.api`"))
            continue
        if i.module not in functions:
            functions[i.module] = _top_level_functions(loader, i.module)
        defined = functions[i.module]
        if defined is not None and i.name not in defined:
            diags.append(Diagnostic(i.source, i.line, 1, E_INTERFACE,
                                    f"{where}: module `{i.module}` defines no function `{i.name}`"
                                    + _suggest(i.name, defined),
                                    "an interface is named after the function that implements it"))
    if diags:
        raise TamapyError(diags)
