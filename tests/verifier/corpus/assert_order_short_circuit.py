# expect: assert 19
# The right operand of `or` runs only when the left one is false.
from tamapy.fw import ensures, u32

count: u32 = 0


@ensures(lambda result: result == 0 and count == 5)
def set5() -> u32:
    global count
    count = 5
    return 0


def f(x: u32) -> None:
    global count
    count = 1
    if x > 2 or set5() == 0:
        assert count == 5  # bug: when x > 2, set5() never ran
