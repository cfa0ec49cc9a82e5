"""Test firmware: hashes what the host put in OCRAM with crypto.sha256_sw / crypto.hmac_sw.

Input words at 0x00900000: op, message length, key length, chunk size,
repetitions, count low, count high.  The key is at 0x00900100 (up to 256
bytes), the message at 0x00900200 (up to 1024 bytes).  The digest goes to
0x00900040, a status word to 0x00900060.

ops: 0 sha256(message); 1 streaming SHA-256, the message fed in chunks;
2 hmac_sha256(key, message); 3 streaming SHA-256 of the message repeated;
4 one update of the message after the byte count was set to a given value
(status: 1 if update accepted it; the count afterwards, big-endian, in place of
the digest).
"""

from typing import Final

from crypto import hmac_sw, sha256_sw

from tamapy.fw import (
    Array,
    Bytes,
    decreases,
    ensures,
    invariant,
    mmio,
    requires,
    trusted,
    u8,
    u32,
    u64,
)

IN: Final = 0x00900000
KEY_IN: Final = 0x00900100
MSG_IN: Final = 0x00900200
OUT: Final = 0x00900040
STATUS_OUT: Final = 0x00900060
KEY_MAX: Final = 256
MSG_MAX: Final = 1024

key: Bytes[256] = Bytes[256]()
msg: Bytes[1024] = Bytes[1024]()


@requires(lambda i: i < 16)
@trusted("test harness input from OCRAM")
def load_word(i: u32) -> u32:
    return mmio.read32(IN + 4 * i)


@requires(lambda n: n <= KEY_MAX)
@trusted("test harness input from OCRAM")
def load_key(n: u32) -> None:
    for i in range(0, n):
        key[i] = mmio.read8(KEY_IN + i)


@requires(lambda n: n <= MSG_MAX)
@trusted("test harness input from OCRAM")
def load_msg(n: u32) -> None:
    for i in range(0, n):
        msg[i] = mmio.read8(MSG_IN + i)


@trusted("test harness output to OCRAM")
def store(digest: Bytes[32], status: u32) -> None:
    for i in range(0, 32):
        mmio.write8(OUT + i, digest[i])
    mmio.write32(STATUS_OUT, status)


@ensures(lambda result, v, limit: result <= v and result <= limit and (result >= v or result >= limit))
def clamp(v: u32, limit: u32) -> u32:
    if v > limit:
        return limit
    return v


@requires(lambda n, chunk, digest: n <= MSG_MAX and chunk >= 1)
def stream(n: u32, chunk: u32, digest: Bytes[32]) -> u32:
    """Feed msg[0:n] in pieces of ``chunk`` bytes; return how many updates were refused."""
    state: Array[u32, 8] = Array[u32, 8]()
    block: Bytes[64] = Bytes[64]()
    count: Array[u64, 1] = Array[u64, 1]()
    sha256_sw.init(state, block, count)
    refused: u32 = 0
    pos: u32 = 0
    while pos < n:
        invariant(pos <= n)
        decreases(n - pos)
        step: u32 = clamp(chunk, n - pos)
        if not sha256_sw.update(state, block, count, msg[pos:pos + step]) and refused < n:
            refused += 1
        pos += step
    sha256_sw.final(state, block, count, digest)
    return refused


@requires(lambda n, reps, digest: n <= MSG_MAX)
def repeat(n: u32, reps: u32, digest: Bytes[32]) -> u32:
    """Hash msg[0:n] repeated ``reps`` times; return how many updates were refused."""
    state: Array[u32, 8] = Array[u32, 8]()
    block: Bytes[64] = Bytes[64]()
    count: Array[u64, 1] = Array[u64, 1]()
    sha256_sw.init(state, block, count)
    refused: u32 = 0
    for _ in range(0, reps):
        if not sha256_sw.update(state, block, count, msg[0:n]) and refused < reps:
            refused += 1
    sha256_sw.final(state, block, count, digest)
    return refused


@requires(lambda n, total, digest: n <= MSG_MAX)
def near_limit(n: u32, total: u64, digest: Bytes[32]) -> u32:
    """One update after the byte count was set to ``total``: 1 if it was accepted."""
    state: Array[u32, 8] = Array[u32, 8]()
    block: Bytes[64] = Bytes[64]()
    count: Array[u64, 1] = Array[u64, 1]()
    sha256_sw.init(state, block, count)
    count[0] = total
    accepted: u32 = 0
    if sha256_sw.update(state, block, count, msg[0:n]):
        accepted = 1
    for i in range(0, 8):
        digest[i] = u8((count[0] >> (56 - 8 * i)) & 0xFF)
    return accepted


def main() -> None:
    op: u32 = load_word(0)
    n: u32 = clamp(load_word(1), MSG_MAX)
    kl: u32 = clamp(load_word(2), KEY_MAX)
    chunk: u32 = load_word(3)
    if chunk == 0:
        chunk = 1
    load_key(kl)
    load_msg(n)
    digest: Bytes[32] = Bytes[32]()
    status: u32 = 0
    if op == 0:
        sha256_sw.sha256(msg[0:n], digest)
    elif op == 1:
        status = stream(n, chunk, digest)
    elif op == 2:
        hmac_sw.hmac_sha256(key[0:kl], msg[0:n], digest)
    elif op == 3:
        status = repeat(n, load_word(4), digest)
    elif op == 4:
        status = near_limit(n, u64(load_word(5)) | (u64(load_word(6)) << 32), digest)
    store(digest, status)
