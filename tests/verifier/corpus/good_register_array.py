# expect: proved
# Twins of the index_register_array* programs.
from soc.imx6ul.regs import OCOTP
from tamapy.fw import clock_enabled, invariant, requires, u32


@requires(lambda word: word < 48 and clock_enabled(OCOTP))
def fuse(word: u32) -> u32:
    return OCOTP.FUSE[word].read()


@requires(lambda bank, word: bank < 8 and word < 8 and clock_enabled(OCOTP))
def shadow(bank: u32, word: u32) -> u32:
    if bank < 6:
        return OCOTP.FUSE[8 * bank + word].read()
    return OCOTP.FUSE_HI[8 * (bank - 6) + word].read()


@requires(lambda n: n <= 48 and clock_enabled(OCOTP))
def count_set(n: u32) -> u32:
    total: u32 = 0
    for i in range(0, n):
        invariant(total <= i)
        total += OCOTP.FUSE[i].read() & 1
    return total
