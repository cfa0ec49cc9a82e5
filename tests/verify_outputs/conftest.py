"""Fixtures: a project copy holding the buggy programs, and a way to run the CLI on it."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .programs import PROGRAMS

ROOT = Path(__file__).resolve().parents[2]


def tamapy(project: Path, *args: str, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    """Run ``python -m tamapy`` in ``project``, as a user would."""
    return subprocess.run([sys.executable, "-m", "tamapy", *args], cwd=project, capture_output=True, text=True,
                          timeout=timeout, check=False)


def run_pytest(directory: Path) -> subprocess.CompletedProcess[str]:
    """Run the generated replay tests in a fresh interpreter, away from this suite's configuration."""
    return subprocess.run([sys.executable, "-m", "pytest", "-q", "-rs", "-p", "no:cacheprovider", str(directory)],
                          cwd=directory, capture_output=True, text=True, timeout=600, check=False)


def copy_project(dst: Path) -> Path:
    shutil.copytree(ROOT / "firmware", dst / "firmware")
    shutil.copytree(ROOT / "specs", dst / "specs")
    return dst


@pytest.fixture(scope="session")
def bugs_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the project with every buggy program under ``firmware/examples/bugs/``."""
    project = copy_project(tmp_path_factory.mktemp("bugs") / "proj")
    bugs = project / "firmware" / "examples" / "bugs"
    bugs.mkdir()
    (bugs / "__init__.py").write_text("")
    for p in PROGRAMS:
        (bugs / f"{p.name}.py").write_text(p.source)
    return project
