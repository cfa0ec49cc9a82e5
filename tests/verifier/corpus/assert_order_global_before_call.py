# expect: assert 19
# A module variable read before a call that changes it keeps the value it had.
from tamapy.fw import ensures, u32

count: u32 = 0


@ensures(lambda result: result == 0 and count == 5)
def set5() -> u32:
    global count
    count = 5
    return 0


def f() -> None:
    global count
    count = 1
    x: u32 = count + set5()
    assert x == 5  # bug: `count` is read before set5() runs: x is 1
