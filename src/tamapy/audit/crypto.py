"""Section 5, crypto and RNG use: every call to a function that implements an interface of
``specs/interfaces/``, with the contracts that interface fixes (whichever engine is behind it)."""

from __future__ import annotations

from typing import Any

from tamapy.lang import ir
from tamapy.project import Project
from tamapy.specs.interfaces import load_interfaces


def crypto_section(program: ir.Program, project: Project) -> list[dict[str, Any]]:
    implemented = {f"{i.module}.{i.name}": i for i in load_interfaces(project.specs)}
    rows: dict[tuple[str, str], dict[str, Any]] = {}
    for caller, sites in program.calls.items():
        for callee, _ in sites:
            i = implemented.get(callee)
            if i is not None:
                rows[(caller, i.name)] = {"function": caller, "interface": i.name, "module": i.module,
                                          "requires": list(i.requires), "ensures": list(i.ensures)}
    return [rows[k] for k in sorted(rows)]
