# expect: protocol 12 13
# Bring-up that queues the first packet before it enables channel 0.
from soc.imx6ul.regs import DCP
from tamapy.fw import Array, Dma, addr_of, clock_enabled, poll, requires, u32

packet: Dma[Array[u32, 8]] = Dma[Array[u32, 8]]()


@requires(lambda: clock_enabled(DCP))
def start() -> bool:
    DCP.CTRL.clear(SFTRST=1, CLKGATE=1)
    DCP.CH0CMDPTR.write(ADDR=addr_of(packet))  # bug: channel 0 is still disabled (CHANNELCTRL resets to 0)
    DCP.CH0SEMA.write(INCREMENT=1)  # bug: a disabled channel does not run the packet, so the poll below times out, and the semaphore left pending starts it later, whenever the channel is enabled, over a packet the caller has reused
    DCP.CHANNELCTRL.set(ENABLE_CHANNEL=1)
    return poll(DCP.STAT.IRQ & 1 != 0, limit=100000)
