"""Proof certificates under ``proofs/``: stable JSON, one file per module.

A certificate records, for a function of a module, the cache key the result
belongs to, the boards it was proved for, and every obligation (id, category,
source span, status, solver, time); a function has one certificate per
distinct key over the boards verified.  Certificates double as the verification cache: a function
whose key is unchanged is taken from its certificate.  Files are written
with sorted keys and atomically, and are rewritten only when their content
changes, so re-verifying from cache leaves them byte-for-byte identical.

Each function's entry carries a SHA-256 digest over its name, key and
obligations.  An entry whose digest does not match (a status or result
edited by hand, a merge that mixed two versions) is not used: the function
is proved again, and ``verify --check`` names it and fails.  Verifying a
module proves all of its functions, so its file then holds exactly those: an
entry of a function that no longer exists, or the file of a verified module
that has no function (any more), is a leftover that ``verify`` deletes and ``--check`` names
(an audit must never cite a proof of code that is not there).  The digest
detects edits, not a forger who recomputes it: where a revision is not
trusted, its certificates are a cache to re-prove, never evidence.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from tamapy.diagnostics import error
from tamapy.lang.ir import Span
from tamapy.outputs import write_atomic
from tamapy.verify.engine import FunctionResult
from tamapy.verify.obligation import Category, Counterexample, Obligation, Status

FORMAT = "tamapy-proof-3"


def obligation_json(o: Obligation) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": o.id,
        "category": o.category.value,
        "span": {"file": o.span.file, "line": o.span.line, "col": o.span.col, "end_line": o.span.end_line, "end_col": o.span.end_col},
        "status": o.status.value,
        "solver": o.solver,
        "time": round(o.seconds, 4),
        "message": o.message,
    }
    if o.counterexample is not None:
        data["counterexample"] = {**counterexample_json(o.counterexample),
                                  "raw_arguments": dict(o.counterexample.raw_arguments)}
    return data


def counterexample_json(c: Counterexample) -> dict[str, dict[str, str]]:
    """The facts of a counterexample as shown to people (certificates add the raw argument values)."""
    return {"arguments": dict(c.arguments), "locals": dict(c.locals), "registers": dict(c.registers),
            "ghost": dict(c.ghost)}


def obligation_from_json(data: dict[str, Any], function: str) -> Obligation:
    s = data["span"]
    cex = None
    if "counterexample" in data:
        c = data["counterexample"]
        cex = Counterexample(
            tuple(c["arguments"].items()), tuple(c["locals"].items()), tuple(c["registers"].items()),
            tuple(c["ghost"].items()), tuple(c.get("raw_arguments", {}).items()),
        )
    return Obligation(
        data["id"], Category(data["category"]), function,
        Span(s["file"], s["line"], s["col"], s["end_line"], s["end_col"]), data["message"],
        Status(data["status"]), float(data["time"]), data["solver"], cex,
    )


def entry_digest(function: str, key: str, obligations: list[dict[str, Any]], boards: Sequence[str] | None = None) -> str:
    """The digest a certificate carries: over what the cache hands back as evidence (the
    solver times are measurements of one run, left out so equal proofs digest equally) and,
    in ``proofs/``, the boards the proof was made for."""
    evidence = [{k: v for k, v in o.items() if k != "time"} for o in obligations]
    doc: dict[str, Any] = {"function": function, "key": key, "obligations": evidence}
    if boards is not None:
        doc["boards"] = sorted(boards)
    return hashlib.sha256(json.dumps(doc, sort_keys=True).encode()).hexdigest()


Certified = dict[tuple[str, str], tuple[frozenset[str], tuple[Obligation, ...]]]
"""(function, key) -> (the boards its certificate names, the obligations)."""


class ProofStore:
    """``proofs/``: per module a file, per function one certificate for each distinct key its
    proof has over the boards verified (one when nothing it reads differs between boards)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.dir = root / "proofs"
        self.altered: list[str] = []
        """Functions whose entry failed its digest in the last :meth:`cached` (not used)."""

    def path_for(self, module: str) -> Path:
        return self.dir.joinpath(*module.split(".")).with_suffix(".json")

    def files(self) -> list[Path]:
        return sorted(self.dir.rglob("*.json")) if self.dir.is_dir() else []

    def cached(self) -> Certified:
        out: Certified = {}
        self.altered = []
        for path in self.files():
            try:
                for name, cert in self._certificates(path, strict=True):
                    boards = cert["boards"]
                    if cert.get("digest") != entry_digest(name, cert["key"], cert["obligations"], boards):
                        self.altered.append(name)
                        continue
                    out[(name, cert["key"])] = (frozenset(boards),
                                                tuple(obligation_from_json(o, name) for o in cert["obligations"]))
            except (OSError, ValueError, KeyError, TypeError) as exc:
                raise error(str(path), 0, 0, "E601", f"unreadable proof certificate: {exc}",
                            "delete it and run `tamapy verify` to regenerate it") from None
        return out

    def leftovers(self, results: list[FunctionResult], covered: Callable[[str], bool]) -> tuple[list[str], list[Path]]:
        """Certificates (function, key) not among ``results`` in the files of modules that are,
        and the files of modules that ``covered(module)`` (lying under what was verified, with
        or without a source) but have no results."""
        modules = {r.module for r in results}
        proved = {(r.function, r.key) for r in results}
        names: list[str] = []
        files: list[Path] = []
        for path in self.files():
            module = ".".join(path.relative_to(self.dir).with_suffix("").parts)
            if module in modules:
                names += sorted({n for n, c in self._certificates(path) if (n, c.get("key")) not in proved})
            elif covered(module):
                names += sorted({n for n, _ in self._certificates(path)})
                files.append(path)
        return names, files

    @staticmethod
    def _certificates(path: Path, *, strict: bool = False) -> list[tuple[str, dict[str, Any]]]:
        """(function, certificate) pairs of a file of this format (strict: a malformed one raises)."""
        try:
            doc = json.loads(path.read_text())
            if doc.get("format") != FORMAT:
                return []
            return [(name, c) for name, entry in doc["functions"].items() for c in entry["certificates"]]
        except (ValueError, KeyError, TypeError, AttributeError):
            if strict:
                raise
            return []

    def write(self, results: list[FunctionResult], remove: Sequence[Path] = ()) -> list[Path]:
        """Write the certificates of the modules in ``results`` (each file holds exactly its
        module's results: one certificate per function and key, naming its boards) and delete
        the files ``remove``; returns the files changed."""
        by_module: dict[str, dict[str, dict[str, tuple[FunctionResult, set[str]]]]] = {}
        for r in results:
            keys = by_module.setdefault(r.module, {}).setdefault(r.function, {})
            keys.setdefault(r.key, (r, set()))[1].add(r.board)
        changed: list[Path] = []
        for path in remove:
            path.unlink()
            changed.append(path)
            parent = path.parent
            while parent != self.dir and not any(parent.iterdir()):
                parent.rmdir()
                parent = parent.parent
        for module, functions in sorted(by_module.items()):
            path = self.path_for(module)
            entries: dict[str, Any] = {}
            for name, keys in sorted(functions.items()):
                certificates = []
                for key, (r, boards) in sorted(keys.items(), key=lambda kv: sorted(kv[1][1])):
                    obligations = [obligation_json(o) for o in r.obligations]
                    certificates.append({"boards": sorted(boards), "key": key, "obligations": obligations,
                                         "digest": entry_digest(name, key, obligations, sorted(boards))})
                entries[name] = {"certificates": certificates}
            doc = {"format": FORMAT, "module": module, "functions": entries}
            text = json.dumps(doc, indent=1, sort_keys=True) + "\n"
            if not path.is_file() or path.read_text() != text:
                write_atomic(path, text.encode())
                changed.append(path)
        return changed

    def digest(self) -> str:
        """SHA-256 over every certificate (path and bytes), for provenance."""
        h = hashlib.sha256()
        for path in self.files():
            h.update(path.relative_to(self.root).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
        return h.hexdigest()

CACHE_ENV = "TAMAPY_CACHE"
"""The environment variable naming a shared proof cache directory (``--cache`` overrides it)."""


def cache_dir(root: Path, given: Path | None = None) -> Path:
    """Where the proof cache of the project at ``root`` is: ``given``, else ``$TAMAPY_CACHE``,
    else ``.tamapy/proofs`` in the project (ignored by git)."""
    if given is not None:
        return given
    env = os.environ.get(CACHE_ENV)
    return Path(env) if env else root / ".tamapy" / "proofs"


class ProofCache:
    """Results by cache key, one file each (``<key[:2]>/<key>.json``), shared by boards, apps,
    checkouts and machines: a key is the hash of everything a proof read, so an entry is valid
    wherever its key comes up.  Writers only put whole files (atomically, by rename), so
    concurrent writers are safe: two writing one key write the same content.  An entry that
    fails its digest is ignored and proved again.  Like certificates, the cache saves work;
    it is not evidence for a revision that is not trusted (re-prove there)."""

    def __init__(self, directory: Path) -> None:
        self.dir = directory

    def _path(self, key: str) -> Path:
        return self.dir / key[:2] / f"{key}.json"

    def get(self, key: str) -> tuple[Obligation, ...] | None:
        try:
            doc = json.loads(self._path(key).read_text())
            name = doc["function"]
            if doc.get("format") != FORMAT or doc.get("digest") != entry_digest(name, key, doc["obligations"]):
                return None
            return tuple(obligation_from_json(o, name) for o in doc["obligations"])
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def put(self, results: Sequence[FunctionResult]) -> int:
        """Add the results the cache does not hold yet; returns how many were added."""
        added = 0
        for r in results:
            path = self._path(r.key)
            if self.get(r.key) is not None:
                continue  # held already (an entry that fails its digest is replaced)
            obligations = [obligation_json(o) for o in r.obligations]
            doc = {"format": FORMAT, "function": r.function, "key": r.key, "obligations": obligations,
                   "digest": entry_digest(r.function, r.key, obligations)}
            try:
                write_atomic(path, (json.dumps(doc, indent=1, sort_keys=True) + "\n").encode())
            except OSError:
                continue  # a cache that cannot be written only costs time
            added += 1
        return added
