"""``tamapy gate BASE [HEAD]``: whether a change may merge, judged on proofs made afresh.

Both revisions are materialised (:mod:`.revisions`), their certificates discarded, and every
application built and audited on every board with the gate's own proof cache
(:mod:`.snapshot`); the two audits are compared (:mod:`.findings`) and the policy of BASE
applied (:mod:`.verdict`).  The reference is docs/gate-reference.md.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tamapy.build import object_cache
from tamapy.diagnostics import TamapyError, error
from tamapy.gate.findings import compare, finding
from tamapy.gate.policy import load_approvals, load_policy
from tamapy.gate.render import render_junit, render_markdown
from tamapy.gate.revisions import (
    WORKTREE,
    Revision,
    discard_certificates,
    materialise,
    repository_root,
)
from tamapy.gate.sarif import gate_sarif
from tamapy.gate.snapshot import Snapshot, take
from tamapy.gate.verdict import decide
from tamapy.outputs import write_atomic
from tamapy.project import declared_boards, find_project
from tamapy.specs.load import list_boards
from tamapy.verify.store import CACHE_ENV

FORMAT = "tamapy-gate/1"
NO_SUCH_APP = "E805"
GATE_CACHE = Path(".tamapy") / "gate-cache"
"""The gate's own proof cache, in the repository (never inside a revision it reviews)."""


@dataclass(frozen=True)
class GateOptions:
    base: str
    head: str = WORKTREE
    apps: tuple[str, ...] = ()
    boards: tuple[str, ...] = ()
    cache: Path | None = None
    progress: Callable[[str], None] = field(default=lambda _: None)


def gate_cache(repo: Path, given: Path | None) -> Path:
    """``--cache``, else ``$TAMAPY_CACHE``, else ``.tamapy/gate-cache`` in the repository."""
    env = os.environ.get(CACHE_ENV)
    return given if given is not None else Path(env) if env else repo / GATE_CACHE


def _apps(repo: Path, head: Revision, given: tuple[str, ...]) -> list[str]:
    """Applications as paths relative to the project root (``firmware/examples/hello``)."""
    if not given:
        return sorted(p.parent.relative_to(head.root).as_posix()
                      for p in (head.root / "firmware" / "examples").glob("*/main.py"))
    chosen = []
    for app in given:
        path = Path(app) if Path(app).is_absolute() else Path.cwd() / app
        try:
            rel = path.resolve().relative_to(repo.resolve()).as_posix()
        except ValueError:
            rel = app
        if not (head.root / rel / "main.py").is_file():
            raise error("<command line>", 0, 0, NO_SUCH_APP, f"`{app}` is no application of HEAD (no {rel}/main.py)",
                        "give an application directory, e.g. --app firmware/examples/hello")
        chosen.append(rel)
    return chosen


def _boards(head: Revision, app: str, given: tuple[str, ...]) -> list[str]:
    project = find_project(head.root)
    known = list_boards(project.specs)
    for board in given:
        if board not in known:
            raise error("<command line>", 0, 0, NO_SUCH_APP, f"no board `{board}` at HEAD",
                        f"boards: {', '.join(known)}")
    declared = declared_boards(project).get(app.removeprefix("firmware/"))
    return list(given) if given else list(declared or known)


def _snapshot(revision: Revision, app: str, board: str, cache: Path, objects: Path) -> tuple[Snapshot, str | None]:
    """The revision's snapshot of ``app`` on ``board``, or an empty one and why it could not be built."""
    target = f"{app.removeprefix('firmware/')}@{board}"
    if not (revision.root / app / "main.py").is_file():
        return Snapshot(target), None
    try:
        with contextlib.chdir(revision.root):  # sources are recorded relative to the working directory
            return take(Path(app), board, target, cache, objects), None
    except TamapyError as exc:
        text = "; ".join(d.render() for d in exc.diagnostics)
        return Snapshot(target), text.replace(f"{revision.root.resolve()}/", "").replace(f"{revision.root}/", "")


@dataclass(frozen=True)
class GateResult:
    doc: dict[str, Any]
    """The JSON document docs/gate-reference.md specifies."""
    sarif: dict[str, Any]
    """The SARIF log of what the change introduced (made while HEAD's sources were at hand)."""


def run_gate(options: GateOptions) -> GateResult:
    """Gate HEAD against BASE."""
    repo = repository_root(Path.cwd())
    cache = gate_cache(repo, options.cache).resolve()
    # LLVM's outputs: the checkout's own object cache, as `tamapy build` keeps it (objects are not
    # checkable by digest, so never the shared proof cache); they decide only the image findings.
    objects = object_cache(repo).resolve()
    with tempfile.TemporaryDirectory(prefix="tamapy-gate-") as tmp:
        base = materialise(repo, options.base, Path(tmp) / "base")
        head = materialise(repo, options.head, Path(tmp) / "head")
        find_project(head.root)  # a repository that holds no project is refused here
        policy, head_policy = load_policy(base.root), load_policy(head.root)
        approvals = (load_approvals(base.root), load_approvals(head.root))
        for revision in (base, head):
            discard_certificates(revision)
        targets, findings, pairs = [], [], []
        for app in _apps(repo, head, options.apps):
            for board in _boards(head, app, options.boards):
                options.progress(f"{app} on {board}")
                (old, old_error), (new, new_error) = (_snapshot(r, app, board, cache, objects) for r in (base, head))
                targets.append(new.target)
                found = compare(old, new)
                found += _unbuildable(old_error, new_error)
                findings.append((new.target, found))
                pairs.append((old, new))
        doc = decide(policy, head_policy != policy, approvals, findings, pairs)
        doc = {"format": FORMAT, "base": {"ref": base.ref, "commit": base.commit},
               "head": {"ref": head.ref, "commit": head.commit}, "targets": targets, **doc}
        with contextlib.chdir(head.root):
            return GateResult(doc, gate_sarif(doc, pairs, head.root))


def _unbuildable(base_error: str | None, head_error: str | None) -> list[dict[str, Any]]:
    out = []
    if base_error:
        out.append(finding("base-unbuildable", "build", f"BASE does not build: {base_error}", introduced=False))
    if head_error:
        out.append(finding("head-unbuildable", "build", f"HEAD does not build: {head_error}"))
    return out


def _dumps(doc: Any) -> bytes:
    return (json.dumps(doc, indent=1, sort_keys=True, ensure_ascii=False) + "\n").encode()


def write_reports(result: GateResult, *, markdown: Path | None = None, json_file: Path | None = None,
                  sarif: Path | None = None, junit: Path | None = None) -> None:
    """Write each report asked for, atomically."""
    made: dict[Path | None, Callable[[], bytes]] = {markdown: lambda: render_markdown(result.doc).encode(), json_file: lambda: _dumps(result.doc),
            sarif: lambda: _dumps(result.sarif), junit: lambda: render_junit(result.doc)}
    for path, render in made.items():
        if path is not None:
            write_atomic(path, render())
