# expect: index 20
# The condition's own call moves the index: the second evaluation reads past the end.
from tamapy.fw import Bytes, decreases, invariant, u32

i: u32 = 0
buf: Bytes[4] = Bytes[4]()


def advance() -> bool:
    global i
    if i < 1000:
        i += 1
    return True


def scan() -> u32:
    global i
    i = 0
    n: u32 = 0
    while n < 10 and buf[i] == 0 and advance():  # bug: advance() has moved i on the next test
        invariant(n <= 10)
        decreases(10 - n)
        n += 1
    return n
