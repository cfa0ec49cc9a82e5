"""Functions written for the differential tests: the kind of helpers drivers contain.

Bit-field arithmetic, loops over arrays, signed arithmetic and register
field packing on the synthetic DIFF block (specs: tests/fw/data/diff.toml).
Each is ordinary subset code; the tests run it compiled and in CPython.
"""

from enum import IntEnum
from typing import Final

from soc.imx6ul import gpio
from soc.imx6ul.regs import DIFF1, DIFF2, GPIO1, UART, WDOG1
from tamapy.fw import (
    Array, Bytes, MutView, RegValue, View, i8, i16, i32, i64, invariant, panic, poll, struct, u8, u16, u32, u64,
)

CRC8_POLY: Final = 0x07
SORT_LEN: Final = 8
WORDS: Final = Array[u32, 8](
    0x428A2F98, 0xFFFFFFFF, 0, 1, 0x80000000, 0x12345678, 0xDEADBEEF, CRC8_POLY << 28,
)
HALVES: Final[Array[u16, 5]] = Array[u16, 5](0xFFFF, 0x8000, 0x00FF, SORT_LEN, 7)
SIGNED: Final = Array[i8, 6](-128, -1, 0, 1, 127, -(SORT_LEN + 1))


def field_get(value: u32, lsb: u32, width: u32) -> u32:
    """Bits ``lsb + width - 1 .. lsb`` of ``value`` (``lsb + width <= 32``)."""
    mask: u64 = (u64(1) << width) - 1
    return u32((u64(value) >> lsb) & mask)


def field_set(value: u32, lsb: u32, width: u32, field: u32) -> u32:
    """``value`` with bits ``lsb + width - 1 .. lsb`` replaced by the low bits of ``field``."""
    mask: u64 = (u64(1) << width) - 1
    keep: u64 = 0xFFFFFFFF ^ (mask << lsb)
    return u32((u64(value) & keep) | ((u64(field) & mask) << lsb))


def popcount(value: u32) -> u32:
    count: u32 = 0
    rest: u32 = value
    while rest != 0:
        count += rest & 1
        rest = rest >> 1
    return count


def reverse_bits(value: u32) -> u32:
    out: u32 = 0
    for i in range(0, 32):
        if (value >> i) & 1 == 1:
            out = out | (u32(1) << (31 - i))
    return out


def isqrt(n: u32) -> u32:
    """The integer square root, bit by bit."""
    root: u64 = 0
    bit: u64 = u64(1) << 30
    rest: u64 = u64(n)
    while bit > rest:
        bit = bit >> 2
    while bit != 0:
        if rest >= root + bit:
            rest -= root + bit
            root = (root >> 1) + bit
        else:
            root = root >> 1
        bit = bit >> 2
    return u32(root)


def gcd(a: u32, b: u32) -> u32:
    x: u32 = a
    y: u32 = b
    while y != 0:
        t: u32 = x % y
        x = y
        y = t
    return x


def crc8(data: View[u8]) -> u8:
    """CRC-8 (polynomial 0x07, initial value 0) of ``data``."""
    crc: u8 = 0
    for i in range(0, len(data)):
        crc = crc ^ data[i]
        for _bit in range(0, 8):
            if crc & 0x80 != 0:
                crc = u8(((u32(crc) << 1) ^ CRC8_POLY) & 0xFF)
            else:
                crc = u8((u32(crc) << 1) & 0xFF)
    return crc


def crc8_of_words(a: u32, b: u32, c: u32, n: u32) -> u32:
    """CRC-8 of the first ``n`` (at most 12) little-endian bytes of a, b, c."""
    buf: Bytes[12] = Bytes[12]()
    for i in range(0, 4):
        buf[i] = u8((a >> (8 * i)) & 0xFF)
        buf[4 + i] = u8((b >> (8 * i)) & 0xFF)
        buf[8 + i] = u8((c >> (8 * i)) & 0xFF)
    return u32(crc8(buf[0:n]))


def sort_checksum(seed: u32, n: u32) -> u64:
    """Fill an array from an LCG, insertion-sort the first ``n`` elements, weigh them by position."""
    values: Array[u32, 8] = Array[u32, 8]()
    state: u32 = seed
    for i in range(0, SORT_LEN):
        state = u32((u64(state) * 1664525 + 1013904223) & 0xFFFFFFFF)
        values[i] = state >> 8
    for i in range(1, n):
        invariant(i < SORT_LEN)
        j: u32 = i
        while j > 0 and values[j - 1] > values[j]:
            t: u32 = values[j]
            values[j] = values[j - 1]
            values[j - 1] = t
            j -= 1
    total: u64 = 0
    for i in range(0, SORT_LEN):
        total += u64(values[i]) * (i + 1)
    return total


def sat_add(a: i16, b: i16) -> i16:
    """Saturating 16-bit signed addition."""
    total: i32 = i32(a) + i32(b)
    if total > 32767:
        return 32767
    if total < -32768:
        return -32768
    return i16(total)


def sign_extend(value: u32, bits: u32) -> i32:
    """The low ``bits`` (1..32) of ``value`` as a two's complement number."""
    low: i64 = i64(value) & ((i64(1) << bits) - 1)
    if low >> (bits - 1) == 1:
        low -= i64(1) << bits
    return i32(low)


def floor_mix(a: i32, b: i32) -> i64:
    """Floor division and modulo with negative operands, and an arithmetic shift."""
    return i64(a // b) * 1000 + i64(a % b) + i64(a >> 3)


def checked_index(n: u32) -> u32:
    """Index a Bytes[4] with ``n``: out of bounds panics with 0xFFFF0001."""
    buf: Bytes[4] = Bytes[4]()
    buf[0] = 7
    return u32(buf[n])


def checked_divide(a: u32, b: u32) -> u32:
    return a // b


def checked_assert(a: u32) -> u32:
    assert a < 1000
    return a + 1


def explicit_panic(code: u32) -> u32:
    if code >= 0x100:
        panic(code)
    return code


# ---------------------------------------------------------------- registers


def pack_ctrl(mode: u8, speed: u8, level: u8) -> u32:
    """Whole writes, read-modify-writes and alias writes of DIFF1.CTRL, then read it back."""
    DIFF1.CTRL.write(MODE=mode & 0xF, LEVEL=level)
    DIFF1.CTRL.modify(SPEED=speed & 0x3)
    DIFF1.CTRL.set(MODE=(mode >> 4) & 0xF)
    DIFF1.CTRL.clear(LEVEL=level & 0x0F)
    DIFF1.CTRL.toggle(SPEED=(speed >> 2) & 0x3, MODE=1)
    return DIFF1.CTRL.read()


def fields_of_ctrl() -> u32:
    """Reads of single fields: one load each."""
    return u32(DIFF1.CTRL.MODE) + (u32(DIFF1.CTRL.SPEED) << 4) + (u32(DIFF1.CTRL.LEVEL) << 8)


def stat_clear(done: bool, flags: u8) -> u32:
    """W1C clears without an alias, and a whole write of a W1C register."""
    if done:
        DIFF1.STAT.clear(DONE=1)
    DIFF1.STAT.write(FLAGS=flags & 0xF)
    return DIFF1.STAT.read()


def cfg_modify(a: u8, c: u8, raw: u32) -> u32:
    """Read-modify-write keeps unnamed fields and forces the reserved bits; a raw write
    that keeps the reserved bits at their required value."""
    DIFF1.CFG.modify(A=a & 0xF, C=c)
    first: u32 = DIFF1.CFG.read()
    DIFF1.CFG.write((raw & 0xFF00FFFF) | 0x00340000)
    return first ^ DIFF1.CFG.read()


def narrow_registers(lo: u8, y: u8) -> u32:
    """8- and 16-bit registers: accesses of their own width."""
    DIFF1.BYTE.modify(LO=lo & 0xF)
    DIFF1.HALF.write(Y=y)
    DIFF1.DATA.write(V=u16(DIFF1.HALF.read()))
    return (u32(DIFF1.BYTE.read()) << 16) | u32(DIFF1.HALF.X)


def modify_from_register(n: u8) -> u32:
    """A field value that is itself a register read, inside a read-modify-write."""
    DIFF1.CTRL.write(MODE=n & 0xF)
    DIFF1.CFG.modify(B=DIFF1.CTRL.MODE)
    return DIFF1.CFG.read()


def poll_compound(limit_case: u32) -> u32:
    """poll re-evaluates its whole condition, ``and``/``not`` included."""
    found: u32 = 0
    if poll(DIFF1.CTRL.BUSY == 1 or DIFF1.STAT.DONE == 0, limit=5):
        found += 1
    if poll(not DIFF1.CTRL.MODE == (limit_case & 0xF), limit=3):
        found += 2
    if poll(DIFF1.FIFO.VALUE == 0x42 and DIFF1.CTRL.SPEED == 3, limit=4):
        found += 4
    return found


def drain(uart: UART, limit: u32) -> u32:
    """Read received bytes until none is left (at most 40), folding them into a checksum."""
    total: u32 = 0
    count: u32 = 0
    for _i in range(0, 40):
        if not poll(uart.USR2.RDR == 1, limit=3):
            break
        data: u32 = uart.URXD.read()
        total = (total * 31 + (data & 0xFF)) & 0xFFFFFF
        count += 1
        if count == limit:
            break
    return (count << 24) | total


def software_reset(spin: u32) -> u32:
    """WCR.SRS = 0 asks for a reset: the watchdog model ends the run right after the store."""
    DIFF1.CTRL.write(MODE=spin & 0xF)
    WDOG1.WCR.write(SRS=0)
    DIFF1.CTRL.write(MODE=0)
    return spin


def touch_gated() -> u32:
    """DIFF2's clock gate is off at reset: this access faults on both sides."""
    DIFF2.CTRL.write(MODE=1)
    return 1


def preset(ctrl: u32, cfg: u32, narrow: u32) -> None:
    """Put varied values in the DIFF1 registers the evaluation-order probes read."""
    DIFF1.CTRL.write(MODE=ctrl & 0xF, SPEED=(ctrl >> 4) & 0x3, LEVEL=(ctrl >> 8) & 0xFF)
    DIFF1.CFG.write((cfg & 0xFF00FFFF) | 0x00340000)
    DIFF1.BYTE.write(u8(narrow & 0xFF))
    DIFF1.HALF.write(u16((narrow >> 8) & 0xFFFF))


def order_binary() -> u32:
    """Operands are evaluated left to right."""
    return (u32(DIFF1.CTRL.MODE) << 8) ^ u32(DIFF1.CFG.A) + u32(DIFF1.BYTE.LO) * u32(DIFF1.HALF.X)


def order_call_arguments() -> u32:
    return field_set(DIFF1.CFG.read(), u32(DIFF1.CTRL.MODE), 4, DIFF1.STAT.read())


def order_store_element() -> u32:
    """``buf[i] = v`` evaluates v before i (CPython's order for subscript assignment)."""
    buf: Array[u32, 16] = Array[u32, 16]()
    buf[DIFF1.CTRL.MODE] = DIFF1.CFG.read()
    return buf[5]


def order_chain() -> u32:
    """A chained comparison reads its middle operand once."""
    if u32(DIFF1.BYTE.LO) < u32(DIFF1.CTRL.MODE) <= u32(DIFF1.HALF.X):
        return 1
    return 0


def order_conditional() -> u32:
    value: u32 = u32(DIFF1.BYTE.LO) if DIFF1.CTRL.MODE == 5 else u32(DIFF1.HALF.X)
    return value


class Level(IntEnum):
    LOW = 0
    MID = 1
    HIGH = 2


calls: u32 = 0
history: Bytes[8] = Bytes[8]()


def classify(value: u32) -> Level:
    """An enum result, and module globals (a counter and an array) updated on each call."""
    global calls
    calls += 1
    history[calls % 8] = u8(value & 0xFF)
    if value < 100:
        return Level.LOW
    if value < 10000:
        return Level.MID
    return Level.HIGH


def classify_all(a: u32, b: u32, c: u32) -> u32:
    total: u32 = u32(classify(a)) * 100 + u32(classify(b)) * 10 + u32(classify(c))
    if classify(a) == Level.HIGH:
        total += 1000
    return total * 1000 + calls * 100 + u32(history[2]) + u32(history[3])


def weigh(part: View[u8]) -> u32:
    total: u32 = u32(len(part)) * 100000
    for k in range(0, len(part)):
        total += u32(part[k]) * (k + 1)
    return total + u32(crc8(part))


def weigh_slice(whole: View[u8], i: u32, j: u32) -> u32:
    """A view of a view; bounds outside it panic with 0xFFFF0001."""
    return weigh(whole[i:j])


def view_slices(a: u32, b: u32, i: u32, j: u32) -> u32:
    buf: Bytes[8] = Bytes[8]()
    for k in range(0, 4):
        buf[k] = u8((a >> (8 * k)) & 0xFF)
        buf[4 + k] = u8((b >> (8 * k)) & 0xFF)
    return weigh_slice(buf[1:8], i, j) + weigh_slice(b"constant", j & 7, 8)


def chosen_views(a: u32, b: u32, i: u32) -> u32:
    """Views chosen by conditions: arms of different lengths, of a local, a slice and a literal."""
    buf: Bytes[8] = Bytes[8]()
    for k in range(0, 4):
        buf[k] = u8((a >> (8 * k)) & 0xFF)
        buf[4 + k] = u8((b >> (8 * k)) & 0xFF)
    first: u32 = weigh(b"on" if a & 1 == 1 else b"off")
    second: u32 = weigh(buf[0:i & 7] if b & 1 == 1 else buf)
    return first + second + weigh(b"constant" if i > 3 else buf[4:8])


def stamp(out: MutView[u16], seed: u32, n: u32) -> None:
    """Writes ``n`` elements through the view; past its length both sides panic (0xFFFF0001)."""
    for k in range(0, n):
        out[k] = u16((seed + k * 0x1111) & 0xFFFF)


def written_windows(seed: u32, i: u32, n: u32) -> u32:
    """Writes through views of a local: the window lands at its offset, the rest is untouched."""
    words: Array[u16, 8] = Array[u16, 8]()
    for k in range(0, 8):
        words[k] = u16(k)
    stamp(words[i & 7:8], seed, n & 7)
    total: u32 = 0
    for k in range(0, 8):
        total = (total * 31 + words[k]) & 0xFFFFFFFF
    return total


def scale_in_place(values: Array[u32, 4], factor: u32) -> None:
    for i in range(0, 4):
        values[i] = (values[i] * factor) & 0xFFFFFFFF


def arrays_by_reference(a: u32, b: u32) -> u32:
    values: Array[u32, 4] = Array[u32, 4]()
    values[0] = a
    values[3] = b
    scale_in_place(values, 3)
    scale_in_place(values, a & 0xFF)
    return values[0] ^ values[3]


def register_array(i: u32, a: u32, b: u32) -> u32:
    """Element-wise writes and reads of DIFF1.SLOT[0..3]: each element keeps its own value."""
    for k in range(0, 4):
        DIFF1.SLOT[k].write(LO=k + 1)
    DIFF1.SLOT[i & 3].modify(HI=a & 0xFF)
    DIFF1.SLOT[(i + 1) & 3].set(LO=b & 0xF0)
    total: u32 = 0
    for k in range(0, 4):
        total = (total << 8) | u32(DIFF1.SLOT[k].LO)
    return total ^ (u32(DIFF1.SLOT[i & 3].HI) << 24)


def field_arrays(i: u32, a: u32, b: u32) -> u32:
    """Elements of DIFF1.PINS (2 bits, 3 apart, aliases) and DIFF1.EVT (W1C) at run-time indexes:
    each write changes its one element, the reads shift it down from where it sits."""
    k: u32 = i & 3
    DIFF1.PINS.P.write(k, a & 3)
    DIFF1.PINS.P.set((k + 1) & 3)
    DIFF1.PINS.P.clear((k + 2) & 3)
    DIFF1.PINS.P.toggle((k + 3) & 3)
    DIFF1.EVT.E.clear(b & 7)
    total: u32 = 0
    for n in range(0, 4):
        total = (total << 2) | u32(DIFF1.PINS.P[n])
    ev: RegValue[DIFF1.EVT] = DIFF1.EVT.read()
    mixed: u32 = (u32(ev.E[(b + 2) & 7]) << 4) | (u32(ev.E[7]) << 1) | u32(ev.E[0])
    return (total << 16) | (u32(DIFF1.EVT.E[(b + 1) & 7]) << 8) | mixed


def field_array_unchecked(i: u32, j: u32) -> u32:
    """Elements ``i`` of DIFF1.PINS.P and ``j`` of a value of EVT, unproved: outside the arrays
    the compiled code panics (bounds) where CPython raises IndexError."""
    ev: RegValue[DIFF1.EVT] = DIFF1.EVT.read()
    return (u32(DIFF1.PINS.P[i]) << 1) | u32(ev.E[j])


def gpio_pins(pin: u32, level: u32, steps: u32) -> u32:
    """The GPIO driver on GPIO1: a pin made an output, toggled ``steps`` times, read at the pad."""
    gpio.make_output(GPIO1, pin & 31, level)
    for n in range(0, steps & 7):
        gpio.toggle_pin(GPIO1, pin & 31)
    gpio.make_output(GPIO1, (pin + 1) & 31, 1)
    gpio.make_input(GPIO1, (pin + 1) & 31)
    return (gpio.read_pin(GPIO1, pin & 31) << 1) | gpio.read_pin(GPIO1, (pin + 1) & 31)


def sum_view(words: View[u32]) -> u64:
    total: u64 = 0
    for k in range(0, len(words)):
        total += words[k]
    return total


def tables(i: u32, j: u32, k: u32) -> i64:
    """Elements of constant u32, u16 and i8 tables (indexes out of range panic), and a table as a view."""
    word: u32 = WORDS[i]
    low: u32 = u32(sum_view(WORDS[i:8]) & 0xFFFF)
    return i64(word ^ (u32(HALVES[j]) << 3)) * 300 + SIGNED[k] * 7 + low


@struct
class Record:
    """Members of every width, signed ones, a bytes member and a word array, little-endian."""
    tag: u8
    level: i8
    port: u16
    length: u32
    name: Bytes[6]
    delta: i16
    words: Array[u32, 3]
    offset: i32
    stamp: u64


def record_total(r: Record) -> u32:
    """A digest of every member, each weighted so that a member read from the wrong bytes shows."""
    total: u64 = u64(r.tag) * 3 + u64(r.port) * 5 + u64(r.length) * 7 + (r.stamp & 0xFFFFFFFF) * 11
    for k in range(0, 6):
        total = (total * 31 + r.name[k]) & 0xFFFFFFFFFFFFFFFF
    for k in range(0, 3):
        total = (total * 37 + r.words[k]) & 0xFFFFFFFFFFFFFFFF
    biased: i64 = i64(r.level) + 128 + (i64(r.delta) + 32768) * 3 + (i64(r.offset) + 0x80000000) * 5
    total = (total + u64(biased)) & 0xFFFFFFFFFFFFFFFF
    return u32((total ^ (total >> 32)) & 0xFFFFFFFF)


def name_bytes(out: MutView[u8], seed: u32) -> None:
    for k in range(0, len(out)):
        out[k] = u8((seed >> (k * 4)) & 0xFF)


def records(a: u32, b: u32, i: u32) -> u32:
    """Members written by name and through a byte window, then read back; ``words[i]`` panics past 2."""
    r: Record = Record()
    r.tag = u8(a & 0xFF)
    r.level = i8((a >> 8 & 0xFF) - 128)
    r.port = u16(b & 0xFFFF)
    r.length = a ^ b
    name_bytes(r.name[a & 3:6], b)
    r.delta = i16((b >> 16) - 32768)
    r.words[i] = b
    r.offset = i32(a >> 1) - i32(b >> 1)
    r.stamp = u64(a) << 32 | b
    r.length += 1 if r.length < 0xFFFFFFFF else 0
    return record_total(r)
