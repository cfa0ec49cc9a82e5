# expect: proved
# After trusted code that may touch the CCM, the caller turns the gate it needs back on.
from soc.imx6ul.regs import CCM, UART1
from tamapy.fw import mmio, trusted, u32

CCGR5: u32 = 0x020C407C


@trusted("writes CCGR5 in one store, as the ROM's low-power sequence does", modifies=("CCM",))
def low_power() -> None:
    mmio.write32(CCGR5, 0)


def f() -> None:
    low_power()
    CCM.CCGR5.modify(CG12=3)
    UART1.UCR1.write(UARTEN=0)
