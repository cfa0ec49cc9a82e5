# expect: proved
# A callee's promise about the struct it was given, relied on by its caller.
from tamapy.fw import ensures, old, requires, struct, u32


@struct
class Counters:
    """Frames sent and frames dropped."""
    sent: u32
    dropped: u32


stats: Counters = Counters()


@requires(lambda c: c.sent < 1000)
@ensures(lambda c: c.sent == old(c.sent) + 1 and c.dropped == old(c.dropped))
def count_sent(c: Counters) -> None:
    c.sent = c.sent + 1


def account() -> None:
    stats.sent = 5
    stats.dropped = 2
    count_sent(stats)
    assert stats.sent == 6 and stats.dropped == 2
