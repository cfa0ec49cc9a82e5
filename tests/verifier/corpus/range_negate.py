# expect: range 7
# Negating a sample: -(-32768) does not fit an i16.
from tamapy.fw import i16


def invert_phase(sample: i16) -> i16:
    return -sample  # bug: the most negative sample has no positive counterpart
