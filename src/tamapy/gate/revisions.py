"""The two revisions a gate compares, each materialised into a directory of its own.

A revision is a commit (``git archive``) or the work tree (tracked and untracked-not-ignored
files, so uncommitted changes are gated too).  Its ``proofs/`` is read for approvals and then
deleted: the certificates of a revision under review are its own claims, not evidence.
"""

from __future__ import annotations

import io
import shutil
import subprocess
import tarfile
from dataclasses import dataclass
from pathlib import Path

from tamapy.diagnostics import TamapyError, display_path, error

WORKTREE = "WORKTREE"
"""The HEAD a gate takes when none is given: the work tree, uncommitted changes included."""
LOCAL = ".tamapy"
"""The directory of tamapy's local caches in a checkout."""
NOT_A_REPOSITORY = "E800"
UNKNOWN_REF = "E801"
GIT_FAILED = "E802"


@dataclass(frozen=True)
class Revision:
    """A revision as given (``ref``), the commit it names (None for the work tree), and where it lies."""

    ref: str
    commit: str | None
    root: Path


def _git(repo: Path, *args: str) -> bytes:
    try:
        done = subprocess.run(["git", "-C", str(repo), *args], capture_output=True, check=False)
    except OSError as exc:
        raise error("<git>", 0, 0, GIT_FAILED, f"cannot run git: {exc}", "install git and put it on PATH") from None
    if done.returncode != 0:
        raise error("<git>", 0, 0, GIT_FAILED, f"git {' '.join(args)}: {done.stderr.decode(errors='replace').strip()}",
                    "check the repository (git status) and the refs given")
    return done.stdout


def repository_root(start: Path) -> Path:
    """The top of the git work tree holding ``start``."""
    try:
        return Path(_git(start, "rev-parse", "--show-toplevel").decode().strip())
    except TamapyError:
        raise error(display_path(start), 0, 0, NOT_A_REPOSITORY, "not inside a git repository",
                    "run tamapy gate in the repository's work tree") from None


def resolve(repo: Path, ref: str) -> str:
    """The commit ``ref`` names (a diagnostic when it names none)."""
    try:
        return _git(repo, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}").decode().strip()
    except TamapyError:
        raise error("<command line>", 0, 0, UNKNOWN_REF, f"`{ref}` names no commit of this repository",
                    "give a branch, tag or commit (git log --oneline)") from None


def materialise(repo: Path, ref: str, into: Path) -> Revision:
    """Write revision ``ref`` (or :data:`WORKTREE`) into ``into``, which must not exist."""
    into.mkdir(parents=True)
    if ref == WORKTREE:
        listed = _git(repo, "ls-files", "-co", "--exclude-standard", "-z").decode().split("\0")
        # The gate's own cache and objects (.tamapy/) are no part of any revision, ignored or not.
        for name in sorted(n for n in listed if n and not n.startswith(f"{LOCAL}/")):
            source = repo / name
            if not (source.is_file() or source.is_symlink()):
                continue  # a tracked file deleted in the work tree
            (into / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, into / name, follow_symlinks=False)
        return Revision(ref, None, into)
    commit = resolve(repo, ref)
    with tarfile.open(fileobj=io.BytesIO(_git(repo, "archive", "--format=tar", commit))) as tar:
        tar.extractall(into, filter="data")
    return Revision(ref, commit, into)


def discard_certificates(revision: Revision) -> None:
    """Remove the revision's ``proofs/``, so every proof is made (or found in the gate's cache) again."""
    shutil.rmtree(revision.root / "proofs", ignore_errors=True)
