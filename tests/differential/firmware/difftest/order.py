"""Evaluation order with effects inside expressions: calls that change module globals.

Each probe leaves ``trace`` holding the tags of the calls that ran, most
recent in the low nibble, so a probe's result shows what ran and in which
order; the compiled code and CPython must agree on both.
"""

from tamapy.fw import Array, poll, u32, u64

trace: u32 = 0
count: u32 = 0


def reset() -> None:
    global trace, count
    trace = 0
    count = 0


def step(tag: u32) -> u32:
    """Record ``tag`` and return it."""
    global trace, count
    trace = u32(((u64(trace) << 4) | (tag & 0xF)) & 0xFFFFFFFF)
    count = (count + 1) & 0xFFFF
    return tag


def observed(value: u32) -> u32:
    """``value`` with what ran: (value mod 256) << 24 | count << 16 | low 16 bits of the trace."""
    return ((value & 0xFF) << 24) | (count << 16) | (trace & 0xFFFF)


def global_before_call(a: u32) -> u32:
    """``count`` is read before ``step`` changes it, and again after."""
    x: u32 = count + (step(a & 7) & 7) + count
    return observed(x)


def short_circuit(a: u32) -> u32:
    """The right operand of ``and``/``or`` runs only when the left one does not decide."""
    hit: u32 = 0
    if (a & 1 == 1 and step(1) == 1) or step(2) == a:
        hit = 1
    if a & 2 == 2 or step(3) == 3:
        hit += 2
    return observed(hit)


def chain(a: u32) -> u32:
    """``step(1) < a < step(2)``: the last operand runs only if the first test holds."""
    hit: u32 = 0
    if step(1) < (a & 7) < step(4):
        hit = 1
    return observed(hit)


def conditional(a: u32) -> u32:
    """Only the chosen arm of a conditional expression runs."""
    v: u32 = step(5) if a & 1 == 1 else step(6)
    return observed(v)


def loop_condition(a: u32) -> u32:
    """A ``while`` condition with a call runs once per test, the last one included."""
    n: u32 = 0
    limit: u32 = a & 7
    while step(7) == 7 and n < limit:
        n += 1
    return observed(n)


def polled(a: u32) -> u32:
    """``poll`` evaluates its condition until it holds, at most ``limit`` times."""
    target: u32 = a & 7
    ok: bool = poll(step(8) == 8 and count > target, limit=5)
    return observed(1 if ok else 0)


def arguments(a: u32) -> u32:
    """Arguments run left to right; an element target's index after the value."""
    buf: Array[u32, 16] = Array[u32, 16]()
    buf[step(a & 7)] = step(9)
    return observed(buf[a & 7] + pair(step(2), step(3)))


def pair(x: u32, y: u32) -> u32:
    return (x << 4) | y
