# expect: dma 20
# Submit the four packets of a ring one after the other, numbering them from 1 (as
# their TAG does) and using that number as the index.
from typing import Final

from soc.imx6ul.regs import DCP
from tamapy.fw import Array, Dma, addr_of, clock_enabled, invariant, poll, requires, u32

PACKETS: Final = 4
PACKET_BYTES: Final = 32

ring: Dma[Array[u32, 32]] = Dma[Array[u32, 32]]()


@requires(lambda: clock_enabled(DCP) and DCP.channel0_enabled)
def run_all() -> u32:
    done: u32 = 0
    for tag in range(1, PACKETS + 1):
        invariant(done == tag - 1)
        DCP.CH0CMDPTR.write(ADDR=addr_of(ring) + tag * PACKET_BYTES)  # bug: packet n starts at (n - 1) x 32: tag 1 skips the first packet and tag 4 points at the byte after the ring, which the DCP runs as a packet (past the end of OCRAM if the ring is last)
        DCP.CH0SEMA.write(INCREMENT=1)
        if not poll(DCP.STAT.IRQ & 1 != 0, limit=100000):
            return done
        DCP.STAT.clear(IRQ=1)
        done += 1
    return done
