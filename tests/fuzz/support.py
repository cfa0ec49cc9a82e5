"""The property every fuzz target checks, and how a target runs the command line.

Whatever the input, a tamapy command ends with exit status 0, 1 or 2 (never 3, the
internal error), within a time bound, and every error it prints has a location
(``file:line:col:``, ``file:line:`` or the file alone) and a ``hint:`` line.  Commands
run in-process through :func:`tamapy.cli.main` so thousands of inputs fit in CI's budget.

CI runs each target with a fixed seed and a bounded number of examples.  The long mode
(``TAMAPY_FUZZ_SCALE=K``) draws K times as many fresh (unseeded) inputs per target, and
every failing input is kept under ``tests/fuzz/regressions/<target>/``, which every run
replays first.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import re
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from tamapy.cli import main

ROOT = Path(__file__).resolve().parents[2]
REGRESSIONS = Path(__file__).parent / "regressions"
SCALE = int(os.environ.get("TAMAPY_FUZZ_SCALE", "0"))
ERROR_LINE = re.compile(r"^(?P<where>[^\s].*?): error\[(?P<code>E\d{3})\]: \S")


def fuzz_settings(examples: int) -> settings:
    """Fixed seed and ``examples`` inputs in CI; ``SCALE`` times as many fresh ones in the long mode."""
    if SCALE > 0:
        return settings(max_examples=examples * SCALE, deadline=None, database=None,
                        suppress_health_check=list(HealthCheck))
    return settings(max_examples=examples, derandomize=True, deadline=None, database=None,
                    suppress_health_check=list(HealthCheck))


@dataclass(frozen=True)
class Outcome:
    status: int
    stdout: str
    stderr: str
    seconds: float


def run_cli(argv: list[str]) -> Outcome:
    """``tamapy ARGV`` in-process, its output captured."""
    out, err = io.StringIO(), io.StringIO()
    start = time.monotonic()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            status = main(argv)
        except SystemExit as exc:  # argparse
            status = int(exc.code or 0)
    return Outcome(status, out.getvalue(), err.getvalue(), time.monotonic() - start)


def problems(outcome: Outcome, *, time_bound: float) -> list[str]:
    """What breaks the fuzz property in one outcome (empty when it holds)."""
    found: list[str] = []
    if outcome.status not in (0, 1, 2):
        found.append(f"exit status {outcome.status}: {outcome.stderr[-500:]}")
    if "internal error" in outcome.stderr or "Traceback" in outcome.stderr:
        found.append(f"internal error: {outcome.stderr[-500:]}")
    if outcome.seconds > time_bound:
        found.append(f"took {outcome.seconds:.1f} s (bound {time_bound} s)")
    lines = outcome.stderr.splitlines()
    for i, line in enumerate(lines):
        m = ERROR_LINE.match(line)
        if not m:
            continue
        if re.search(r":0(:\d+)?$", m.group("where")):
            found.append(f"position 0 in {line!r}")
        if i + 1 >= len(lines) or not lines[i + 1].startswith("  hint: "):
            found.append(f"no hint after {line!r}")
    return found


def keep(target: str, data: bytes, suffix: str) -> Path:
    """Save a failing input as a regression case for ``target``: call it before asserting."""
    directory = REGRESSIONS / target
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{hashlib.sha256(data).hexdigest()[:16]}{suffix}"
    path.write_bytes(data)
    return path


def regressions(target: str) -> list[Path]:
    """The kept failing inputs of ``target``, replayed by every run."""
    directory = REGRESSIONS / target
    return sorted(directory.iterdir()) if directory.is_dir() else []



def mutate_lines(draw: st.DrawFn, text: bytes, snippets: tuple[str, ...], numbers: tuple[str, ...]) -> bytes:
    """One to three line-level edits of ``text``: a bit flip, cut, duplicated, swapped or
    re-indented lines, a snippet inserted (on its own lines or at a line's end), a digit
    replaced by a boundary number, or raw bytes appended to a line."""
    lines = text.splitlines(keepends=True)
    for _ in range(draw(st.integers(1, 3))):
        i = draw(st.integers(0, max(len(lines) - 1, 0)))
        op = draw(st.sampled_from(("flip", "cut", "dup", "snippet", "number", "indent", "bytes", "swap")))
        line = lines[i] if lines else b""
        if op == "flip" and line:
            j = draw(st.integers(0, len(line) - 1))
            line = line[:j] + bytes([line[j] ^ (1 << draw(st.integers(0, 7)))]) + line[j + 1:]
        elif op == "cut":
            lines[i:i + draw(st.integers(1, 5))] = []
            continue
        elif op == "dup":
            lines.insert(i, line)
        elif op == "snippet":
            indent = line[: len(line) - len(line.lstrip())]
            snippet = draw(st.sampled_from(snippets)).encode()
            line = b"".join(indent + s + b"\n" for s in snippet.split(b"\n")) if draw(st.booleans()) else \
                line.rstrip(b"\n") + b" " + snippet + b"\n"
        elif op == "number":
            digits = [k for k, c in enumerate(line) if chr(c).isdigit()]
            if digits:
                k = draw(st.sampled_from(digits))
                line = line[:k] + draw(st.sampled_from(numbers)).encode() + line[k + 1:]
        elif op == "indent":
            line = b" " * draw(st.sampled_from((1, 2, 3, 8))) + line
        elif op == "bytes":
            line = line + draw(st.binary(min_size=1, max_size=8))
        elif op == "swap" and len(lines) > 1:
            k = draw(st.integers(0, len(lines) - 1))
            lines[i], lines[k] = lines[k], lines[i]
            continue
        if lines:
            lines[i] = line
    return b"".join(lines)


def project_copy(destination: Path) -> Path:
    """A private copy of firmware/ and specs/ that a target may overwrite files in."""
    for part in ("firmware", "specs"):
        shutil.copytree(ROOT / part, destination / part)
    return destination


@dataclass(frozen=True)
class FileTarget:
    """A text target: one of ``bases`` (files below ``tree`` of the project) is replaced by a
    mutant in a project copy and the command ``argv(project, base)`` runs on it.  Kept inputs
    hold the base's name, a NUL and the mutant."""

    name: str
    tree: str
    bases: tuple[str, ...]
    argv: Callable[[Path, str], list[str]]
    originals: dict[str, bytes] = field(init=False, compare=False)
    """The files mutated, read once: the draws must not depend on a tree that changes during a run."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "originals", {b: (ROOT / self.tree / b).read_bytes() for b in self.bases})

    def mutants(self, snippets: tuple[str, ...], numbers: tuple[str, ...]) -> st.SearchStrategy[tuple[str, bytes]]:
        """A base and a mutated copy of its bytes (:func:`mutate_lines`)."""
        @st.composite
        def draw_mutant(draw: st.DrawFn) -> tuple[str, bytes]:
            base = draw(st.sampled_from(self.bases))
            return base, mutate_lines(draw, self.originals[base], snippets, numbers)
        return draw_mutant()

    def check(self, project: Path, base: str, data: bytes) -> list[str]:
        """What breaks the property for this mutant; a failing one is kept before returning."""
        target = project / self.tree / base
        target.write_bytes(data)
        try:
            outcome = run_cli(self.argv(project, base))
        finally:
            target.write_bytes(self.originals[base])
        found = problems(outcome, time_bound=20.0)
        if found:
            keep(self.name, base.encode() + b"\0" + data, ".case")
        return found

    def replay(self, project: Path) -> None:
        """Every input a fuzz run kept for this target passes now."""
        for kept in regressions(self.name):
            base, _, data = kept.read_bytes().partition(b"\0")
            assert self.check(project, base.decode(), data) == [], kept.name
