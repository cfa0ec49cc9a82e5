"""The selftest images, built once per session for each board."""

from __future__ import annotations

import pytest

from tests.selftest.support import EVK, MK2, Image, build


@pytest.fixture(scope="session")
def mk2() -> Image:
    """USB armory Mk II (i.MX6ULZ: DCP and RNGB present)."""
    return build(MK2)


@pytest.fixture(scope="session")
def evk() -> Image:
    """MCIMX6UL-EVK (i.MX6UL: no DCP, no RNGB), what QEMU emulates."""
    return build(EVK)
