# expect: protocol 15
# A power-saving helper parks every channel; its caller then queues one more packet.
from soc.imx6ul.regs import DCP
from tamapy.fw import clock_enabled, requires


@requires(lambda: clock_enabled(DCP))
def park_channels() -> None:
    DCP.CHANNELCTRL.write(ENABLE_CHANNEL=0)


@requires(lambda: clock_enabled(DCP) and DCP.channel0_enabled)
def park_then_last_packet() -> None:
    park_channels()
    DCP.CH0SEMA.write(INCREMENT=1)  # bug: park_channels() disabled channel 0, so the packet is queued on a disabled channel and never runs until something enables it again
