# expect: precondition 19
# clamp_percent() admits 100, bar_index() needs less than 100.
from tamapy.fw import ensures, requires, u32


@ensures(lambda raw, result: result <= 100)
def clamp_percent(raw: u32) -> u32:
    if raw > 100:
        return 100
    return raw


@requires(lambda p: p < 100)
def bar_index(p: u32) -> u32:
    return p // 10


def show(raw: u32) -> u32:
    return bar_index(clamp_percent(raw))  # bug: 100 passes clamp_percent()
