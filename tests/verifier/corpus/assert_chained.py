# expect: assert 8
# An off-by-one bound inside a chained comparison.
from tamapy.fw import u8


def digit_value(c: u8) -> u8:
    if 48 <= c <= 57:
        assert c - 48 < 9  # bug: '9' gives 9
        return c - 48
    return 0
