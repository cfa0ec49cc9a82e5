# expect: proved
# PAGETABLE.BASE holds address bits 31:2 of the page table: write the address shifted.
from soc.imx6ul.regs import DCP
from tamapy.fw import Array, Dma, addr_of, clock_enabled, requires, u32

table: Dma[Array[u32, 256]] = Dma[Array[u32, 256]]()


@requires(lambda: clock_enabled(DCP))
def enable_paging() -> None:
    DCP.PAGETABLE.write(BASE=addr_of(table) >> 2, ENABLE=1)
