"""A build says which stage it is in, in order (the CLI shows it on a terminal only)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tamapy.build import build


def test_a_build_reports_its_stages_in_order(project: Path, tmp_path: Path) -> None:
    stages: list[str] = []
    build(project / "firmware" / "examples" / "hello", "mcimx6ul-evk", tmp_path / "out", cache=tmp_path / "c",
          stage=stages.append)
    assert stages == ["check", "verify", "compile", "link"]


def test_a_build_into_a_pipe_prints_no_progress(project: Path, tmp_path: Path) -> None:
    proc = subprocess.run([sys.executable, "-m", "tamapy", "build", "firmware/examples/hello", "--board", "mcimx6ul-evk",
                           "-o", str(tmp_path / "out")], cwd=project, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert "tamapy: verify" not in proc.stderr and "\r" not in proc.stderr
