# expect: range 10
# A byte-sized counter over a view of any length.
from tamapy.fw import View, u8


def count_nonzero(data: View[u8]) -> u8:
    count: u8 = 0
    for i in range(0, len(data)):
        if data[i] != 0:
            count += 1  # bug: more than 255 non-zero bytes wrap the counter
    return count
