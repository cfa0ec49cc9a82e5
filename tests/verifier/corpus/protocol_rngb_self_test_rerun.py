# expect: protocol 10
# A periodic health check that starts the self-test again and keeps reading words.
from soc.imx6ul.regs import RNGB
from tamapy.fw import requires, u32


@requires(lambda: RNGB.healthy)
def retest_and_read() -> u32:
    RNGB.CMD.write(ST=1)
    return RNGB.OUT.read()  # bug: the self-test just started runs on the generator: the word is read before the test has passed (or failed), so a failing generator's output is released
