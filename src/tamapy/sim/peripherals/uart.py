"""The i.MX UART as a console: instantaneous transmit, a receive queue, software reset.

Transmission takes no time, so the transmitter is always ready: USR1.TRDY,
USR2.TXDC/TXFE and UTS.TXEMPTY read 1 and UTS.TXFULL reads 0, as in QEMU 7.2.
A byte written to UTXD is sent only while UCR1.UARTEN *and* UCR2.TXEN are
set.  QEMU 7.2 checks TXEN alone (and resets with both bits on); requiring
both is what the hardware does, and the firmware's driver sets both, so the
console output is the same as QEMU's for correct firmware while a driver that
forgets UARTEN is caught here.  Register reset values are the spec's (the
hardware's), not QEMU's, for the same reason.

Received bytes (``Uart.receive``, e.g. the console input of ``tamapy run``)
first wait on the line, in an unbounded queue, and move into the 32-byte RX
FIFO when the firmware reads one of the UART's registers and the FIFO has
room -- as a terminal with flow control delivers, and as QEMU's character
backends wait until the UART can take a byte.  So input sent before the
driver's initialisation, whose software reset empties the FIFO, is not lost.
As in QEMU, neither UARTEN nor RXEN is needed.  URXD returns the oldest FIFO
byte with CHARRDY set and pops it; USR2.RDR, USR1.RRDY and UTS.RXEMPTY and
RXFULL follow the FIFO.  Baud rate, parity, loopback and interrupts are not
modelled.

With the ``uart-stuck`` fault injected, the console UART's transmitter is
never ready instead (TRDY, TXDC, TXFE, TXEMPTY read 0, TXFULL reads 1) and
bytes written to UTXD are lost, as when a FIFO never drains.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from typing import Any

from tamapy.sim.context import SimContext
from tamapy.sim.peripherals.base import RegisterFile
from tamapy.specs.model import Peripheral, Register

STUCK = "uart-stuck"

FIFO_DEPTH = 32
"""Characters in the hardware RX FIFO: UTS.RXFULL reads 1 from this many queued bytes."""

SOFT_RESET_REGISTERS = ("USR1", "USR2", "UBIR", "UBMR", "UBRC")
"""What UCR2.SRST = 0 returns to reset besides the FIFOs and state machines (RM, UCR2.SRST:
USR1, USR2, UBIR, UBMR, UBRC, URXD, UTXD and UTS[6:3]; URXD, UTXD and UTS[6:3] are
computed from the queues here)."""


class Uart(RegisterFile):
    """One UART instance; bytes it sends are kept in :attr:`transmitted`."""

    def __init__(self, peripheral: Peripheral, instance: str, base: int) -> None:
        super().__init__(peripheral, instance, base)
        self.transmitted = bytearray()
        self.on_transmit: Callable[[int], None] | None = None
        """Called with each byte sent, after it is appended to :attr:`transmitted`."""
        self.on_receive: Callable[[], None] | None = None
        """Called after bytes are queued by :meth:`receive` (from the receiving thread)."""
        self._rx: deque[int] = deque()
        """The RX FIFO (at most FIFO_DEPTH bytes)."""
        self._host: deque[int] = deque()
        """Bytes sent to the UART that it has not taken into its FIFO yet."""
        self._urxd = self.register("URXD")
        self._utxd = self.register("UTXD")
        self._ucr2 = self.register("UCR2")
        self._usr1 = self.register("USR1")
        self._usr2 = self.register("USR2")
        self._uts = self.register("UTS")
        self._charrdy = self.field("URXD", "CHARRDY").mask
        self._tx_data = self.field("UTXD", "TX_DATA").mask
        self._uarten = self.field("UCR1", "UARTEN").mask
        self._txen = self.field("UCR2", "TXEN").mask
        self._srst = self.field("UCR2", "SRST").mask
        self._usr1_tx = self.field("USR1", "TRDY").mask
        self._usr1_rx = self.field("USR1", "RRDY").mask
        self._usr2_tx = self.field("USR2", "TXDC").mask | self.field("USR2", "TXFE").mask
        self._usr2_rx = self.field("USR2", "RDR").mask
        self._uts_txempty = self.field("UTS", "TXEMPTY").mask
        self._uts_txfull = self.field("UTS", "TXFULL").mask
        self._uts_rxempty = self.field("UTS", "RXEMPTY").mask
        self._uts_rxfull = self.field("UTS", "RXFULL").mask
        self.stuck = False
        """Transmitter never ready (the ``uart-stuck`` fault)."""
        self.dropped = 0
        """Bytes written to UTXD while stuck."""
        self.busy_reads = 0
        """Status reads that saw the stuck transmitter busy."""

    def attach(self, ctx: SimContext) -> None:
        super().attach(ctx)
        self.stuck = STUCK in ctx.faults and self.instance == ctx.console

    def notes(self) -> dict[str, Any] | None:
        if not self.transmitted and not self.stuck:
            return None
        notes: dict[str, Any] = {"bytes_sent": len(self.transmitted)}
        if self.stuck:
            notes["stuck"] = True
            notes["bytes_dropped"] = self.dropped
            notes["busy_status_reads"] = self.busy_reads
            self.ctx.faults.note(STUCK, f"{self.instance}: {self.busy_reads} status reads saw the "
                                        f"transmitter busy, {self.dropped} bytes written to UTXD were lost")
        return notes

    def receive(self, data: bytes) -> None:
        """Bytes sent to the UART, read back through URXD in order (safe from another thread)."""
        self._host.extend(data)
        if self.on_receive is not None:
            self.on_receive()

    def _pull(self) -> None:
        """Move waiting bytes into the FIFO while it has room (on every register read)."""
        while self._host and len(self._rx) < FIFO_DEPTH:
            self._rx.append(self._host.popleft())

    @property
    def pending(self) -> int:
        """Received bytes not yet read from URXD (in the FIFO or still waiting)."""
        return len(self._rx) + len(self._host)

    @property
    def transmitting(self) -> bool:
        """UCR1.UARTEN and UCR2.TXEN: whether a write to UTXD is sent."""
        return bool(self.value("UCR1") & self._uarten and self.value("UCR2") & self._txen)

    def software_reset(self) -> None:
        """What writing UCR2.SRST = 0 does: FIFOs emptied (bytes still waiting on the host
        side are kept), status registers reset."""
        self._rx.clear()
        for name in SOFT_RESET_REGISTERS:
            self.set_value(name, self.register(name).reset)

    def read(self, reg: Register) -> int:
        if self._host:
            self._pull()
        value = self._values[reg.name]
        if reg is self._urxd:
            return self._rx.popleft() | self._charrdy if self._rx else 0
        rx = bool(self._rx)
        ready = not self.stuck
        if not ready and (reg is self._uts or reg is self._usr1 or reg is self._usr2):
            self.busy_reads += 1
            self.ctx.hit(STUCK)
        if reg is self._usr1:
            value &= ~(self._usr1_rx | self._usr1_tx)
            return value | (self._usr1_tx if ready else 0) | (self._usr1_rx if rx else 0)
        if reg is self._usr2:
            value &= ~(self._usr2_rx | self._usr2_tx)
            return value | (self._usr2_tx if ready else 0) | (self._usr2_rx if rx else 0)
        if reg is self._uts:
            value &= ~(self._uts_txfull | self._uts_txempty | self._uts_rxempty | self._uts_rxfull)
            value |= self._uts_txempty if ready else self._uts_txfull
            value |= 0 if rx else self._uts_rxempty
            return value | (self._uts_rxfull if len(self._rx) >= FIFO_DEPTH else 0)
        return value

    def stable(self, reg: Register) -> bool:
        """Every register but URXD (which pops), while no byte waits to enter the FIFO and the
        transmitter is not stuck (whose status reads are counted)."""
        return reg is not self._urxd and not self._host and not self.stuck

    def write(self, reg: Register, alias: str | None, value: int) -> None:
        if reg is self._utxd:
            if self.stuck:
                self.dropped += 1
                self.ctx.hit(STUCK)
                return
            if self.transmitting:
                byte = value & self._tx_data
                self.transmitted.append(byte)
                if self.on_transmit is not None:
                    self.on_transmit(byte)
            return
        super().write(reg, alias, value)
        if reg is self._ucr2 and not value & self._srst:
            self.software_reset()
            self.set_value(reg.name, self.value(reg.name) | self._srst)
