# expect: dma 13
# A frame in DMA memory: a 16-bit length, then the 32-byte work packet.
from soc.imx6ul.regs import DCP
from tamapy.fw import Bytes, Dma, addr_of, clock_enabled, requires, u32

frame: Dma[Bytes[40]] = Dma[Bytes[40]]()


@requires(lambda length: length < 65536 and clock_enabled(DCP) and DCP.channel0_enabled)
def submit_frame(length: u32) -> None:
    frame[0] = length & 0xFF
    frame[1] = length >> 8
    DCP.CH0CMDPTR.write(ADDR=addr_of(frame) + 2)  # bug: the packet starts at byte 2, not on a word boundary (the board's DMA alignment is 4): the DCP fetches packet words from aligned addresses, so it reads the length and half of each field as the packet
    DCP.CH0SEMA.write(INCREMENT=1)
