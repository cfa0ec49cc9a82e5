"""A reader that leaves early (``tamapy ... | head -1``): tamapy stops quietly, and the files
it was asked to write are written all the same."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tamapy.build import compile_app

SRC = Path(__file__).resolve().parents[2] / "src"


def run_with_closed_pipes(args: list[str], cwd: Path, *, close_stderr: bool) -> tuple[int, bytes]:
    """Run ``tamapy ARGS`` with stdout (and stderr) pipes whose reader is already gone."""
    proc = subprocess.Popen([sys.executable, "-m", "tamapy", *args], cwd=cwd, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env={**os.environ, "PYTHONPATH": str(SRC)})
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()
    err = b""
    if close_stderr:
        proc.stderr.close()
    else:
        err = proc.stderr.read()
    return proc.wait(timeout=300), err


def test_image_show_into_a_closed_pipe_exits_quietly(project: Path, tmp_path: Path) -> None:
    images = compile_app(project / "firmware" / "examples" / "hello", "mcimx6ul-evk", verify=False).images
    imx = tmp_path / "hello.imx"
    imx.write_bytes(images["hello.imx"])
    status, err = run_with_closed_pipes(["image", "show", str(imx)], project, close_stderr=False)
    assert status == 141  # what a shell reports for a tool stopped by SIGPIPE
    assert err == b""  # no internal error, no "Exception ignored" at exit


def test_verify_writes_its_files_although_nobody_reads_its_output(project: Path, tmp_path: Path) -> None:
    sarif, junit = tmp_path / "out.sarif", tmp_path / "out.xml"
    bad = project / "firmware" / "examples" / "bad.py"
    bad.write_text("from tamapy.fw import u8\n\n\ndef f(x: u8) -> u8:\n    return x + 1\n")  # may overflow
    status, _ = run_with_closed_pipes(["verify", "--board", "mcimx6ul-evk", "--sarif", str(sarif), "--junit",
                                       str(junit), "--cache", str(tmp_path / "cache"), str(bad)],
                                      project, close_stderr=True)
    assert status == 141
    log = json.loads(sarif.read_text())
    assert any(r["ruleId"] for run in log["runs"] for r in run["results"])
    assert "<testsuite" in junit.read_text()
