# expect: termination 21
# The condition grows the quantity the measure counts down; the body takes one off.
from tamapy.fw import decreases, ensures, u32

work: u32 = 0


@ensures(lambda result: work >= 2 and work <= 1000 and result == (work < 1000))
def enqueue() -> bool:
    global work
    if work < 998:
        work += 2
    else:
        work = 1000
    return work < 1000


def drain() -> None:
    global work
    while enqueue():
        decreases(work)  # bug: +2 in the condition, -1 in the body: work grows
        work -= 1
