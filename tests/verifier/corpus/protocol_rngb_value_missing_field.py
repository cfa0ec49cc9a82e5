# expect: protocol 13
# An OUT read after testing an SR value's fields, one short of the healthy condition.
from soc.imx6ul.regs import RNGB
from tamapy.fw import RegValue, u32

FAILED: u32 = 0xFFFFFFFF


def word() -> u32:
    sr: RegValue[RNGB.SR] = RNGB.SR.read()
    if sr.STDN == 1 and sr.SDN == 1 and sr.ERR == 0 and sr.FIFO_LVL > 0:
        # ST_PF is never looked at: a failed self-test leaves the generator unhealthy
        return RNGB.OUT.read()  # bug: healthy also needs sr.ST_PF == 0
    return FAILED
