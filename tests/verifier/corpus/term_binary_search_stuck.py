# expect: termination 12
# The classic binary-search bug: `lo = mid` makes no progress when hi == lo + 1.
from tamapy.fw import View, decreases, invariant, requires, u8, u32


@requires(lambda data, key: len(data) <= 1024)
def lower_bound(data: View[u8], key: u8) -> u32:
    lo: u32 = 0
    hi: u32 = len(data)
    while lo < hi:
        invariant(hi <= len(data))
        decreases(hi - lo)  # bug: lo = mid may leave hi - lo unchanged
        mid: u32 = lo + (hi - lo) // 2
        if data[mid] < key:
            lo = mid
        else:
            hi = mid
    return lo
