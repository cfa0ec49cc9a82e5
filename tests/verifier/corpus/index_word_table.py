# expect: index 11
# A word table indexed one past its end.
from typing import Final

from tamapy.fw import Array, u32

STEPS: Final = Array[u32, 4](1, 10, 100, 1000)


def step(i: u32) -> u32:
    return STEPS[i & 3] + STEPS[(i & 3) + 1]  # bug: (i & 3) + 1 can be 4
