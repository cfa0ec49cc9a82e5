# expect: range 7
# Free-space bookkeeping subtracts without checking that used <= size.
from tamapy.fw import u32


def free_space(size: u32, used: u32) -> u32:
    return size - used  # bug: negative when used > size
