# expect: proved
# Take a word when the status shows no error, no self-test failure and a word waiting.
from soc.imx6ul.regs import RNGB
from tamapy.fw import requires, u32


@requires(lambda: RNGB.healthy)
def take_word() -> u32:
    sr: u32 = RNGB.SR.read()
    if (sr >> 16) & 1 == 0 and (sr >> 21) & 7 == 0 and (sr >> 8) & 0xF != 0:
        return RNGB.OUT.read()
    return 0
