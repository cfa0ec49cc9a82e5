# expect: assert 19
# Only the chosen arm of a conditional expression runs.
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
    v: u32 = set5() if x > 3 else x
    assert count == 5  # bug: when x <= 3 the call in the other arm never ran
