# expect: index 9
# old(buf[i]) is evaluated on entry, before the body, whatever guards it in the condition:
# `i >= 4 or ...` does not protect it, and i == 7 reads outside the array.
from tamapy.fw import Bytes, ensures, old, u32

buf: Bytes[4] = Bytes[4]()


@ensures(lambda i: i >= 4 or buf[i] >= old(buf[i]))  # bug: the entry value needs i < 4
def bump(i: u32) -> None:
    if i < 4 and buf[i] < 255:
        buf[i] = buf[i] + 1
