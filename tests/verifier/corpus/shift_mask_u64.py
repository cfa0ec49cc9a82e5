# expect: shift 8
# A low-bits mask that admits a full-width shift.
from tamapy.fw import u8, u64


def low_mask(bits: u8) -> u64:
    if bits <= 64:
        return (u64(1) << bits) - 1  # bug: bits == 64 shifts a u64 by its width
    return 0
