# expect: proved
# A frame in DMA memory: a 16-bit length padded to a word, then the 32-byte work packet.
from soc.imx6ul.regs import DCP
from tamapy.fw import Bytes, Dma, addr_of, clock_enabled, requires, u32

frame: Dma[Bytes[40]] = Dma[Bytes[40]]()


@requires(lambda length: length < 65536 and clock_enabled(DCP) and DCP.channel0_enabled)
def submit_frame(length: u32) -> None:
    frame[0] = length & 0xFF
    frame[1] = length >> 8
    frame[2] = 0
    frame[3] = 0
    DCP.CH0CMDPTR.write(ADDR=addr_of(frame) + 4)
    DCP.CH0SEMA.write(INCREMENT=1)
