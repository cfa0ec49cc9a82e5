# expect: index 10
# The invariant looks one element ahead, past the end on the last iteration.
from tamapy.fw import Bytes, invariant

T: Bytes[4] = Bytes[4]()


def fill() -> None:
    for i in range(0, 4):
        invariant(T[i + 1] == 0 or i >= 0)  # bug: T[4] when i reaches 3
        T[i] = 0
