# expect: dma 10
# A helper that points the context buffer wherever its caller says, checking only that
# the address is word aligned.
from soc.imx6ul.regs import DCP
from tamapy.fw import clock_enabled, requires, u32


@requires(lambda address: address % 4 == 0 and clock_enabled(DCP))
def set_context(address: u32) -> None:
    DCP.CONTEXT.write(ADDR=address)  # bug: any aligned address is accepted: a DDR stack buffer or a peripheral window would do, and the DCP would write channel contexts there behind the CPU
