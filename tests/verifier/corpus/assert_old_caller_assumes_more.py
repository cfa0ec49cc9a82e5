# expect: assert 20
# The callee promises only that the counter does not go down from its value before the call;
# the caller assumes it went up by exactly one.
from tamapy.fw import ensures, old, requires, u32

seen: u32 = 0


@requires(lambda: seen < 1000)
@ensures(lambda: seen >= old(seen))
def observe() -> None:
    global seen
    seen += 1


@requires(lambda: seen < 1000)
def twice() -> None:
    before: u32 = seen
    observe()
    assert seen == before + 1  # bug: only seen >= before is known
