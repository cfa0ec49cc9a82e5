# expect: termination 9
# The outer loop terminates by construction, the inner while loop has no measure.
from tamapy.fw import Array, u8, u32


def clear_rows(grid: Array[u8, 64]) -> None:
    for r in range(0, 8):
        c: u32 = 0
        while c < 8:  # bug: no decreases()
            grid[r * 8 + c] = 0
            c = c + 1
