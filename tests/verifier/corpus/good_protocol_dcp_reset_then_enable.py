# expect: proved
# Recover from a failed packet with a soft reset, enable channel 0 again, resubmit.
from soc.imx6ul.regs import DCP
from tamapy.fw import Array, Dma, addr_of, clock_enabled, poll, requires, u32

packet: Dma[Array[u32, 8]] = Dma[Array[u32, 8]]()


@requires(lambda: clock_enabled(DCP) and DCP.channel0_enabled)
def retry() -> bool:
    DCP.CTRL.set(SFTRST=1)
    DCP.CTRL.clear(SFTRST=1, CLKGATE=1)
    DCP.CHANNELCTRL.write(ENABLE_CHANNEL=1)
    DCP.CH0CMDPTR.write(ADDR=addr_of(packet))
    DCP.CH0SEMA.write(INCREMENT=1)
    return poll(DCP.STAT.IRQ & 1 != 0, limit=100000)
