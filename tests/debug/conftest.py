"""The probe application, built once for the debug-information tests."""

from __future__ import annotations

import pytest

from tests.debug.support import Probe, build_probe


@pytest.fixture(scope="session")
def probe(tmp_path_factory: pytest.TempPathFactory) -> Probe:
    return build_probe(tmp_path_factory.mktemp("debug") / "proj")
