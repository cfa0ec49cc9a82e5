# expect: dma 11
# The context buffer is an ordinary module array instead of a Dma[...] buffer.
from soc.imx6ul.regs import DCP
from tamapy.fw import Array, addr_of, clock_enabled, requires, u32

context: Array[u32, 52] = Array[u32, 52]()


@requires(lambda: clock_enabled(DCP))
def enable_context_switching() -> None:
    DCP.CONTEXT.write(ADDR=addr_of(context))  # bug: an ordinary global is linked into DDR, outside the board's DMA region (OCRAM), and its elements are not volatile: the DCP would write contexts the compiled code never re-reads, into memory the board does not give DMA engines
    DCP.CTRL.set(ENABLE_CONTEXT_SWITCHING=1)
