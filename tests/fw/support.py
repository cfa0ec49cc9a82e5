"""A private copy of the project with a synthetic register block, for host and differential tests."""

from __future__ import annotations

import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DIFF_SPEC = Path(__file__).with_name("data") / "diff.toml"
"""The synthetic ``DIFF`` peripheral (instances DIFF1, DIFF2) added to the imx6ul register maps."""
DIFF1_BASE = 0x02300000
DIFF2_BASE = 0x02301000


def make_project(destination: Path) -> Path:
    """Copy ``firmware/`` and ``specs/`` to ``destination`` and add the DIFF block; returns ``destination``."""
    shutil.copytree(ROOT / "firmware", destination / "firmware")
    shutil.copytree(ROOT / "specs", destination / "specs")
    shutil.copy(DIFF_SPEC, destination / "specs" / "soc" / "imx6ul" / "diff.toml")
    return destination
