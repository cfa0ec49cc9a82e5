# expect: protocol 15
# A recovery helper resets the generator; its caller then reads a word.
from soc.imx6ul.regs import RNGB
from tamapy.fw import requires, u32


def restart() -> None:
    RNGB.CMD.write(CE=1)
    RNGB.CMD.write(SR=1)


@requires(lambda: RNGB.healthy)
def recover_and_read() -> u32:
    restart()
    return RNGB.OUT.read()  # bug: restart() software-reset the block: self-test and seed are lost, so OUT underflows (zeros and an error) or gives unseeded words
