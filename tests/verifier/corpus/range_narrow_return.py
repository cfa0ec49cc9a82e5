# expect: range 8
# The total length is computed in 32 bits but returned as 16.
from tamapy.fw import u16, u32


def total_len(header: u16, payload: u16) -> u16:
    total: u32 = u32(header) + payload
    return total  # bug: the sum may exceed 65535
