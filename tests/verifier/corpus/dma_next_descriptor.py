# expect: dma 23
# A ring of four chained work packets; the helper that gives the byte offset of a
# packet's successor forgets to wrap after the last one.
from typing import Final

from soc.imx6ul.regs import DCP
from tamapy.fw import Array, Dma, addr_of, clock_enabled, ensures, requires, u32

PACKETS: Final = 4
PACKET_BYTES: Final = 32

ring: Dma[Array[u32, 32]] = Dma[Array[u32, 32]]()


@requires(lambda i: i < PACKETS)
@ensures(lambda i, result: result == (i + 1) * PACKET_BYTES)
def successor_offset(i: u32) -> u32:
    return (i + 1) * PACKET_BYTES


@requires(lambda i: i < PACKETS and clock_enabled(DCP) and DCP.channel0_enabled)
def resume_after(i: u32) -> None:
    DCP.CH0CMDPTR.write(ADDR=addr_of(ring) + successor_offset(i))  # bug: for i = 3 the offset is 128, the byte after the ring: the DCP fetches a "packet" from whatever lies there (past the end of OCRAM if the ring is last) and follows its pointers
    DCP.CH0SEMA.write(INCREMENT=1)
