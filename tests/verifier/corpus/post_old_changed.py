# expect: postcondition 11
# The counter moves by two while the post-condition promises one: old() is the entry value,
# so the check falls on the function's end (reported at its `def`).
from tamapy.fw import ensures, old, requires, u32

events: u32 = 0


@requires(lambda: events < 1000)
@ensures(lambda: events == old(events) + 1)
def record() -> None:  # bug: events advances by 2
    global events
    events += 2
