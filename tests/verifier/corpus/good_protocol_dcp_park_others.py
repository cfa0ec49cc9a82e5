# expect: proved
# A power-saving helper parks every channel but channel 0, and says channel 0 stays enabled.
from soc.imx6ul.regs import DCP
from tamapy.fw import clock_enabled, ensures, requires


@requires(lambda: clock_enabled(DCP))
@ensures(lambda: DCP.channel0_enabled)
def park_other_channels() -> None:
    DCP.CHANNELCTRL.write(ENABLE_CHANNEL=1)


@requires(lambda: clock_enabled(DCP) and DCP.channel0_enabled)
def park_then_last_packet() -> None:
    park_other_channels()
    DCP.CH0SEMA.write(INCREMENT=1)
