# expect: precondition 16
# A view chosen by a condition may name a module array that the callee
# writes behind the view's back.
from tamapy.fw import Bytes, View, u8

LOG: Bytes[4] = Bytes[4]()


def first_then_log(v: View[u8]) -> u8:
    LOG[0] = 7
    return v[0] if len(v) > 0 else 0


def pick(fresh: bool) -> u8:
    return first_then_log(
        b"abcd" if fresh else LOG)  # bug: LOG is written through its own name while viewed
