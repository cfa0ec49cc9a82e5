# expect: proved
# A periodic health check: start the self-test again, wait for it, check it passed.
from soc.imx6ul.regs import RNGB
from tamapy.fw import poll, requires, u32


@requires(lambda: RNGB.healthy)
def retest_and_read() -> u32:
    RNGB.CMD.write(ST=1)
    if not poll(RNGB.SR.STDN == 1 or RNGB.SR.ERR == 1, limit=1000000):
        return 0
    sr: u32 = RNGB.SR.read()
    if (sr >> 4) & 1 == 1 and (sr >> 5) & 1 == 1 and (sr >> 21) & 7 == 0 and (sr >> 16) & 1 == 0:
        return RNGB.OUT.read()
    return 0
