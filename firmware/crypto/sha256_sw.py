"""SHA-256 (FIPS 180-4) in software: streaming and one-shot, proven free of run-time errors.

A hash in progress lives in three arrays the caller owns (the subset has no
structs and functions cannot return arrays):

    state: Array[u32, 8]   the chaining words H0..H7
    block: Bytes[64]       the bytes of the current, not yet full, block
    count: Array[u64, 1]   the number of message bytes absorbed so far

Words are loaded from bytes and stored to bytes explicitly, big-endian, as
the standard specifies.  Machine types are range claims (nothing wraps by
itself), so every 32-bit addition is done in u64 and masked, and rotations
mask the bits they move left before shifting them.

A message may be at most MAX_TOTAL = 2**61 - 1 bytes, so that its length in
bits fits the 64-bit field of the padding: ``update`` refuses data that would
make it longer (it returns False and changes nothing).  The one-shot
``sha256`` hashes any view (a view holds fewer than 2**32 bytes) and cannot
fail.

Streaming: ``init``, then ``update`` any number of times, then ``final``.
One-shot: ``sha256(data, digest)``.  The building blocks (``start``,
``compress``, ``absorb``, ``copy_in``, ``finish``) are shared with
``crypto.hmac_sw``.
"""

from typing import Final

from tamapy.fw import Array, Bytes, View, ensures, requires, u8, u32, u64

MASK32: Final = 0xFFFF_FFFF
MAX_TOTAL: Final[u64] = 0x1FFF_FFFF_FFFF_FFFF
"""Longest message, in bytes: its length in bits, 8 * MAX_TOTAL, fits 64 bits."""

H0: Final = Array[u32, 8](0x6A09E667, 0xBB67AE85, 0x3C6EF372, 0xA54FF53A, 0x510E527F, 0x9B05688C, 0x1F83D9AB, 0x5BE0CD19)
"""The initial hash value H(0) of FIPS 180-4 5.3.3: its words H0..H7."""

K: Final = Array[u32, 64](
    0x428A2F98, 0x71374491, 0xB5C0FBCF, 0xE9B5DBA5, 0x3956C25B, 0x59F111F1, 0x923F82A4, 0xAB1C5ED5,
    0xD807AA98, 0x12835B01, 0x243185BE, 0x550C7DC3, 0x72BE5D74, 0x80DEB1FE, 0x9BDC06A7, 0xC19BF174,
    0xE49B69C1, 0xEFBE4786, 0x0FC19DC6, 0x240CA1CC, 0x2DE92C6F, 0x4A7484AA, 0x5CB0A9DC, 0x76F988DA,
    0x983E5152, 0xA831C66D, 0xB00327C8, 0xBF597FC7, 0xC6E00BF3, 0xD5A79147, 0x06CA6351, 0x14292967,
    0x27B70A85, 0x2E1B2138, 0x4D2C6DFC, 0x53380D13, 0x650A7354, 0x766A0ABB, 0x81C2C92E, 0x92722C85,
    0xA2BFE8A1, 0xA81A664B, 0xC24B8B70, 0xC76C51A3, 0xD192E819, 0xD6990624, 0xF40E3585, 0x106AA070,
    0x19A4C116, 0x1E376C08, 0x2748774C, 0x34B0BCB5, 0x391C0CB3, 0x4ED8AA4A, 0x5B9CCA4F, 0x682E6FF3,
    0x748F82EE, 0x78A5636F, 0x84C87814, 0x8CC70208, 0x90BEFFFA, 0xA4506CEB, 0xBEF9A3F7, 0xC67178F2,
)
"""The 64 round constants K0..K63 of FIPS 180-4 4.2.2."""


# ---------------------------------------------------------------- bytes and words


@requires(lambda buf, off: off + 4 <= len(buf))
def load32(buf: View[u8], off: u32) -> u32:
    """The big-endian word at ``buf[off:off + 4]``."""
    return (u32(buf[off]) << 24) | (u32(buf[off + 1]) << 16) | (u32(buf[off + 2]) << 8) | u32(buf[off + 3])


@requires(lambda dst, at, src: at + len(src) <= 64)
def copy_in(dst: Bytes[64], at: u32, src: View[u8]) -> None:
    """``dst[at:at + len(src)] = src``."""
    for i in range(0, len(src)):
        dst[at + i] = src[i]


# ---------------------------------------------------------------- the functions of FIPS 180-4 4.1.2


@requires(lambda x, n: 1 <= n and n <= 31)
def rotr(x: u32, n: u32) -> u32:
    """Rotate right by ``n``: the low ``n`` bits are masked before they move left, so it fits 32 bits."""
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


@requires(lambda state, chunk: len(chunk) == 64)
def compress(state: Array[u32, 8], chunk: View[u8]) -> None:
    """Fold one 64-byte block into the chaining state (FIPS 180-4 6.2.2)."""
    # The message schedule W0..W63 (step 1): every word is written before it is read, in
    # these two loops, so the array is not zeroed first (tamapy.lang.initialised).
    w: Array[u32, 64] = Array[u32, 64]()
    for t in range(0, 16):
        w[t] = load32(chunk, 4 * t)
    for t in range(16, 64):
        total: u64 = u64(small_sigma1(w[t - 2])) + w[t - 7] + small_sigma0(w[t - 15]) + w[t - 16]
        w[t] = u32(total & MASK32)
    a: u32 = state[0]
    b: u32 = state[1]
    c: u32 = state[2]
    d: u32 = state[3]
    e: u32 = state[4]
    f: u32 = state[5]
    g: u32 = state[6]
    h: u32 = state[7]
    for t in range(0, 64):
        t1: u64 = u64(h) + big_sigma1(e) + ch(e, f, g) + K[t] + w[t]
        t2: u64 = u64(big_sigma0(a)) + maj(a, b, c)
        h = g
        g = f
        f = e
        e = u32((d + t1) & MASK32)
        d = c
        c = b
        b = a
        a = u32((t1 + t2) & MASK32)
    state[0] = u32((u64(state[0]) + a) & MASK32)
    state[1] = u32((u64(state[1]) + b) & MASK32)
    state[2] = u32((u64(state[2]) + c) & MASK32)
    state[3] = u32((u64(state[3]) + d) & MASK32)
    state[4] = u32((u64(state[4]) + e) & MASK32)
    state[5] = u32((u64(state[5]) + f) & MASK32)
    state[6] = u32((u64(state[6]) + g) & MASK32)
    state[7] = u32((u64(state[7]) + h) & MASK32)


# ---------------------------------------------------------------- building blocks


def start(state: Array[u32, 8]) -> None:
    """Set the chaining state to the initial hash value H(0)."""
    for i in range(0, 8):
        state[i] = H0[i]


@ensures(lambda result, state, data: result <= len(data) and len(data) - result < 64)
def absorb(state: Array[u32, 8], data: View[u8]) -> u32:
    """Compress every whole block at the start of ``data``; return how many bytes that was
    (the rest, fewer than 64 bytes, is left for the caller to buffer)."""
    n: u32 = len(data)
    end: u32 = n - (n & 63)
    for off in range(0, end, 64):
        compress(state, data[off:off + 64])
    return end


@requires(lambda state, block, used, total, digest: used < 64 and total <= MAX_TOTAL)
def finish(state: Array[u32, 8], block: Bytes[64], used: u32, total: u64, digest: Bytes[32]) -> None:
    """Pad a message of ``total`` bytes whose last ``used`` bytes are ``block[0:used]``,
    compress the last block(s) and write the digest (FIPS 180-4 5.1.1, 6.2.2 step 4)."""
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
        digest[i] = u8((state[i >> 2] >> (24 - 8 * (i & 3))) & 0xFF)


# ---------------------------------------------------------------- the public API


def init(state: Array[u32, 8], block: Bytes[64], count: Array[u64, 1]) -> None:
    """Start hashing a new message."""
    start(state)
    for i in range(0, 64):
        block[i] = 0
    count[0] = 0


def update(state: Array[u32, 8], block: Bytes[64], count: Array[u64, 1], data: View[u8]) -> bool:
    """Append ``data`` (any length, including 0) to the message.  Returns False, and changes
    nothing, when the message would become longer than MAX_TOTAL bytes."""
    n: u32 = len(data)
    total: u64 = count[0]
    if total > MAX_TOTAL - n:
        return False
    count[0] = total + n
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


def final(state: Array[u32, 8], block: Bytes[64], count: Array[u64, 1], digest: Bytes[32]) -> None:
    """Write the digest of the message absorbed since ``init``.  The context is spent:
    call ``init`` before hashing another message.

    ``update`` never lets count[0] exceed MAX_TOTAL, so the mask below changes nothing;
    it is there because the verifier keeps no facts about array contents across calls."""
    total: u64 = count[0] & MAX_TOTAL
    finish(state, block, u32(total & 63), total, digest)


def sha256(data: View[u8], digest: Bytes[32]) -> None:
    """``digest = SHA-256(data)`` in one call."""
    state: Array[u32, 8] = Array[u32, 8]()
    block: Bytes[64] = Bytes[64]()
    start(state)
    n: u32 = len(data)
    done: u32 = absorb(state, data)
    copy_in(block, 0, data[done:n])
    finish(state, block, n - done, n, digest)
