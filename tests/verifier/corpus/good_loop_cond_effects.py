# expect: proved
# Conditions with calls, checked as they run on every evaluation.
from tamapy.fw import Bytes, decreases, invariant, poll, u32

i: u32 = 0
buf: Bytes[4] = Bytes[4]()


def advance() -> bool:
    global i
    if i < 1000:
        i += 1
    return True


def scan() -> u32:
    n: u32 = 0
    while n < 10 and i < 4 and buf[i] == 0 and advance():
        invariant(n <= 10)
        decreases(10 - n)
        n += 1
    return n


def wait() -> bool:
    global i
    i = 0
    return poll(i < 4 and buf[i] == 1 or not advance(), limit=10)
