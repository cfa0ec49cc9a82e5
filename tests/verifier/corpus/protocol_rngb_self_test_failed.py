# expect: protocol 11
# Take a word when the status shows no error and a word is waiting.
from soc.imx6ul.regs import RNGB
from tamapy.fw import requires, u32


@requires(lambda: RNGB.healthy)
def take_word() -> u32:
    sr: u32 = RNGB.SR.read()
    if (sr >> 16) & 1 == 0 and (sr >> 8) & 0xF != 0:
        return RNGB.OUT.read()  # bug: SR.ST_PF (bits 23:21) is not checked: a failed self-test need not latch ERR (the map leaves it unconfirmed), and a generator that failed its test gives words no one vouches for
    return 0
