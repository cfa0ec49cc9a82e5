"""OCOTP: fuse words through their shadow registers, the unique ID, shadow reloads
and direct fuse reads.

Fuse word ``word`` (0..7) of bank ``bank`` is shadowed at
``0x400 + 0x10 x (8 x bank + word)``, plus 0x100 for banks >= 6: 0x700-0x7FF
is a hole.  The register map names every shadow by its index on either side
of the hole (the register arrays FUSE, banks 0-5, and FUSE_HI, banks 6-7),
so ``shadow`` indexes one of them and the hole is never touched.  Banks 8-15
of the i.MX6UL are not in the map and cannot be read.

Reading a read-locked word (the OTP master key, bank 2, on a provisioned
part) returns 0xBADABADA and sets CTRL.ERROR: ``read_fuse`` clears ERROR
(through CTRL_CLR) before the read, looks at it after, and reports LOCKED
without releasing the value.  It first waits, bounded, for CTRL.BUSY to
clear, so a reload or program operation in progress is never raced.

The unique ID is CFG0 (bank 0 word 1) then CFG1 (word 2), each little-endian.
The OCOTP clock (CCGR2.CG6, ``ccm.enable_ocotp``) must be on.  QEMU 7.2 does
not model the OCOTP: every shadow reads 0 there and BUSY never sets.
"""

from enum import IntEnum
from typing import Final

from soc.imx6ul.regs import OCOTP
from tamapy.fw import Array, Bytes, clock_enabled, poll, requires, u8, u32


# What a fuse read gave.
class FuseStatus(IntEnum):
    OK = 0
    TIMEOUT = 1
    LOCKED = 2


BANKS: Final = 8
"""Banks the register map describes (the i.MX6ULL/ULZ has 8; the i.MX6UL's 8-15 are left out)."""
WORDS_PER_BANK: Final = 8
HOLE_BANK: Final = 6
"""The first bank above the shadow hole (its words are FUSE_HI's)."""
BUSY_POLL_LIMIT: Final = 100_000
"""CTRL.BUSY polls: a shadow reload or a read takes microseconds."""


@requires(lambda: clock_enabled(OCOTP))
def wait_idle() -> bool:
    """Wait (bounded) until no program, reload or read operation runs."""
    return poll(OCOTP.CTRL.BUSY == 0, limit=BUSY_POLL_LIMIT)


@requires(lambda bank, word: bank < BANKS and word < WORDS_PER_BANK and clock_enabled(OCOTP))
def shadow(bank: u32, word: u32) -> u32:
    """The shadow register of fuse ``bank``/``word`` (one read, no error handling):
    FUSE below the hole, FUSE_HI above it."""
    if bank < HOLE_BANK:
        return OCOTP.FUSE[WORDS_PER_BANK * bank + word].read()
    return OCOTP.FUSE_HI[WORDS_PER_BANK * (bank - HOLE_BANK) + word].read()


@requires(lambda bank, word, out: bank < BANKS and word < WORDS_PER_BANK and clock_enabled(OCOTP))
def read_fuse(bank: u32, word: u32, out: Array[u32, 1]) -> FuseStatus:
    """``out[0]`` = the shadow of fuse ``bank``/``word``.  TIMEOUT if the controller
    stayed busy, LOCKED if the word is read-locked; ``out[0]`` is 0 then."""
    out[0] = 0
    if not wait_idle():
        return FuseStatus.TIMEOUT
    OCOTP.CTRL.clear(ERROR=1)
    value: u32 = shadow(bank, word)
    if OCOTP.CTRL.ERROR == 1:
        OCOTP.CTRL.clear(ERROR=1)
        return FuseStatus.LOCKED
    out[0] = value
    return FuseStatus.OK


@requires(lambda out, at, value: at <= 4)
def put_le32(out: Bytes[8], at: u32, value: u32) -> None:
    """``out[at:at + 4]`` = ``value``, little-endian."""
    for i in range(0, 4):
        out[at + i] = u8((value >> (8 * i)) & 0xFF)


UID_BANK: Final = 0
UID_WORD: Final = 1
"""The unique ID's fuse words: bank 0, word 1 (CFG0, the low half) then word 2 (CFG1)."""


@requires(lambda out: clock_enabled(OCOTP))
def unique_id(out: Bytes[8]) -> FuseStatus:
    """The 64-bit unique ID: CFG0 then CFG1, each little-endian.  On an error ``out``
    is all zero."""
    word: Array[u32, 1] = Array[u32, 1]()
    for half in range(0, 2):
        status: FuseStatus = read_fuse(UID_BANK, UID_WORD + half, word)
        if status != FuseStatus.OK:
            for i in range(0, 8):
                out[i] = 0
            return status
        put_le32(out, 4 * half, word[0])
    return FuseStatus.OK


@requires(lambda: clock_enabled(OCOTP))
def reload_shadows() -> FuseStatus:
    """Reload every shadow register from the fuses (undoing shadow overrides)."""
    if not wait_idle():
        return FuseStatus.TIMEOUT
    OCOTP.CTRL.clear(ERROR=1)
    OCOTP.CTRL.set(RELOAD_SHADOWS=1)
    if not poll(OCOTP.CTRL.BUSY == 0 and OCOTP.CTRL.RELOAD_SHADOWS == 0, limit=BUSY_POLL_LIMIT):
        return FuseStatus.TIMEOUT
    if OCOTP.CTRL.ERROR == 1:
        OCOTP.CTRL.clear(ERROR=1)
        return FuseStatus.LOCKED
    return FuseStatus.OK


@requires(lambda bank, word, out: bank < BANKS and word < WORDS_PER_BANK and clock_enabled(OCOTP))
def read_fuse_direct(bank: u32, word: u32, out: Array[u32, 1]) -> FuseStatus:
    """``out[0]`` = fuse ``bank``/``word`` read from the fuse array itself (CTRL.ADDR
    counts words without the shadow hole), bypassing the shadows.  Statuses as
    ``read_fuse``."""
    out[0] = 0
    if not wait_idle():
        return FuseStatus.TIMEOUT
    OCOTP.CTRL.clear(ERROR=1)
    OCOTP.CTRL.write(ADDR=WORDS_PER_BANK * bank + word)
    OCOTP.READ_CTRL.write(READ_FUSE=1)
    if not wait_idle():
        return FuseStatus.TIMEOUT
    if OCOTP.CTRL.ERROR == 1:
        OCOTP.CTRL.clear(ERROR=1)
        return FuseStatus.LOCKED
    value: u32 = OCOTP.READ_FUSE_DATA.read()
    out[0] = value
    return FuseStatus.OK
