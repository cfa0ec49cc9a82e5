# expect: proved
# Twins of the assert_order_* programs: what CPython's order really gives.
from tamapy.fw import ensures, u32

count: u32 = 0


@ensures(lambda result: result == 0 and count == 5)
def set5() -> u32:
    global count
    count = 5
    return 0


@ensures(lambda result: result == 7 and count == 5)
def set5_seven() -> u32:
    global count
    count = 5
    return 7


def before_call() -> None:
    global count
    count = 1
    x: u32 = count + set5()
    assert x == 1 and count == 5


def short_circuit(x: u32) -> None:
    global count
    count = 1
    if x > 2 or set5() == 0:
        assert x > 2 or count == 5
        assert count == 1 or count == 5


def chain(x: u32) -> None:
    global count
    count = 1
    ok: bool = x < 3 < set5_seven()
    assert ok == (x < 3)
    assert (x < 3 and count == 5) or (x >= 3 and count == 1)


def conditional(x: u32) -> None:
    global count
    count = 1
    v: u32 = set5() if x > 3 else x
    assert (x > 3 and count == 5 and v == 0) or (x <= 3 and count == 1 and v == x)
