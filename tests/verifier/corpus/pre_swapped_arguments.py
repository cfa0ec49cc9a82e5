# expect: precondition 13
# The arguments of span() are swapped on one branch.
from tamapy.fw import requires, u32


@requires(lambda lo, hi: lo <= hi)
def span(lo: u32, hi: u32) -> u32:
    return hi - lo


def distance(a: u32, b: u32) -> u32:
    if a < b:
        return span(b, a)  # bug: b > a here, so lo > hi
    return span(b, a)
