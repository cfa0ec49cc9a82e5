# expect: postcondition 15
# A callee's promise about the struct it was given: one more frame counted.
from tamapy.fw import ensures, old, requires, struct, u32


@struct
class Counters:
    """Frames sent and frames dropped."""
    sent: u32
    dropped: u32


@requires(lambda c: c.sent < 1000)
@ensures(lambda c: c.sent == old(c.sent) + 1 and c.dropped == old(c.dropped))
def count_sent(c: Counters) -> None:  # bug: the dropped count is not kept
    c.sent = c.sent + 1
    c.dropped = 0
