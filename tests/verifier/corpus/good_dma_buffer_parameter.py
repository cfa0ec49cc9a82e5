# expect: proved
# A helper that points the context buffer at a DMA buffer its caller passes.
from soc.imx6ul.regs import DCP
from tamapy.fw import Array, Dma, addr_of, clock_enabled, requires, u32

context: Dma[Array[u32, 52]] = Dma[Array[u32, 52]]()


@requires(lambda buffer: clock_enabled(DCP))
def set_context(buffer: Dma[Array[u32, 52]]) -> None:
    DCP.CONTEXT.write(ADDR=addr_of(buffer))


@requires(lambda: clock_enabled(DCP))
def enable_context_switching() -> None:
    set_context(context)
    DCP.CTRL.set(ENABLE_CONTEXT_SWITCHING=1)
