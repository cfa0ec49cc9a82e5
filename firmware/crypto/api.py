"""The crypto and RNG interface: one API over the DCP/RNGB engines and the software code.

Every function here implements an interface of ``specs/interfaces/crypto.toml``;
the type checker attaches that file's contracts to it, so the verifier proves
each implementation meets them and every caller respects them.  Firmware above
this layer never touches the DCP or RNGB registers (nor their drivers): it
calls these functions and reads a ``CryptoStatus``.

Dispatch, decided on every call from the part itself (``soc.has_dcp()``,
``soc.has_rngb()``: CCM_ANALOG DIGPROG and the OCOTP fuse shadows):

* SHA-256 and HMAC-SHA256: the DCP when the part has a usable one, else the
  proven software code (``crypto.sha256_sw``, ``crypto.hmac_sw``).  An engine
  failure is reported (ENGINE_ERROR, TIMEOUT), never hidden by a silent
  software retry.  ``sha256_engine`` is the DCP only (UNAVAILABLE without it),
  for self-tests of the engine.
* AES-128 ECB/CBC and ``derive_key`` (the device-unique key never leaves the
  DCP): the DCP only.  Without it they return UNAVAILABLE and never compute a
  result some other way.
* ``rng_read``: the RNGB only; UNAVAILABLE without it.  The generator is
  self-tested and seeded on first use (or by ``rng_self_test``); after any
  failure every read is refused (UNHEALTHY) until a new ``rng_self_test``
  passes.

Outputs on error: every output array (digest, MAC, the first ``len(data)``
bytes of an AES output, the derived key, all 64 RNG words) is all zero
whenever the result is not OK.  The verifier cannot state this as an
``@ensures`` (contracts over array contents see the entry contents, see
docs/crypto.md, Limits): it is established by the code below and checked by
tests/selftest.

The DCP is initialised (soft reset, channel 0) on first use and again after
a failed initialisation; the driver re-initialises it itself after a packet
that timed out.  All DCP packets carry their key in the payload (no key-RAM
slots are used) except ``derive_key``, which selects the device-unique key.

Callers must have opened the OCOTP and DCP clock gates (``ccm.enable_ocotp()``,
``ccm.enable_dcp()``).  On the i.MX6UL CCGR0.CG5 clocks the CAAM, which
is harmless: no DCP register is touched there.
"""

from enum import IntEnum
from typing import Final

from crypto import hmac_sw, sha256_sw
from soc.imx6ul import dcp, rngb, soc
from soc.imx6ul.regs import DCP, OCOTP, RNGB  # named in contracts only
from tamapy.fw import Bytes, MutView, View, clock_enabled, decreases, ensures, invariant, requires, u8, u32

DIGEST_BYTES: Final = 32
KEY_BYTES: Final = 16
"""AES-128 keys and derived keys."""
BLOCK_BYTES: Final = 16
"""The AES block, and the length of IVs and key diversifiers."""
MAX_DATA: Final = 4096
"""Longest AES input: the size of the output arrays."""
MAX_WORDS: Final = 64
"""Largest ``rng_read`` request, in 32-bit words (the size of its output array)."""


# What a crypto or RNG operation gave.
class CryptoStatus(IntEnum):
    OK = 0
    UNAVAILABLE = 1
    """This part has no such engine (i.MX6UL: no DCP, no RNGB)."""
    ENGINE_ERROR = 2
    """The engine reported an error (a DCP channel error status)."""
    TIMEOUT = 3
    """The engine did not finish within its bounded wait."""
    BAD_INPUT = 4
    """The engine refused the request's lengths."""
    UNHEALTHY = 5
    """The RNG failed its self test, could not be seeded, or reported an error."""


dcp_ready: bool = False
"""The DCP has been initialised (``dcp.init``) since reset."""

# The values of rng_state (a module variable cannot be of an enum type).
RNG_UNTESTED: Final = 0
RNG_HEALTHY: Final = 1
RNG_FAILED: Final = 2
rng_state: u32 = RNG_UNTESTED
"""RNG_UNTESTED until the first self test, then RNG_HEALTHY or RNG_FAILED."""


# ------------------------------------------------------------------ status mapping


@ensures(lambda code, result: result != CryptoStatus.UNAVAILABLE and result != CryptoStatus.UNHEALTHY
         and (result == CryptoStatus.OK) == (code == u32(dcp.DcpStatus.OK)))
def from_dcp(code: u32) -> CryptoStatus:
    """The interface status of a DCP driver status (``u32(dcp.DcpStatus)``).

    Driver statuses cross into this module's signatures as u32: the type checker
    resolves ``dcp.DcpStatus`` in a signature only if module ``soc.imx6ul.dcp`` sorts
    before this one (it completes enums module by module, in name order), and
    ``from soc.imx6ul.dcp import DcpStatus`` never works in annotations."""
    if code == u32(dcp.DcpStatus.OK):
        return CryptoStatus.OK
    if code == u32(dcp.DcpStatus.TIMEOUT):
        return CryptoStatus.TIMEOUT
    if code == u32(dcp.DcpStatus.BAD_LENGTH):
        return CryptoStatus.BAD_INPUT
    return CryptoStatus.ENGINE_ERROR


@ensures(lambda code, result: result == CryptoStatus.OK or result == CryptoStatus.TIMEOUT
         or result == CryptoStatus.UNHEALTHY)
@ensures(lambda code, result: result != CryptoStatus.OK or code == u32(rngb.RngStatus.OK))
def rng_result(code: u32) -> CryptoStatus:
    """The interface status of an RNGB driver status (``u32(rngb.RngStatus)``), and what it
    says of the generator: OK leaves it HEALTHY, any failure FAILED (a time-out is TIMEOUT,
    every other failure UNHEALTHY)."""
    global rng_state
    if code == u32(rngb.RngStatus.OK):
        rng_state = RNG_HEALTHY
        return CryptoStatus.OK
    rng_state = RNG_FAILED
    if code == u32(rngb.RngStatus.TIMEOUT):
        return CryptoStatus.TIMEOUT
    return CryptoStatus.UNHEALTHY


@ensures(lambda status, result: result == CryptoStatus.OK or result == CryptoStatus.ENGINE_ERROR
         or result == CryptoStatus.TIMEOUT)
def hash_status(status: CryptoStatus) -> CryptoStatus:
    """A hash request the engine refused is an engine error (hashes take any length)."""
    if status == CryptoStatus.OK or status == CryptoStatus.TIMEOUT:
        return status
    return CryptoStatus.ENGINE_ERROR


# ------------------------------------------------------------------ helpers


def zero32(out: Bytes[32]) -> None:
    for i in range(0, DIGEST_BYTES):
        out[i] = 0


@requires(lambda out, n: n <= len(out))
def zero_data(out: MutView[u8], n: u32) -> None:
    for i in range(0, n):
        out[i] = 0


@requires(lambda: clock_enabled(DCP))
@ensures(lambda result: (result == CryptoStatus.OK or result == CryptoStatus.TIMEOUT) and DCP.channel0_enabled)
def start_dcp() -> CryptoStatus:
    """Initialise the DCP once (again after a failed attempt) and enable channel 0.
    TIMEOUT if its soft reset did not complete."""
    global dcp_ready
    if not dcp_ready:
        if dcp.init() != dcp.DcpStatus.OK:
            return CryptoStatus.TIMEOUT
        dcp_ready = True
    dcp.enable_channel0()
    return CryptoStatus.OK


@requires(lambda key, message, mac: clock_enabled(DCP) and DCP.channel0_enabled)
@ensures(lambda key, message, mac, result: DCP.channel0_enabled)
def hmac_dcp(key: View[u8], message: View[u8], mac: Bytes[32]) -> u32:
    """``mac`` = HMAC-SHA256(``key``, ``message``) with the DCP hashing (RFC 2104): the
    inner hash streams K0 ^ ipad, then ``message`` in 1 KiB packets on channel 0; the
    outer hash is one packet over K0 ^ opad || inner.  ``mac`` is zero on an error.
    Returns ``u32(dcp.DcpStatus)``."""
    zero32(mac)
    k0: Bytes[64] = Bytes[64]()
    if len(key) > dcp.SHA_BLOCK:
        hashed: Bytes[32] = Bytes[32]()
        first_status: dcp.DcpStatus = dcp.sha256(key, hashed)
        if first_status != dcp.DcpStatus.OK:
            return u32(first_status)
        for i in range(0, DIGEST_BYTES):
            k0[i] = hashed[i]
    else:
        for i in range(0, len(key)):
            k0[i] = key[i]
    block: Bytes[96] = Bytes[96]()
    for i in range(0, dcp.SHA_BLOCK):
        block[i] = k0[i] ^ hmac_sw.IPAD
    n: u32 = len(message)
    dcp.enable_channel0()
    status: dcp.DcpStatus = dcp.hash_chunk(block[0:dcp.SHA_BLOCK], True, n == 0)
    pos: u32 = 0
    while status == dcp.DcpStatus.OK and n - pos > dcp.CHUNK:
        invariant(pos <= n)
        decreases(n - pos)
        dcp.enable_channel0()
        status = dcp.hash_chunk(message[pos:pos + dcp.CHUNK], False, False)
        pos += dcp.CHUNK
    if status == dcp.DcpStatus.OK and n > 0:
        dcp.enable_channel0()
        status = dcp.hash_chunk(message[pos:n], False, True)
    if status != dcp.DcpStatus.OK:
        dcp.wipe(dcp.CHUNK)
        dcp.enable_channel0()
        return u32(status)
    for i in range(0, dcp.SHA_BLOCK):
        block[i] = k0[i] ^ hmac_sw.OPAD
    for i in range(0, DIGEST_BYTES):
        block[dcp.SHA_BLOCK + i] = dcp.payload[DIGEST_BYTES - 1 - i]
    dcp.wipe(dcp.CHUNK)
    dcp.enable_channel0()
    return u32(dcp.sha256(block, mac))


@requires(lambda data, digest: clock_enabled(DCP))
@ensures(lambda data, digest, result: result == CryptoStatus.OK or result == CryptoStatus.ENGINE_ERROR
         or result == CryptoStatus.TIMEOUT)
def sha256_dcp(data: View[u8], digest: Bytes[32]) -> CryptoStatus:
    """``digest`` = SHA-256(``data``) on the DCP (which must exist); zero on an error."""
    zero32(digest)
    started: CryptoStatus = start_dcp()
    if started != CryptoStatus.OK:
        return started
    return hash_status(from_dcp(u32(dcp.sha256(data, digest))))


# ------------------------------------------------------------------ the interface


def sha256(data: View[u8], digest: Bytes[32]) -> CryptoStatus:
    """``digest`` = SHA-256(``data``): the DCP if the part has one, else software."""
    if not soc.has_dcp():
        sha256_sw.sha256(data, digest)
        return CryptoStatus.OK
    return sha256_dcp(data, digest)


def sha256_engine(data: View[u8], digest: Bytes[32]) -> CryptoStatus:
    """``digest`` = SHA-256(``data``) computed by the DCP only."""
    if not soc.has_dcp():
        zero32(digest)
        return CryptoStatus.UNAVAILABLE
    return sha256_dcp(data, digest)


def hmac_sha256(key: View[u8], message: View[u8], mac: Bytes[32]) -> CryptoStatus:
    """``mac`` = HMAC-SHA256(``key``, ``message``): DCP hashing if present, else software."""
    if not soc.has_dcp():
        hmac_sw.hmac_sha256(key, message, mac)
        return CryptoStatus.OK
    zero32(mac)
    started: CryptoStatus = start_dcp()
    if started != CryptoStatus.OK:
        return started
    return hash_status(from_dcp(hmac_dcp(key, message, mac)))


@requires(lambda key, iv, data, out, cbc, encrypt: len(key) == KEY_BYTES and len(iv) == BLOCK_BYTES
          and len(data) % BLOCK_BYTES == 0 and len(data) <= MAX_DATA and len(data) <= len(out)
          and clock_enabled(OCOTP) and clock_enabled(DCP))
@ensures(lambda key, iv, data, out, cbc, encrypt, result: result != CryptoStatus.UNHEALTHY)
def aes(key: View[u8], iv: View[u8], data: View[u8], out: MutView[u8], cbc: bool, encrypt: bool) -> CryptoStatus:
    """AES-128 (CBC from ``iv``, or ECB) of ``data`` into ``out[0:len(data)]`` on the DCP;
    ``out[0:len(data)]`` is zero unless OK."""
    n: u32 = len(data)
    zero_data(out, n)
    if not soc.has_dcp():
        return CryptoStatus.UNAVAILABLE
    started: CryptoStatus = start_dcp()
    if started != CryptoStatus.OK:
        return started
    status: dcp.DcpStatus = dcp.DcpStatus.OK
    if cbc:
        status = dcp.aes_cbc(key, iv, encrypt, data, out)
    else:
        status = dcp.aes_ecb(key, encrypt, data, out)
    if status != dcp.DcpStatus.OK:
        zero_data(out, n)
    return from_dcp(u32(status))


def aes128_ecb_encrypt(key: View[u8], data: View[u8], out: MutView[u8]) -> CryptoStatus:
    """``out[0:len(data)]`` = AES-128-ECB encryption of ``data`` under ``key`` (DCP only)."""
    return aes(key, dcp.NO_BLOCK, data, out, False, True)


def aes128_ecb_decrypt(key: View[u8], data: View[u8], out: MutView[u8]) -> CryptoStatus:
    """``out[0:len(data)]`` = AES-128-ECB decryption of ``data`` under ``key`` (DCP only)."""
    return aes(key, dcp.NO_BLOCK, data, out, False, False)


def aes128_cbc_encrypt(key: View[u8], iv: View[u8], data: View[u8], out: MutView[u8]) -> CryptoStatus:
    """``out[0:len(data)]`` = AES-128-CBC encryption of ``data`` under ``key`` from ``iv`` (DCP only)."""
    return aes(key, iv, data, out, True, True)


def aes128_cbc_decrypt(key: View[u8], iv: View[u8], data: View[u8], out: MutView[u8]) -> CryptoStatus:
    """``out[0:len(data)]`` = AES-128-CBC decryption of ``data`` under ``key`` from ``iv`` (DCP only)."""
    return aes(key, iv, data, out, True, False)


def derive_key(diversifier: View[u8], out: Bytes[16]) -> CryptoStatus:
    """``out`` = AES-128-ECB encryption of the 16-byte ``diversifier`` under the
    device-unique key, computed inside the DCP (the key itself is never readable)."""
    for i in range(0, KEY_BYTES):
        out[i] = 0
    if not soc.has_dcp():
        return CryptoStatus.UNAVAILABLE
    started: CryptoStatus = start_dcp()
    if started != CryptoStatus.OK:
        return started
    # Straight into ``out``: the DCP zeroes what it wrote on failure, and a wrong length
    # leaves ``out`` as zeroed above.
    return from_dcp(u32(dcp.aes_ecb_unique(True, diversifier, out)))


def rng_self_test() -> CryptoStatus:
    """(Re)start the RNGB: reset, self test, seed.  OK only if the generator is healthy;
    reads are allowed from then on, until a failure."""
    if not soc.has_rngb():
        return CryptoStatus.UNAVAILABLE
    return rng_result(u32(rngb.init()))


def rng_read(out: MutView[u32], n: u32) -> CryptoStatus:
    """``out[0:n]`` = ``n`` random words from the RNGB, or nothing at all: every word of
    ``out`` (of the caller's size) is zero unless OK."""
    for i in range(0, len(out)):
        out[i] = 0
    if not soc.has_rngb():
        return CryptoStatus.UNAVAILABLE
    if rng_state == RNG_UNTESTED:
        first: CryptoStatus = rng_self_test()
        if first != CryptoStatus.OK:
            return first
    if rng_state != RNG_HEALTHY:
        return CryptoStatus.UNHEALTHY
    status: CryptoStatus = rng_result(u32(rngb.read_words(out, n)))
    if status != CryptoStatus.OK:
        for i in range(0, len(out)):
            out[i] = 0
    return status
