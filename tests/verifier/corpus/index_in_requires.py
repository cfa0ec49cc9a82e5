# expect: index 8
# CPython evaluates the pre-condition on entry: an index outside the table raises IndexError.
from tamapy.fw import Bytes, requires, u32

T: Bytes[4] = Bytes[4]()


@requires(lambda i: T[i] != 0)  # bug: nothing keeps i below 4
def pick(i: u32) -> u32:
    if i >= 4:
        return 0
    return 100 // u32(T[i])
