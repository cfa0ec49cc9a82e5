"""The RNGB true random number generator (i.MX6ULL/ULZ only): self-test, seeding,
and random words released only while the generator is provably healthy.

The register map's protocol invariant ``RNGB.healthy`` holds after a read of
SR showing a finished self-test and seed, no self-test failure and no error
(``STDN == 1 and SDN == 1 and ST_PF == 0 and ERR == 0``); an SR read with
ERR set or a failed self-test (ST_PF != 0), a self-test command (CMD.ST, so
``self_test`` ends it until ``init``'s last SR read) and a software reset
(CMD.SR) each end it, and only while it holds may OUT be read.
``read_words`` reads SR before every OUT read and reads OUT only when
that very SR value shows the generator healthy with a word in the FIFO
(FIFO_LVL > 0), so the verifier proves the invariant at each OUT read.  If
anything goes wrong before all requested words are in, none is released:
the words already read are wiped and ``out`` is left untouched.

Sequence (reference sheet §3.6): clear errors (CMD.CE), software reset
(CMD.SR), auto-reseed on with both interrupts masked (polled driver), self
test (CMD.ST, wait for SR.STDN), seed (CMD.GS, wait for SR.SDN; a
statistical-test error alone, ESR = SATE, is cleared and seeding retried, as
Linux and barebox do), clear the interrupt (CMD.CI).  After any error status
call ``init`` again.  Every wait is bounded (``TIMEOUT``).

There is no clock gate to open (fixed clock), but the block sits behind the
AIPS-3 bus (CCGR6.CG9, on at reset) and does not exist on the i.MX6UL: check
``soc.has_rngb()`` first.  SR.ST_PF is taken as bits 23:21 (the map's
choice; sources disagree on which of them the part sets): any of them set is
a failure.
"""

from enum import IntEnum
from typing import Final

from soc.imx6ul.regs import RNGB
from tamapy.fw import Array, MutView, RegValue, ensures, invariant, poll, requires, u32

MAX_WORDS: Final = 64
"""Largest request of ``read_words`` (the words it gathers before releasing any)."""


# What a generator operation gave.
class RngStatus(IntEnum):
    OK = 0
    TIMEOUT = 1
    SELFTEST_FAILED = 2
    SEED_FAILED = 3
    ERROR = 4
    NOT_READY = 5


@ensures(lambda esr, result: result == (esr.SATE == 1 and esr.LFE == 0 and esr.OSCE == 0 and esr.STE == 0
                                        and esr.FUFE == 0))
def retry_seed(esr: RegValue[RNGB.ESR]) -> bool:
    """Whether an ESR value shows the statistical-test error alone: the seed may be retried."""
    return esr.SATE == 1 and esr.LFE == 0 and esr.OSCE == 0 and esr.STE == 0 and esr.FUFE == 0


@ensures(lambda sr, result: result == (sr.STDN == 1 and sr.SDN == 1 and sr.ST_PF == 0 and sr.ERR == 0))
def healthy(sr: RegValue[RNGB.SR]) -> bool:
    """Whether an SR value shows a passed self-test, a seed and no error (the spec's
    condition for ``RNGB.healthy``)."""
    return sr.STDN == 1 and sr.SDN == 1 and sr.ST_PF == 0 and sr.ERR == 0


def reset() -> None:
    """Clear latched errors, then software-reset the block (self-test and seed are lost)."""
    RNGB.CMD.write(CE=1)
    RNGB.CMD.write(SR=1)


SELFTEST_POLL_LIMIT: Final = 1_000_000
"""SR polls for the self test (Linux allows 2.5 ms)."""


def self_test() -> RngStatus:
    """Run the self test; SELFTEST_FAILED if it reported a failure or an error."""
    RNGB.CMD.write(ST=1)
    if not poll(RNGB.SR.STDN == 1 or RNGB.SR.ERR == 1, limit=SELFTEST_POLL_LIMIT):
        return RngStatus.TIMEOUT
    sr: RegValue[RNGB.SR] = RNGB.SR.read()
    if sr.ERR == 1 or sr.ST_PF != 0 or sr.STDN == 0:
        return RngStatus.SELFTEST_FAILED
    return RngStatus.OK


SEED_POLL_LIMIT: Final = 10_000_000
"""SR polls for a seed (about 2 million RNG clocks; Linux allows 200 ms)."""
SEED_ATTEMPTS: Final = 3


def seed() -> RngStatus:
    """Generate a seed, retrying after a statistical-test error alone."""
    for _ in range(0, SEED_ATTEMPTS):
        RNGB.CMD.write(GS=1)
        if not poll(RNGB.SR.SDN == 1 or RNGB.SR.ERR == 1, limit=SEED_POLL_LIMIT):
            return RngStatus.TIMEOUT
        if RNGB.SR.ERR == 0:
            return RngStatus.OK
        if not retry_seed(RNGB.ESR.read()):
            return RngStatus.SEED_FAILED
        RNGB.CMD.write(CE=1)
    return RngStatus.SEED_FAILED


@ensures(lambda result: result != RngStatus.OK or RNGB.healthy)
def init() -> RngStatus:
    """Reset, self-test and seed the generator.  OK means ``RNGB.healthy`` holds."""
    reset()
    RNGB.CR.write(AR=1, MASKDONE=1, MASKERR=1)
    status: RngStatus = self_test()
    if status != RngStatus.OK:
        return status
    status = seed()
    if status != RngStatus.OK:
        return status
    RNGB.CMD.write(CI=1)
    if not healthy(RNGB.SR.read()):
        return RngStatus.ERROR
    return RngStatus.OK


FIFO_POLL_LIMIT: Final = 100_000
"""SR polls for one word (5 words per 112 clocks once seeded)."""


@requires(lambda buf, i: i < MAX_WORDS)
@ensures(lambda buf, i, result: result != RngStatus.OK or RNGB.healthy)
def next_word(buf: Array[u32, 64], i: u32) -> RngStatus:
    """``buf[i]`` = the next random word, read only right after an SR read that shows
    the generator healthy and the FIFO non-empty."""
    for _ in range(0, FIFO_POLL_LIMIT):
        sr: RegValue[RNGB.SR] = RNGB.SR.read()
        if not healthy(sr):
            if sr.ERR == 1:
                return RngStatus.ERROR
            return RngStatus.NOT_READY
        if sr.FIFO_LVL > 0:
            buf[i] = RNGB.OUT.read()
            return RngStatus.OK
    return RngStatus.TIMEOUT


@requires(lambda out, n: n <= MAX_WORDS and n <= len(out))
@ensures(lambda out, n, result: result != RngStatus.OK or n == 0 or RNGB.healthy)
def read_words(out: MutView[u32], n: u32) -> RngStatus:
    """``out[0:n]`` = ``n`` random words.  On any other status than OK nothing is
    released: ``out`` is untouched and the words read so far are wiped."""
    got: Array[u32, 64] = Array[u32, 64]()
    status: RngStatus = RngStatus.OK
    for i in range(0, n):
        invariant(status != RngStatus.OK or i == 0 or RNGB.healthy)
        status = next_word(got, i)
        if status != RngStatus.OK:
            break
    if status == RngStatus.OK:
        for i in range(0, n):
            out[i] = got[i]
    for i in range(0, n):
        got[i] = 0
    return status
