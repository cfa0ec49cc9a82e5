"""HMAC-SHA256 (RFC 2104, FIPS 198-1) in software, on top of ``crypto.sha256_sw``.

    HMAC(K, m) = H((K0 ^ opad) || H((K0 ^ ipad) || m))

where K0 is the key padded with zeros to the 64-byte block size, or, for a
key longer than a block, its SHA-256 digest padded with zeros.  Both hashes
are computed from the shared SHA-256 building blocks, with their exact
lengths as plain integers, so no length limit other than the views' own
(fewer than 2**32 bytes) applies and nothing can fail.
"""

from typing import Final

from crypto import sha256_sw
from tamapy.fw import Array, Bytes, View, requires, u8, u32, u64

IPAD: Final = 0x36
OPAD: Final = 0x5C


@requires(lambda k0, pad, data, out: len(k0) == 64)
def keyed_hash(k0: View[u8], pad: u8, data: View[u8], out: Bytes[32]) -> None:
    """``out = SHA-256((k0 ^ pad) || data)``, ``k0`` being one 64-byte block."""
    block: Bytes[64] = Bytes[64]()
    for i in range(0, 64):
        block[i] = k0[i] ^ pad
    state: Array[u32, 8] = Array[u32, 8]()
    sha256_sw.start(state)
    sha256_sw.compress(state, block)
    n: u32 = len(data)
    done: u32 = sha256_sw.absorb(state, data)
    sha256_sw.copy_in(block, 0, data[done:n])
    sha256_sw.finish(state, block, n - done, u64(n) + 64, out)


def hmac_sha256(key: View[u8], message: View[u8], mac: Bytes[32]) -> None:
    """``mac = HMAC-SHA256(key, message)``; keys longer than 64 bytes are hashed first."""
    k0: Bytes[64] = Bytes[64]()
    if len(key) > 64:
        hashed: Bytes[32] = Bytes[32]()
        sha256_sw.sha256(key, hashed)
        sha256_sw.copy_in(k0, 0, hashed)
    else:
        sha256_sw.copy_in(k0, 0, key)
    inner: Bytes[32] = Bytes[32]()
    keyed_hash(k0, IPAD, message, inner)
    keyed_hash(k0, OPAD, inner, mac)
