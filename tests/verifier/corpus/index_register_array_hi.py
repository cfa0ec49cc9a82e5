# expect: index 11
# Banks 6-7 indexed without subtracting the hole's first bank.
from soc.imx6ul.regs import OCOTP
from tamapy.fw import clock_enabled, requires, u32


@requires(lambda bank, word: bank < 8 and word < 8 and clock_enabled(OCOTP))
def shadow(bank: u32, word: u32) -> u32:
    if bank < 6:
        return OCOTP.FUSE[8 * bank + word].read()
    return OCOTP.FUSE_HI[8 * bank + word].read()  # bug: FUSE_HI starts at bank 6
