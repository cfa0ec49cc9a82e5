"""mypy and pyright on firmware that uses registers: through the stubs they accept what the
subset accepts and reject, already in the editor, a register use the spec forbids."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tamapy.fw.stubs import render_regs_stub
from tests.stubs.test_generator import SOC
from tests.tools import require_tool

ROOT = Path(__file__).resolve().parents[2]

GOOD = '''\
from typing import Final

from soc.demo.regs import DEMO, DEMO1, DEMO2
from tamapy.fw import Array, Bytes, RegValue, View, clock_enabled, requires, u8, u32

COUNT: Final = 4
PORT: Final = DEMO2
table: Array[u32, 4] = Array[u32, 4]()


@requires(lambda dev: clock_enabled(dev))
def start(dev: DEMO) -> None:
    dev.CTRL.modify(EN=1, MODE=2)
    dev.FLAGS.clear(DONE=1)


def total(data: View[u8], out: Bytes[16]) -> u32:
    value: RegValue[DEMO1.CTRL] = DEMO1.CTRL.read()
    n: u32 = u32(value.MODE + DEMO1.CFG[2].V + DEMO1.DATA.RX)
    for i in range(len(data)):
        out[i] = data[i]
    table[0] = n
    return n + table[0]


def pins(pin: u32) -> u32:
    DEMO1.PINS.P.write(pin, 1)
    DEMO1.PINS.P.set(pin)
    DEMO1.PINS.P.toggle(pin)
    DEMO1.EVT.E.clear(pin)
    level: RegValue[DEMO1.LEVEL] = DEMO1.LEVEL.read()
    return u32(DEMO1.LEVEL.L[pin] + level.L[pin] + DEMO1.PINS.P[0] + len(DEMO1.PINS.P))


def main() -> None:
    start(DEMO1)
    start(PORT)
    DEMO1.SCTL.set(RUN=1)
    total(b"abc", Bytes[16]())
    pins(3)
'''

BAD = '''\
from soc.demo.regs import DEMO1, SOLO, DEMO


def start(dev: DEMO) -> None:
    dev.CTRL.write(EN=1)


def main() -> None:
    DEMO1.DATA.write(1)
    start(SOLO)
    DEMO1.FLAGS.modify(DONE=1)
    DEMO1.CTRL.write(BUSY=1)
    DEMO1.LEVEL.L.write(0, 1)
    DEMO1.EVT.E.write(0, 1)
    DEMO1.PINS.modify(P=1)
    DEMO1.PINS.P[0].set()
'''
BAD_LINES = {9, 10, 11, 12, 13, 14, 15, 16}


def _project(tmp: Path, source: str) -> Path:
    (tmp / "soc" / "demo").mkdir(parents=True)
    (tmp / "soc" / "demo" / "regs.pyi").write_bytes(render_regs_stub(SOC))
    (tmp / "app.py").write_text(source)
    return tmp / "app.py"


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT / "src")}


def _mypy(tmp: Path, source: str) -> subprocess.CompletedProcess[str]:
    app = _project(tmp, source)
    (tmp / "mypy.ini").write_text("[mypy]\nstrict = True\nplugins = tamapy.fw.mypy_plugin\n")
    return subprocess.run([sys.executable, "-m", "mypy", "--cache-dir", str(tmp / ".cache"), app.name],
                          cwd=tmp, env=_env(), capture_output=True, text=True, timeout=300)


def _error_lines(output: str, name: str) -> set[int]:
    return {int(line.split(":")[1]) for line in output.splitlines()
            if line.startswith(f"{name}:") and ": error:" in line}


def test_mypy_accepts_register_use_the_subset_allows(tmp_path: Path) -> None:
    done = _mypy(tmp_path, GOOD)
    assert done.returncode == 0, done.stdout + done.stderr


def test_mypy_rejects_register_use_the_spec_forbids(tmp_path: Path) -> None:
    done = _mypy(tmp_path, BAD)
    assert done.returncode == 1
    assert _error_lines(done.stdout, "app.py") == BAD_LINES, done.stdout
    assert '"_DEMO_DATA" has no attribute "write"' in done.stdout
    assert 'incompatible type "type[SOLO]"; expected "DEMO"' in done.stdout


@pytest.mark.parametrize(("source", "lines"), [(GOOD, set()), (BAD, BAD_LINES)], ids=["good", "bad"])
def test_pyright(tmp_path: Path, source: str, lines: set[int]) -> None:
    tool = require_tool("basedpyright", "python3 -m pip install basedpyright")
    _project(tmp_path, source)
    config = {"extraPaths": [str(ROOT / "src")], "typeCheckingMode": "standard",
              "reportMissingModuleSource": "none", "pythonVersion": "3.11"}
    (tmp_path / "pyrightconfig.json").write_text(json.dumps(config))
    done = subprocess.run([tool, "--outputjson", "app.py"], cwd=tmp_path, capture_output=True, text=True,
                          timeout=300)
    report = json.loads(done.stdout)
    errors = {d["range"]["start"]["line"] + 1 for d in report["generalDiagnostics"] if d["severity"] == "error"}
    assert errors == lines, report["generalDiagnostics"]
