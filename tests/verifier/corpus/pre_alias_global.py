# expect: precondition 16
# A global buffer passed to a function that also uses it by name: inside
# touch(), `buf` and `table` would be one array under two names.
from tamapy.fw import Bytes, u8

table: Bytes[4] = Bytes[4]()


def touch(buf: Bytes[4]) -> u8:
    before: u8 = table[0]
    buf[0] = 7
    return before


def user() -> u8:
    return touch(table)  # bug: buf and table would alias
