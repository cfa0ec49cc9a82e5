# expect: proved
# Saturating subtraction with a chained comparison in its contract.
from tamapy.fw import ensures, u32


@ensures(lambda a, b, result: 0 <= result <= a)
def sub_sat(a: u32, b: u32) -> u32:
    if b >= a:
        return 0
    return a - b


def remaining(budget: u32, spent: u32) -> u32:
    left: u32 = sub_sat(budget, spent)
    assert left <= budget
    return left
