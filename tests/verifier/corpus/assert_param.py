# expect: assert 7
# A percentage that nothing bounds.
from tamapy.fw import u8


def bar_segments(percent: u8) -> u8:
    assert percent <= 100  # bug: callers may pass any byte
    return percent // 10
