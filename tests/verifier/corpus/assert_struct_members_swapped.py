# expect: assert 24
# Two members written in turn: the later write lands in its own bytes, so the first keeps
# its value -- and the code asserts the wrong one.
from tamapy.fw import i16, struct, u8, u16, u32


@struct
class Sample:
    """A sensor sample: channel, a pad byte, a signed reading and a timestamp."""
    channel: u8
    _pad: u8
    reading: i16
    stamp: u32


sample: Sample = Sample()


def record(reading: i16, stamp: u32) -> None:
    sample.channel = 3
    sample.reading = reading
    sample.stamp = stamp
    assert sample.reading == reading and sample.channel == 3
    assert sample.stamp == u32(reading & 0xFFFF)  # bug: the stamp is `stamp`, not the reading's bits
