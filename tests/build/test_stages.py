"""A build says which stage it is in, in order (the CLI shows it on a terminal only)."""

from __future__ import annotations

import os
import pty
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


def test_a_build_reports_verified_functions_as_it_goes(project: Path, tmp_path: Path) -> None:
    seen: list[tuple[int, int]] = []
    build(project / "firmware" / "examples" / "hello", "mcimx6ul-evk", tmp_path / "out", cache=tmp_path / "c",
          progress=lambda done, total: seen.append((done, total)))
    assert seen and seen[-1][0] == seen[-1][1] > 4  # every function of hello, cold cache
    assert [done for done, _ in seen] == sorted(done for done, _ in seen)


def test_a_build_on_a_terminal_shows_stages_and_a_bar(project: Path, tmp_path: Path) -> None:
    """stderr is a pseudo-terminal: the stage line and the verify bar appear there."""
    leader, follower = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "tamapy", "build", "firmware/examples/hello", "--board",
                             "mcimx6ul-evk", "-o", str(tmp_path / "out"), "--cache", str(tmp_path / "c")],
                            cwd=project, stdout=subprocess.PIPE, stderr=follower)
    os.close(follower)
    chunks: list[bytes] = []
    while True:
        try:
            data = os.read(leader, 4096)
        except OSError:  # the follower side closed: the build ended
            break
        if not data:
            break
        chunks.append(data)
    os.close(leader)
    assert proc.wait(timeout=300) == 0
    text = b"".join(chunks).decode()
    for stage in ("tamapy: check ...", "tamapy: compile ...", "tamapy: link ..."):
        assert stage in text
    assert "tamapy: verify [" in text and "functions" in text
