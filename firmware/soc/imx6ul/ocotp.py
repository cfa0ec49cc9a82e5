"""OCOTP: fuse words through their shadow registers, the unique ID, shadow reloads
and direct fuse reads.

Fuse word ``word`` (0..7) of bank ``bank`` is shadowed at
``0x400 + 0x10 x (8 x bank + word)``, plus 0x100 for banks >= 6: 0x700-0x7FF
is a hole (``shadow_offset``).  The register map names every shadow of
banks 0-7 at exactly those offsets, so ``read_fuse`` reaches a shadow
through the named register of its bank and word (one small dispatch per
bank); the hole is never touched.  Banks 8-15 of the i.MX6UL are not in the
map and cannot be read.

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
from tamapy.fw import Array, Bytes, clock_enabled, ensures, poll, requires, u8, u32

BANKS: Final = 8
"""Banks the register map describes (the i.MX6ULL/ULZ has 8; the i.MX6UL's 8-15 are left out)."""
WORDS_PER_BANK: Final = 8
SHADOW_BASE: Final = 0x400
SHADOW_STRIDE: Final = 0x10
HOLE: Final = 0x100
"""Banks from HOLE_BANK on sit this much higher."""
HOLE_BANK: Final = 6
BUSY_POLL_LIMIT: Final = 100_000
"""CTRL.BUSY polls: a shadow reload or a read takes microseconds."""
UID_LOW_BANK: Final = 0
UID_LOW_WORD: Final = 1
UID_HIGH_WORD: Final = 2


# What a fuse read gave.
class FuseStatus(IntEnum):
    OK = 0
    TIMEOUT = 1
    LOCKED = 2


@requires(lambda bank, word: bank < BANKS and word < WORDS_PER_BANK)
@ensures(lambda bank, word, result: SHADOW_BASE <= result and result <= 0x8F0 and result % SHADOW_STRIDE == 0
         and (result < 0x700 or result >= 0x800))
def shadow_offset(bank: u32, word: u32) -> u32:
    """Offset of the shadow register of fuse ``bank``/``word`` in the OCOTP window."""
    offset: u32 = SHADOW_BASE + SHADOW_STRIDE * (WORDS_PER_BANK * bank + word)
    if bank >= HOLE_BANK:
        offset += HOLE
    return offset


@requires(lambda: clock_enabled(OCOTP))
def wait_idle() -> bool:
    """Wait (bounded) until no program, reload or read operation runs."""
    return poll(OCOTP.CTRL.BUSY == 0, limit=BUSY_POLL_LIMIT)


@requires(lambda word: word < WORDS_PER_BANK and clock_enabled(OCOTP))
def bank0(word: u32) -> u32:
    """Fuse bank 0: LOCK, CFG0, CFG1, CFG2, CFG3, CFG4, CFG5, CFG6."""
    if word == 0:
        return OCOTP.LOCK.read()
    if word == 1:
        return OCOTP.CFG0.read()
    if word == 2:
        return OCOTP.CFG1.read()
    if word == 3:
        return OCOTP.CFG2.read()
    if word == 4:
        return OCOTP.CFG3.read()
    if word == 5:
        return OCOTP.CFG4.read()
    if word == 6:
        return OCOTP.CFG5.read()
    return OCOTP.CFG6.read()


@requires(lambda word: word < WORDS_PER_BANK and clock_enabled(OCOTP))
def bank1(word: u32) -> u32:
    """Fuse bank 1: MEM0, MEM1, MEM2, MEM3, MEM4, ANA0, ANA1, ANA2."""
    if word == 0:
        return OCOTP.MEM0.read()
    if word == 1:
        return OCOTP.MEM1.read()
    if word == 2:
        return OCOTP.MEM2.read()
    if word == 3:
        return OCOTP.MEM3.read()
    if word == 4:
        return OCOTP.MEM4.read()
    if word == 5:
        return OCOTP.ANA0.read()
    if word == 6:
        return OCOTP.ANA1.read()
    return OCOTP.ANA2.read()


@requires(lambda word: word < WORDS_PER_BANK and clock_enabled(OCOTP))
def bank2(word: u32) -> u32:
    """Fuse bank 2: OTPMK0, OTPMK1, OTPMK2, OTPMK3, OTPMK4, OTPMK5, OTPMK6, OTPMK7."""
    if word == 0:
        return OCOTP.OTPMK0.read()
    if word == 1:
        return OCOTP.OTPMK1.read()
    if word == 2:
        return OCOTP.OTPMK2.read()
    if word == 3:
        return OCOTP.OTPMK3.read()
    if word == 4:
        return OCOTP.OTPMK4.read()
    if word == 5:
        return OCOTP.OTPMK5.read()
    if word == 6:
        return OCOTP.OTPMK6.read()
    return OCOTP.OTPMK7.read()


@requires(lambda word: word < WORDS_PER_BANK and clock_enabled(OCOTP))
def bank3(word: u32) -> u32:
    """Fuse bank 3: SRK0, SRK1, SRK2, SRK3, SRK4, SRK5, SRK6, SRK7."""
    if word == 0:
        return OCOTP.SRK0.read()
    if word == 1:
        return OCOTP.SRK1.read()
    if word == 2:
        return OCOTP.SRK2.read()
    if word == 3:
        return OCOTP.SRK3.read()
    if word == 4:
        return OCOTP.SRK4.read()
    if word == 5:
        return OCOTP.SRK5.read()
    if word == 6:
        return OCOTP.SRK6.read()
    return OCOTP.SRK7.read()


@requires(lambda word: word < WORDS_PER_BANK and clock_enabled(OCOTP))
def bank4(word: u32) -> u32:
    """Fuse bank 4: SJC_RESP0, SJC_RESP1, MAC0, MAC1, MAC, CRC, GP1, GP2."""
    if word == 0:
        return OCOTP.SJC_RESP0.read()
    if word == 1:
        return OCOTP.SJC_RESP1.read()
    if word == 2:
        return OCOTP.MAC0.read()
    if word == 3:
        return OCOTP.MAC1.read()
    if word == 4:
        return OCOTP.MAC.read()
    if word == 5:
        return OCOTP.CRC.read()
    if word == 6:
        return OCOTP.GP1.read()
    return OCOTP.GP2.read()


@requires(lambda word: word < WORDS_PER_BANK and clock_enabled(OCOTP))
def bank5(word: u32) -> u32:
    """Fuse bank 5: SW_GP0, SW_GP1, SW_GP2, SW_GP3, SW_GP4, MISC_CONF, FIELD_RETURN, SRK_REVOKE."""
    if word == 0:
        return OCOTP.SW_GP0.read()
    if word == 1:
        return OCOTP.SW_GP1.read()
    if word == 2:
        return OCOTP.SW_GP2.read()
    if word == 3:
        return OCOTP.SW_GP3.read()
    if word == 4:
        return OCOTP.SW_GP4.read()
    if word == 5:
        return OCOTP.MISC_CONF.read()
    if word == 6:
        return OCOTP.FIELD_RETURN.read()
    return OCOTP.SRK_REVOKE.read()


@requires(lambda word: word < WORDS_PER_BANK and clock_enabled(OCOTP))
def bank6(word: u32) -> u32:
    """Fuse bank 6: ROM_PATCH0, ROM_PATCH1, ROM_PATCH2, ROM_PATCH3, ROM_PATCH4, ROM_PATCH5, ROM_PATCH6, ROM_PATCH7."""
    if word == 0:
        return OCOTP.ROM_PATCH0.read()
    if word == 1:
        return OCOTP.ROM_PATCH1.read()
    if word == 2:
        return OCOTP.ROM_PATCH2.read()
    if word == 3:
        return OCOTP.ROM_PATCH3.read()
    if word == 4:
        return OCOTP.ROM_PATCH4.read()
    if word == 5:
        return OCOTP.ROM_PATCH5.read()
    if word == 6:
        return OCOTP.ROM_PATCH6.read()
    return OCOTP.ROM_PATCH7.read()


@requires(lambda word: word < WORDS_PER_BANK and clock_enabled(OCOTP))
def bank7(word: u32) -> u32:
    """Fuse bank 7: GP3_0, GP3_1, GP3_2, GP3_3, GP4_0, GP4_1, GP4_2, GP4_3."""
    if word == 0:
        return OCOTP.GP3_0.read()
    if word == 1:
        return OCOTP.GP3_1.read()
    if word == 2:
        return OCOTP.GP3_2.read()
    if word == 3:
        return OCOTP.GP3_3.read()
    if word == 4:
        return OCOTP.GP4_0.read()
    if word == 5:
        return OCOTP.GP4_1.read()
    if word == 6:
        return OCOTP.GP4_2.read()
    return OCOTP.GP4_3.read()

@requires(lambda bank, word: bank < BANKS and word < WORDS_PER_BANK and clock_enabled(OCOTP))
def shadow(bank: u32, word: u32) -> u32:
    """The shadow register of fuse ``bank``/``word`` (one read, no error handling)."""
    if bank == 0:
        return bank0(word)
    if bank == 1:
        return bank1(word)
    if bank == 2:
        return bank2(word)
    if bank == 3:
        return bank3(word)
    if bank == 4:
        return bank4(word)
    if bank == 5:
        return bank5(word)
    if bank == 6:
        return bank6(word)
    return bank7(word)


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


@requires(lambda out: clock_enabled(OCOTP))
def unique_id(out: Bytes[8]) -> FuseStatus:
    """The 64-bit unique ID: CFG0 then CFG1, each little-endian.  On an error ``out``
    is all zero."""
    word: Array[u32, 1] = Array[u32, 1]()
    for i in range(0, 8):
        out[i] = 0
    status: FuseStatus = read_fuse(UID_LOW_BANK, UID_LOW_WORD, word)
    if status != FuseStatus.OK:
        return status
    low: u32 = word[0]
    status = read_fuse(UID_LOW_BANK, UID_HIGH_WORD, word)
    if status != FuseStatus.OK:
        return status
    put_le32(out, 0, low)
    put_le32(out, 4, word[0])
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
