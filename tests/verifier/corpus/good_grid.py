# expect: proved
# Nested loops over a row-major grid; the flat index is proven in range.
from tamapy.fw import Array, decreases, invariant, requires, u8, u32


@requires(lambda grid, rows: rows <= 8)
def fill_rows(grid: Array[u8, 64], rows: u32) -> None:
    r: u32 = 0
    while r < rows:
        invariant(r <= rows)
        decreases(rows - r)
        for c in range(0, 8):
            grid[r * 8 + c] = u8(r + c)
        r = r + 1


def cell(grid: Array[u8, 64], row: u32, col: u32) -> u8:
    if row < 8 and col < 8:
        return grid[row * 8 + col]
    return 0
