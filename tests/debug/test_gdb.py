"""Source-level debugging under QEMU: gdb stops at a Python line, shows a backtrace of
Python files and lines, and prints a parameter's value."""

from __future__ import annotations

import re
import socket
import subprocess

from tamapy.build import BuildResult, compile_app
from tamapy.qemu import QEMU, qemu_command
from tests.debug.support import BOARD, Probe, line_of
from tests.tools import require_tool

GDB = "gdb-multiarch"


def _free_port() -> int:
    """A loopback port nothing listens on now (QEMU binds it next)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _debug(probe: Probe, commands: list[str], build: BuildResult | None = None) -> str:
    """Boot the probe (or ``build``, from the same project) halted with QEMU's gdb stub on
    loopback, and run ``commands`` in gdb."""
    require_tool(QEMU, "qemu-system-arm")
    gdb = require_tool(GDB, "gdb-multiarch")
    port = _free_port()
    build = build or probe.build
    elf = probe.project / "debug.elf"
    elf.write_bytes(build.image.elf)
    qemu = subprocess.Popen(
        [*qemu_command(build.program.board, elf), "-gdb", f"tcp:127.0.0.1:{port}", "-S"],
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        script = ["set pagination off", "set tcp connect-timeout 20", f"target remote 127.0.0.1:{port}", *commands]
        args = [gdb, "-batch", "-nx", *(a for c in script for a in ("-ex", c)), str(elf)]
        # cwd: the units' directory is ".", so gdb finds the sources from the project root
        done = subprocess.run(args, cwd=probe.project, capture_output=True, text=True, timeout=90)
        return done.stdout + done.stderr
    finally:
        qemu.kill()
        qemu.wait(timeout=10)


def test_breakpoint_backtrace_and_values(probe: Probe) -> None:
    line = line_of("console.write_dec(step)")  # show's first statement
    call = line_of("show(step, total)")
    out = _debug(probe, [f"break main.py:{line}", "continue", "bt", "print step", "up", "info locals",
                         "continue", "print step", "kill"])
    assert re.search(rf"Breakpoint 1 at 0x[0-9a-f]+: file firmware/examples/probe/main.py, line {line}\.", out), out
    assert re.search(rf"Breakpoint 1, .*show \(step=1, .*\) at firmware/examples/probe/main.py:{line}\n", out), out
    # the backtrace names Python files and lines: show, called from main's loop
    assert re.search(rf"#0 +.*show \(step=1, .*\) at firmware/examples/probe/main.py:{line}\n", out), out
    assert re.search(rf"#1 +.*main \(\) at firmware/examples/probe/main.py:{call}\n", out), out
    assert f"{line}\t    console.write_dec(step)" in out, out  # the source line itself
    # range(1, 5) starts at 1: the first call shows step 1, the second step 2
    prints = re.findall(r"^\$(\d+) = (.*)$", out, re.MULTILINE)
    assert prints == [("1", "1"), ("2", "2")], out
    # main's own frame: its loop variable, as the caller sees it
    assert re.search(r"^step = 1$", out, re.MULTILINE), out


def test_break_on_a_call_the_optimiser_inlined(probe: Probe) -> None:
    """Every statement of hello's main is a call that is inlined: each line still takes a
    breakpoint (a row of its own at the inlined code's start), and the callee's view
    parameter reads as the bytes literal's length."""
    hello = probe.project / "firmware" / "examples" / "hello"
    source = (hello / "main.py").read_text().splitlines()
    line = source.index('    console.write(b"Hello from tamapy on ")') + 1
    out = _debug(probe, [f"break main.py:{line}", "continue", "bt", "print text.len", "kill"],
                 compile_app(hello, BOARD, verify=False))
    where = f"firmware/examples/hello/main.py:{line}"
    assert re.search(rf"Breakpoint 1, .* at {where}\n", out), out
    assert re.search(rf"#1 +.*main \(\) at {where}\n", out), out
    assert re.search(rf"^\$1 = {len(b'Hello from tamapy on ')}$", out, re.MULTILINE), out
