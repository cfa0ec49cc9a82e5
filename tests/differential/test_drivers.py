"""The real drivers and runtime, compiled and in CPython: same results, same MMIO traces.

Functions under test (firmware/): ``soc.imx6ul.uart.init/putc/getc``,
``board.<board>.console.init/putc`` on both boards, ``runtime.console``
(``init``, ``write``, ``write_hex``, ``write_dec``, ``newline``,
``write_line``, ``board_name``), ``runtime.panic.on_panic`` and the whole
hello example (``runtime.system.finish`` included).
"""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tamapy.build import compile_app
from tamapy.sim import Machine, MmioAccess
from tamapy.sim.host import Host
from tamapy.sim.outcome import trace_keys
from tests.differential.harness import Differential

U32 = st.integers(0, 2**32 - 1)
BYTE = st.integers(0, 255)
UART_NO = st.integers(1, 7)
SETTINGS = settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@SETTINGS
@given(k=UART_NO)
def test_uart_init_on_every_instance(evk: Differential, k: int) -> None:
    result = evk.check(1, k)
    assert result.value == 1


@SETTINGS
@given(k=UART_NO, ch=BYTE, enabled=st.booleans())
def test_uart_putc(evk: Differential, k: int, ch: int, enabled: bool) -> None:
    result = evk.check(2, k, ch, int(enabled))
    sent = dict(result.sent)
    assert sent.get(f"UART{k}", b"") == (bytes([ch]) if enabled else b"")


@SETTINGS
@given(k=UART_NO, limit=st.integers(0, 6), data=st.binary(max_size=3))
def test_uart_getc(evk: Differential, k: int, limit: int, data: bytes) -> None:
    result = evk.check(3, k, limit, rx={f"UART{k}": data})
    assert result.value == (data[0] if data and limit else 0x100)


@SETTINGS
@given(ch=BYTE)
def test_board_console_putc_evk(evk: Differential, ch: int) -> None:
    assert evk.check(5, ch).sent == (("UART1", bytes([ch])),)


@SETTINGS
@given(ch=BYTE)
def test_board_console_putc_armory(armory: Differential, ch: int) -> None:
    assert armory.check(5, ch).sent == (("UART2", bytes([ch])),)


def test_board_console_init_evk(evk: Differential) -> None:
    assert evk.check(4).value == 1


def test_board_console_init_armory(armory: Differential) -> None:
    assert armory.check(4).value == 1


@SETTINGS
@given(value=U32, digits=st.integers(0, 8))
def test_write_hex(evk: Differential, value: int, digits: int) -> None:
    result = evk.check(6, value, digits)
    assert dict(result.sent).get("UART1", b"") == (f"{value:08x}"[8 - digits:] if digits else "").encode()


@SETTINGS
@given(value=U32)
def test_write_dec(armory: Differential, value: int) -> None:
    result = armory.check(7, value)
    assert dict(result.sent)["UART2"] == str(value).encode()


@SETTINGS
@given(a=U32, b=U32, n=st.integers(0, 8))
def test_write_of_a_view(evk: Differential, a: int, b: int, n: int) -> None:
    result = evk.check(8, a, b, n)
    assert dict(result.sent)["UART1"] == (a.to_bytes(4, "little") + b.to_bytes(4, "little"))[:n] + b"\n"


@SETTINGS
@given(code=U32)
def test_on_panic(evk: Differential, code: int) -> None:
    result = evk.check(9, code)
    assert result.status == "panic" and result.value == code  # its final line stops the simulator


def test_board_name_and_write_line_evk(evk: Differential) -> None:
    assert dict(evk.check(10).sent)["UART1"] == b"MCIMX6UL-EVK!\n"


def test_board_name_and_write_line_armory(armory: Differential) -> None:
    assert dict(armory.check(10).sent)["UART2"] == b"USB armory Mk II!\n"


def test_hello_example_on_both_boards(diff_project: Path) -> None:
    """A whole program: main() of examples/hello, simulated and on the host."""
    for board in ("mcimx6ul-evk", "usbarmory-mk2"):
        image = compile_app(diff_project / "firmware" / "examples" / "hello", board, verify=False)
        with Host(diff_project, board) as host:
            compiled_trace: list[MmioAccess] = []
            outcome = Machine(image.image.elf, host.board, host.soc, trace=compiled_trace.append).run()
            hosted = host.run(host.module("examples.hello.main").main)
            assert outcome.final == "exit" and outcome.code == 0
            assert hosted.status == "halted"
            assert bytes(host.console.transmitted) == outcome.output
            assert trace_keys(hosted.trace) == trace_keys(compiled_trace)
