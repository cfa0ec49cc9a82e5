"""Session fixtures: the differential project, compiled once per board, and its host."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tamapy.sim.host import Host
from tests.differential.harness import Compiled, Differential, Hosted, make_differential_project

BOARDS = ("mcimx6ul-evk", "usbarmory-mk2")


@pytest.fixture(scope="session")
def diff_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_differential_project(tmp_path_factory.mktemp("differential") / "proj")


@pytest.fixture(scope="session")
def images(diff_project: Path) -> dict[str, Compiled]:
    """The harness image of each board, built once (unverified: the tests stay in the proved domain)."""
    return {board: Compiled(diff_project, board) for board in BOARDS}


@pytest.fixture
def evk(images: dict[str, Compiled], diff_project: Path) -> Iterator[Differential]:
    """Compiled and host sides for the EVK; the host is active for the test."""
    with Host(diff_project, "mcimx6ul-evk") as host:
        yield Differential(images["mcimx6ul-evk"], Hosted(host))


@pytest.fixture
def armory(images: dict[str, Compiled], diff_project: Path) -> Iterator[Differential]:
    """Compiled and host sides for the USB armory Mk II."""
    with Host(diff_project, "usbarmory-mk2") as host:
        yield Differential(images["usbarmory-mk2"], Hosted(host))
