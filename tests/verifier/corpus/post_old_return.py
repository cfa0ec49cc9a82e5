# expect: postcondition 10
# The first byte is overwritten before it is returned: the result is not its entry value.
from tamapy.fw import Bytes, ensures, old, u8


@ensures(lambda buf, result: result == old(buf[0]))
def take_first(buf: Bytes[4]) -> u8:
    buf[0] = buf[1]
    buf[1] = 0
    return buf[0]  # bug: buf[0] already holds buf[1]
