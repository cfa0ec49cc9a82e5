# expect: proved
# On an error, clear it, reset, re-test and re-seed, and read only once SR shows health again.
from soc.imx6ul.regs import RNGB
from tamapy.fw import poll, requires, u32


@requires(lambda: RNGB.healthy)
def word_despite_errors() -> u32:
    if RNGB.SR.ERR == 1:
        RNGB.CMD.write(CE=1)
        RNGB.CMD.write(SR=1)
        RNGB.CMD.write(ST=1)
        if not poll(RNGB.SR.STDN == 1 or RNGB.SR.ERR == 1, limit=1000000):
            return 0
        RNGB.CMD.write(GS=1)
        if not poll(RNGB.SR.SDN == 1 or RNGB.SR.ERR == 1, limit=10000000):
            return 0
        sr: u32 = RNGB.SR.read()
        if (sr >> 4) & 1 == 0 or (sr >> 5) & 1 == 0 or (sr >> 21) & 7 != 0 or (sr >> 16) & 1 == 1:
            return 0
        return RNGB.OUT.read()
    return 0
