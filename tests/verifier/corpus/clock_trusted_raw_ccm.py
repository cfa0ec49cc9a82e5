# expect: clock 17
# Trusted code that writes the CCM raw may cut any clock: its callers cannot keep their gates.
from soc.imx6ul.regs import CCM, UART1
from tamapy.fw import mmio, trusted, u32

CCGR5: u32 = 0x020C407C


@trusted("writes CCGR5 in one store, as the ROM's low-power sequence does")
def low_power() -> None:
    mmio.write32(CCGR5, 0)


def f() -> None:
    CCM.CCGR5.modify(CG12=3)
    low_power()
    UART1.UCR1.write(UARTEN=0)  # bug: low_power() cut UART1's clock gate
