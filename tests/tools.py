"""External tools some tests need: in CI a missing tool is a failure, locally a skip."""

from __future__ import annotations

import os
import shutil
from typing import NoReturn

import pytest


def require_tool(tool: str, package: str) -> str:
    """The tool's path; fails the test in CI (CI=true) when it is missing, skips it elsewhere."""
    path = shutil.which(tool)
    if path is not None:
        return path
    unavailable(f"{tool} is not installed (apt-get install -y {package})")


def unavailable(message: str) -> NoReturn:
    """A tool or package a test needs is missing: a failure in CI (CI=true), a skip elsewhere."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"{message}: CI must provide it")
    pytest.skip(message)
