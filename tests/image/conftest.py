"""Shared fixtures for the image tests: the hello app, linked once per session for each board."""

from __future__ import annotations

from pathlib import Path

import pytest

from tamapy.build import BuildResult, compile_app
from tests.tools import require_tool

ROOT = Path(__file__).resolve().parents[2]
HELLO = ROOT / "firmware" / "examples" / "hello"
BOARDS = ("mcimx6ul-evk", "usbarmory-mk2")


@pytest.fixture(scope="session")
def hello() -> dict[str, BuildResult]:
    """Compiled (not verified: the images do not depend on the proofs) hello app per board."""
    return {board: compile_app(HELLO, board, verify=False) for board in BOARDS}


def require_mkimage() -> str:
    """Path of U-Boot's mkimage."""
    return require_tool("mkimage", "u-boot-tools")
