# expect: postcondition 9
# "The larger of a and b" returns the smaller one on one path.
from tamapy.fw import ensures, u32


@ensures(lambda a, b, result: result >= a and result >= b)
def larger(a: u32, b: u32) -> u32:
    if a < b:
        return a  # bug: should return b
    return a
