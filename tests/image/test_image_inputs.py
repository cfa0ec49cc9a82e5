"""`tamapy image show` on what is not an image file: refused promptly with exit 2, never a hang or a crash."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tamapy.link.imx import IMAGE_LIMIT

SRC = Path(__file__).resolve().parents[2] / "src"


def show(path: Path) -> subprocess.CompletedProcess[str]:
    """``tamapy image show PATH`` in a fresh process, which must end within 30 s."""
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    return subprocess.run([sys.executable, "-m", "tamapy", "image", "show", str(path)], capture_output=True,
                          text=True, timeout=30, env=env, stdin=subprocess.DEVNULL, cwd=SRC.parent)


def refused(result: subprocess.CompletedProcess[str], shown: str, why: str) -> None:
    first, hint = result.stderr.splitlines()
    assert result.returncode == 2, result.stderr
    assert first == f"{shown}: error[E710]: cannot read image: {why}"
    assert hint == "  hint: pass the .imx file that `tamapy build` wrote"


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_fifo_without_writer_is_refused_at_once(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.imx"
    os.mkfifo(fifo)
    refused(show(fifo), str(fifo), "a FIFO (named pipe), not a regular file")


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs /dev/zero")
def test_dev_zero_is_refused_not_read() -> None:
    refused(show(Path("/dev/zero")), "/dev/zero", "a device, not a regular file")


def test_directory_is_refused(tmp_path: Path) -> None:
    directory = tmp_path / "out.imx"
    directory.mkdir()
    refused(show(directory), str(directory), "a directory, not a regular file")


def test_file_over_the_limit_is_refused_unread(tmp_path: Path) -> None:
    big = tmp_path / "big.imx"
    big.touch()
    os.truncate(big, IMAGE_LIMIT + 1)  # sparse: no disk space, and must not be read into memory
    refused(show(big), str(big), f"{IMAGE_LIMIT + 1} bytes, more than the {IMAGE_LIMIT}-byte limit")
