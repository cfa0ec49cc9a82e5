"""GPT1 as a free-running 1 MHz counter: uptime and bounded busy-wait delays.

Rate: the 24 MHz crystal (CR.CLKSRC = 5 with CR.EN_24M, PR.PRESCALER24M = 0)
divided by PR.PRESCALER + 1 = 24, so one tick is one microsecond
(``TICK_HZ``) whatever the IPG and PERCLK roots are set to.  QEMU 7.2 ignores
EN_24M and PRESCALER24M but counts CLKSRC 5 at 24 MHz too, so the rate is the
same there.  The counter is free-running (CR.FRR): 32 bits wrap after about
71.6 minutes; ``uptime_ticks`` extends it to 64 bits in software and must be
called at least once per wrap.

Both GPT1 clock gates must be open (``ccm.enable_gpt1``): the bus gate
CCGR1.CG10, which the verifier tracks, and the serial gate CCGR1.CG11,
which it cannot.  Every wait is bounded: a counter that does not advance
makes ``delay_us`` return False instead of hanging.
"""

from typing import Final

from soc.imx6ul.regs import GPT1
from tamapy.fw import clock_enabled, decreases, ensures, poll, requires, u32, u64

TICK_HZ: Final = 1_000_000
"""Counter rate: one tick per microsecond."""
CLKSRC_24M: Final = 5
"""CR.CLKSRC: the 24 MHz crystal (needs CR.EN_24M)."""
PRESCALE_1MHZ: Final = 23
"""PR.PRESCALER: divide the 24 MHz crystal by 24."""
RESET_POLL_LIMIT: Final = 10_000
MASK32: Final = 0xFFFF_FFFF
WRAP: Final = MASK32 + 1
"""The counter's modulus: 2**32 ticks."""
MAX_DELAY_US: Final = 0x4000_0000
"""Longest delay (about 17.9 minutes): well inside one wrap of the counter."""
POLLS_PER_US: Final = 128
"""Counter reads allowed per requested microsecond before ``delay_us`` gives up.  A read
of CNT plus the loop takes far more than 1/128 us on any i.MX6UL-family core
(528 MHz: 4 cycles), so a counting timer always ends the wait first."""
POLL_SLACK: Final = 1024

epoch_high: u32 = 0
"""Wraps of CNT seen by ``uptime_ticks``: bits 63:32 of the uptime."""
last_low: u32 = 0
"""CNT as ``uptime_ticks`` last saw it."""


@requires(lambda: clock_enabled(GPT1))
def init() -> bool:
    """Reset GPT1 and start it free-running at 1 MHz from 0; False if the software
    reset did not finish."""
    global epoch_high, last_low
    GPT1.CR.write(EN=0)
    GPT1.IR.write(OF1IE=0)
    GPT1.CR.write(SWR=1)
    if not poll(GPT1.CR.SWR == 0, limit=RESET_POLL_LIMIT):
        return False
    GPT1.PR.write(PRESCALER=PRESCALE_1MHZ, PRESCALER24M=0)
    GPT1.CR.write(CLKSRC=CLKSRC_24M, EN_24M=1, FRR=1, ENMOD=1, WAITEN=1)
    GPT1.SR.write(OF1=1, OF2=1, OF3=1, IF1=1, IF2=1, ROV=1)
    GPT1.CR.write(CLKSRC=CLKSRC_24M, EN_24M=1, FRR=1, ENMOD=1, WAITEN=1, EN=1)
    epoch_high = 0
    last_low = 0
    return True


@requires(lambda: clock_enabled(GPT1))
def ticks() -> u32:
    """The raw 32-bit counter (microseconds, wrapping)."""
    return GPT1.CNT.read()


@requires(lambda: clock_enabled(GPT1))
def uptime_ticks() -> u64:
    """Microseconds since ``init``, as 64 bits: the counter plus the wraps seen so far
    (call at least once every 71 minutes for the count of wraps to stay right)."""
    global epoch_high, last_low
    now: u32 = GPT1.CNT.read()
    if now < last_low and epoch_high < MASK32:
        epoch_high += 1
    last_low = now
    return (u64(epoch_high) << 32) | now


@ensures(lambda start, now, result: result <= MASK32)
def elapsed(start: u32, now: u32) -> u32:
    """Ticks from ``start`` to ``now`` on the wrapping 32-bit counter."""
    return u32((u64(now) + WRAP - start) & MASK32)


@requires(lambda n: n <= MAX_DELAY_US and clock_enabled(GPT1))
def delay_us(n: u32) -> bool:
    """Busy-wait at least ``n`` microseconds.  False if the counter did not advance
    far enough within ``n * POLLS_PER_US + POLL_SLACK`` reads (timer stopped)."""
    start: u32 = GPT1.CNT.read()
    budget: u64 = u64(n) * POLLS_PER_US + POLL_SLACK
    polls: u64 = 0
    while polls < budget:
        decreases(budget - polls)
        if elapsed(start, GPT1.CNT.read()) >= n:
            return True
        polls += 1
    return False
