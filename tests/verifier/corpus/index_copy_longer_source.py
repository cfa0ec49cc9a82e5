# expect: index 9
# Copying a view into a smaller array.
from tamapy.fw import Bytes, View, requires, u8


@requires(lambda dst, src: len(src) <= 16)
def copy_in(dst: Bytes[8], src: View[u8]) -> None:
    for i in range(0, len(src)):
        dst[i] = src[i]  # bug: src may hold up to 16 bytes, dst only 8
