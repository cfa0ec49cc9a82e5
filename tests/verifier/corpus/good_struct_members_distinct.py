# expect: proved
# Members written in turn, a signed one negative: each write lands in its own bytes, and a
# member array's elements in theirs, so every member keeps its value.
from tamapy.fw import Array, i16, struct, u8, u16, u32


@struct
class Sample:
    """A sensor sample: channel, a pad byte, a signed reading, a timestamp and two filter taps."""
    channel: u8
    _pad: u8
    reading: i16
    stamp: u32
    taps: Array[i16, 2]


sample: Sample = Sample()


def record(reading: i16, stamp: u32, i: u32) -> None:
    sample.channel = 3
    sample.reading = reading
    sample.stamp = stamp
    sample.taps[i & 1] = -1
    assert sample.reading == reading and sample.channel == 3 and sample.stamp == stamp
    assert sample.taps[i & 1] == -1
    sample.reading = -32768
    assert sample.reading == -32768 and sample.stamp == stamp
