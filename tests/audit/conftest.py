"""Fixtures: a project copy (firmware, specs, proofs) with two small apps written for the audit's
tests, each audited once per session, and the CLI to run in it."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tamapy.audit import write_audit

ROOT = Path(__file__).resolve().parents[2]
BOARD = "usbarmory-mk2"

REGS_APP = '''"""Touches known registers from two functions (and one more with the alias writes)."""

from soc.imx6ul.ccm import enable_dcp, enable_gpt1, enable_uart
from soc.imx6ul.regs import DCP, GPT1, UART, UART1
from tamapy.fw import clock_enabled, requires, u32


@requires(lambda: clock_enabled(GPT1))
def timer() -> u32:
    GPT1.PR.write(PRESCALER=3)
    GPT1.IR.modify(ROVIE=1)
    GPT1.SR.write(ROV=1)
    return GPT1.CNT.read()


@requires(lambda uart: clock_enabled(uart))
def serial(uart: UART) -> None:
    uart.UCR1.modify(UARTEN=1)
    uart.UTXD.write(TX_DATA=0x41)


@requires(lambda: clock_enabled(DCP))
def engine() -> None:
    DCP.CTRL.set(SFTRST=1)
    DCP.CTRL.clear(SFTRST=1)


def main() -> None:
    enable_gpt1()
    enable_uart(UART1)
    enable_dcp()
    now: u32 = timer()
    if now == 0:
        serial(UART1)
    engine()
'''

BAD_APP = '''"""Gives the DCP a context address outside the DMA region: one DMA obligation fails."""

from soc.imx6ul.ccm import enable_dcp
from soc.imx6ul.regs import DCP


def main() -> None:
    enable_dcp()
    DCP.CONTEXT.write(ADDR=0)
'''


@dataclass(frozen=True)
class Audited:
    project: Path
    out: Path
    audit: dict[str, Any]

    def file(self, name: str) -> Path:
        return self.out / name


def tamapy(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Run ``python -m tamapy`` in ``project``, as a user would."""
    return subprocess.run([sys.executable, "-m", "tamapy", *args], cwd=project, capture_output=True, text=True,
                          timeout=900, check=False)


def copy_project(dst: Path) -> Path:
    for directory in ("firmware", "specs", "proofs"):
        shutil.copytree(ROOT / directory, dst / directory, ignore=shutil.ignore_patterns("__pycache__"))
    for name, source in (("regs", REGS_APP), ("bad", BAD_APP)):
        app = dst / "firmware" / "examples" / name
        app.mkdir()
        (app / "__init__.py").write_text("")
        (app / "main.py").write_text(source)
    return dst


@pytest.fixture(scope="session")
def copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_project(tmp_path_factory.mktemp("audit") / "proj")


def _audit(project: Path, app: str, out: Path) -> Audited:
    result = tamapy(project, "audit", f"firmware/examples/{app}", "--board", BOARD, "-o", str(out))
    assert result.returncode == 0, result.stderr
    return Audited(project, out, json.loads((out / "audit.json").read_text()))


@pytest.fixture(scope="session")
def selftest(copy: Path) -> Audited:
    return _audit(copy, "selftest", copy / "audit-1")


@pytest.fixture(scope="session")
def regs(copy: Path) -> Audited:
    return _audit(copy, "regs", copy / "audit-regs")


@pytest.fixture(scope="session")
def bad(copy: Path) -> Audited:
    return _audit(copy, "bad", copy / "audit-bad")


def audit_in(project: Path, app: str, out: Path, **kwargs: Any) -> dict[str, Any]:
    """Audit in-process (for the tests that change the project first)."""
    return write_audit(project / "firmware" / "examples" / app, BOARD, out, **kwargs)
