# expect: index 9
# A fuse word index one past the array.
from soc.imx6ul.regs import OCOTP
from tamapy.fw import clock_enabled, requires, u32


@requires(lambda word: word <= 48 and clock_enabled(OCOTP))
def fuse(word: u32) -> u32:
    return OCOTP.FUSE[word].read()  # bug: word 48 is past FUSE (0..47)
