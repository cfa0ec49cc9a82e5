# expect: proved
# The condition refills a counter, but the measure is a local the condition cannot change.
from tamapy.fw import decreases, ensures, u32

n: u32 = 0


@ensures(lambda result: n == 10)
def refill() -> bool:
    global n
    n = 10
    return True


def spin() -> None:
    global n
    k: u32 = 5
    while k > 0 and refill():
        decreases(k)
        n -= 1
        k -= 1
