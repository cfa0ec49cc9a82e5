# expect: precondition 17
# Only a loop invariant of the callee names the global; it is still the array it is handed.
from tamapy.fw import Bytes, ensures, invariant

ACC: Bytes[4] = Bytes[4]()


@ensures(lambda a: a[0] == 1)
def fill(a: Bytes[4]) -> None:
    for i in range(0, 4):
        invariant((i == 0 or a[0] == 1) and ACC[0] >= 0)
        a[i] = 1


def f() -> None:
    ACC[0] = 7
    fill(ACC)  # bug: fill's invariant reads ACC, which is `a`
