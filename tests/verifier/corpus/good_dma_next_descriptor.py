# expect: proved
# A ring of four chained work packets; the successor of the last packet is the first.
from typing import Final

from soc.imx6ul.regs import DCP
from tamapy.fw import Array, Dma, addr_of, clock_enabled, ensures, requires, u32

PACKETS: Final = 4
PACKET_BYTES: Final = 32

ring: Dma[Array[u32, 32]] = Dma[Array[u32, 32]]()


@requires(lambda i: i < PACKETS)
@ensures(lambda i, result: result == ((i + 1) % PACKETS) * PACKET_BYTES)
def successor_offset(i: u32) -> u32:
    if i == PACKETS - 1:
        return 0
    return (i + 1) * PACKET_BYTES


@requires(lambda i: i < PACKETS and clock_enabled(DCP) and DCP.channel0_enabled)
def resume_after(i: u32) -> None:
    DCP.CH0CMDPTR.write(ADDR=addr_of(ring) + successor_offset(i))
    DCP.CH0SEMA.write(INCREMENT=1)
