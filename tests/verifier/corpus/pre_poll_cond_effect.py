# expect: precondition 18
# The polled call consumes what its own pre-condition requires on the next evaluation.
from tamapy.fw import poll, requires, u32

tokens: u32 = 1


@requires(lambda: tokens > 0)
def take() -> bool:
    global tokens
    tokens -= 1
    return False


def wait() -> bool:
    global tokens
    tokens = 1
    return poll(take(), limit=3)  # bug: the second evaluation has no token left
