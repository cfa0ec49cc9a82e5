# expect: proved
# A post-condition over an array's final contents, which the caller needs.
from tamapy.fw import Bytes, ensures, u8


@ensures(lambda buf, value: buf[0] == value and buf[3] == value)
def fill(buf: Bytes[4], value: u8) -> None:
    buf[0] = value
    buf[1] = value
    buf[2] = value
    buf[3] = value


def filled_first() -> u8:
    buf: Bytes[4] = Bytes[4]()
    fill(buf, 9)
    assert buf[0] == 9
    return buf[3]
