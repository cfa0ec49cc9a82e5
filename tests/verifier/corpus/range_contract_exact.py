# expect: range 6
# Contract arithmetic is Python's: 2**72 is not 0, though it is modulo 2**72.
from tamapy.fw import ensures, u32


@ensures(lambda result: result * result * result == 0)  # bug: (2**24)**3 is 2**72, not 0
def big() -> u32:
    return 16777216
