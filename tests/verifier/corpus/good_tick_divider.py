# expect: proved
# Unsigned division is the machine's: proved at once, whatever the load.
from tamapy.fw import ensures, requires, u32


@requires(lambda tick_hz: tick_hz > 0)
@ensures(lambda tick_hz, result: result <= 24_000_000)
def divider(tick_hz: u32) -> u32:
    div: u32 = 24_000_000 // tick_hz
    rest: u32 = 24_000_000 % tick_hz
    assert rest < tick_hz
    return div
