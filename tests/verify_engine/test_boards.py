"""Every board, every application, in the gate: `verify` proves each application for each board
it declares (every board unless `[tool.tamapy.apps]` says otherwise), a function gets one
certificate per distinct key over the boards, and `--check` covers them all."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tamapy.build import compile_app
from tamapy.verify import ProofStore, verify_tree

LED = '''"""The USB armory Mk II's white LED (GPIO4 pin 21, active low): this board only."""

from typing import Final

from soc.imx6ul import gpio
from soc.imx6ul.regs import GPIO4
from tamapy.fw import clock_enabled, requires

PIN: Final = 21


@requires(lambda: clock_enabled(GPIO4))
def on() -> None:
    gpio.make_output(GPIO4, PIN, 0)
'''

APP = '''from board import led
from runtime.system import finish
from soc.imx6ul import ccm


def main() -> None:
    ccm.enable_gpio4()
    led.on()
    finish(0)
'''


def _verify(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "tamapy", "verify", *args], cwd=project, capture_output=True, text=True)


def test_board_specific_code_gets_a_certificate_per_board(project: Path) -> None:
    app = project / "firmware" / "examples" / "hello"
    assert _verify(project, "firmware/examples/hello", "firmware/runtime").returncode == 0
    doc = json.loads((project / "proofs" / "runtime" / "console.json").read_text())
    boards = {name: [c["boards"] for c in entry["certificates"]] for name, entry in doc["functions"].items()}
    assert boards["runtime.console.init"] == [["mcimx6ul-evk"], ["usbarmory-mk2"]], "its board's UART differs"
    assert boards["runtime.console.alive"] == [["mcimx6ul-evk", "usbarmory-mk2"]], "nothing it reads differs"
    assert _verify(project, "firmware/examples/hello", "firmware/runtime", "--check").returncode == 0
    for board in ("mcimx6ul-evk", "usbarmory-mk2"):  # a build on either board finds their proofs in proofs/
        report = compile_app(app, board, cache=project / "empty-cache").report
        assert report is not None
        ours = [r for r in report.results if r.module.startswith(("examples.hello", "runtime."))]
        assert ours and all(r.cached for r in ours), board


def test_a_board_missing_from_the_certificates_fails_the_gate(project: Path) -> None:
    assert _verify(project, "firmware/examples/hello", "--board", "mcimx6ul-evk").returncode == 0
    proc = _verify(project, "firmware/examples/hello", "--check")
    assert proc.returncode == 1 and "stale or missing certificate: examples.hello.main.main" in proc.stderr
    store = ProofStore(project)
    report = verify_tree([project / "firmware" / "examples" / "hello"], None, workers=1, store=store)
    assert report.boards == ("mcimx6ul-evk", "usbarmory-mk2") and "examples.hello.main.main" in report.stale


def test_an_application_for_one_board_is_proved_for_that_board_only(project: Path) -> None:
    (project / "firmware" / "board" / "usbarmory_mk2" / "led.py").write_text(LED)
    ccm = project / "firmware" / "soc" / "imx6ul" / "ccm.py"
    ccm.write_text(ccm.read_text().replace("from tamapy.fw import", "from soc.imx6ul.regs import GPIO4\nfrom tamapy.fw import", 1)
                   + "\n\n@ensures(lambda: clock_enabled(GPIO4))\ndef enable_gpio4() -> None:\n    enable_clock(GPIO4)\n")
    app = project / "firmware" / "examples" / "blink"
    app.mkdir()
    (app / "main.py").write_text(APP)
    undeclared = _verify(project, "firmware/examples/blink")
    assert undeclared.returncode == 2 and "led" in undeclared.stderr, "the EVK has no board.led"
    (project / "pyproject.toml").write_text('[tool.tamapy.apps."examples/blink"]\nboards = ["usbarmory-mk2"]\n')
    declared = _verify(project, "firmware/examples/blink", "firmware/board")
    assert declared.returncode == 0, declared.stderr
    doc = json.loads((project / "proofs" / "examples" / "blink" / "main.json").read_text())
    assert [c["boards"] for c in doc["functions"]["examples.blink.main.main"]["certificates"]] == [["usbarmory-mk2"]]
    led = json.loads((project / "proofs" / "board" / "usbarmory_mk2" / "led.json").read_text())
    assert [c["boards"] for c in led["functions"]["board.usbarmory_mk2.led.on"]["certificates"]] == [["usbarmory-mk2"]]
    assert _verify(project, "firmware/examples/blink", "firmware/board", "--check").returncode == 0


def test_a_declaration_naming_no_application_is_an_error(project: Path) -> None:
    (project / "pyproject.toml").write_text('[tool.tamapy.apps."examples/nothing"]\nboards = ["usbarmory-mk2"]\n')
    proc = _verify(project, "firmware/examples/hello")
    assert proc.returncode == 2 and "error[E013]" in proc.stderr and "Traceback" not in proc.stderr


def test_naming_another_boards_package_says_so(project: Path) -> None:
    """An explicit `board.usbarmory_mk2` import, checked for the EVK, names the package it is
    (not a rewritten `board.mcimx6ul_evk.usbarmory_mk2...`), and the way out."""
    user = project / "firmware" / "examples" / "armory_only.py"
    user.write_text("from board.usbarmory_mk2 import console\n\n\ndef name_length() -> u32:\n    return len(console.NAME)\n"
                    .replace("\n\n\ndef", "\nfrom tamapy.fw import u32\n\n\ndef"))
    proc = _verify(project, "firmware/examples/armory_only.py", "--board", "mcimx6ul-evk")
    assert proc.returncode == 2, proc.stderr
    first = proc.stderr.splitlines()[0]
    assert "armory_only.py:1:1: error[E115]: `board.usbarmory_mk2` is in board package `usbarmory_mk2`" in first
    assert "mcimx6ul_evk.usbarmory_mk2" not in proc.stderr
    assert _verify(project, "firmware/examples/armory_only.py", "--board", "usbarmory-mk2").returncode == 0


def test_a_declaration_naming_an_unknown_board_is_an_error(project: Path) -> None:
    (project / "pyproject.toml").write_text('[tool.tamapy.apps."examples/hello"]\nboards = ["usbarmory-mk3"]\n')
    proc = _verify(project, "firmware/examples/hello")
    assert proc.returncode == 2 and "error[E013]" in proc.stderr and "usbarmory-mk3" in proc.stderr
    assert "Traceback" not in proc.stderr
