# expect: assert 24
# A struct passed to a callee is passed by reference: after the call the caller knows
# nothing about its members, and a value it stored before may be gone.
from tamapy.fw import struct, u32


@struct
class Counters:
    """Frames sent and frames dropped."""
    sent: u32
    dropped: u32


stats: Counters = Counters()


def reset(c: Counters) -> None:
    c.sent = 0


def account(n: u32) -> None:
    stats.sent = n
    reset(stats)
    assert stats.sent == n  # bug: reset() wrote the member through its parameter
