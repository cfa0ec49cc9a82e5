"""One entry point for every differential case: ``run(op, a, b, c, d)``.

The compiled harness (``app/main.py``) reads ``op`` and the arguments from
OCRAM and calls ``run``; the host calls the same ``run``.  Everything below
it -- real drivers and the test subjects -- is therefore the same code on
both sides.  Each case converts its u32 arguments to what the function
under test takes and returns an i64.
"""

from board import console as board_console
from difftest import order, subjects
from runtime import console, panic
from soc.imx6ul import uart
from soc.imx6ul.regs import UART1, UART2, UART3, UART4, UART5, UART6, UART7, UART
from tamapy.fw import Bytes, i16, i32, i64, u8, u32


def pick_uart(k: u32) -> UART:
    if k == 1:
        return UART1
    if k == 2:
        return UART2
    if k == 3:
        return UART3
    if k == 4:
        return UART4
    if k == 5:
        return UART5
    if k == 6:
        return UART6
    return UART7


def write_words(a: u32, b: u32, n: u32) -> None:
    """console.write of a view of the first ``n`` (at most 8) bytes of a, b."""
    buf: Bytes[8] = Bytes[8]()
    for i in range(0, 4):
        buf[i] = u8((a >> (8 * i)) & 0xFF)
        buf[4 + i] = u8((b >> (8 * i)) & 0xFF)
    console.write(buf[0:n])


def run(op: u32, a: u32, b: u32, c: u32, d: u32) -> i64:
    # real firmware
    if op == 1:
        return i64(uart.init(pick_uart(a)))
    if op == 2:
        port: UART = pick_uart(a)
        if c == 1:
            uart.init(port)
        return i64(uart.putc(port, u8(b)))
    if op == 3:
        return i64(uart.getc(pick_uart(a), b))  # no init: its software reset would empty the RX FIFO
    if op == 4:
        return i64(console.init())
    if op == 5:
        console.init()
        return i64(uart.putc(board_console.PORT, u8(a)))
    if op == 6:
        console.init()
        console.write_hex(a, b)
        return 0
    if op == 7:
        console.init()
        console.write_dec(a)
        return 0
    if op == 8:
        console.init()
        write_words(a, b, c)
        console.newline()
        return 0
    if op == 9:
        panic.on_panic(a)
        return 0
    if op == 10:
        console.init()
        console.board_name()
        console.write_line(b"!")
        return 0
    # helpers
    if op == 20:
        return i64(subjects.field_get(a, b, c))
    if op == 21:
        return i64(subjects.field_set(a, b, c, d))
    if op == 22:
        return i64(subjects.popcount(a))
    if op == 23:
        return i64(subjects.reverse_bits(a))
    if op == 24:
        return i64(subjects.isqrt(a))
    if op == 25:
        return i64(subjects.gcd(a, b))
    if op == 26:
        return i64(subjects.crc8_of_words(a, b, c, d))
    if op == 27:
        return i64(subjects.sort_checksum(a, b))
    if op == 28:
        return i64(subjects.sat_add(i16(i32(a) - 32768), i16(i32(b) - 32768)))
    if op == 29:
        return i64(subjects.sign_extend(a, b))
    if op == 30:
        return subjects.floor_mix(i32(i64(a) - 2147483648), i32(i64(b) - 2147483648))
    # safety checks and panics
    if op == 40:
        return i64(subjects.checked_index(a))
    if op == 41:
        return i64(subjects.checked_divide(a, b))
    if op == 42:
        return i64(subjects.checked_assert(a))
    if op == 43:
        return i64(subjects.explicit_panic(a))
    # registers
    if op == 50:
        return i64(subjects.pack_ctrl(u8(a), u8(b), u8(c)))
    if op == 51:
        subjects.pack_ctrl(u8(a), u8(b), u8(c))
        return i64(subjects.fields_of_ctrl())
    if op == 52:
        return i64(subjects.stat_clear(a == 1, u8(b)))
    if op == 53:
        return i64(subjects.cfg_modify(u8(a), u8(b), c))
    if op == 54:
        return i64(subjects.narrow_registers(u8(a), u8(b)))
    if op == 55:
        return i64(subjects.modify_from_register(u8(a)))
    if op == 56:
        subjects.pack_ctrl(u8(a), u8(b), u8(c))
        return i64(subjects.poll_compound(d))
    if op == 57:
        return i64(subjects.drain(pick_uart(a), b))
    if op == 58:
        return i64(subjects.touch_gated())
    if op == 59:
        return i64(subjects.software_reset(a))
    # evaluation order
    if op >= 60 and op <= 65:
        subjects.preset(a, b, c)
    if op == 60:
        return i64(subjects.order_binary())
    if op == 61:
        return i64(subjects.order_call_arguments())
    if op == 62:
        return i64(subjects.order_store_element())
    if op == 64:
        return i64(subjects.order_chain())
    if op == 65:
        return i64(subjects.order_conditional())
    # evaluation order with calls (effects on module globals)
    if op >= 80 and op <= 86:
        order.reset()
    if op == 80:
        return i64(order.global_before_call(a))
    if op == 81:
        return i64(order.short_circuit(a))
    if op == 82:
        return i64(order.chain(a))
    if op == 83:
        return i64(order.conditional(a))
    if op == 84:
        return i64(order.loop_condition(a))
    if op == 85:
        return i64(order.polled(a))
    if op == 86:
        return i64(order.arguments(a))
    if op == 87:
        return i64(subjects.register_array(a, b, c))
    if op == 88:
        return i64(subjects.field_arrays(a, b, c))
    if op == 89:
        return i64(subjects.gpio_pins(a, b, c))
    if op == 90:
        return i64(subjects.field_array_unchecked(a, b))
    # views and arrays
    if op == 31:
        return i64(subjects.view_slices(a, b, c, d))
    if op == 32:
        return i64(subjects.arrays_by_reference(a, b))
    if op == 33:
        return i64(subjects.chosen_views(a, b, c))
    if op == 34:
        return i64(subjects.written_windows(a, b, c))
    if op == 35:
        return subjects.tables(a, b, c)
    if op == 36:
        return i64(subjects.records(a, b, c))
    # enums and module globals
    if op == 70:
        return i64(subjects.classify_all(a, b, c))
    return -1
