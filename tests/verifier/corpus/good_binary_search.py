# expect: proved
# Binary search: the invariant hi <= len(data) proves the index, the measure
# hi - lo proves termination.
from tamapy.fw import View, decreases, ensures, invariant, requires, u8, u32


@requires(lambda data, key: len(data) <= 4096)
@ensures(lambda data, key, result: result <= len(data))
def lower_bound(data: View[u8], key: u8) -> u32:
    lo: u32 = 0
    hi: u32 = len(data)
    while lo < hi:
        invariant(lo <= hi <= len(data))
        decreases(hi - lo)
        mid: u32 = lo + (hi - lo) // 2
        if data[mid] < key:
            lo = mid + 1
        else:
            hi = mid
    return lo
