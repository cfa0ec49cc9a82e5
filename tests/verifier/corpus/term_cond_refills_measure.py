# expect: termination 18
# The condition refills the counter the measure reads: taken after it, the measure "decreases" forever.
from tamapy.fw import decreases, ensures, u32

n: u32 = 0


@ensures(lambda result: n == 10)
def refill() -> bool:
    global n
    n = 10
    return True


def spin() -> None:
    global n
    while refill():
        decreases(n)  # bug: refill() sets n back to 10 before every iteration
        n -= 1
