# expect: proved
# A recovery helper resets, re-tests and re-seeds the generator, and says when it is healthy.
from soc.imx6ul.regs import RNGB
from tamapy.fw import ensures, poll, u32


@ensures(lambda result: not result or RNGB.healthy)
def restart() -> bool:
    RNGB.CMD.write(CE=1)
    RNGB.CMD.write(SR=1)
    RNGB.CMD.write(ST=1)
    if not poll(RNGB.SR.STDN == 1 or RNGB.SR.ERR == 1, limit=1000000):
        return False
    RNGB.CMD.write(GS=1)
    if not poll(RNGB.SR.SDN == 1 or RNGB.SR.ERR == 1, limit=10000000):
        return False
    sr: u32 = RNGB.SR.read()
    return (sr >> 4) & 1 == 1 and (sr >> 5) & 1 == 1 and (sr >> 21) & 7 == 0 and (sr >> 16) & 1 == 0


def recover_and_read() -> u32:
    if not restart():
        return 0
    return RNGB.OUT.read()
