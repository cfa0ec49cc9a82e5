"""Whole images on the simulated boards: hello, and tiny LLVM-made images that misbehave."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from unicorn import UC_HOOK_CODE

from tamapy.build import compile_app
from tamapy.diagnostics import TamapyError
from tamapy.link import LinkLayout
from tamapy.qemu import QEMU, run_qemu
from tamapy.sim import Machine, SimOutcome, simulate
from tamapy.sim.machine import Symbols
from tests.sim.support import LOAD, PROBE, UART1, board, hello, image, ptr
from tests.tools import require_tool

BOARD_NAMES = {"mcimx6ul-evk": b"MCIMX6UL-EVK", "usbarmory-mk2": b"USB armory Mk II"}


def run(elf: bytes, name: str = "mcimx6ul-evk", *, max_insns: int = 50_000_000,
        timeout: float = 30.0) -> SimOutcome:
    b, soc = board(name)
    return simulate(elf, b, soc, max_insns=max_insns, timeout=timeout)


# ------------------------------------------------------------------- hello


@pytest.mark.parametrize("name", sorted(BOARD_NAMES))
def test_hello_boots_and_exits_cleanly(name: str) -> None:
    elf = hello(name)
    start = time.perf_counter()
    outcome = run(elf, name)
    elapsed = time.perf_counter() - start
    assert outcome.output == (
        b"Hello from tamapy on " + BOARD_NAMES[name] + b"\n"
        b"proven Python firmware, no C inside\n"
        b"tamapy: exit 0\n"
    )
    assert (outcome.final, outcome.code, outcome.status) == ("exit", 0, 0)
    assert outcome.stop_reason == "final-line" and outcome.fault is None
    assert 0 < outcome.instructions < 10_000
    assert elapsed < 0.5


@pytest.mark.parametrize("name", sorted(BOARD_NAMES))
def test_hello_is_deterministic(name: str) -> None:
    first, second = run(hello(name), name), run(hello(name), name)
    assert first == second


@pytest.mark.parametrize("name", sorted(BOARD_NAMES))
def test_hello_console_matches_qemu(name: str, tmp_path: Path) -> None:
    require_tool(QEMU, "qemu-system-arm")
    elf = tmp_path / "hello.elf"
    elf.write_bytes(hello(name))
    b, _ = board(name)
    qemu = run_qemu(b, elf, timeout=20.0)
    sim = run(hello(name), name)
    assert (sim.output, sim.final, sim.code) == (qemu.output, qemu.final, qemu.code)


def stepped_run(elf: bytes, chunk: int = 3) -> tuple[SimOutcome, int]:
    """The outcome on the EVK, and how many instructions a per-instruction hook saw start."""
    b, soc = board("mcimx6ul-evk")
    machine = Machine(elf, b, soc, chunk=chunk)
    stepped = [0]

    def count(_uc: object, _address: int, _size: int, _user: object) -> None:
        stepped[0] += 1

    machine.uc.hook_add(UC_HOOK_CODE, count)
    return machine.run(), stepped[0]


@pytest.mark.parametrize("chunk", [1, 5, 64, 100_000])
def test_instruction_count_is_exact_across_chunk_boundaries(chunk: int) -> None:
    outcome, stepped = stepped_run(hello("mcimx6ul-evk"), chunk)
    assert outcome.stop_reason == "final-line"
    assert outcome.instructions == stepped == run(hello("mcimx6ul-evk")).instructions


def test_console_of_the_other_board_is_silent() -> None:
    """An EVK image prints on UART1; the Mk II's console is UART2."""
    b, soc = board("usbarmory-mk2")
    machine = Machine(hello("mcimx6ul-evk"), b, soc)
    outcome = machine.run(max_insns=100_000)
    assert outcome.output == b"" and outcome.final is None and outcome.status == 1
    assert bytes(machine.uart("UART1").transmitted).endswith(b"tamapy: exit 0\n")


def test_echo_receives_the_console_output() -> None:
    chunks: list[bytes] = []
    b, soc = board("usbarmory-mk2")
    outcome = simulate(hello("usbarmory-mk2"), b, soc, echo=chunks.append)
    assert b"".join(chunks) == outcome.output


def test_budget_stops_the_run_within_it() -> None:
    outcome = run(hello("mcimx6ul-evk"), max_insns=300)
    assert outcome.stop_reason == "max-insns" and 0 < outcome.instructions <= 300
    assert outcome.final is None and outcome.status == 1


# ------------------------------------------------- firmware written in the subset


def probe_app(project: Path, source: str) -> Path:
    """An application ``examples/probe`` in the test's private copy of the project."""
    app = project / "firmware" / "examples" / "probe"
    app.mkdir()
    (app / "__init__.py").write_text("")
    (app / "main.py").write_text(source)
    return app


@pytest.mark.parametrize("name", sorted(BOARD_NAMES))
def test_firmware_panic_is_the_final_line(project: Path, name: str) -> None:
    app = probe_app(project, """\"\"\"Panics after one line.\"\"\"

from runtime import console
from tamapy.fw import panic


def main() -> None:
    if not console.init():
        return
    console.write_line(b"about to panic")
    panic(0x1234)
""")
    outcome = run(compile_app(app, name, verify=False).image.elf, name)
    assert outcome.output == b"about to panic\ntamapy: panic 0x00001234\n"
    assert (outcome.final, outcome.code, outcome.stop_reason, outcome.status) == (
        "panic", 0x1234, "final-line", 1)


def test_driver_that_closes_its_clock_gate_is_stopped(project: Path) -> None:
    app = probe_app(project, """\"\"\"Sets up UART1 with its clock gate closed.\"\"\"

from soc.imx6ul import uart
from soc.imx6ul.regs import CCM, UART1


def main() -> None:
    CCM.CCGR5.modify(CG12=0)
    uart.init(UART1)
""")
    outcome = run(compile_app(app, "mcimx6ul-evk", verify=False).image.elf)
    fault = outcome.fault
    assert fault is not None and outcome.stop_reason == "fault"
    assert (fault.kind, fault.address) == ("clock-gated", UART1 + 0x80)  # uart.init's first write
    assert fault.symbol is not None and fault.symbol.startswith("examples.probe.main")
    assert "UART1.UCR1" in fault.message and "CCM.CCGR5.CG12 = 0b00" in fault.message


# -------------------------------------------------------- tiny images from IR

def word_at(elf: bytes, address: int) -> int:
    b, soc = board("mcimx6ul-evk")
    return int.from_bytes(Machine(elf, b, soc).uc.mem_read(address, 4), "little")


def is_ldr(word: int) -> bool:
    """LDR (word, immediate or register): bits 27:26 = 01, B = 0, L = 1."""
    return word & 0x0C50_0000 == 0x0410_0000


def test_unmapped_load_faults_with_pc_and_symbol() -> None:
    elf = image(f"  %v = load volatile i32, {ptr(0x3000_0000)}\n  ret void")
    outcome = run(elf)
    fault = outcome.fault
    assert fault is not None and outcome.stop_reason == "fault" and outcome.status == 1
    assert (fault.kind, fault.address, fault.symbol) == ("unmapped", 0x3000_0000, PROBE)
    assert "0x30000000" in fault.message
    assert is_ldr(word_at(elf, fault.pc))  # the PC is the faulting instruction's
    assert run(elf) == outcome
    again, stepped = stepped_run(elf)
    assert again == outcome and outcome.instructions == stepped - 1  # the LDR did not complete


def test_access_to_gated_uart_stops_the_run() -> None:
    body = f"""  store volatile i32 0, {ptr(0x020C_407C)}
  %v = load volatile i32, {ptr(UART1 + 0x80)}
  ret void"""
    elf = image(body)
    outcome = run(elf)
    fault = outcome.fault
    assert fault is not None
    assert (fault.kind, fault.address, fault.symbol) == ("clock-gated", UART1 + 0x80, PROBE)
    assert "CCGR5.CG12" in fault.message
    assert is_ldr(word_at(elf, fault.pc))  # exact PC for MMIO faults too, not the block start


def test_byte_access_to_word_register_stops_the_run() -> None:
    outcome = run(image(f"  %v = load volatile i8, {ptr(UART1 + 0x80)}\n  ret void"))
    assert outcome.fault is not None
    assert (outcome.fault.kind, outcome.fault.symbol) == ("width", PROBE)


def test_undefined_instruction_faults() -> None:
    outcome = run(image("  call void @llvm.trap()\n  unreachable"))
    fault = outcome.fault
    assert fault is not None and fault.kind == "undefined-instruction"
    assert fault.address is None and fault.symbol == PROBE


@pytest.mark.parametrize("hint", [1, 3])  # YIELD (a no-op) before the idle WFI; WFI at once
def test_wfi_with_nothing_pending_halts(hint: int) -> None:
    outcome, stepped = stepped_run(image(f"  call void @llvm.arm.hint(i32 {hint})\n  ret void"))
    assert (outcome.stop_reason, outcome.final, outcome.fault, outcome.status) == ("halted", None, None, 1)
    assert outcome.instructions == stepped


def test_wfe_with_no_event_source_halts() -> None:
    outcome, stepped = stepped_run(image("  call void @llvm.arm.hint(i32 2)\n  ret void"))
    assert (outcome.stop_reason, outcome.fault) == ("halted", None)
    assert outcome.instructions == stepped


def test_data_abort_is_reported_not_delivered() -> None:
    """LDREX from an unaligned address aborts whatever SCTLR.A says."""
    load = f"call i32 @llvm.arm.ldrex.p0(ptr elementtype(i32) inttoptr (i32 {LOAD + 0x8001} to ptr))"
    outcome, stepped = stepped_run(image(f"  %v = {load}\n  ret void", "declare i32 @llvm.arm.ldrex.p0(ptr)"))
    fault = outcome.fault
    assert fault is not None and outcome.stop_reason == "fault"
    assert (fault.kind, fault.symbol) == ("cpu-exception", PROBE)
    assert "data abort" in fault.message
    assert outcome.instructions == stepped - 1  # the aborted LDREX did not complete


def test_endless_loop_hits_the_budget_or_the_timeout() -> None:
    body = f"""  br label %spin
spin:
  store volatile i32 1, {ptr(LOAD + 0x8000)}
  br label %spin"""
    elf = image(body)
    by_budget = run(elf, max_insns=200_000)
    assert by_budget.stop_reason == "max-insns" and by_budget.instructions <= 200_000
    assert run(elf, max_insns=10**12, timeout=0.05).stop_reason == "timeout"


UART_ON = f"""  store volatile i32 16423, {ptr(UART1 + 0x84)}
  store volatile i32 1, {ptr(UART1 + 0x80)}"""  # UCR2 = IRTS|WS|TXEN|RXEN|SRST; UCR1 = UARTEN


def test_panic_line_ends_the_run_with_failure() -> None:
    text = b"tamapy: panic 0xdeadbeef\n"
    extra = f'@msg = constant [{len(text)} x i8] c"{text[:-1].decode()}\\0A"'
    body = f"""{UART_ON}
  br label %loop
loop:
  %i = phi i32 [0, %0], [%next, %loop]
  %p = getelementptr [{len(text)} x i8], ptr @msg, i32 0, i32 %i
  %c = load i8, ptr %p
  %w = zext i8 %c to i32
  store volatile i32 %w, {ptr(UART1 + 0x40)}
  %next = add i32 %i, 1
  %more = icmp ult i32 %next, {len(text)}
  br i1 %more, label %loop, label %done
done:
  ret void"""
    outcome = run(image(body, extra))
    assert outcome.output == text
    assert (outcome.final, outcome.code, outcome.stop_reason, outcome.status) == (
        "panic", 0xDEADBEEF, "final-line", 1)


def test_console_input_reaches_the_firmware() -> None:
    """The image echoes what it reads from URXD until a newline."""
    body = f"""{UART_ON}
  br label %poll
poll:
  %d = load volatile i32, {ptr(UART1)}
  %ready = icmp uge i32 %d, 32768
  br i1 %ready, label %got, label %poll
got:
  %b = and i32 %d, 255
  store volatile i32 %b, {ptr(UART1 + 0x40)}
  %nl = icmp eq i32 %b, 10
  br i1 %nl, label %done, label %poll
done:
  ret void"""
    b, soc = board("mcimx6ul-evk")
    machine = Machine(image(body), b, soc)
    machine.feed_console(b"hi\ntamapy: exit 7\n")
    outcome = machine.run(max_insns=100_000)
    assert outcome.output == b"hi\n"  # the image stops echoing at the first newline
    assert outcome.stop_reason == "halted"
    machine = Machine(image(body.replace("%nl = icmp eq i32 %b, 10", "%nl = icmp eq i32 %b, 0")), b, soc)
    machine.feed_console(b"hi\ntamapy: exit 7\n")
    outcome = machine.run(max_insns=100_000)
    assert outcome.output == b"hi\ntamapy: exit 7\n"
    assert (outcome.final, outcome.code, outcome.status) == ("exit", 7, 1)


# ------------------------------------------------------------------ bad images


def test_not_an_elf_is_bad_input() -> None:
    with pytest.raises(TamapyError) as info:
        run(b"\x7fELF but not really")
    assert info.value.diagnostics[0].code == "E520"


def test_image_outside_board_memory_is_bad_input() -> None:
    layout = LinkLayout(load_address=0x3000_0000, stack_size=0x1000, exception_stack_size=0x1000,
                        entry_symbol="vectors")
    with pytest.raises(TamapyError) as info:
        run(image("  ret void", layout=layout))
    assert info.value.diagnostics[0].code == "E521"


# -------------------------------------------------------------- symbolisation


def test_symbols_use_size_or_nearest_preceding_for_size_zero() -> None:
    symbols = Symbols([(0x100, 0x10, "sized"), (0x200, 0, "unsized")])
    assert symbols.function_at(0x0FF) is None
    assert symbols.function_at(0x100) == "sized"
    assert symbols.function_at(0x10F) == "sized"
    assert symbols.function_at(0x110) is None
    assert symbols.function_at(0x2FF) == "unsized"
