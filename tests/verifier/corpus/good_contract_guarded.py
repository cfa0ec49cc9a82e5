# expect: proved
# Contracts guard their own divisions and indexes, as code must: CPython evaluates them.
from tamapy.fw import Bytes, ensures, invariant, requires, u32

T: Bytes[4] = Bytes[4]()


@ensures(lambda x, result: x == 0 or result == 100 // x)
def share(x: u32) -> u32:
    if x == 0:
        return 0
    return 100 // x


@requires(lambda i: i < 4 and T[i] != 0)
def pick(i: u32) -> u32:
    return 100 // u32(T[i])


def fill() -> None:
    for i in range(0, 3):
        invariant(i < 4 and T[i] >= 0)
        T[i + 1] = 0


@ensures(lambda n, result: result == (1 << n) - 1)
@requires(lambda n: n < 32)
def ones(n: u32) -> u32:
    return (u32(1) << n) - 1


@ensures(lambda x, result: result == x * x * x)
@requires(lambda x: x < 1000)
def cube(x: u32) -> u32:
    return x * x * x
