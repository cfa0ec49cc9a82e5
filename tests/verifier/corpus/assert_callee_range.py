# expect: assert 12
# level() halves its input: up to 127, not below 100.
from tamapy.fw import u8


def level(x: u8) -> u8:
    return x >> 1


def check(x: u8) -> u8:
    v: u8 = level(x)
    assert v < 100  # bug: level() may return up to 127
    return v
