# expect: index 19
# poll() evaluates its condition up to `limit` times; each call moves the index.
from tamapy.fw import Bytes, poll, u32

i: u32 = 0
buf: Bytes[4] = Bytes[4]()


def bump() -> bool:
    global i
    if i < 1000:
        i += 1
    return False


def wait() -> bool:
    global i
    i = 0
    return poll(buf[i] == 1 or bump(), limit=10)  # bug: from the fifth test on, i is past the end
