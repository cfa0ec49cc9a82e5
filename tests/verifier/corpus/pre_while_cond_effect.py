# expect: precondition 18
# The call in the condition spends the budget its own pre-condition needs.
from tamapy.fw import decreases, invariant, requires, u32

budget: u32 = 5


@requires(lambda: budget > 0)
def spend() -> bool:
    global budget
    budget -= 1
    return True


@requires(lambda: budget == 5)
def run() -> u32:
    n: u32 = 0
    while n < 8 and spend():  # bug: after five tests the budget is 0
        invariant(n <= 8)
        decreases(8 - n)
        n += 1
    return n
