"""What a call may change is forgotten precisely: gates and invariants it cannot touch survive;
memory a DMA engine may write never keeps a value."""

from __future__ import annotations

from pathlib import Path

from tamapy.verify import Status, verify_tree

FIRMWARE = '''from soc.imx6ul.regs import CCM, DCP
from tamapy.fw import Array, Dma, addr_of, clock_enabled, dsb, ensures, poll, requires, u32

packet: Dma[Array[u32, 8]] = Dma[Array[u32, 8]]()


@ensures(lambda: clock_enabled(DCP))
def enable_dcp() -> None:
    CCM.CCGR0.modify(CG5=3)


@ensures(lambda: clock_enabled(OCOTP))
def enable_ocotp() -> None:
    CCM.CCGR2.modify(CG6=3)


@ensures(lambda: clock_enabled(DCP) and clock_enabled(OCOTP))
def enable_both() -> None:
    enable_dcp()
    enable_ocotp()


@requires(lambda: clock_enabled(DCP) and DCP.channel0_enabled)
@ensures(lambda: DCP.channel0_enabled)
def ack() -> None:
    DCP.STAT.clear(IRQ=1)


@requires(lambda: clock_enabled(DCP) and DCP.channel0_enabled)
def start_after_ack() -> None:
    ack()
    DCP.CH0CMDPTR.write(ADDR=addr_of(packet))


@requires(lambda: clock_enabled(DCP) and DCP.channel0_enabled)
def readback() -> u32:
    packet[7] = 0
    dsb()
    DCP.CH0CMDPTR.write(ADDR=addr_of(packet))
    DCP.CH0SEMA.write(INCREMENT=1)
    poll(DCP.STAT.IRQ & 1 == 1, limit=1000)
    assert packet[7] == 0
    return packet[7]
'''


def test_frames_and_dma_memory(project: Path) -> None:
    path = project / "firmware" / "examples" / "frames.py"
    path.write_text(FIRMWARE.replace("import CCM, DCP", "import CCM, DCP, OCOTP"))
    report = verify_tree([path], "mcimx6ul-evk", workers=1)
    failed = {(o.function.rsplit(".", 1)[1], o.category.value) for o in report.obligations if o.status is Status.FAILED}
    # enabling the OCOTP gate writes CG6 only, so the DCP gate (CG5) survives the call
    assert ("enable_both", "postcondition") not in failed
    # ack() writes STAT, which no rule of channel0_enabled mentions: the invariant survives
    assert ("start_after_ack", "protocol") not in failed
    # the DCP may have written the packet: reading it back proves nothing
    assert failed == {("readback", "assert")}
