# expect: proved
# Bring-up that enables channel 0 before it queues the first packet.
from soc.imx6ul.regs import DCP
from tamapy.fw import Array, Dma, addr_of, clock_enabled, poll, requires, u32

packet: Dma[Array[u32, 8]] = Dma[Array[u32, 8]]()


@requires(lambda: clock_enabled(DCP))
def start() -> bool:
    DCP.CTRL.clear(SFTRST=1, CLKGATE=1)
    DCP.CHANNELCTRL.set(ENABLE_CHANNEL=1)
    DCP.CH0CMDPTR.write(ADDR=addr_of(packet))
    DCP.CH0SEMA.write(INCREMENT=1)
    return poll(DCP.STAT.IRQ & 1 != 0, limit=100000)
