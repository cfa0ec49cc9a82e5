"""Shared fixtures: a private copy of the project to write test firmware into."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A copy of firmware/ and specs/ that a test may add modules to."""
    dst = tmp_path / "proj"
    shutil.copytree(ROOT / "firmware", dst / "firmware")
    shutil.copytree(ROOT / "specs", dst / "specs")
    return dst
