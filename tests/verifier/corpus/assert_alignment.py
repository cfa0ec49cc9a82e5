# expect: assert 11
# 4-byte alignment is not 8-byte alignment.
from tamapy.fw import u32


def align_up(addr: u32) -> u32:
    if addr > 0xFFFFFFF0:
        return 0
    aligned: u32 = (addr + 3) & 0xFFFFFFFC
    assert aligned >= addr
    assert aligned % 8 == 0  # bug: aligned is only a multiple of 4
    return aligned
