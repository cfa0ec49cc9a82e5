"""Small buggy firmware modules, each with the failures the verifier must report.

Every program's counterexamples depend on its arguments only (callees have
contracts that pin their results), so each failure is real in CPython and
its replay must reproduce it.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Program:
    name: str
    source: str
    failures: frozenset[tuple[str, str]]
    """(function name, category) of every obligation that must fail."""
    replays: int
    """Replay tests that must pass."""
    skipped_replays: int = 0
    """Replay tests that are skipped at run time (the module cannot be imported on the host)."""


def _p(name: str, source: str, failures: set[tuple[str, str]], replays: int, skipped: int = 0) -> Program:
    return Program(name, source.lstrip("\n"), frozenset(failures), replays, skipped)


PROGRAMS: tuple[Program, ...] = (
    _p("index_param", """
from tamapy.fw import Bytes, u8, u32

table: Bytes[8] = Bytes[8]()


def lookup(i: u32) -> u8:
    return table[i]
""", {("lookup", "index")}, 1),
    _p("index_loop", """
from tamapy.fw import Bytes, u32


def fill(n: u32) -> u32:
    buf: Bytes[4] = Bytes[4]()
    for k in range(0, n):
        buf[k] = 1
    return n
""", {("fill", "index")}, 1),
    _p("division", """
from tamapy.fw import i32, u32


def average(total: u32, count: u32) -> u32:
    return total // count


def remainder(a: i32, b: i32) -> i32:
    if a < 0:
        return 0
    return a % b
""", {("average", "division"), ("remainder", "division")}, 2),
    _p("range_return", """
from tamapy.fw import u8


def add(a: u8, b: u8) -> u8:
    return a + b
""", {("add", "range")}, 1),
    _p("range_result", """
from tamapy.fw import ensures, u8


@ensures(lambda result, v: result == v)
def same(v: u8) -> u8:
    return v


def add(a: u8, b: u8) -> u8:
    return same(a) + b
""", {("add", "range")}, 1),
    _p("range_local", """
from tamapy.fw import ensures, u8


@ensures(lambda result, v: result == v)
def same(v: u8) -> u8:
    return v


def double(x: u8) -> u8:
    y: u8 = same(x) + x
    return y
""", {("double", "range")}, 1),
    _p("range_global", """
from tamapy.fw import ensures, u8

count: u8 = 0


@ensures(lambda result, v: result == v)
def same(v: u8) -> u8:
    return v


def bump(n: u8) -> u8:
    global count
    count = n
    count = same(count) + n
    return 0
""", {("bump", "range")}, 1),
    _p("range_intermediate", """
from tamapy.fw import u8


def roundtrip(a: u8, b: u8) -> u8:
    return a + b - b
""", {("roundtrip", "range")}, 1),
    _p("range_negate", """
from tamapy.fw import i8


def negate(x: i8) -> i8:
    return -x
""", {("negate", "range")}, 1),
    _p("precondition", """
from tamapy.fw import requires, u32


@requires(lambda x: x < 10)
def digit(x: u32) -> u32:
    return x


def caller(y: u32) -> u32:
    if y > 1000:
        return 0
    return digit(y)
""", {("caller", "precondition")}, 1),
    _p("postcondition", """
from tamapy.fw import ensures, u32


@ensures(lambda result: result < 100)
def clamp(x: u32) -> u32:
    if x > 100:
        return 100
    return x
""", {("clamp", "postcondition")}, 2),
    _p("assertion", """
from tamapy.fw import i32


def check(x: i32, strict: bool) -> i32:
    if strict:
        assert x != 3
    return x
""", {("check", "assert")}, 1),
    _p("shift_large", """
from tamapy.fw import u32


def high(a: u32, n: u32) -> u32:
    return a >> n
""", {("high", "shift")}, 1),
    _p("shift_negative", """
from tamapy.fw import ensures, i8, requires, u32


@ensures(lambda result: result == 1)
def one() -> u32:
    return 1


@requires(lambda n: n < 32)
def scaled(n: i8) -> u32:
    return one() << n
""", {("scaled", "shift")}, 1),
    _p("invariant", """
from tamapy.fw import invariant, u32


def steps(n: u32) -> u32:
    last: u32 = 0
    for k in range(0, n):
        invariant(n < 10)
        last = k
    return last
""", {("steps", "invariant")}, 1),
    _p("registers", """
from soc.imx6ul.regs import UART1
from tamapy.fw import u32


def baud(v: u32) -> None:
    UART1.UBIR.write(INC=v)
""", {("baud", "clock"), ("baud", "register"), ("baud", "range")}, 0, 1),
    _p("view_param", """
from tamapy.fw import View, u8


def first(data: View[u8]) -> u8:
    return data[0]
""", {("first", "index")}, 0),
)
