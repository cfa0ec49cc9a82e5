# expect: division 13
# Dividing by the result of a call that returns 0 when a <= b.
from tamapy.fw import u8


def level(a: u8, b: u8) -> u8:
    if a > b:
        return a - b
    return 0


def scaled(a: u8, b: u8) -> u8:
    return 100 // level(a, b)  # bug: level() is 0 when a <= b
