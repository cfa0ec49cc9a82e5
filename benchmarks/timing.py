"""What every benchmark shares: the one way to time something (the median of a few runs: noise on
shared cores), a private copy of the project to edit and build in, and the results file."""

from __future__ import annotations

import json
import shutil
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


def timed(fn: Callable[[], object], repeat: int = 3) -> float:
    """Median wall-clock seconds of ``repeat`` calls of ``fn``."""
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def copy_project(destination: Path) -> Path:
    """firmware/, specs/ and pyproject.toml (the apps' declared boards) copied to ``destination``."""
    for part in ("firmware", "specs"):
        shutil.copytree(ROOT / part, destination / part)
    shutil.copy(ROOT / "pyproject.toml", destination / "pyproject.toml")
    return destination


def write_results(path: Path, results: dict[str, Any]) -> None:
    """The figures to ``path`` (sorted JSON) and to standard output."""
    text = json.dumps(results, indent=2, sort_keys=True) + "\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    print(text, end="")
