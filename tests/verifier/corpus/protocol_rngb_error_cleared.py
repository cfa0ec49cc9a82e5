# expect: protocol 11
# On an error, clear it and carry on reading.
from soc.imx6ul.regs import RNGB
from tamapy.fw import requires, u32


@requires(lambda: RNGB.healthy)
def word_despite_errors() -> u32:
    if RNGB.SR.ERR == 1:
        RNGB.CMD.write(CE=1)
        return RNGB.OUT.read()  # bug: CMD.CE only clears the error report; the generator that raised it (oscillator, LFSR or statistical-test failure) is not re-tested or re-seeded, so its words are not vouched for
    return 0
