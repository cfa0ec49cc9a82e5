# expect: division 6
# CPython evaluates the post-condition on return: with x == 0 it raises ZeroDivisionError.
from tamapy.fw import ensures, u32


@ensures(lambda x, result: result <= 100 // x)  # bug: the contract itself divides by zero when x == 0
def share(x: u32) -> u32:
    if x == 0:
        return 0
    return 100 // x
