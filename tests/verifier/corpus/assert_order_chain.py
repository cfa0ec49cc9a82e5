# expect: assert 19
# A chained comparison stops at the first test that fails.
from tamapy.fw import ensures, u32

count: u32 = 0


@ensures(lambda result: result == 7 and count == 5)
def set5() -> u32:
    global count
    count = 5
    return 7


def f(x: u32) -> None:
    global count
    count = 1
    ok: bool = x < 3 < set5()
    assert count == 5  # bug: when x >= 3, set5() never ran
