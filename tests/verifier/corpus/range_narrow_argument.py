# expect: range 11
# A 16-bit word is passed where the checksum step takes one byte.
from tamapy.fw import u8, u16


def checksum_step(acc: u8, byte: u8) -> u8:
    return acc ^ byte


def feed(acc: u8, word: u16) -> u8:
    return checksum_step(acc, word)  # bug: a u16 argument for a u8 parameter
