"""Interface contracts as data: ``specs/interfaces/*.toml``.

An interface names the firmware function that implements it, its exact
signature, and the contracts every implementation must carry.  The type
checker attaches these contracts to the implementing function, so the
verifier proves the implementation meets them and every caller respects
them, whichever engine (hardware DCP/RNGB or software) sits behind it::

    [functions.sha256]
    module = "crypto.api"
    description = "SHA-256 of a message"
    params = ["data: View[u8]", "digest: Bytes[32]"]
    returns = "CryptoStatus"
    requires = ["len(data) <= MAX_MESSAGE"]
    ensures = ["result == CryptoStatus.OK or result == CryptoStatus.UNAVAILABLE"]

Contract expressions are Python expressions over the parameters (and
``result`` in ``ensures``), in the scope of the implementing module; they
are parsed with :mod:`ast`, never executed.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

from tamapy.diagnostics import display_path
from tamapy.specs.validate import E_INTERFACE, Doc, Table

_KEYS = ("module", "description", "params", "returns", "requires", "ensures")


@dataclass(frozen=True)
class Interface:
    name: str
    module: str
    description: str
    params: tuple[str, ...]
    """Each ``name: annotation`` as source text."""
    returns: str
    requires: tuple[str, ...]
    ensures: tuple[str, ...]
    source: str
    line: int


def load_interfaces(specs_root: Path) -> tuple[Interface, ...]:
    """Every interface of ``specs_root/interfaces/*.toml``, in file and key order."""
    directory = specs_root / "interfaces"
    out: list[Interface] = []
    for path in sorted(directory.glob("*.toml")) if directory.is_dir() else []:
        doc = Doc(path)
        top = doc.root(("functions",))
        functions = top.get_table("functions")
        for name, raw in functions.entries():
            t = Table(doc, ("functions", name), raw, _KEYS)
            params = t.get_strs("params")
            checks = [("params", p, f"def f({p}): pass", "exec") for p in params]
            checks.append(("returns", t.get_str("returns"), t.get_str("returns"), "eval"))
            checks += [(key, e, e, "eval") for key in ("requires", "ensures") for e in t.get_strs(key)]
            for key, text, source, mode in checks:
                if not _parses(source, mode):
                    raise t.fail(key, E_INTERFACE, f"`{text}` in functions.{name}.{key} is not valid Python",
                                 "write parameters as `name: Type`, the return type and contracts as expressions")
            out.append(Interface(
                name, t.get_str("module"), t.get_str("description", ""), params, t.get_str("returns"),
                t.get_strs("requires"), t.get_strs("ensures"), display_path(path), doc.line_of(("functions", name)),
            ))
    return tuple(out)


def _parses(source: str, mode: str) -> bool:
    try:
        ast.parse(source, mode=mode)
    except SyntaxError:
        return False
    return True
