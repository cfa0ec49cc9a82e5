"""MMIO traces and JSON run reports are deterministic and documented; `tamapy run` writes them,
injects faults and forwards standard input to the console."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tamapy.cli import main
from tamapy.sim import MmioAccess, simulate
from tamapy.sim.outcome import REPORT_FORMAT

from .support import EVK, HELLO, MK2, board, hello

TRACE_LINE = re.compile(r"^\d+ 0x[0-9a-f]{8} [RW] 0x[0-9a-f]{8} [A-Z0-9_]+\.[A-Z0-9_]+ (8|16|32) 0x[0-9a-f]+$")
REPORT_KEYS = {"format", "board", "soc", "outcome", "status", "stop_reason", "final", "detail", "instructions",
               "cycles", "clock_hz", "simulated_us", "fault", "exceptions", "injected", "console", "peripherals",
               "stack", "fast_forwarded_cycles", "plain_storage"}


def traced(name: str, **kwargs: object) -> tuple[list[str], str]:
    lines: list[str] = []
    b, soc = board(name)
    outcome = simulate(hello(name), b, soc, trace=lambda a: lines.append(a.render()), **kwargs)  # type: ignore[arg-type]
    return lines, outcome.report_json()


@pytest.mark.parametrize("name", [EVK, MK2])
def test_trace_and_report_are_deterministic(name: str) -> None:
    first, second = traced(name), traced(name)
    assert first == second
    lines, report = first
    assert lines and all(TRACE_LINE.match(line) for line in lines)
    assert json.loads(report)["outcome"] == "exit"


def test_trace_line_format() -> None:
    access = MmioAccess(412, 0x8001_0A2C, False, 0x0202_0080, "UART1.UCR1", 32, 1)
    assert access.render() == "412 0x80010a2c W 0x02020080 UART1.UCR1 32 0x00000001"
    assert MmioAccess(7, 0x8001_0000, True, 0x020B_C002, "WDOG1.WSR", 16, 0x5555).render() == \
        "7 0x80010000 R 0x020bc002 WDOG1.WSR 16 0x5555"


def test_trace_follows_the_console_driver() -> None:
    lines, _ = traced(MK2)
    written = [line.split()[4] for line in lines if line.split()[2] == "W"]
    assert written[:3] == ["CCM.CCGR0", "UART2.UCR1", "UART2.UCR2"]
    assert written.count("UART2.UTXD") == len(b"Hello from tamapy on USB armory Mk II\n"
                                              b"proven Python firmware, no C inside\ntamapy: exit 0\n")


def test_report_contents() -> None:
    b, soc = board(MK2)
    outcome = simulate(hello(MK2), b, soc, inject=("rngb-selftest-fail",), unique_id=42)
    report = json.loads(outcome.report_json())
    assert set(report) == REPORT_KEYS
    assert (report["format"], report["board"], report["soc"]) == (REPORT_FORMAT, MK2, "i.MX6ULZ")
    assert (report["outcome"], report["status"], report["stop_reason"]) == ("exit", 0, "final-line")
    assert report["final"] == {"kind": "exit", "code": 0} and report["fault"] is None
    stack = report["stack"]["main"]
    assert int(stack["top"], 16) - int(stack["lowest"], 16) == stack["used"] >= 0
    assert report["instructions"] == outcome.instructions == report["cycles"]
    assert report["console"] == {"uart": "UART2", "bytes": len(outcome.output), "output": outcome.output.decode()}
    assert report["injected"][0]["name"] == "rngb-selftest-fail" and report["injected"][0]["triggered"] == 0
    assert report["peripherals"]["OCOTP"] == {"unique_id": "0x000000000000002a", "ulz_mark": True}
    assert outcome.report_json().endswith("}\n")


# ------------------------------------------------------------------ the command line


def run_cli(*args: str) -> int:
    return main(["run", str(HELLO), *args])


def test_cli_writes_trace_and_report(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    outputs = []
    for i in range(2):
        trace, report = tmp_path / f"t{i}.txt", tmp_path / f"r{i}.json"
        assert run_cli("--board", MK2, "--trace", str(trace), "--json", str(report)) == 0
        outputs.append((trace.read_text(), report.read_text()))
    assert outputs[0] == outputs[1]
    assert json.loads(outputs[0][1])["console"]["output"].endswith("tamapy: exit 0\n")
    assert "Hello from tamapy on USB armory Mk II" in capsys.readouterr().out


def test_cli_trace_only_keeps_the_named_peripherals(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    full, only = tmp_path / "full.txt", tmp_path / "only.txt"
    assert run_cli("--board", MK2, "--trace", str(full)) == 0
    assert run_cli("--board", MK2, "--trace", str(only), "--trace-only", "ccm,UART") == 0
    kept = only.read_text().splitlines()
    assert kept == [line for line in full.read_text().splitlines()
                    if line.split()[4].startswith(("CCM.", "UART2."))]
    assert {line.split()[4].split(".")[0] for line in kept} == {"CCM", "UART2"}
    capsys.readouterr()


def test_cli_trace_only_rejects_unknown_names(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    trace = tmp_path / "t.txt"
    assert run_cli("--board", MK2, "--trace", str(trace), "--trace-only", "GPIO1,FLUX9") == 2
    err = capsys.readouterr().err
    assert "error[E524]" in err and "'FLUX9' names no peripheral" in err and "GPIO" in err
    assert run_cli("--board", MK2, "--trace-only", "GPIO1") == 2
    assert "needs --trace FILE" in capsys.readouterr().err


def test_cli_reports_injected_faults(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    report = tmp_path / "r.json"
    status = run_cli("--board", EVK, "--inject", "uart-stuck", "--inject", "dcp-hang", "--max-insns", "200000",
                     "--json", str(report))
    assert status == 1
    data = json.loads(report.read_text())
    assert [f["name"] for f in data["injected"]] == ["uart-stuck", "dcp-hang"]
    err = capsys.readouterr().err
    assert "tamapy: injected uart-stuck" in err and "stopped (max-insns)" in err


def test_cli_rejects_unknown_faults_and_simulator_options_with_qemu(capsys: pytest.CaptureFixture[str]) -> None:
    assert run_cli("--board", EVK, "--inject", "cosmic-ray") == 2
    err = capsys.readouterr().err
    assert "error[E523]" in err and "uart-stuck" in err
    assert run_cli("--board", EVK, "--qemu", "--inject", "uart-stuck") == 2
    assert "error[E524]" in capsys.readouterr().err
    for flags in (("--trace", "t.txt", "--trace-only", "GPIO"), ("--no-fast-forward",)):
        assert run_cli("--board", EVK, "--qemu", *flags) == 2
        assert "error[E524]" in capsys.readouterr().err
    assert run_cli("--board", EVK, "--otp-key", "abcd") == 2
    assert "otp_key is 2 bytes long" in capsys.readouterr().err


ECHO = '''"""Echoes console input until it reads a 'q', then exits."""

from typing import Final

from runtime import console
from runtime.system import finish
from soc.imx6ul.regs import UART1
from tamapy.fw import u8, u32

QUIT: Final = 0x71


def main() -> None:
    if not console.init():
        finish(1)
        return
    polls: u32 = 0
    while polls < 50000000:
        polls += 1
        if UART1.USR2.RDR == 1:
            data: u32 = UART1.URXD.read()
            ch: u8 = u8(data & 0xFF)
            if ch == QUIT:
                finish(0)
                return
            console.putc(ch)
    finish(2)
'''


def test_cli_forwards_stdin_to_the_console(project: Path) -> None:
    app = project / "firmware" / "examples" / "echo"
    app.mkdir()
    (app / "__init__.py").write_text("")
    (app / "main.py").write_text(ECHO)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    done = subprocess.run([sys.executable, "-m", "tamapy", "run", str(app), "--board", EVK, "--unverified"],
                          input=b"hi there\nq", capture_output=True, timeout=120, env=env, cwd=project)
    assert done.stdout == b"hi there\ntamapy: exit 0\n", done.stderr.decode()
    assert done.returncode == 0
