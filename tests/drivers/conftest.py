"""The driver test image, built once per session for each board."""

from __future__ import annotations

import pytest

from tests.drivers.support import EVK, MK2, Harness, build


@pytest.fixture(scope="session")
def mk2(tmp_path_factory: pytest.TempPathFactory) -> Harness:
    """The harness on the USB armory Mk II (i.MX6ULZ: DCP and RNGB present)."""
    return build(tmp_path_factory.mktemp("drivers_mk2"), MK2)


@pytest.fixture(scope="session")
def evk(tmp_path_factory: pytest.TempPathFactory) -> Harness:
    """The harness on the MCIMX6UL-EVK (i.MX6UL, reported as emulated: no DCP, no RNGB)."""
    return build(tmp_path_factory.mktemp("drivers_evk"), EVK)
