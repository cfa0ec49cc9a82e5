# expect: proved
# Division and modulo by values proven non-zero (by a guard, a contract, a constant).
from tamapy.fw import ensures, requires, u8, u16


def per_item(total: u8, count: u8) -> u8:
    if count == 0:
        return 0
    return total // count


@requires(lambda n, d: d > 0)
@ensures(lambda n, d, result: result < d)
def rem(n: u16, d: u16) -> u16:
    return n % d


@ensures(lambda ticks, result: result < 60)
def seconds_of(ticks: u16) -> u16:
    return (ticks // 1000) % 60


def bucket(n: u16) -> u16:
    return rem(n, 7) + rem(n, 13)
