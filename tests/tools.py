"""External tools some tests need: in CI a missing tool is a failure, locally a skip."""

from __future__ import annotations

import os
import shutil

import pytest


def require_tool(tool: str, package: str) -> str:
    """The tool's path; fails the test in CI (CI=true) when it is missing, skips it elsewhere."""
    path = shutil.which(tool)
    if path is not None:
        return path
    message = f"{tool} is not installed (apt-get install -y {package})"
    if os.environ.get("CI") == "true":
        pytest.fail(f"{message}: CI must provide it")
    pytest.skip(message)
