"""``tamapy run`` on the simulator: options, console input, trace and report files, messages.

Kept out of :mod:`tamapy.cli` so the command line stays a thin shell: this
module turns the run options into a :class:`~tamapy.sim.machine.Machine`,
forwards the process's standard input to the console UART while the image
runs, writes the MMIO trace and the JSON run report, and words the
end-of-run messages printed on stderr.
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Callable, Sequence
from pathlib import Path

from tamapy.sim.inject import check_names
from tamapy.sim.machine import Machine
from tamapy.sim.outcome import MmioAccess, SimOutcome
from tamapy.sim.variants import bad_parameter
from tamapy.specs.model import Board, Soc


def parse_unique_id(text: str | None) -> int | None:
    """``--unique-id``: decimal or 0x-prefixed hex (range checked by the machine)."""
    if text is None:
        return None
    try:
        return int(text, 0)
    except ValueError:
        raise bad_parameter(f"--unique-id {text!r} is not a number",
                            "give 64 bits in decimal or 0x-prefixed hex") from None


def parse_otp_key(text: str | None) -> bytes | None:
    """``--otp-key``: 32 hex digits (length checked by the machine)."""
    if text is None:
        return None
    try:
        return bytes.fromhex(text.removeprefix("0x"))
    except ValueError:
        raise bad_parameter(f"--otp-key {text!r} is not hex", "give 32 hex digits (16 bytes)") from None


def forward_stdin(feed: Callable[[bytes], None]) -> threading.Thread | None:
    """Copy standard input to ``feed`` from a daemon thread until end of file.

    Nothing starts when stdin is missing, closed or has no file descriptor
    (e.g. under a test runner that replaced it).
    """
    stream = sys.stdin
    if stream is None or stream.closed:
        return None
    try:
        fd = stream.fileno()
    except (OSError, ValueError, AttributeError):
        return None

    def pump() -> None:
        while True:
            try:
                data = os.read(fd, 4096)
            except OSError:
                return
            if not data:
                return
            feed(data)

    thread = threading.Thread(target=pump, name="tamapy-console-input", daemon=True)
    thread.start()
    return thread


def run_image(elf: bytes, board: Board, soc: Soc, *, echo: Callable[[bytes], None] | None,
              inject: Sequence[str] = (), unique_id: str | None = None, otp_key: str | None = None,
              variant: str | None = None, trace_path: str | None = None, json_path: str | None = None,
              exceptions: str = "deliver", max_insns: int, timeout: float,
              stdin: bool = True, trace_only: str | None = None, fast_forward: bool = True) -> SimOutcome:
    """One ``tamapy run`` on the simulator, with its files; TamapyError for bad options.

    ``trace_only`` is ``--trace-only``: comma-separated instance or peripheral type names;
    ``fast_forward`` is on unless ``--no-fast-forward`` (timer waits take little host time).
    """
    names = check_names(inject)
    only = [n for n in (trace_only or "").split(",") if n.strip()]
    if only and not trace_path:
        raise bad_parameter("--trace-only filters the trace: it needs --trace FILE", "add --trace FILE")
    uid, key = parse_unique_id(unique_id), parse_otp_key(otp_key)
    trace_file = open(trace_path, "w", encoding="utf-8") if trace_path else None  # noqa: SIM115
    try:
        def trace(access: MmioAccess) -> None:
            assert trace_file is not None
            trace_file.write(access.render() + "\n")

        machine = Machine(elf, board, soc, echo=echo, inject=names, unique_id=uid, otp_key=key,
                          variant=variant, trace=trace if trace_file is not None else None,
                          exceptions=exceptions, trace_only=only, fast_forward=fast_forward)
        if stdin:
            forward_stdin(machine.feed_console)
        outcome = machine.run(max_insns=max_insns, timeout=timeout)
    finally:
        if trace_file is not None:
            trace_file.close()
    if json_path:
        Path(json_path).write_text(outcome.report_json(), encoding="utf-8")
    return outcome


def messages(outcome: SimOutcome) -> list[str]:
    """What ``tamapy run`` prints on stderr after the console output."""
    lines = [f"tamapy: {name} has no simulator model: plain register storage" for name in outcome.plain_storage]
    for exc in outcome.exceptions:
        where = f" in {exc.symbol}" if exc.symbol else ""
        where += f" ({exc.line})" if exc.line else ""
        lines.append(f"tamapy: cpu exception ({exc.vector}) at pc 0x{exc.pc:08x}{where}: {exc.message}")
    for fault in outcome.injected:
        lines.append(f"tamapy: injected {fault.name}: took effect {fault.triggered} time(s)"
                     + (f"; {fault.detail}" if fault.detail else ""))
    if outcome.fault is not None:
        f = outcome.fault
        where = f" in {f.symbol}" if f.symbol else ""
        where += f" ({f.line})" if f.line else ""
        addr = f" at address 0x{f.address:08x}" if f.address is not None else ""
        lines.append(f"tamapy: simulator fault ({f.kind}){addr}, pc 0x{f.pc:08x}{where}: {f.message}")
    elif outcome.final is None:
        detail = f": {outcome.detail}" if outcome.detail else ""
        lines.append(f"tamapy: stopped ({outcome.stop_reason}) after {outcome.instructions} instructions{detail}")
    return lines


__all__ = ["forward_stdin", "messages", "parse_otp_key", "parse_unique_id", "run_image"]
