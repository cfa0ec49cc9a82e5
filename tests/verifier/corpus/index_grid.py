# expect: index 8
# A 4x4 grid whose column check admits 4.
from tamapy.fw import Array, u32


def cell(grid: Array[u32, 16], row: u32, col: u32) -> u32:
    if row < 4 and col <= 4:
        return grid[row * 4 + col]  # bug: col == 4 on the last row is index 16
    return 0
