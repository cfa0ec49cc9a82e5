# expect: postcondition 9
# @ensures sees an array parameter's final contents (arrays are passed by
# reference): buf[0] is 1 on return, so this post-condition is false.
from tamapy.fw import Bytes, ensures, requires


@requires(lambda buf: buf[0] == 0)
@ensures(lambda buf: buf[0] == 0)
def mark_first(buf: Bytes[4]) -> None:  # bug: buf[0] == 1 on return
    buf[0] = 1
