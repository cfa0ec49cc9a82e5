# expect: division 7
# A ratio of two stored samples; the divisor sample may be zero.
from tamapy.fw import Bytes, u8


def ratio(samples: Bytes[4]) -> u8:
    return samples[0] // samples[1]  # bug: samples[1] may be zero
