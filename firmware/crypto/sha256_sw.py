"""SHA-256 (FIPS 180-4) in software, streaming and one-shot.

Every value is a byte array, because the subset has no structs: a hash in
progress is three caller-owned arrays,

    state: Bytes[32]   the eight chaining words H0..H7, big-endian
    block: Bytes[64]   the bytes of the current, not yet full block
    count: Bytes[8]    the number of message bytes absorbed so far (u64, big-endian)

Words are loaded from and stored to bytes explicitly, big-endian, as the
standard specifies; 32-bit additions are done in u64 and masked (machine
types are range claims: nothing wraps by itself).  A message may be at most
MAX_TOTAL = 2**61 - 1 bytes (its bit length must fit 64 bits): ``update``
refuses, returning False and changing nothing, data that would make the
message longer.

Streaming: ``init``, ``update`` any number of times, ``final``.
One-shot: ``sha256(data, digest)``.
The lower-level pieces (``start``, ``compress``, ``absorb``, ``copy_in``,
``finish``) are shared with ``crypto.hmac_sw``.
"""

from typing import Final

from tamapy.fw import Bytes, View, ensures, requires, u8, u32, u64

BLOCK_BYTES: Final = 64
DIGEST_BYTES: Final = 32
MASK32: Final = 0xFFFF_FFFF
MAX_TOTAL: Final[u64] = 0x1FFF_FFFF_FFFF_FFFF
"""Longest message, in bytes: its length in bits, 8 * MAX_TOTAL, fits 64 bits."""

IV: Final = (
    b"\x6a\x09\xe6\x67\xbb\x67\xae\x85\x3c\x6e\xf3\x72\xa5\x4f\xf5\x3a"
    b"\x51\x0e\x52\x7f\x9b\x05\x68\x8c\x1f\x83\xd9\xab\x5b\xe0\xcd\x19"
)
"""H0..H7 of FIPS 180-4 5.3.3, big-endian: the chaining state of an empty message."""

K: Final = (
    b"\x42\x8a\x2f\x98\x71\x37\x44\x91\xb5\xc0\xfb\xcf\xe9\xb5\xdb\xa5"
    b"\x39\x56\xc2\x5b\x59\xf1\x11\xf1\x92\x3f\x82\xa4\xab\x1c\x5e\xd5"
    b"\xd8\x07\xaa\x98\x12\x83\x5b\x01\x24\x31\x85\xbe\x55\x0c\x7d\xc3"
    b"\x72\xbe\x5d\x74\x80\xde\xb1\xfe\x9b\xdc\x06\xa7\xc1\x9b\xf1\x74"
    b"\xe4\x9b\x69\xc1\xef\xbe\x47\x86\x0f\xc1\x9d\xc6\x24\x0c\xa1\xcc"
    b"\x2d\xe9\x2c\x6f\x4a\x74\x84\xaa\x5c\xb0\xa9\xdc\x76\xf9\x88\xda"
    b"\x98\x3e\x51\x52\xa8\x31\xc6\x6d\xb0\x03\x27\xc8\xbf\x59\x7f\xc7"
    b"\xc6\xe0\x0b\xf3\xd5\xa7\x91\x47\x06\xca\x63\x51\x14\x29\x29\x67"
    b"\x27\xb7\x0a\x85\x2e\x1b\x21\x38\x4d\x2c\x6d\xfc\x53\x38\x0d\x13"
    b"\x65\x0a\x73\x54\x76\x6a\x0a\xbb\x81\xc2\xc9\x2e\x92\x72\x2c\x85"
    b"\xa2\xbf\xe8\xa1\xa8\x1a\x66\x4b\xc2\x4b\x8b\x70\xc7\x6c\x51\xa3"
    b"\xd1\x92\xe8\x19\xd6\x99\x06\x24\xf4\x0e\x35\x85\x10\x6a\xa0\x70"
    b"\x19\xa4\xc1\x16\x1e\x37\x6c\x08\x27\x48\x77\x4c\x34\xb0\xbc\xb5"
    b"\x39\x1c\x0c\xb3\x4e\xd8\xaa\x4a\x5b\x9c\xca\x4f\x68\x2e\x6f\xf3"
    b"\x74\x8f\x82\xee\x78\xa5\x63\x6f\x84\xc8\x78\x14\x8c\xc7\x02\x08"
    b"\x90\xbe\xff\xfa\xa4\x50\x6c\xeb\xbe\xf9\xa3\xf7\xc6\x71\x78\xf2"
)
"""The 64 round constants K0..K63 of FIPS 180-4 4.2.2, big-endian."""


# ---------------------------------------------------------------- words and bytes


@requires(lambda buf, off: off + 4 <= len(buf))
def load32(buf: View[u8], off: u32) -> u32:
    """The big-endian word at ``buf[off:off + 4]``."""
    return (u32(buf[off]) << 24) | (u32(buf[off + 1]) << 16) | (u32(buf[off + 2]) << 8) | u32(buf[off + 3])


@requires(lambda state, i, v: i < 8)
def put_state(state: Bytes[32], i: u32, v: u32) -> None:
    """Store word ``i`` of the chaining state, big-endian."""
    state[4 * i] = u8(v >> 24)
    state[4 * i + 1] = u8((v >> 16) & 0xFF)
    state[4 * i + 2] = u8((v >> 8) & 0xFF)
    state[4 * i + 3] = u8(v & 0xFF)


@requires(lambda w, j, v: j < 16)
def put_w(w: Bytes[64], j: u32, v: u32) -> None:
    """Store word ``j`` of the 16-word message-schedule window, big-endian."""
    w[4 * j] = u8(v >> 24)
    w[4 * j + 1] = u8((v >> 16) & 0xFF)
    w[4 * j + 2] = u8((v >> 8) & 0xFF)
    w[4 * j + 3] = u8(v & 0xFF)


@requires(lambda buf: len(buf) >= 8)
def load64(buf: View[u8]) -> u64:
    """The big-endian u64 at ``buf[0:8]``."""
    hi: u64 = (u64(buf[0]) << 56) | (u64(buf[1]) << 48) | (u64(buf[2]) << 40) | (u64(buf[3]) << 32)
    lo: u64 = (u64(buf[4]) << 24) | (u64(buf[5]) << 16) | (u64(buf[6]) << 8) | u64(buf[7])
    return hi | lo


def put_count(count: Bytes[8], v: u64) -> None:
    """Store ``v`` as a big-endian u64."""
    for i in range(0, 8):
        count[i] = u8((v >> (56 - 8 * i)) & 0xFF)


@requires(lambda dst, at, src: at + len(src) <= 64)
def copy_in(dst: Bytes[64], at: u32, src: View[u8]) -> None:
    """``dst[at:at + len(src)] = src``."""
    for i in range(0, len(src)):
        dst[at + i] = src[i]


# ---------------------------------------------------------------- the functions of FIPS 180-4 4.1.2


@requires(lambda x, n: 1 <= n and n <= 31)
def rotr(x: u32, n: u32) -> u32:
    """Rotate right by ``n``: the low bits are masked before the left shift, so it fits 32 bits."""
    return (x >> n) | ((x & ((1 << n) - 1)) << (32 - n))


def big_sigma0(x: u32) -> u32:
    return rotr(x, 2) ^ rotr(x, 13) ^ rotr(x, 22)


def big_sigma1(x: u32) -> u32:
    return rotr(x, 6) ^ rotr(x, 11) ^ rotr(x, 25)


def small_sigma0(x: u32) -> u32:
    return rotr(x, 7) ^ rotr(x, 18) ^ (x >> 3)


def small_sigma1(x: u32) -> u32:
    return rotr(x, 17) ^ rotr(x, 19) ^ (x >> 10)


def ch(x: u32, y: u32, z: u32) -> u32:
    return (x & y) ^ (~x & z)


def maj(x: u32, y: u32, z: u32) -> u32:
    return (x & y) ^ (x & z) ^ (y & z)


# ---------------------------------------------------------------- the compression function


@requires(lambda w, j: j < 16)
def expand(w: Bytes[64], j: u32) -> None:
    """Replace W[t-16] (window slot ``j`` = t mod 16) by W[t] = s1(W[t-2]) + W[t-7] + s0(W[t-15]) + W[t-16]."""
    total: u64 = u64(small_sigma1(load32(w, 4 * ((j + 14) & 15)))) + load32(w, 4 * ((j + 9) & 15))
    total = total + small_sigma0(load32(w, 4 * ((j + 1) & 15))) + load32(w, 4 * j)
    put_w(w, j, u32(total & MASK32))


@requires(lambda state, i, v: i < 8)
def add_state(state: Bytes[32], i: u32, v: u32) -> None:
    """Chaining word ``i`` += ``v`` (mod 2**32)."""
    put_state(state, i, u32((u64(load32(state, 4 * i)) + v) & MASK32))


@requires(lambda state, chunk: len(chunk) == 64)
def compress(state: Bytes[32], chunk: View[u8]) -> None:
    """Fold one 64-byte block into the chaining state (FIPS 180-4 6.2.2)."""
    w: Bytes[64] = Bytes[64]()
    for i in range(0, 64):
        w[i] = chunk[i]
    a: u32 = load32(state, 0)
    b: u32 = load32(state, 4)
    c: u32 = load32(state, 8)
    d: u32 = load32(state, 12)
    e: u32 = load32(state, 16)
    f: u32 = load32(state, 20)
    g: u32 = load32(state, 24)
    h: u32 = load32(state, 28)
    for t in range(0, 64):
        j: u32 = t & 15
        if t >= 16:
            expand(w, j)
        t1: u64 = u64(h) + big_sigma1(e) + ch(e, f, g) + load32(K, 4 * t) + load32(w, 4 * j)
        t2: u64 = u64(big_sigma0(a)) + maj(a, b, c)
        h = g
        g = f
        f = e
        e = u32((d + t1) & MASK32)
        d = c
        c = b
        b = a
        a = u32((t1 + t2) & MASK32)
    add_state(state, 0, a)
    add_state(state, 1, b)
    add_state(state, 2, c)
    add_state(state, 3, d)
    add_state(state, 4, e)
    add_state(state, 5, f)
    add_state(state, 6, g)
    add_state(state, 7, h)


# ---------------------------------------------------------------- building blocks


def start(state: Bytes[32]) -> None:
    """Set the chaining state to the initial hash value."""
    for i in range(0, 32):
        state[i] = IV[i]


@ensures(lambda result, state, data: result <= len(data) and len(data) - result < 64)
def absorb(state: Bytes[32], data: View[u8]) -> u32:
    """Compress every whole block at the start of ``data``; return how many bytes that was."""
    n: u32 = len(data)
    end: u32 = n - (n & 63)
    for off in range(0, end, 64):
        compress(state, data[off:off + 64])
    return end


@requires(lambda state, block, used, total, digest: used < 64 and total <= MAX_TOTAL)
def finish(state: Bytes[32], block: Bytes[64], used: u32, total: u64, digest: Bytes[32]) -> None:
    """Pad a message of ``total`` bytes whose last ``used`` bytes are at the start of
    ``block``, compress the last block(s) and write the digest (FIPS 180-4 5.1.1)."""
    block[used] = 0x80
    for i in range(used + 1, 64):
        block[i] = 0
    if used >= 56:
        compress(state, block)
        for i in range(0, 56):
            block[i] = 0
    bits: u64 = total << 3
    for i in range(0, 8):
        block[56 + i] = u8((bits >> (56 - 8 * i)) & 0xFF)
    compress(state, block)
    for i in range(0, 32):
        digest[i] = state[i]


# ---------------------------------------------------------------- the public API


def init(state: Bytes[32], block: Bytes[64], count: Bytes[8]) -> None:
    """Start hashing a new message."""
    start(state)
    for i in range(0, 64):
        block[i] = 0
    put_count(count, 0)


def update(state: Bytes[32], block: Bytes[64], count: Bytes[8], data: View[u8]) -> bool:
    """Append ``data`` (any length) to the message.  Returns False, changing nothing,
    when the message would exceed MAX_TOTAL bytes."""
    n: u32 = len(data)
    total: u64 = load64(count)
    if total > MAX_TOTAL - n:
        return False
    put_count(count, total + n)
    used: u32 = u32(total & 63)
    pos: u32 = 0
    if used != 0:
        take: u32 = 64 - used
        if n < take:
            take = n
        copy_in(block, used, data[0:take])
        if used + take < 64:
            return True
        compress(state, block)
        pos = take
    done: u32 = absorb(state, data[pos:n])
    copy_in(block, 0, data[pos + done:n])
    return True


def final(state: Bytes[32], block: Bytes[64], count: Bytes[8], digest: Bytes[32]) -> None:
    """Write the digest of the message absorbed since ``init``.  The context is spent:
    call ``init`` before hashing another message."""
    total: u64 = load64(count) & MAX_TOTAL
    finish(state, block, u32(total & 63), total, digest)


def sha256(data: View[u8], digest: Bytes[32]) -> None:
    """``digest = SHA-256(data)`` in one call."""
    state: Bytes[32] = Bytes[32]()
    block: Bytes[64] = Bytes[64]()
    start(state)
    n: u32 = len(data)
    done: u32 = absorb(state, data)
    copy_in(block, 0, data[done:n])
    finish(state, block, n - done, n, digest)
