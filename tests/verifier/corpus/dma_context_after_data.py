# expect: dma 12
# Context switching stores each channel's 52-byte context in the CONTEXT buffer; this
# code means the contexts to follow the data buffer, but nothing reserves that memory.
from soc.imx6ul.regs import DCP
from tamapy.fw import Bytes, Dma, addr_of, clock_enabled, requires

io: Dma[Bytes[1024]] = Dma[Bytes[1024]]()


@requires(lambda: clock_enabled(DCP))
def enable_context_switching() -> None:
    DCP.CONTEXT.write(ADDR=addr_of(io) + 1024)  # bug: the first byte after io: the DCP writes 4 x 52 bytes of context over whatever the linker put there, or past the end of OCRAM when io is last
    DCP.CTRL.set(ENABLE_CONTEXT_SWITCHING=1)
