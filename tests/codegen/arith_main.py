"""Test firmware: runs one operation chosen by the host on inputs in OCRAM.

Words at 0x00900000: op, a, b, c, d.  Results go to 0x00900100.  The host
(the test) feeds bit patterns and compares with what CPython computes.
"""

from typing import Final

from tamapy.fw import Bytes, i8, i32, i64, mmio, trusted, u8, u32, u64

IN: Final = 0x00900000
OUT: Final = 0x00900100


@trusted("test harness input from OCRAM")
def load(i: u32) -> u32:
    return mmio.read32(IN + 4 * i)


@trusted("test harness output to OCRAM")
def store(i: u32, v: u32) -> None:
    mmio.write32(OUT + 4 * i, v)


def fdiv32(a: i32, b: i32) -> i32:
    return a // b


def fmod32(a: i32, b: i32) -> i32:
    return a % b


def fdiv8(a: i8, b: i8) -> i8:
    return a // b


def fmod8(a: i8, b: i8) -> i8:
    return a % b


def fdiv64(a: i64, b: i64) -> i64:
    return a // b


def fmod64(a: i64, b: i64) -> i64:
    return a % b


def udiv64(a: u64, b: u64) -> u64:
    return a // b


def umod64(a: u64, b: u64) -> u64:
    return a % b


def shl32(a: u32, n: u32) -> u32:
    return a << n


def shr32(a: u32, n: u32) -> u32:
    return a >> n


def sar32(a: i32, n: u32) -> i32:
    return a >> n


def mixed_lt(a: u32, b: i32) -> bool:
    return a < b


def chain(a: i32, b: i32, c: i32) -> bool:
    return a < b <= c


def sum_step3(a: i32, b: i32) -> i64:
    total: i64 = 0
    for i in range(a, b, 3):
        total += i
    return total


def sum_down2(a: i32, b: i32) -> i64:
    total: i64 = 0
    for i in range(a, b, -2):
        total += i
    return total


def count_u8_step7(a: u8, b: u8) -> u32:
    n: u32 = 0
    for _i in range(a, b, 7):
        n += 1
    return n


def low_mask(a: u32) -> u32:
    return ~a & 0xFFFF


def widen_mul(a: u32, b: u32) -> u64:
    return a * b


def bytes_sum(n: u32) -> u32:
    buf: Bytes[16] = Bytes[16]()
    for i in range(0, 16):
        buf[i] = u8(i * 3)
    total: u32 = 0
    for i in range(0, n):
        total += buf[i]
    return total


def wide(lo: u32, hi: u32) -> u64:
    return u64(lo) | (u64(hi) << 32)


def put64(v: u64) -> None:
    store(0, u32(v & 0xFFFFFFFF))
    store(1, u32(v >> 32))


def main() -> None:
    op: u32 = load(0)
    a: u32 = load(1)
    b: u32 = load(2)
    c: u32 = load(3)
    d: u32 = load(4)
    if op == 0:
        store(0, u32(fdiv32(i32(a), i32(b))))
    elif op == 1:
        store(0, u32(fmod32(i32(a), i32(b))))
    elif op == 2:
        store(0, u32(u8(fdiv8(i8(u8(a)), i8(u8(b))))))
    elif op == 3:
        store(0, u32(u8(fmod8(i8(u8(a)), i8(u8(b))))))
    elif op == 4:
        put64(u64(fdiv64(i64(wide(a, b)), i64(wide(c, d)))))
    elif op == 5:
        put64(u64(fmod64(i64(wide(a, b)), i64(wide(c, d)))))
    elif op == 6:
        put64(udiv64(wide(a, b), wide(c, d)))
    elif op == 7:
        put64(umod64(wide(a, b), wide(c, d)))
    elif op == 8:
        store(0, shl32(a, b))
    elif op == 9:
        store(0, shr32(a, b))
    elif op == 10:
        store(0, u32(sar32(i32(a), b)))
    elif op == 11:
        store(0, u32(mixed_lt(a, i32(b))))
    elif op == 12:
        store(0, u32(chain(i32(a), i32(b), i32(c))))
    elif op == 13:
        put64(u64(sum_step3(i32(a), i32(b))))
    elif op == 14:
        put64(u64(sum_down2(i32(a), i32(b))))
    elif op == 15:
        store(0, count_u8_step7(u8(a), u8(b)))
    elif op == 16:
        store(0, low_mask(a))
    elif op == 17:
        put64(widen_mul(a, b))
    elif op == 18:
        store(0, bytes_sum(a))
