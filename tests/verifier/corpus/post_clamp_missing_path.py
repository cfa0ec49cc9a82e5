# expect: postcondition 10
# A clamp whose threshold does not match its contract.
from tamapy.fw import ensures, u32


@ensures(lambda x, result: result <= 100)
def clamp(x: u32) -> u32:
    if x > 200:
        return 100
    return x  # bug: values 101..200 pass through
