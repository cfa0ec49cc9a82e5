# expect: proved
# Context switching with a buffer of its own: 4 channels x 52 bytes.
from soc.imx6ul.regs import DCP
from tamapy.fw import Array, Bytes, Dma, addr_of, clock_enabled, requires, u32

io: Dma[Bytes[1024]] = Dma[Bytes[1024]]()
context: Dma[Array[u32, 52]] = Dma[Array[u32, 52]]()


@requires(lambda: clock_enabled(DCP))
def enable_context_switching() -> None:
    DCP.CONTEXT.write(ADDR=addr_of(context))
    DCP.CTRL.set(ENABLE_CONTEXT_SWITCHING=1)
