"""The boot report: identity, engines, RNG, known-answer tests, measurement, quote.

Each known-answer test prints one line ``kat NAME ENGINE: VERDICT``:
``PASS``, ``FAIL`` (wrong answer), ``FAIL (STATUS)`` (the engine reported an
error) or ``UNAVAILABLE`` (no such engine on this part), and is counted;
``summary`` prints the counts.  Vectors:

* SHA-256("abc") (FIPS 180-2 appendix B.1 / NIST CSRC example), through the
  DCP (``api.sha256_engine``) and through software (``crypto.sha256_sw``);
* AES-128-CBC, NIST SP 800-38A F.2.1 (encrypt) and F.2.2 (decrypt), DCP only;
* HMAC-SHA256, RFC 4231 test case 2, through ``api.hmac_sha256`` (its DCP
  hashing on a part with a DCP, else software: the line names which).
"""

from typing import Final

from board import console as port
from crypto import api, sha256_sw
from examples.selftest import attest, out
from soc.imx6ul import ocotp, soc
from soc.imx6ul.regs import DCP, OCOTP
from tamapy.fw import Array, Bytes, View, clock_enabled, ensures, old, requires, u8, u32

SHA_MESSAGE: Final = b"abc"
SHA_DIGEST: Final = (
    b"\xba\x78\x16\xbf\x8f\x01\xcf\xea\x41\x41\x40\xde\x5d\xae\x22\x23"
    b"\xb0\x03\x61\xa3\x96\x17\x7a\x9c\xb4\x10\xff\x61\xf2\x00\x15\xad"
)
AES_KEY: Final = b"\x2b\x7e\x15\x16\x28\xae\xd2\xa6\xab\xf7\x15\x88\x09\xcf\x4f\x3c"
AES_IV: Final = b"\x00\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f"
AES_PLAIN: Final = (
    b"\x6b\xc1\xbe\xe2\x2e\x40\x9f\x96\xe9\x3d\x7e\x11\x73\x93\x17\x2a"
    b"\xae\x2d\x8a\x57\x1e\x03\xac\x9c\x9e\xb7\x6f\xac\x45\xaf\x8e\x51"
    b"\x30\xc8\x1c\x46\xa3\x5c\xe4\x11\xe5\xfb\xc1\x19\x1a\x0a\x52\xef"
    b"\xf6\x9f\x24\x45\xdf\x4f\x9b\x17\xad\x2b\x41\x7b\xe6\x6c\x37\x10"
)
AES_CIPHER: Final = (
    b"\x76\x49\xab\xac\x81\x19\xb2\x46\xce\xe9\x8e\x9b\x12\xe9\x19\x7d"
    b"\x50\x86\xcb\x9b\x50\x72\x19\xee\x95\xdb\x11\x3a\x91\x76\x78\xb2"
    b"\x73\xbe\xd6\xb8\xe3\xc1\x74\x3b\x71\x16\xe6\x9e\x22\x22\x95\x16"
    b"\x3f\xf1\xca\xa1\x68\x1f\xac\x09\x12\x0e\xca\x30\x75\x86\xe1\xa7"
)
AES_BYTES: Final = 64
HMAC_KEY: Final = b"Jefe"
HMAC_MESSAGE: Final = b"what do ya want for nothing?"
HMAC_MAC: Final = (
    b"\x5b\xdc\xc1\x46\xbf\x60\x75\x4e\x6a\x04\x24\x26\x08\x95\x75\xc7"
    b"\x5a\x00\x3f\x08\x9d\x27\x39\x83\x9d\xec\x58\xb9\x64\xec\x38\x43"
)
RANDOM_BYTES: Final = 32
RANDOM_WORDS: Final = RANDOM_BYTES // 4
MAX_RANDOM: Final = 4 * api.MAX_WORDS
"""Largest byte count ``word_bytes`` converts (the words of the largest ``api.rng_read``)."""
MAX_COUNT: Final = 1000

passed: u32 = 0
failed: u32 = 0
unavailable: u32 = 0
wide: Bytes[4096] = Bytes[4096]()
"""AES output (the interface writes 4 KiB arrays); shell.py uses it too."""


# ------------------------------------------------------------------ helpers


@requires(lambda a, b: len(a) == len(b))
def same(a: View[u8], b: View[u8]) -> bool:
    """Whether ``a`` and ``b`` hold the same bytes (every byte is compared)."""
    diff: u8 = 0
    for i in range(0, len(a)):
        diff |= a[i] ^ b[i]
    return diff == 0


# Saturating counters: one more, unless already at MAX_COUNT.
@ensures(lambda: passed == (old(passed) + 1 if old(passed) < MAX_COUNT else old(passed)))
def count_pass() -> None:
    global passed
    if passed < MAX_COUNT:
        passed += 1


@ensures(lambda: failed == (old(failed) + 1 if old(failed) < MAX_COUNT else old(failed)))
def count_fail() -> None:
    global failed
    if failed < MAX_COUNT:
        failed += 1


@ensures(lambda: unavailable == (old(unavailable) + 1 if old(unavailable) < MAX_COUNT
                                 else old(unavailable)))
def count_unavailable() -> None:
    global unavailable
    if unavailable < MAX_COUNT:
        unavailable += 1


@requires(lambda label, status, correct: clock_enabled(port.PORT))
def verdict(label: View[u8], status: api.CryptoStatus, correct: bool) -> None:
    """Print and count one known-answer test."""
    out.write(b"kat ")
    out.write(label)
    out.write(b": ")
    if status == api.CryptoStatus.UNAVAILABLE:
        out.write(b"UNAVAILABLE")
        count_unavailable()
    elif status != api.CryptoStatus.OK:
        out.write(b"FAIL (")
        out.status_name(status)
        out.write(b")")
        count_fail()
    elif correct:
        out.write(b"PASS")
        count_pass()
    else:
        out.write(b"FAIL")
        count_fail()
    out.newline()


@requires(lambda words, n, dst: n <= MAX_RANDOM)
def word_bytes(words: Array[u32, 64], n: u32, dst: Bytes[256]) -> None:
    """``dst[0:n]`` = the first ``n`` bytes of ``words``, each word little-endian
    (the order the RNGB's words are numbered in)."""
    for i in range(0, n):
        dst[i] = u8((words[i // 4] >> (8 * (i % 4))) & 0xFF)


@requires(lambda: clock_enabled(port.PORT) and clock_enabled(OCOTP))
def model_name() -> None:
    """The part's name (``soc.model()``), `` (emulated)`` after it under an emulator."""
    model: soc.Model = soc.model()
    if model == soc.Model.UL:
        out.write(b"i.MX6UL")
    elif model == soc.Model.ULL:
        out.write(b"i.MX6ULL")
    elif model == soc.Model.ULZ:
        out.write(b"i.MX6ULZ")
    else:
        out.write(b"unknown")
        return
    if soc.emulated():
        out.write(b" (emulated)")


@requires(lambda present: clock_enabled(port.PORT))
def presence(present: bool) -> None:
    if present:
        out.line(b"present")
    else:
        out.line(b"absent")


# ------------------------------------------------------------------ the report


@requires(lambda: clock_enabled(port.PORT) and clock_enabled(OCOTP))
def print_uid() -> None:
    """``uid: `` and the 64-bit unique ID (CFG1:CFG0) as 16 hex digits, most significant first."""
    uid: Bytes[8] = Bytes[8]()
    status: ocotp.FuseStatus = ocotp.unique_id(uid)
    out.write(b"uid: ")
    if status == ocotp.FuseStatus.OK:
        for i in range(0, 8):
            out.hex_bytes(uid[7 - i:8 - i])
        out.newline()
    elif status == ocotp.FuseStatus.TIMEOUT:
        out.line(b"unavailable (fuse controller busy)")
    else:
        out.line(b"unavailable (fuse read-locked)")


@requires(lambda: clock_enabled(port.PORT) and clock_enabled(OCOTP))
def identity() -> None:
    """The part, its unique ID, and which engines it has."""
    out.write(b"soc: ")
    model_name()
    out.write(b" (DIGPROG family 0x")
    out.hex_word(soc.family(), 2)
    out.write(b", revision 0x")
    out.hex_word(soc.revision(), 4)
    out.line(b")")
    print_uid()
    out.write(b"dcp: ")
    presence(soc.has_dcp())
    out.write(b"rngb: ")
    presence(soc.has_rngb())


@requires(lambda nonce: clock_enabled(port.PORT) and clock_enabled(OCOTP))
def rng(nonce: Bytes[32]) -> api.CryptoStatus:
    """RNGB self test, then 32 random bytes, also the boot quote's nonce.  The result
    says whether that nonce is fresh: OK only if the self test passed, the read was
    OK and the bytes are not all zero (the self test's status if it failed, else
    the read's; UNHEALTHY for zero bytes).  A refused read leaves ``nonce`` zero,
    and zero is the same on every boot: a quote over it could be replayed."""
    out.write(b"rng self-test: ")
    status: api.CryptoStatus = api.rng_self_test()
    if status == api.CryptoStatus.OK:
        out.line(b"PASS")
        count_pass()
    elif status == api.CryptoStatus.UNAVAILABLE:
        out.line(b"UNAVAILABLE")
        count_unavailable()
    else:
        out.write(b"FAIL (")
        out.status_name(status)
        out.line(b")")
        count_fail()
    words: Array[u32, 64] = Array[u32, 64]()
    got: api.CryptoStatus = api.rng_read(words, RANDOM_WORDS)
    raw: Bytes[256] = Bytes[256]()
    word_bytes(words, RANDOM_BYTES, raw)
    for i in range(0, RANDOM_BYTES):
        nonce[i] = raw[i]
    out.write(b"random: ")
    if got == api.CryptoStatus.OK:
        out.hex_bytes(raw[0:RANDOM_BYTES])
        out.newline()
    elif got == api.CryptoStatus.UNAVAILABLE:
        out.line(b"RNG unavailable")
    else:
        out.write(b"refused (")
        out.status_name(got)
        out.line(b")")
        count_fail()
    if status != api.CryptoStatus.OK:
        return status
    if got == api.CryptoStatus.OK and not attest.usable_nonce(nonce):
        return api.CryptoStatus.UNHEALTHY
    return got


@requires(lambda: clock_enabled(port.PORT) and clock_enabled(OCOTP) and clock_enabled(DCP))
def known_answers() -> None:
    """The known-answer tests (see the module docstring)."""
    digest: Bytes[32] = Bytes[32]()
    status: api.CryptoStatus = api.sha256_engine(SHA_MESSAGE, digest)
    verdict(b"sha256 dcp", status, same(digest, SHA_DIGEST))
    sha256_sw.sha256(SHA_MESSAGE, digest)
    verdict(b"sha256 software", api.CryptoStatus.OK, same(digest, SHA_DIGEST))
    status = api.aes128_cbc_encrypt(AES_KEY, AES_IV, AES_PLAIN, wide)
    verdict(b"aes-128-cbc-encrypt dcp", status, same(wide[0:AES_BYTES], AES_CIPHER))
    status = api.aes128_cbc_decrypt(AES_KEY, AES_IV, AES_CIPHER, wide)
    verdict(b"aes-128-cbc-decrypt dcp", status, same(wide[0:AES_BYTES], AES_PLAIN))
    status = api.hmac_sha256(HMAC_KEY, HMAC_MESSAGE, digest)
    if soc.has_dcp():
        verdict(b"hmac-sha256 dcp", status, same(digest, HMAC_MAC))
    else:
        verdict(b"hmac-sha256 software", status, same(digest, HMAC_MAC))


@requires(lambda nonce, fresh: clock_enabled(port.PORT) and clock_enabled(OCOTP) and clock_enabled(DCP))
def attestation(nonce: View[u8], fresh: api.CryptoStatus) -> None:
    """The image measurement, then a quote over ``nonce`` -- only if ``fresh`` (what
    ``rng`` returned) is OK.  Otherwise ``quote: unavailable (no fresh nonce: rng
    STATUS)`` and no nonce line: a quote is never released over a nonce the RNG did
    not produce.  Not counted in the summary: the RNG failure behind it already is."""
    if not attest.measure():
        out.line(b"measurement: FAIL")
        count_fail()
        return
    out.write(b"measurement: ")
    out.hex_bytes(attest.measurement)
    out.newline()
    out.write(b"measured: sha-256 of 0x")
    out.hex_word(attest.IMAGE_BASE, 8)
    out.write(b" + ")
    out.dec(attest.MEASURE_BYTES)
    out.line(b" bytes")
    if fresh != api.CryptoStatus.OK:
        out.write(b"quote: unavailable (no fresh nonce: rng ")
        out.status_name(fresh)
        out.line(b")")
        return
    if len(nonce) > attest.MAX_NONCE:
        return
    out.write(b"quote nonce: ")
    out.hex_bytes(nonce)
    out.newline()
    mac: Bytes[32] = Bytes[32]()
    status: api.CryptoStatus = attest.quote(nonce, mac)
    out.write(b"quote: ")
    if status == api.CryptoStatus.OK:
        out.hex_bytes(mac)
        out.newline()
    else:
        out.write(b"refused (")
        out.status_name(status)
        out.line(b")")


@requires(lambda: clock_enabled(port.PORT))
def summary() -> None:
    out.write(b"selftest: ")
    out.dec(passed)
    out.write(b" passed, ")
    out.dec(failed)
    out.write(b" failed, ")
    out.dec(unavailable)
    out.line(b" unavailable")


def any_failed() -> bool:
    return failed != 0
