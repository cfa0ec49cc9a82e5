"""Fast-forward of simulated time while firmware busy-waits on a timer.

Firmware waits by polling a counter (``delay_us`` reads GPT1.CNT until
enough ticks have passed).  Simulated time is the instruction count, so a
250 ms wait is 132 million instructions, each poll a trip through Python: the
wait would take far longer on the host than on the board.  A poll loop does
nothing but wait, though, so the machine may let simulated time run faster
while it spins: each poll of the same counter then finds the CPU idle for a
while before the read, as if the read had stalled -- no instruction is
skipped, so instruction counts stay exact.

A read is a poll when it is a read of a *time register* (one whose value
follows simulated time alone, :attr:`RegisterFile.time_registers`) at the
same PC and address as the previous MMIO access, fewer than :data:`MAX_GAP`
instructions later, with no CPU exception in between.  (A loop reading two
counter registers, or anything else, is not fast-forwarded: its time runs
cycle by cycle.)  Each poll of a streak adds idle time,
doubling from :data:`FIRST_STEP` cycles but never more than
1/:data:`BOUND_DIVISOR` of the time waited since the streak began, so a wait
for a deadline ends at most 0.1 % (plus one poll) past it, and never more
than a millisecond of simulated time (``max_step``): a loop that reads a
counter without waiting for it sees time run linearly, not exponentially,
and no step comes near a counter's wrap.  The machine
clamps each step to the next timed event (a watchdog deadline still fires at
its cycle).  Everything depends on PCs, addresses and counts only: runs stay
deterministic, and time never runs backwards.  ``tamapy run`` turns it on;
the API leaves it off unless asked, keeping time equal to the instruction count.
"""

from __future__ import annotations

from collections.abc import Iterable

MAX_GAP = 256
"""Most instructions between two polls of one streak."""
FIRST_STEP = 16
"""Idle cycles added at the first poll of a streak that qualifies."""
BOUND_DIVISOR = 1024
"""A step is at most the time waited so far over this: the overshoot bound (0.1 %, so a
1 ms `delay_us` ends within a microsecond of its deadline)."""


class FastForward:
    """The poll streak the machine is in, and how far each poll moves time on."""

    def __init__(self, time_registers: Iterable[int], max_step: int) -> None:
        self.watched = frozenset(time_registers)
        self.max_step = max_step
        """Most idle cycles one poll may add."""
        """Addresses of the time registers."""
        self.site: tuple[int, int] | None = None
        """(PC, address) of the streak's poll; None outside a streak."""
        self._since = 0
        """Instructions completed at the streak's last poll."""
        self._begin = 0
        """Cycle of the streak's first poll."""
        self._step = 0
        self.skipped = 0
        """Idle cycles added over the run (for the report)."""

    def reset(self) -> None:
        """Something other than a time register read happened: the streak (if any) ends."""
        self.site = None

    def poll(self, pc: int, address: int, done: int, cycles: int, limit: int | None) -> int:
        """A read of the time register at ``address`` from ``pc`` after ``done`` instructions,
        at cycle ``cycles``: the idle cycles to add before it is served (at most ``limit``,
        the cycles left to the next timed event)."""
        if self.site != (pc, address) or done - self._since > MAX_GAP:
            self.site = (pc, address)
            self._since = done
            self._begin = cycles
            self._step = 0
            return 0
        self._since = done
        self._step = min(max(self._step * 2, FIRST_STEP), (cycles - self._begin) // BOUND_DIVISOR, self.max_step)
        skip = self._step if limit is None else max(0, min(self._step, limit))
        self.skipped += skip
        return skip


__all__ = ["BOUND_DIVISOR", "FastForward"]
