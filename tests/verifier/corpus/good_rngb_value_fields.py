# expect: proved
# Twin of protocol_rngb_value_missing_field: the whole healthy condition, by field name.
from soc.imx6ul.regs import RNGB
from tamapy.fw import RegValue, ensures, u32

FAILED: u32 = 0xFFFFFFFF


@ensures(lambda sr, result: result == (sr.STDN == 1 and sr.SDN == 1 and sr.ST_PF == 0 and sr.ERR == 0))
def healthy(sr: RegValue[RNGB.SR]) -> bool:
    return sr.STDN == 1 and sr.SDN == 1 and sr.ST_PF == 0 and sr.ERR == 0


def word() -> u32:
    sr: RegValue[RNGB.SR] = RNGB.SR.read()
    if healthy(sr) and sr.FIFO_LVL > 0:
        return RNGB.OUT.read()
    return FAILED


def level() -> u32:
    sr: RegValue[RNGB.SR] = RNGB.SR.read()
    raw: u32 = sr
    assert u32(sr.FIFO_LVL) == (raw >> 8) & 0xF  # the field is where the spec puts it
    return u32(sr.FIFO_LVL)
