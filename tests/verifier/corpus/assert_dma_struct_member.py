# expect: assert 23
# A member of a descriptor in DMA memory read back after a write: the engine may have
# written it in between (that is what status members are for).
from soc.imx6ul.regs import DCP
from tamapy.fw import Dma, addr_of, clock_enabled, requires, struct, u32


@struct
class Packet:
    """The DCP work packet's first words: next, control0 and the status it writes back."""
    next: u32
    control0: u32
    status: u32


packet: Dma[Packet] = Dma[Packet]()


@requires(lambda: clock_enabled(DCP) and DCP.channel0_enabled)
def submit() -> None:
    packet.status = 0
    DCP.CH0CMDPTR.write(ADDR=addr_of(packet))
    assert packet.status == 0  # bug: the DCP may have written its status already
