"""The DCP (Data Co-Processor, i.MX6ULL/ULZ only): SHA-256 and AES-128 ECB/CBC
through work packets on channel 0.

The DCP reads a 32-byte work packet from memory (next, CONTROL0, CONTROL1,
source, destination, size, payload, status) and the buffers it names, so
every address it is given must be in the board's DMA region.  The driver
owns three module-level ``Dma`` buffers, placed in OCRAM by the linker: the
packet, a 1 KiB bounce buffer ``io`` and a 32-byte ``payload`` (key and IV,
or the digest).  Callers' data is copied through ``io`` in chunks, so any
caller buffer works and only these addresses ever reach the DCP: the
verifier proves it for CH0CMDPTR (a ``dma`` field); the packet words are
written from ``addr_of`` of the same buffers (the verifier does not track
addresses inside packets).  The packet is a ``@struct`` (``WorkPacket``),
so each word is written by its name and the layout is the engine's.

One packet at a time (``run``): clear the channel status, point CH0CMDPTR
at the packet, add 1 to CH0SEMA, poll STAT.IRQ bit 0 (bounded), then check
CH0STAT: error bits 6:1 or ERROR_CODE (bits 23:16) mean ERROR (the whole
status word is kept, ``error_status``/``error_code``).  A packet that never
completes (TIMEOUT) is aborted by a soft reset and the block set up again,
so the driver stays usable; key slots are lost then.

SHA-256 of any length: one packet per 1 KiB chunk, each submitted and
completed on its own; the first carries HASH_INIT, the last HASH_TERM (with
the 1..1024 remaining bytes) and every other one a multiple of 64 bytes, and
the hash state stays in channel 0 between them (CTRL.ENABLE_CONTEXT_CACHING
is set, as Linux's mxs-dcp does for the same scheme).  Chaining the packets
(CHAIN/NEXT) would need the whole message in DMA memory at once; repeated
packets need only the bounce buffer.  The empty message is answered with the
known digest, as TamaGo and OP-TEE do, instead of a zero-length packet.  The
DCP writes the digest byte-reversed; ``sha256`` reverses it back.

AES-128 in ECB or CBC, encrypt or decrypt, with the key in the packet
payload (PAYLOAD_KEY), in a key-RAM slot (``set_key``: KEY selects slot and
word before every KEYDATA write, words little-endian) or the device-unique
key (CONTROL0.OTP_KEY with KEY_SELECT 0xFE).  Data is processed in 1 KiB
chunks; each CBC chunk starts (CIPHER_INIT) from the last ciphertext block
of the one before, so chunking does not change the result.  On any error
the output is all zero, and the bounce and payload buffers are wiped after
every operation (no key or plaintext left in OCRAM).

Loops that submit packets re-enable channel 0 at the top of every iteration
(``enable_channel0``, an idempotent CHANNELCTRL_SET write): the verifier
forgets protocol invariants at a loop head and a loop invariant cannot name
``DCP.channel0_enabled``.

Requires the DCP clock (``ccm.enable_dcp``) and a part that has a DCP
(``soc.has_dcp()``); on the i.MX6UL any access aborts.
"""

from enum import IntEnum
from typing import Final

from soc.imx6ul.regs import DCP
from tamapy.fw import (
    Bytes,
    Dma,
    MutView,
    View,
    addr_of,
    clock_enabled,
    decreases,
    dsb,
    ensures,
    invariant,
    poll,
    requires,
    struct,
    u8,
    u32,
)

CHUNK: Final = 1024
"""Bytes per packet: the bounce buffer's size, a multiple of 64 (SHA) and 16 (AES)."""
MAX_CIPHER: Final = 4096
"""Longest AES message (the size of the output array)."""
AES_BLOCK: Final = 16
KEY_BYTES: Final = 16
SHA_BLOCK: Final = 64
DIGEST_BYTES: Final = 32
KEY_SLOTS: Final = 4
RESET_POLL_LIMIT: Final = 100_000
DONE_POLL_LIMIT: Final = 200_000
"""STAT polls for one packet: a 1 KiB SHA-256 or AES packet takes microseconds;
200 000 bus reads are milliseconds even on the fastest core."""

# CONTROL0 (packet word 1)
INTERRUPT: Final = 1 << 0
DECR_SEMAPHORE: Final = 1 << 1
NO_CHAIN: Final = 0xFFFF_FFF3
"""CONTROL0 without CHAIN (bit 2) and CHAIN_CONTIGUOUS (bit 3): ``run`` never lets the DCP
fetch a second packet (with CHAIN_CONTIGUOUS it would take ``io`` for one)."""
ENABLE_MEMCOPY: Final = 1 << 4
ENABLE_CIPHER: Final = 1 << 5
ENABLE_HASH: Final = 1 << 6
ENABLE_BLIT: Final = 1 << 7
WRITES_OUTPUT: Final = ENABLE_MEMCOPY | ENABLE_CIPHER | ENABLE_BLIT
"""CONTROL0 bits with which a packet writes its destination."""
CIPHER_ENCRYPT: Final = 1 << 8
CIPHER_INIT: Final = 1 << 9
OTP_KEY: Final = 1 << 10
PAYLOAD_KEY: Final = 1 << 11
HASH_INIT: Final = 1 << 12
HASH_TERM: Final = 1 << 13
# CONTROL1 (packet word 2)
CIPHER_AES128: Final = 0
MODE_CBC: Final = 1 << 4
KEY_SELECT_SHIFT: Final = 8
UNIQUE_KEY: Final = 0xFE
"""KEY_SELECT of the device-unique key (OTPMK-derived through the SNVS)."""
HASH_SHA256: Final = 2 << 16
# CH0STAT
ERROR_MASK: Final = 0x00FF_007E
"""CH0STAT error bits 6:1 (HASH_MISMATCH .. ERROR_PAGEFAULT) and ERROR_CODE."""
CHANNEL0: Final = 1

EMPTY_SHA256: Final = (
    b"\xe3\xb0\xc4\x42\x98\xfc\x1c\x14\x9a\xfb\xf4\xc8\x99\x6f\xb9\x24"
    b"\x27\xae\x41\xe4\x64\x9b\x93\x4c\xa4\x95\x99\x1b\x78\x52\xb8\x55"
)
"""SHA-256 of the empty message."""
NO_BLOCK: Final = b"\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"
"""A placeholder key or IV where the operation uses none."""


# What a DCP operation gave.
class DcpStatus(IntEnum):
    OK = 0
    ERROR = 1
    TIMEOUT = 2
    BAD_LENGTH = 3


@struct
class WorkPacket:
    """A DCP work packet as the engine fetches it: eight little-endian words."""

    next: u32
    """Address of the next packet when chained (CONTROL0.CHAIN); 0 here."""
    control0: u32
    control1: u32
    source: u32
    destination: u32
    size: u32
    """Bytes to process from ``source``."""
    payload: u32
    """Address of the key, IV or digest buffer."""
    status: u32
    """Written back by the DCP when the packet completes."""


packet: Dma[WorkPacket] = Dma[WorkPacket]()
"""The one work packet channel 0 runs."""
io: Dma[Bytes[1024]] = Dma[Bytes[1024]]()
"""Bounce buffer: the packet's source (and, for AES, its destination: in place)."""
payload: Dma[Bytes[32]] = Dma[Bytes[32]]()
"""Key and/or IV for AES; the byte-reversed digest for SHA-256."""
last_error: u32 = 0
"""CH0STAT of the last packet that failed (0 after a success)."""


# ------------------------------------------------------------------ set-up


@requires(lambda: clock_enabled(DCP))
def reset_block() -> bool:
    """The STMP soft reset: out of reset, reset again, wait for the clock gate, then
    release reset and gate (Linux ``stmp_reset_block``).  False if a step timed out."""
    DCP.CTRL.clear(SFTRST=1)
    if not poll(DCP.CTRL.SFTRST == 0, limit=RESET_POLL_LIMIT):
        return False
    DCP.CTRL.clear(CLKGATE=1)
    DCP.CTRL.set(SFTRST=1)
    if not poll(DCP.CTRL.CLKGATE == 1, limit=RESET_POLL_LIMIT):
        return False
    DCP.CTRL.clear(SFTRST=1)
    if not poll(DCP.CTRL.SFTRST == 0, limit=RESET_POLL_LIMIT):
        return False
    DCP.CTRL.clear(CLKGATE=1)
    return poll(DCP.CTRL.CLKGATE == 0, limit=RESET_POLL_LIMIT)


@requires(lambda: clock_enabled(DCP))
@ensures(lambda: DCP.channel0_enabled)
def enable_channel0() -> None:
    """Set CHANNELCTRL.ENABLE_CHANNEL bit 0 (through CHANNELCTRL_SET: other channels kept)."""
    DCP.CHANNELCTRL.set(ENABLE_CHANNEL=CHANNEL0)


@requires(lambda: clock_enabled(DCP))
@ensures(lambda result: DCP.channel0_enabled)
def init() -> DcpStatus:
    """Soft-reset the DCP, keep the hash context cached between packets, merge partial
    writes, enable channel 0 (only) and clear its status.  TIMEOUT if the reset did not
    complete (channel 0 is enabled all the same; packets will then time out)."""
    global last_error
    done: bool = reset_block()
    DCP.CTRL.set(GATHER_RESIDUAL_WRITES=1, ENABLE_CONTEXT_CACHING=1)
    DCP.CHANNELCTRL.write(ENABLE_CHANNEL=CHANNEL0)
    DCP.CH0STAT.clear(COMPLETE=1, HASH_MISMATCH=1, ERROR_SETUP=1, ERROR_PACKET=1, ERROR_SRC=1,
                      ERROR_DST=1, ERROR_PAGEFAULT=1, ERROR_CODE=0xFF, TAG=0xFF)
    DCP.STAT.clear(IRQ=CHANNEL0)
    last_error = 0
    if not done:
        return DcpStatus.TIMEOUT
    return DcpStatus.OK


def error_status() -> u32:
    """CH0STAT of the last failed packet: error bits 6:1, ERROR_CODE in 23:16, TAG in 31:24."""
    return last_error


def error_code() -> u32:
    """ERROR_CODE of the last failed packet: 0x01 next pointer 0, 0x02 semaphore without
    chain, 0x03 context, 0x04 payload read/write, 0x05 invalid mode; 0 for bus errors."""
    return (last_error >> 16) & 0xFF


# ------------------------------------------------------------------ one packet


@requires(lambda control0, control1, size: size <= CHUNK and clock_enabled(DCP) and DCP.channel0_enabled)
@ensures(lambda control0, control1, size, result: DCP.channel0_enabled)
def run(control0: u32, control1: u32, size: u32) -> DcpStatus:
    """Run one packet on channel 0 over ``io[0:size]`` with ``payload``, and wait for it.
    The destination is ``io`` itself (in place) when the packet writes output, none for
    a hash.  Whatever ``control0`` says, the packet is not chained, so the DCP sees no
    address but those of ``packet``, ``io`` and ``payload``."""
    global last_error
    destination: u32 = 0
    if control0 & WRITES_OUTPUT != 0:
        destination = addr_of(io)
    packet.next = 0
    packet.control0 = (control0 & NO_CHAIN) | INTERRUPT | DECR_SEMAPHORE
    packet.control1 = control1
    packet.source = addr_of(io)
    packet.destination = destination
    packet.size = size
    packet.payload = addr_of(payload)
    packet.status = 0
    last_error = 0
    DCP.CH0STAT.clear(COMPLETE=1, HASH_MISMATCH=1, ERROR_SETUP=1, ERROR_PACKET=1, ERROR_SRC=1,
                      ERROR_DST=1, ERROR_PAGEFAULT=1, ERROR_CODE=0xFF, TAG=0xFF)
    DCP.STAT.clear(IRQ=CHANNEL0)
    dsb()
    DCP.CH0CMDPTR.write(ADDR=addr_of(packet))
    DCP.CH0SEMA.write(INCREMENT=1)
    if not poll(DCP.STAT.IRQ & CHANNEL0 != 0, limit=DONE_POLL_LIMIT):
        init()
        return DcpStatus.TIMEOUT
    dsb()
    status: u32 = DCP.CH0STAT.read()
    DCP.STAT.clear(IRQ=CHANNEL0)
    if status & ERROR_MASK != 0:
        last_error = status
        DCP.CH0STAT.clear(COMPLETE=1, HASH_MISMATCH=1, ERROR_SETUP=1, ERROR_PACKET=1, ERROR_SRC=1,
                          ERROR_DST=1, ERROR_PAGEFAULT=1, ERROR_CODE=0xFF, TAG=0xFF)
        return DcpStatus.ERROR
    return DcpStatus.OK


@requires(lambda n: n <= CHUNK)
def wipe(n: u32) -> None:
    """Zero ``io[0:n]`` and the payload (keys, IVs, plaintext)."""
    for i in range(0, n):
        io[i] = 0
    for i in range(0, DIGEST_BYTES):
        payload[i] = 0


@requires(lambda data: len(data) <= CHUNK)
@ensures(lambda data, result: result == len(data))
def load_io(data: View[u8]) -> u32:
    """Copy ``data`` into the bounce buffer ``io`` (the packet's source); its length."""
    n: u32 = len(data)
    for i in range(0, n):
        io[i] = data[i]
    return n


# ------------------------------------------------------------------ SHA-256


@requires(lambda chunk, first, last: len(chunk) <= CHUNK and (last or len(chunk) % SHA_BLOCK == 0)
          and clock_enabled(DCP) and DCP.channel0_enabled)
@ensures(lambda chunk, first, last, result: DCP.channel0_enabled)
def hash_chunk(chunk: View[u8], first: bool, last: bool) -> DcpStatus:
    """Feed ``chunk`` to the SHA-256 running on channel 0 (``first``: start it;
    ``last``: finish it, the digest goes to ``payload``)."""
    n: u32 = load_io(chunk)
    control0: u32 = ENABLE_HASH
    if first:
        control0 |= HASH_INIT
    if last:
        control0 |= HASH_TERM
    return run(control0, HASH_SHA256, n)


@requires(lambda data, digest: clock_enabled(DCP) and DCP.channel0_enabled)
@ensures(lambda data, digest, result: DCP.channel0_enabled)
def sha256(data: View[u8], digest: Bytes[32]) -> DcpStatus:
    """``digest`` = SHA-256(``data``), any length.  On an error ``digest`` is all zero."""
    n: u32 = len(data)
    for i in range(0, DIGEST_BYTES):
        digest[i] = 0
    if n == 0:
        for i in range(0, DIGEST_BYTES):
            digest[i] = EMPTY_SHA256[i]
        return DcpStatus.OK
    pos: u32 = 0
    first: bool = True
    while n - pos > CHUNK:
        invariant(pos <= n)
        decreases(n - pos)
        enable_channel0()
        status: DcpStatus = hash_chunk(data[pos:pos + CHUNK], first, False)
        if status != DcpStatus.OK:
            wipe(CHUNK)
            return status
        first = False
        pos += CHUNK
    enable_channel0()
    last: DcpStatus = hash_chunk(data[pos:n], first, True)
    if last == DcpStatus.OK:
        for i in range(0, DIGEST_BYTES):
            digest[i] = payload[DIGEST_BYTES - 1 - i]
    wipe(CHUNK)
    return last


# ------------------------------------------------------------------ AES-128


@requires(lambda slot, key: slot < KEY_SLOTS and len(key) == KEY_BYTES and clock_enabled(DCP))
def load_key(slot: u32, key: View[u8]) -> None:
    """Write ``key`` into key-RAM slot ``slot``: word i = key bytes 4i..4i+3, little-endian.
    KEY is written before every word, whether or not SUBWORD advances by itself."""
    for i in range(0, 4):
        word: u32 = (u32(key[4 * i]) | (u32(key[4 * i + 1]) << 8) | (u32(key[4 * i + 2]) << 16)
                     | (u32(key[4 * i + 3]) << 24))
        DCP.KEY.write(INDEX=slot, SUBWORD=i)
        DCP.KEYDATA.write(DATA=word)


@requires(lambda slot, key: clock_enabled(DCP))
def set_key(slot: u32, key: View[u8]) -> DcpStatus:
    """Load an AES-128 key into key-RAM slot 0..3 (lost when the block is reset)."""
    if slot >= KEY_SLOTS or len(key) != KEY_BYTES:
        return DcpStatus.BAD_LENGTH
    load_key(slot, key)
    return DcpStatus.OK


@requires(lambda at, block: at <= DIGEST_BYTES - AES_BLOCK and len(block) == AES_BLOCK)
def put_payload(at: u32, block: View[u8]) -> None:
    """``payload[at:at + 16]`` = ``block``."""
    for i in range(0, AES_BLOCK):
        payload[at + i] = block[i]


@requires(lambda key_select, payload_key, cbc, encrypt, key, iv, data:
          key_select <= 0xFF and len(key) == KEY_BYTES and len(iv) == AES_BLOCK
          and len(data) <= CHUNK and len(data) % AES_BLOCK == 0
          and clock_enabled(DCP) and DCP.channel0_enabled)
@ensures(lambda key_select, payload_key, cbc, encrypt, key, iv, data, result: DCP.channel0_enabled)
def cipher_chunk(key_select: u32, payload_key: bool, cbc: bool, encrypt: bool, key: View[u8],
                 iv: View[u8], data: View[u8]) -> DcpStatus:
    """AES-128 over ``data`` (whole blocks, at most one chunk), in place in ``io``.
    ``payload_key``: ``key`` travels in the payload; otherwise KEY_SELECT chooses a
    key-RAM slot or the device key.  ``cbc``: start from ``iv``."""
    n: u32 = load_io(data)
    control0: u32 = ENABLE_CIPHER
    if encrypt:
        control0 |= CIPHER_ENCRYPT
    control1: u32 = CIPHER_AES128 | (key_select << KEY_SELECT_SHIFT)
    at: u32 = 0
    if payload_key:
        control0 |= PAYLOAD_KEY
        put_payload(0, key)
        at = AES_BLOCK
    elif key_select == UNIQUE_KEY:
        control0 |= OTP_KEY
    if cbc:
        control0 |= CIPHER_INIT
        control1 |= MODE_CBC
        put_payload(at, iv)
    return run(control0, control1, n)


@requires(lambda dst, n: n <= len(dst))
def zero_output(dst: MutView[u8], n: u32) -> None:
    for i in range(0, n):
        dst[i] = 0


@requires(lambda key_select, payload_key, cbc, encrypt, key, iv, src, dst:
          key_select <= 0xFF and len(key) == KEY_BYTES and len(iv) == AES_BLOCK
          and clock_enabled(DCP) and DCP.channel0_enabled)
@ensures(lambda key_select, payload_key, cbc, encrypt, key, iv, src, dst, result: DCP.channel0_enabled)
def cipher(key_select: u32, payload_key: bool, cbc: bool, encrypt: bool, key: View[u8], iv: View[u8],
           src: View[u8], dst: MutView[u8]) -> DcpStatus:
    """``dst[0:len(src)]`` = AES-128 of ``src`` (see ``cipher_chunk`` for the key), in
    chunks.  BAD_LENGTH (``dst`` untouched) unless ``len(src)`` is a multiple of 16 up
    to MAX_CIPHER and ``dst`` holds as much; on any other error ``dst[0:len(src)]`` is zero."""
    n: u32 = len(src)
    if n % AES_BLOCK != 0 or n > MAX_CIPHER or n > len(dst):
        return DcpStatus.BAD_LENGTH
    chain: Bytes[16] = Bytes[16]()
    for i in range(0, AES_BLOCK):
        chain[i] = iv[i]
    pos: u32 = 0
    while pos < n:
        invariant(pos <= n and n <= MAX_CIPHER and pos % AES_BLOCK == 0 and n % AES_BLOCK == 0)
        decreases(n - pos)
        take: u32 = n - pos
        if take > CHUNK:
            take = CHUNK
        enable_channel0()
        status: DcpStatus = cipher_chunk(key_select, payload_key, cbc, encrypt, key, chain, src[pos:pos + take])
        if status != DcpStatus.OK:
            zero_output(dst, n)
            wipe(CHUNK)
            return status
        for i in range(0, take):
            dst[pos + i] = io[i]
        for i in range(0, AES_BLOCK):
            if encrypt:
                chain[i] = dst[pos + take - AES_BLOCK + i]
            else:
                chain[i] = src[pos + take - AES_BLOCK + i]
        pos += take
    enable_channel0()
    wipe(CHUNK)
    return DcpStatus.OK


@requires(lambda key, encrypt, src, dst: clock_enabled(DCP) and DCP.channel0_enabled)
@ensures(lambda key, encrypt, src, dst, result: DCP.channel0_enabled)
def aes_ecb(key: View[u8], encrypt: bool, src: View[u8], dst: MutView[u8]) -> DcpStatus:
    """AES-128-ECB with ``key`` (16 bytes) carried in the packet payload."""
    if len(key) != KEY_BYTES:
        return DcpStatus.BAD_LENGTH
    return cipher(0, True, False, encrypt, key, NO_BLOCK, src, dst)


@requires(lambda key, iv, encrypt, src, dst: clock_enabled(DCP) and DCP.channel0_enabled)
@ensures(lambda key, iv, encrypt, src, dst, result: DCP.channel0_enabled)
def aes_cbc(key: View[u8], iv: View[u8], encrypt: bool, src: View[u8], dst: MutView[u8]) -> DcpStatus:
    """AES-128-CBC with ``key`` carried in the packet payload and initial vector ``iv``."""
    if len(key) != KEY_BYTES or len(iv) != AES_BLOCK:
        return DcpStatus.BAD_LENGTH
    return cipher(0, True, True, encrypt, key, iv, src, dst)


@requires(lambda slot, encrypt, src, dst: clock_enabled(DCP) and DCP.channel0_enabled)
@ensures(lambda slot, encrypt, src, dst, result: DCP.channel0_enabled)
def aes_ecb_slot(slot: u32, encrypt: bool, src: View[u8], dst: MutView[u8]) -> DcpStatus:
    """AES-128-ECB with the key in key-RAM slot ``slot`` (``set_key``)."""
    if slot >= KEY_SLOTS:
        return DcpStatus.BAD_LENGTH
    return cipher(slot, False, False, encrypt, NO_BLOCK, NO_BLOCK, src, dst)


@requires(lambda slot, iv, encrypt, src, dst: clock_enabled(DCP) and DCP.channel0_enabled)
@ensures(lambda slot, iv, encrypt, src, dst, result: DCP.channel0_enabled)
def aes_cbc_slot(slot: u32, iv: View[u8], encrypt: bool, src: View[u8], dst: MutView[u8]) -> DcpStatus:
    """AES-128-CBC with the key in key-RAM slot ``slot`` (``set_key``)."""
    if slot >= KEY_SLOTS or len(iv) != AES_BLOCK:
        return DcpStatus.BAD_LENGTH
    return cipher(slot, False, True, encrypt, NO_BLOCK, iv, src, dst)


@requires(lambda encrypt, src, dst: clock_enabled(DCP) and DCP.channel0_enabled)
@ensures(lambda encrypt, src, dst, result: DCP.channel0_enabled)
def aes_ecb_unique(encrypt: bool, src: View[u8], dst: MutView[u8]) -> DcpStatus:
    """AES-128-ECB with the device-unique key (never visible to software)."""
    return cipher(UNIQUE_KEY, False, False, encrypt, NO_BLOCK, NO_BLOCK, src, dst)


@requires(lambda iv, encrypt, src, dst: clock_enabled(DCP) and DCP.channel0_enabled)
@ensures(lambda iv, encrypt, src, dst, result: DCP.channel0_enabled)
def aes_cbc_unique(iv: View[u8], encrypt: bool, src: View[u8], dst: MutView[u8]) -> DcpStatus:
    """AES-128-CBC with the device-unique key, e.g. to derive keys (TamaGo ``DeriveKey``)."""
    if len(iv) != AES_BLOCK:
        return DcpStatus.BAD_LENGTH
    return cipher(UNIQUE_KEY, False, True, encrypt, NO_BLOCK, iv, src, dst)
