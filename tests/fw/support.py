"""A private copy of the project with a synthetic register block, and a host entered on it.

For the runtime library's tests (tests/fw), the host's (tests/sim) and the
differential tests; the fixtures are taken into a directory by its conftest.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

from tamapy.sim.host import Host

ROOT = Path(__file__).resolve().parents[2]
DIFF_SPEC = Path(__file__).with_name("data") / "diff.toml"
"""The synthetic ``DIFF`` peripheral (instances DIFF1, DIFF2) added to the imx6ul register maps."""
DIFF1_BASE = 0x02300000
DIFF2_BASE = 0x02301000
HOSTTEST = Path(__file__).with_name("data") / "hosttest"
"""Test firmware (``hosttest.probe``) added to the host tests' project copy."""


def make_project(destination: Path) -> Path:
    """Copy ``firmware/`` and ``specs/`` to ``destination`` and add the DIFF block; returns ``destination``."""
    shutil.copytree(ROOT / "firmware", destination / "firmware")
    shutil.copytree(ROOT / "specs", destination / "specs")
    shutil.copy(DIFF_SPEC, destination / "specs" / "soc" / "imx6ul" / "diff.toml")
    return destination


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
