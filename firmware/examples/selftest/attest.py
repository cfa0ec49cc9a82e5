"""The image measurement and the attestation quote.

Measurement: SHA-256 (in software, ``crypto.sha256_sw``) of the first
MEASURE_BYTES (40 KiB) of the loaded image, from the load address IMAGE_BASE
(0x80010000 on both boards: ``[image] load_address`` in specs/boards/*.toml),
read as it sits in memory.  The linker puts the text segment (vector table,
startup code, every compiled function) there, then, page-aligned, the
read-only data, then, page-aligned, the writable data.  For this application
the region is exactly [text start, RW segment start): all code and all
read-only data, with the zero bytes that pad the segments to their pages
(the ``.bin`` and ``.imx`` images carry those zeros too), and nothing the
firmware writes.  The subset cannot read the linker's ``__rodata_end`` or
``__data_start``, so the size is a constant: tests/selftest checks on both
boards' images that the region ends at or below the RW segment (no writable
byte is ever measured); if the code grows, the region stays a prefix of the
read-only image and MEASURE_PAGES should be raised to the new RW start.

Quote, for a nonce of 1..MAX_NONCE bytes, not all zero:

    K     = derive_key("tamapy-quote-key")   AES-128-ECB of those 16 bytes under
                                             the device-unique key, inside the DCP
    quote = HMAC-SHA256(K, nonce || measurement)

Without a DCP there is no device key, so there is no quote (UNAVAILABLE).

A quote proves freshness only through its nonce: one over a nonce an attacker
can predict can be recorded once and replayed, and the prime case is the
all-zero nonce, which is what every ``crypto.api`` output (``rng_read``'s words
included) holds after an error and what an unwritten buffer holds.  So
``quote`` refuses (BAD_INPUT, no MAC) an empty or all-zero nonce, whoever the
caller; the boot quote (boot.py) further uses only a nonce the RNG produced
with its self test passed and the read OK.
"""

from typing import Final

from crypto import api, sha256_sw
from soc.imx6ul.regs import DCP, OCOTP
from tamapy.fw import Array, Bytes, View, clock_enabled, mmio, requires, trusted, u8, u32, u64

IMAGE_BASE: Final = 0x80010000
"""The load address of both boards' images (specs/boards/*.toml, [image] load_address)."""
PAGE: Final = 1024
MEASURE_PAGES: Final = 40
MEASURE_BYTES: Final = MEASURE_PAGES * PAGE
MAX_NONCE: Final = 64
QUOTE_DIVERSIFIER: Final = b"tamapy-quote-key"
"""The 16-byte diversifier of the quote key."""

measurement: Bytes[32] = Bytes[32]()
measured: bool = False


@requires(lambda page, chunk: page < MEASURE_PAGES)
@trusted("reads the loaded image's text segment (code, never written) as bytes, for the measurement", modifies=())
def load_page(page: u32, chunk: Bytes[1024]) -> None:
    """``chunk`` = image bytes ``[page * PAGE, (page + 1) * PAGE)`` from IMAGE_BASE."""
    base: u32 = IMAGE_BASE + page * PAGE
    for i in range(0, PAGE):
        chunk[i] = mmio.read8(base + i)


def measure() -> bool:
    """Compute ``measurement`` (once; later calls keep it).  False only if the
    streaming hash refused the length, which MEASURE_BYTES never reaches."""
    global measured
    if measured:
        return True
    state: Array[u32, 8] = Array[u32, 8]()
    block: Bytes[64] = Bytes[64]()
    count: Array[u64, 1] = Array[u64, 1]()
    chunk: Bytes[1024] = Bytes[1024]()
    sha256_sw.init(state, block, count)
    for page in range(0, MEASURE_PAGES):
        load_page(page, chunk)
        if not sha256_sw.update(state, block, count, chunk):
            return False
    sha256_sw.final(state, block, count, measurement)
    measured = True
    return True


def usable_nonce(nonce: View[u8]) -> bool:
    """Whether ``nonce`` may be quoted over: 1..MAX_NONCE bytes, not all zero (the
    value of a failed or never-written nonce; see the module docstring)."""
    if len(nonce) == 0 or len(nonce) > MAX_NONCE:
        return False
    seen: u8 = 0
    for i in range(0, len(nonce)):
        seen |= nonce[i]
    return seen != 0


@requires(lambda nonce, mac: len(nonce) <= MAX_NONCE and clock_enabled(OCOTP) and clock_enabled(DCP))
def quote(nonce: View[u8], mac: Bytes[32]) -> api.CryptoStatus:
    """``mac`` = HMAC-SHA256(derive_key(QUOTE_DIVERSIFIER), nonce || measurement);
    all zero unless OK.  BAD_INPUT, with nothing computed, for a nonce that is
    not ``usable_nonce``: no path MACs an empty or all-zero nonce."""
    for i in range(0, api.DIGEST_BYTES):
        mac[i] = 0
    if not usable_nonce(nonce):
        return api.CryptoStatus.BAD_INPUT
    if not measure():
        return api.CryptoStatus.BAD_INPUT
    key: Bytes[16] = Bytes[16]()
    status: api.CryptoStatus = api.derive_key(QUOTE_DIVERSIFIER, key)
    if status != api.CryptoStatus.OK:
        return status
    message: Bytes[96] = Bytes[96]()
    n: u32 = len(nonce)
    for i in range(0, n):
        message[i] = nonce[i]
    for i in range(0, api.DIGEST_BYTES):
        message[n + i] = measurement[i]
    status = api.hmac_sha256(key, message[0:n + api.DIGEST_BYTES], mac)
    for i in range(0, api.KEY_BYTES):
        key[i] = 0
    return status
