# expect: shift 6
# A contract's shift amount is unbounded in Python; the verifier's exact range ends at 64.
from tamapy.fw import ensures, u32, u64


@ensures(lambda n, result: result == (1 << n) - 1 or n >= 64)  # bug: 1 << n with n up to 2**32
def ones(n: u32) -> u64:
    if n >= 64:
        return 0
    return (u64(1) << u64(n)) - 1
