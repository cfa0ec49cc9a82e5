"""Fixtures: a project copy with the DIFF block and test firmware, and a host entered on it."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

from tamapy.fw.host import Host
from tests.fw.support import make_project

HOSTTEST = Path(__file__).with_name("data") / "hosttest"


@pytest.fixture(scope="session")
def fw_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Project copy with the DIFF block and firmware/hosttest/ (read-only for tests: shared)."""
    root = make_project(tmp_path_factory.mktemp("fw") / "proj")
    shutil.copytree(HOSTTEST, root / "firmware" / "hosttest")
    return root


@pytest.fixture
def host(fw_project: Path) -> Iterator[Host]:
    """An EVK host, entered (firmware importable) for the test."""
    with Host(fw_project, "mcimx6ul-evk") as entered:
        yield entered


@pytest.fixture
def probe(host: Host) -> ModuleType:
    """firmware/hosttest/probe.py, imported on ``host``."""
    return host.module("hosttest.probe")
