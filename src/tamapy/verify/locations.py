"""Where an obligation points, for files written outside the run that made it.

Spans hold paths as displayed when they were made: relative to the working
directory of that run (certificates keep them), or absolute.  Every output
that names a source file (SARIF, JUnit, SMT-LIB2 index, replays) resolves
it here, and every file name made from an obligation id is made here.
"""

from __future__ import annotations

import re
from pathlib import Path


def source_path(file: str, root: Path) -> Path | None:
    """The source file a span names, found as the verifier saw it."""
    p = Path(file)
    candidates = [p] if p.is_absolute() else [Path.cwd() / p, root / p]
    for c in candidates:
        if c.is_file():
            return c.resolve()
    return None


def source_uri(file: str, root: Path) -> str:
    """A span's file as a URI relative to the project root (``%SRCROOT%``), POSIX separators."""
    found = source_path(file, root)
    if found is not None:
        try:
            return found.relative_to(root.resolve()).as_posix()
        except ValueError:
            return found.as_uri()
    return Path(file).as_posix()


def sanitize(text: str, keep: str = "._-") -> str:
    """``text`` reduced to letters, digits, ``_`` and the characters in ``keep`` (one file name component)."""
    return re.sub(rf"[^A-Za-z0-9_{re.escape(keep)}]", "_", text)
