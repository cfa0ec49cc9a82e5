"""What the simulator reports when firmware or hardware misbehaves: faults, CPU exceptions,
injected hardware faults, watchdog expiry, reset and power-off requests."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from unicorn import UC_HOOK_CODE

from tamapy.build import compile_app
from tamapy.diagnostics import TamapyError
from tamapy.sim import FAULTS, Machine, SimOutcome, simulate

from .support import (
    EVK,
    LOAD,
    MK2,
    PROBE,
    RNGB,
    SNVS,
    UART_ON,
    WDOG1,
    board,
    function_address,
    hello,
    image,
    patch,
    ptr,
    say,
    store,
)

UDF = 0xE7F0_00F0
SVC = 0xEF00_0000
BKPT = 0xE120_0070
ADD_R1_SP_1 = 0xE28D_1001
LDREX_R0_R1 = 0xE191_0F9F
MAIN = "examples.hello.main.main"
LINE = re.compile(r"^firmware/.+\.py:\d+$")


def run(elf: bytes, name: str = EVK, **kwargs: object) -> SimOutcome:
    b, soc = board(name)
    return simulate(elf, b, soc, **kwargs)  # type: ignore[arg-type]


def hello_with(name: str, words: list[int]) -> bytes:
    elf = hello(name)
    return patch(elf, function_address(elf, MAIN), words)


# ------------------------------------------------------------- CPU exceptions


@pytest.mark.parametrize(("words", "vector", "code"), [
    ([UDF], "undefined", 0xFFFF0010),
    ([SVC], "svc", 0xFFFF0011),
    ([BKPT], "prefetch-abort", 0xFFFF0012),
    ([ADD_R1_SP_1, LDREX_R0_R1], "data-abort", 0xFFFF0013),  # LDREX from an odd address
])
@pytest.mark.parametrize("name", [EVK, MK2])
def test_exceptions_run_the_firmwares_own_handlers(name: str, words: list[int], vector: str, code: int) -> None:
    """As on the CPU: the vector table's handler runs and the firmware panics with its code."""
    elf = hello_with(name, words)
    outcome = run(elf, name)
    assert (outcome.final, outcome.code, outcome.stop_reason, outcome.fault) == ("panic", code, "final-line", None)
    assert outcome.output == f"tamapy: panic 0x{code:08x}\n".encode()
    (exc,) = outcome.exceptions
    faulting = function_address(elf, MAIN) + 4 * (len(words) - 1)
    assert (exc.vector, exc.pc, exc.symbol) == (vector, faulting, MAIN)
    assert exc.line is not None and exc.line.startswith("firmware/examples/hello/main.py:")
    assert outcome.report()["exceptions"][0]["vector"] == vector


def test_exceptions_can_stop_the_run_instead() -> None:
    elf = hello_with(EVK, [UDF])
    outcome = run(elf, exceptions="stop")
    fault = outcome.fault
    assert fault is not None and outcome.stop_reason == "fault" and outcome.exceptions == ()
    assert (fault.kind, fault.vector, fault.symbol, fault.address) == ("undefined-instruction", "undefined", MAIN, None)
    assert fault.line is not None and LINE.match(fault.line)
    assert "0xe7f000f0" in fault.message and "not delivered" in fault.message
    assert outcome.output == b""


def test_exception_with_vector_outside_ram_is_a_fault() -> None:
    """VBAR = 0 (the probe images never set it): the vector is in the boot ROM, not modelled."""
    outcome = run(image("  call void @llvm.trap()\n  unreachable"))
    fault = outcome.fault
    assert fault is not None and (fault.kind, fault.vector, fault.symbol) == ("undefined-instruction", "undefined",
                                                                              PROBE)
    assert "vector at 0x00000004 is not in RAM" in fault.message
    assert fault.line is None  # the probe image has no DWARF line table


def test_mmio_fault_names_the_source_line(project: Path) -> None:
    app = project / "firmware" / "examples" / "probe"
    app.mkdir()
    (app / "__init__.py").write_text("")
    (app / "main.py").write_text('''"""Sets up UART1 with its clock gate closed."""

from soc.imx6ul import uart
from soc.imx6ul.regs import CCM, UART1


def main() -> None:
    CCM.CCGR5.modify(CG12=0)
    uart.init(UART1)
''')
    outcome = run(compile_app(app, EVK, verify=False).image.elf)
    fault = outcome.fault
    assert fault is not None and fault.kind == "clock-gated"
    assert fault.line is not None and fault.line.startswith("firmware/soc/imx6ul/uart.py:")
    assert f"({fault.line})" in fault.render()


def test_rngb_underflow_bus_error_is_a_fault() -> None:
    body = store(RNGB + 0x08, 0b10) + f"  %v = load volatile i32, {ptr(RNGB + 0x14)}\n  ret void"
    outcome = run(image(body), MK2)
    fault = outcome.fault
    assert fault is not None and (fault.kind, fault.address, fault.symbol) == ("bus-error", RNGB + 0x14, PROBE)
    assert "RNGB.OUT" in fault.message


# ---------------------------------------------------------------- injected faults


def test_unknown_fault_name_is_bad_input() -> None:
    with pytest.raises(TamapyError) as info:
        run(hello(EVK), inject=("dcp-explodes",))
    diagnostic = info.value.diagnostics[0]
    assert diagnostic.code == "E523" and "dcp-explodes" in diagnostic.message
    assert all(name in diagnostic.hint for name in FAULTS)


def test_stuck_console_uart_prints_nothing() -> None:
    outcome = run(hello(EVK), max_insns=300_000, inject=("uart-stuck",))
    assert outcome.output == b"" and outcome.stop_reason == "max-insns" and outcome.status == 1
    (fault,) = outcome.injected
    assert fault.name == "uart-stuck" and fault.triggered > 0 and "UART1" in fault.detail
    assert outcome.notes["UART1"]["stuck"] is True
    assert run(hello(MK2), max_insns=300_000, inject=("uart-stuck",)).output == b""


def test_injected_faults_that_never_fire_are_reported_as_such() -> None:
    outcome = run(hello(EVK), inject=("rngb-error", "dcp-hang"))
    assert outcome.final == "exit" and [(f.name, f.triggered) for f in outcome.injected] == [
        ("rngb-error", 0), ("dcp-hang", 0)]


# ------------------------------------------------------------- watchdog and power

CLOCK_HZ = 100_000
"""A slow simulated clock: the shortest time-out, 0.5 s, is 50 000 instructions."""
WCR_ENABLE = 0x0034
"""WCR: WT = 0 (0.5 s), WDE, SRS and WDA kept at 1."""


def service() -> str:
    return store(WDOG1 + 2, 0x5555, 16) + store(WDOG1 + 2, 0xAAAA, 16)


def busy(label: str, n: int) -> str:
    return (f"  br label %{label}\n{label}:\n  %{label}_i = phi i32 [0, %{label}_pre], [%{label}_n, %{label}]\n"
            f"  store volatile i32 %{label}_i, {ptr(LOAD + 0x8000)}\n"
            f"  %{label}_n = add i32 %{label}_i, 1\n  %{label}_more = icmp ult i32 %{label}_n, {n}\n"
            f"  br i1 %{label}_more, label %{label}, label %{label}_done\n{label}_done:\n")


def serviced_image() -> bytes:
    """Enables WDOG1, services it 10 times ~25 000 instructions apart, then exits 0."""
    extra, text = say(b"tamapy: exit 0\n", "bye")
    body = UART_ON + store(WDOG1, WCR_ENABLE, 16) + "  br label %rounds\nrounds:\n"
    body += "  %r = phi i32 [0, %0], [%r_next, %busy_done]\n"
    body += service() + "  br label %busy_pre\nbusy_pre:\n" + busy("busy", 6000)
    body += "  %r_next = add i32 %r, 1\n  %again = icmp ult i32 %r_next, 10\n"
    body += "  br i1 %again, label %rounds, label %out\nout:\n" + text + "  ret void"
    return image(body, extra)


def test_serviced_watchdog_lets_the_firmware_finish() -> None:
    outcome = run(serviced_image(), clock_hz=CLOCK_HZ)
    assert (outcome.final, outcome.code) == ("exit", 0) and outcome.instructions > 100_000
    assert outcome.notes["WDOG1"]["services"] == 10


def test_unserviced_watchdog_stops_the_run() -> None:
    outcome = run(serviced_image(), clock_hz=CLOCK_HZ, inject=("wdog-unserviced",))
    assert (outcome.stop_reason, outcome.final, outcome.status) == ("watchdog", None, 1)
    assert outcome.detail is not None and outcome.detail.startswith("WDOG1 expired")
    assert CLOCK_HZ // 2 <= outcome.instructions < CLOCK_HZ // 2 + 100
    (fault,) = outcome.injected
    assert fault.name == "wdog-unserviced" and fault.triggered >= 1
    assert outcome.report()["outcome"] == "watchdog"


def test_watchdog_expires_while_the_cpu_idles() -> None:
    """WFI with an enabled watchdog: time runs on to the deadline, which ends the run."""
    outcome = run(image(store(WDOG1, WCR_ENABLE, 16) + "  ret void"), clock_hz=CLOCK_HZ)
    assert outcome.stop_reason == "watchdog" and outcome.instructions < 100
    assert outcome.cycles == outcome.notes["WDOG1"]["deadline_cycle"] > CLOCK_HZ // 2


@pytest.mark.parametrize(("request_store", "reason", "detail"), [
    (store(WDOG1, 0x0020, 16), "reset", "SRS"),        # WCR.SRS written 0
    (store(SNVS + 0x38, 0x60), "power-off", "DP_EN and TOP"),
])
def test_reset_and_power_off_end_the_run_right_after_their_store(request_store: str, reason: str,
                                                                 detail: str) -> None:
    b, soc = board(EVK)
    body = request_store + store(LOAD + 0x8000, 1) + "  ret void"
    machine = Machine(image(body), b, soc)
    counted: list[int] = []
    machine.uc.hook_add(UC_HOOK_CODE, lambda *_: counted.append(1))
    outcome = machine.run()
    assert outcome.stop_reason == reason and detail in (outcome.detail or "")
    assert outcome.instructions == len(counted)  # the requesting store counts, nothing after it ran
    assert bytes(machine.uc.mem_read(LOAD + 0x8000, 4)) == bytes(4)
