"""Published test vectors: SHA-256 (FIPS 180-2 appendix B, NIST CSRC examples) and
HMAC-SHA256 (RFC 4231 section 4)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class HashVector:
    name: str
    unit: bytes
    """The message is ``unit`` repeated ``repeat`` times."""
    repeat: int
    digest: str


@dataclass(frozen=True)
class MacVector:
    name: str
    key: bytes
    message: bytes
    mac: str
    """Hex; RFC 4231 test case 5 gives only the first 128 bits."""


SHA256_VECTORS = [
    HashVector("empty", b"", 1, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
    HashVector("abc", b"abc", 1, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
    HashVector(
        "448-bit", b"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 1,
        "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1",
    ),
    HashVector(
        "896-bit",
        b"abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
        1, "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1",
    ),
    HashVector("million-a", b"a" * 1000, 1000, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"),
]

_LONG_KEY = b"\xaa" * 131

HMAC_VECTORS = [
    MacVector("rfc4231-1", b"\x0b" * 20, b"Hi There",
              "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"),
    MacVector("rfc4231-2", b"Jefe", b"what do ya want for nothing?",
              "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"),
    MacVector("rfc4231-3", b"\xaa" * 20, b"\xdd" * 50,
              "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe"),
    MacVector("rfc4231-4", bytes(range(1, 26)), b"\xcd" * 50,
              "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b"),
    MacVector("rfc4231-5", b"\x0c" * 20, b"Test With Truncation", "a3b6167473100ee06e0c796c2955552b"),
    MacVector("rfc4231-6", _LONG_KEY, b"Test Using Larger Than Block-Size Key - Hash Key First",
              "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"),
    MacVector(
        "rfc4231-7", _LONG_KEY,
        b"This is a test using a larger than block-size key and a larger than block-size data. "
        b"The key needs to be hashed before being used by the HMAC algorithm.",
        "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2",
    ),
]

PADDING_EDGES = [0, 1, 55, 56, 57, 63, 64, 65, 119, 120, 121, 127, 128, 129, 183, 184, 191, 192, 300]
"""Message lengths around the padding boundaries: 55/56 bytes decide whether the length
fits the last block, 63/64 fill a block exactly (and the same again one block later)."""

KEY_EDGES = [0, 1, 32, 63, 64, 65, 131, 150]
"""Key lengths around the block size: longer than 64 bytes means the key is hashed first."""


def edge_message(n: int) -> bytes:
    """A deterministic message of ``n`` bytes whose bytes differ from block to block."""
    return bytes((i * 31 + (i >> 6) * 7 + 1) & 0xFF for i in range(n))
