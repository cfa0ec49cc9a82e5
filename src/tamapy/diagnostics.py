"""User-facing diagnostics shared by every stage.

Every user error (bad source, bad spec, bad object, bad command line) is
reported as ``file:line:col: error[CODE]: message`` followed by a hint, and
the command exits with status 2.  Stages raise :class:`TamapyError`; only
the CLI turns it into text and an exit status, so no stage prints.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, order=True)
class Diagnostic:
    """One error, located in a file (line and column are 1-based; 0 = unknown)."""

    file: str
    line: int
    col: int
    code: str
    message: str
    hint: str
    """What to do about it: every diagnostic has one (the fuzz suite checks the CLI prints it)."""

    def render(self) -> str:
        """``file:line:col:``, or ``file:line:`` or the file alone where the position is unknown."""
        where = self.file
        if self.line:
            where += f":{self.line}" + (f":{self.col}" if self.col else "")
        text = f"{where}: error[{self.code}]: {self.message}"
        if self.hint:
            text += f"\n  hint: {self.hint}"
        return text


class TamapyError(Exception):
    """One or more diagnostics that stop the current command (exit status 2)."""

    def __init__(self, diagnostics: Iterable[Diagnostic]) -> None:
        self.diagnostics = sorted(diagnostics)
        super().__init__("\n".join(d.render() for d in self.diagnostics))


def error(
    file: str | Path, line: int, col: int, code: str, message: str, hint: str
) -> TamapyError:
    """Build a single-diagnostic error, ready to raise."""
    return TamapyError([Diagnostic(str(file), line, col, code, message, hint)])


def display_path(path: str | Path) -> str:
    """A path as users should see it: relative to the working directory when possible."""
    p = Path(path)
    try:
        return str(p.resolve().relative_to(Path.cwd().resolve()))
    except (RuntimeError, OSError):  # a symlink loop: shown as written, made relative without resolving
        try:
            return os.path.relpath(p)
        except ValueError:
            return str(p)
    except ValueError:
        return str(p)
