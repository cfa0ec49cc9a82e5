# expect: dma 11
# PAGETABLE.BASE holds address bits 31:2 of the page table.
from soc.imx6ul.regs import DCP
from tamapy.fw import Array, Dma, addr_of, clock_enabled, requires, u32

table: Dma[Array[u32, 256]] = Dma[Array[u32, 256]]()


@requires(lambda: clock_enabled(DCP))
def enable_paging() -> None:
    DCP.PAGETABLE.write(BASE=addr_of(table), ENABLE=1)  # bug: the field is bits 31:2, so the DCP sees the address times 4 (0x00900000 becomes 0x02400000, no RAM of this board's DMA region) and walks a page table there
